"""What the probe handler does on one attempt: how long it runs and whether it fails.

The deployed handler and the simulator both call `decide`, so a scenario means the same thing on
both targets. Standard library only (this file is zipped into the function).
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

FAIL_SPEC = re.compile(r"^(never|always|crash|first:([1-9][0-9]*))$")
FAIL_VALUES = "never, always, crash, first:N (N >= 1)"
ERROR_TYPE = "ProbeError"
# `crash`: the handler exits the runtime process, as a crashing runtime does
CRASH_ERROR_TYPE = "Runtime.ExitError"
CRASH_MESSAGE = "Runtime exited with error: exit status 1"


@dataclass(frozen=True)
class Directive:
    """The probe's instructions, carried in the event (key `lambdaprobe`) or the environment.

    duration_s  how long the handler runs on each attempt
    fail        never | always | crash (exit the runtime on every attempt) | first:N (fail the first N
                attempts, then succeed)
    init_s      how long the module's init (cold start) takes
    """

    duration_s: float = 0.1
    fail: str = "never"
    init_s: float = 0.3

    def __hash__(self) -> int:
        # The simulator hashes a directive on every attempt (decide is memoised on it): hash once.
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash((self.duration_s, self.fail, self.init_s))
            object.__setattr__(self, "_hash", cached)
        return cached

    def to_event(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_event(cls, data: dict[str, Any] | None) -> Directive:
        if not data:
            return cls()
        return cls(
            duration_s=float(data.get("duration_s", cls.duration_s)),
            fail=str(data.get("fail", cls.fail)),
            init_s=float(data.get("init_s", cls.init_s)),
        )


@dataclass(frozen=True)
class Decision:
    """What the handler does on this attempt."""

    duration_s: float
    fail: bool
    error_type: str = ""
    error_message: str = ""
    crash: bool = False  # the runtime exits: Lambda resets the environment


def valid_fail_spec(spec: str) -> bool:
    return FAIL_SPEC.match(spec) is not None


def fails_on(spec: str, attempt: int) -> bool:
    """Whether attempt number `attempt` (1-based) fails under `spec`."""
    return attempt <= _failing_attempts(spec)


@lru_cache(maxsize=64)
def _failing_attempts(spec: str) -> float:
    # Parsed once per spec: the simulator asks for every item of every batch (100,000s per run).
    match = FAIL_SPEC.match(spec)
    if match is None:
        raise ValueError(f"fail spec {spec!r} is not one of {FAIL_VALUES}")
    if match.group(1) == "never":
        return 0
    if match.group(1) in ("always", "crash"):
        return math.inf
    return int(match.group(2))


# Pure, and asked for every item of every batch by the simulator: memoised.
@lru_cache(maxsize=1024)
def decide(directive: Directive, attempt: int) -> Decision:
    """The behaviour of attempt `attempt` (1-based) under `directive`."""
    if directive.fail == "crash":
        return Decision(
            duration_s=directive.duration_s,
            fail=True,
            error_type=CRASH_ERROR_TYPE,
            error_message=CRASH_MESSAGE,
            crash=True,
        )
    if fails_on(directive.fail, attempt):
        return Decision(
            duration_s=directive.duration_s,
            fail=True,
            error_type=ERROR_TYPE,
            error_message=f"lambdaprobe: attempt {attempt} fails as directed ({directive.fail})",
        )
    return Decision(duration_s=directive.duration_s, fail=False)
