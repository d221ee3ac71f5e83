"""The plan's records: API calls, the values they pass on, the queues the collector drains, and the
plan of a run as one object. Pure.

Values known only once an earlier call has run (a role ARN, a queue URL) are `Ref`s to the name
that call `produces`; `Fmt` and `Json` build strings out of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Ref:
    """The value an earlier call produced under `name`."""

    name: str


@dataclass(frozen=True)
class Fmt:
    """A string with `{name}` fields filled from produced values."""

    template: str


class B64(Fmt):
    """The bytes an earlier call produced (a KMS ciphertext), base64-encoded into a string.

    A Fmt whose template names the value, so the dry run shows `<name>`; `apply.resolve` encodes it.
    """

    def __init__(self, name: str) -> None:
        super().__init__("{" + name + "}")

    @property
    def name(self) -> str:
        return self.template[1:-1]


@dataclass(frozen=True)
class Json:
    """A JSON document (as a string) whose Refs and Fmts are resolved first."""

    value: Any


@dataclass(frozen=True)
class Poll:
    """Repeat the call until the value at `path` is one of `ready` (a state to wait for)."""

    path: str
    ready: tuple[str, ...]
    failed: tuple[str, ...] = ()
    timeout_s: float = 300.0
    interval_s: float = 2.0
    message: str = ""


@dataclass(frozen=True)
class ApiCall:
    """One API call of the plan.

    produces   the name later calls use (through Ref/Fmt) for the value at `output` in the response
    teardown   the call that undoes this one (None when deleting a parent removes it too)
    poll       repeat until a state is reached (used for reads that wait: READY, Enabled, ACTIVE)
    mutating   False for reads, which a dry run or a fault-injection test may tell apart
    note       shown in the dry run (e.g. what a resource costs)
    """

    service: str
    operation: str
    params: dict[str, Any] = field(default_factory=dict)
    produces: str | None = None
    output: str | None = None
    teardown: ApiCall | None = None
    poll: Poll | None = None
    mutating: bool = True
    note: str = ""


WatchKind = Literal["dead_letter", "on_success", "on_failure"]
WatchShape = Literal["sqs", "sns", "eventbridge", "lambda"]


@dataclass(frozen=True)
class Watch:
    """A queue the collector drains: what lands there, under which label, in which envelope."""

    queue_url: str  # produces-name of the queue URL
    observe: WatchKind
    label: str  # e.g. "sqs:lambdaprobe-lp1a2b3c-dlq", as the simulator labels its targets
    shape: WatchShape
    request_in_record: bool = True  # False for stream failure records, which carry no data


@dataclass(frozen=True)
class SendTo:
    """A source endpoint once deployed: its name, URL and ARN as AWS gave them."""

    name: str
    url: str | None = None
    arn: str | None = None


@dataclass(frozen=True)
class SourceEndpoint:
    """Where the driver sends the stimulus: the resource's name, and the values its create produced."""

    name: str
    url: Ref | None = None
    arn: Ref | None = None

    def resolve(self, outputs: Mapping[str, Any]) -> SendTo:
        return SendTo(
            self.name,
            None if self.url is None else str(outputs[self.url.name]),
            None if self.arn is None else str(outputs[self.arn.name]),
        )


@dataclass(frozen=True)
class Plan:
    """A run's plan, built once: what the confirmation lists, the executor applies, the driver sends
    to and the collector reads.

    calls       the API calls in order; teardown is each call's `teardown`, reversed
    watches     the queues the collector drains (DLQs, destinations)
    function    the probe function's name; `log_group` where it logs
    source      where the stimulus enters (None: the driver invokes the function directly)
    version     version 1, and `new_version` (a deployment's version 2), as the executor learns them
    api_id      the REST API in front of the function (`--caller apigateway`)
    """

    calls: tuple[ApiCall, ...]
    watches: tuple[Watch, ...]
    function: str
    log_group: str
    source: SourceEndpoint | None = None
    version: Ref = Ref("version")
    new_version: Ref | None = None
    api_id: Ref | None = None
