"""What a target saw: the records both the simulator and the AWS collector emit.

Times are seconds since the first stimulus, in the target's time (virtual on `sim`).
Records are treated as immutable once emitted; they are not `frozen` dataclasses only because a
frozen constructor costs about twice as much, and the simulator emits millions of them.
Analysis turns these into a Report without knowing which target produced them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from lambdaprobe.rules import RuleId

Outcome = Literal["success", "error", "timeout"]
Final = Literal["succeeded", "failed", "throttled", "dead_lettered", "expired", "pending"]
FINAL_STATES: tuple[Final, ...] = ("succeeded", "failed", "throttled", "dead_lettered", "expired", "pending")


@dataclass(slots=True)
class Sent:
    """A stimulus left the driver: an invoke, a message, a record."""

    request_id: str
    t: float
    kind: str = "invoke"


@dataclass(slots=True)
class Attempt:
    """One handler execution as seen by one request.

    A batch (SQS, streams) is one execution seen by several requests: they share `execution_id`.
    `start` is when the execution began (init included on a cold start); `end` when it returned,
    failed or timed out.
    """

    request_id: str
    n: int
    start: float
    end: float
    outcome: Outcome
    execution_id: str
    cold: bool = False
    init_s: float = 0.0
    error: str | None = None
    receive_count: int | None = None
    version: str = "$LATEST"
    environment_id: str = ""
    provisioned: bool = False
    billed_ms: int | None = None

    # The report's names for start and end: an Attempt serves as the report's view of itself.
    @property
    def start_s(self) -> float:
        return self.start

    @property
    def end_s(self) -> float:
        return self.end


@dataclass(slots=True)
class ClientResult:
    """What a waiting caller got back (sync invokes, the 202 of an async invoke)."""

    request_id: str
    t: float
    status: int
    latency_s: float
    error: str | None = None
    reason: str | None = None
    # A refused call's error body beside its Reason: message ("Rate Exceeded.") and Type ("User")
    message: str | None = None
    error_type: str | None = None


@dataclass(slots=True)
class Throttle:
    """A throttle decision (a caller's 429, or a queued event requeued, which has no caller).

    `count` > 1 folds a run of one request's consecutive internal requeues into one record (from `t`
    on): a backlog of a million queued events would otherwise mean millions of records.
    """

    request_id: str
    t: float
    reason: str
    count: int = 1


@dataclass(slots=True)
class DeadLetter:
    """A message seen in a dead-letter queue (the function's, or a source queue's redrive target)."""

    t: float
    queue: str
    body: Any
    attributes: dict[str, Any]
    request_id: str | None = None


@dataclass(slots=True)
class DestinationRecord:
    """A record seen at an async or event-source destination, exactly as AWS shapes it."""

    t: float
    kind: Literal["on_success", "on_failure"]
    target: str
    record: dict[str, Any]
    request_id: str | None = None


@dataclass(slots=True)
class Settled:
    """A request's final state, when the target knows it (otherwise analysis infers it)."""

    request_id: str
    t: float
    final: Final


@dataclass
class Observations:
    """Everything one run saw, by kind, plus the notes the target adds (warnings) and the rules it
    relied on: each rule's code path adds its id as it applies the rule, so the record is complete
    by construction."""

    target: str
    sent: list[Sent] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    client_results: list[ClientResult] = field(default_factory=list)
    throttles: list[Throttle] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    destinations: list[DestinationRecord] = field(default_factory=list)
    settled: list[Settled] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rules: set[RuleId] = field(default_factory=set)
    complete: bool = True
    missing: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)  # what teardown could not delete (aws)
