"""Validation shared by the probe builders: AWS's ranges, as one-line errors naming the option."""

from __future__ import annotations

import json
import math
import re
from array import array
from collections.abc import Iterable
from pathlib import Path

from lambdaprobe.errors import InputError
from lambdaprobe.function.directive import FAIL_VALUES, Directive, valid_fail_spec
from lambdaprobe.rules.constants import (
    ASYNC_PAYLOAD_MAX_BYTES,
    FUNCTION_TIMEOUT_MAX_S,
    FUNCTION_TIMEOUT_MIN_S,
    SYNC_PAYLOAD_MAX_BYTES,
)

# [function.limits] function timeout 1..900 s
TIMEOUT_RANGE = (int(FUNCTION_TIMEOUT_MIN_S), int(FUNCTION_TIMEOUT_MAX_S))
MAX_INIT_S = 900.0
MAX_DURATION_S = 900.0
MAX_COUNT = 1_000_000
MAX_INTERVAL_S = 3600.0
# The handler gets this much headroom over its directed duration when --timeout is not given.
TIMEOUT_HEADROOM_S = 5


def in_range(option: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise InputError(option, f"{_num(value)} is out of range; allowed: {_num(low)}..{_num(high)}")


def one_of(option: str, value: str | None, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if value not in allowed:
        raise InputError(option, f"{value!r} is not allowed; allowed: {', '.join(allowed)}")


def directive(duration: float, fail: str, init: float) -> Directive:
    in_range("--duration", duration, 0, MAX_DURATION_S)
    in_range("--init", init, 0, MAX_INIT_S)
    if not valid_fail_spec(fail):
        raise InputError("--fail", f"{fail!r} is not allowed; allowed: {FAIL_VALUES}")
    return Directive(duration_s=duration, fail=fail, init_s=init)


PER_REQUEST = re.compile(r"^(?:r(\d+)|(\d+)):(.+)$")
FAIL_HELP = (
    "never, always, crash (the runtime exits) or first:N for every request; or per request, comma-separated: "
    "rNN:SPEC (request id) or "
    "N:SPEC (1-based index), with one bare SPEC as the default for the rest (default never), "
    "e.g. r03:always or always,r01:never"
)


def fail_directives(
    fail: str, count: int, duration: float, init: float
) -> tuple[Directive, tuple[tuple[int, Directive], ...]]:
    """`--fail`: the default directive, and the requests (0-based index) that have their own."""
    items = [item.strip() for item in fail.split(",")]
    if len(items) == 1 and valid_fail_spec(items[0]):
        return directive(duration, items[0], init), ()
    default = "never"
    defaults = [item for item in items if valid_fail_spec(item)]
    if len(defaults) > 1:
        raise InputError("--fail", f"{fail!r} has {len(defaults)} defaults; allowed: one bare SPEC at most")
    if defaults:
        default = defaults[0]
    overrides: dict[int, Directive] = {}
    for item in items:
        if valid_fail_spec(item):
            continue
        match = PER_REQUEST.match(item)
        if match is None or not valid_fail_spec(match.group(3)):
            raise InputError("--fail", f"{item!r} is not allowed; allowed: {FAIL_HELP}")
        n = int(match.group(1) or match.group(2))
        if not 1 <= n <= count:
            raise InputError("--fail", f"{item!r} names request {n} of {count}; allowed: 1..{count}")
        if n - 1 in overrides:
            raise InputError("--fail", f"{item!r}: request {n} is named twice; allowed: once")
        overrides[n - 1] = directive(duration, match.group(3), init)
    return directive(duration, default, init), tuple(sorted(overrides.items()))


def timeout_for(timeout: float | None, duration: float) -> float:
    """The function timeout: as given, or the duration plus headroom so the handler completes."""
    if timeout is None:
        return float(min(TIMEOUT_RANGE[1], max(3, math.ceil(duration) + TIMEOUT_HEADROOM_S)))
    in_range("--timeout", timeout, *TIMEOUT_RANGE)
    return float(timeout)


def stimulus_shape(count: int, interval: float) -> None:
    in_range("--count", count, 1, MAX_COUNT)
    in_range("--interval", interval, 0, MAX_INTERVAL_S)


# The --arrivals option of the probes that send load (the shapes are described in lambdaprobe.arrivals).
ARRIVALS_HELP = (
    "When calls are sent: even (one every --interval), poisson:RATE (--count calls at RATE/s, seeded), "
    "burst:N@T (N calls at T s), file:PATH (replay a CSV of times, or of TIME,COUNT per second or minute: "
    "a CloudWatch Invocations export); join with +, e.g. poisson:50+burst:200@30. "
    "On --target aws the same times are kept on the wall clock."
)


def shaped(arrivals: str, times: array[float] | None) -> tuple[tuple[str, object], ...]:
    """The arrivals param, for a run whose traffic has a shape (an even run's params read as before)."""
    return () if times is None else (("arrivals", arrivals),)


def traffic(arrivals: str, count: int, interval: float, seed: int) -> array[float] | None:
    """The send times of an --arrivals shape, or None for `even` (one call every --interval)."""
    from lambdaprobe import arrivals as shapes

    stimulus_shape(count, interval)
    if shapes.is_even(arrivals):
        return None
    return shapes.times(arrivals, count, interval, seed)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


PAYLOAD_SIZE_MAX = 16 * 1024 * 1024  # enough to cross either invoke limit


def checked_payload_size(size: int | None) -> int | None:
    """`--payload-size`: the event padded to this many bytes (over the invoke limits: refused, 413)."""
    if size is not None:
        in_range("--payload-size", size, 1, PAYLOAD_SIZE_MAX)
    return size


PAYLOAD_HELP = (
    "A JSON file whose object is the event body the function receives (e.g. payloads/invoke.json); "
    "lambdaprobe's own fields (request, lambdaprobe) are set on top so attempts still correlate. "
    f"At most {SYNC_PAYLOAD_MAX_BYTES} bytes sync, {ASYNC_PAYLOAD_MAX_BYTES} async."
)


_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


def checked_payload(path: str | None, mode: str) -> str | None:
    """`--payload FILE`: the file's JSON object as compact JSON text, checked before anything runs
    (readable, a JSON object, within the invoke limit for `mode`). None when not given."""
    if path is None:
        return None
    limit = SYNC_PAYLOAD_MAX_BYTES if mode == "sync" else ASYNC_PAYLOAD_MAX_BYTES
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError("--payload", f"cannot read {path!r} ({exc.strerror or type(exc).__name__}); "
                         "allowed: a readable JSON file") from None
    if len(raw) > limit:
        raise InputError("--payload", f"{path!r} is {len(raw)} bytes; allowed: at most {limit} bytes ({mode})")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError("--payload", f"{path!r} is not JSON ({reason}); allowed: a JSON object") from None
    if not isinstance(body, dict):
        raise InputError("--payload", f"{path!r} holds a JSON {_JSON_KINDS.get(type(body), 'value')}; "
                         "allowed: a JSON object")
    return json.dumps(body, separators=(",", ":"))
