"""The plan's records: API calls, the values they pass on, the queues the collector drains. Pure.

Values known only once an earlier call has run (a role ARN, a queue URL) are `Ref`s to the name
that call `produces`; `Fmt` and `Json` build strings out of them.
"""

from __future__ import annotations

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
