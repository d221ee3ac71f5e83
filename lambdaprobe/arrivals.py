"""Traffic shapes: when each request of a run is sent (`--arrivals`).

A shape is `even` (one call every --interval, as without --arrivals), `poisson:RATE` (--count calls,
exponential gaps at RATE a second, drawn from the seed), `burst:N@T` (N calls at T seconds), or
`file:PATH` (a replay of real traffic), and parts join with `+` (`poisson:50+burst:200@30`).

A file is CSV, one of two forms (a header line and `#` comments are skipped):
- one column: the time of each request (seconds, or an ISO 8601 date-time), in order;
- two columns: `time,count`, the number of requests in each period starting at that time, the shape
  of a CloudWatch `Invocations` metric (Sum) exported per second or per minute. The period is the
  smallest step between rows (60 s for a single row); a period's requests are spread evenly over it.
Times are replayed relative to the first row. Pure: reads the file, does no other I/O.
"""

from __future__ import annotations

import csv
import math
import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from lambdaprobe.errors import InputError

OPTION = "--arrivals"
FORMS = "even, poisson:RATE, burst:N@T, file:PATH, joined with + (e.g. poisson:50+burst:200@30)"
# A replay may be larger than --count allows: a day of production traffic is millions of calls.
MAX_ARRIVALS = 10_000_000
MAX_RATE = 1_000_000.0
DEFAULT_PERIOD_S = 60.0  # a single counts row: CloudWatch's standard one-minute resolution


@dataclass(frozen=True)
class Even:
    pass


@dataclass(frozen=True)
class Poisson:
    rate: float


@dataclass(frozen=True)
class Burst:
    n: int
    at_s: float


@dataclass(frozen=True)
class FromFile:
    path: str


Part = Even | Poisson | Burst | FromFile


def parse(spec: str) -> tuple[Part, ...]:
    """The parts of an --arrivals value (syntax and ranges only; a file is read by `times`)."""
    parts: list[Part] = []
    for raw in spec.split("+"):
        text = raw.strip()
        kind, _, arg = text.partition(":")
        if kind == "even" and not arg:
            parts.append(Even())
        elif kind == "poisson" and arg:
            rate = _number(arg, f"poisson rate {arg!r}")
            if not 0 < rate <= MAX_RATE:
                raise InputError(OPTION, f"poisson rate {arg} is out of range; allowed: > 0..{MAX_RATE:g} a second")
            parts.append(Poisson(rate))
        elif kind == "burst" and "@" in arg:
            n_text, _, at_text = arg.partition("@")
            n = _number(n_text, f"burst size {n_text!r}")
            at = _number(at_text, f"burst time {at_text!r}")
            if not (n.is_integer() and 1 <= n <= MAX_ARRIVALS):
                raise InputError(OPTION, f"burst size {n_text} is out of range; allowed: 1..{MAX_ARRIVALS}")
            if not 0 <= at <= 86400 * 31:
                raise InputError(OPTION, f"burst time {at_text} is out of range; allowed: 0..{86400 * 31} seconds")
            parts.append(Burst(int(n), at))
        elif kind == "file" and arg:
            parts.append(FromFile(arg))
        else:
            raise InputError(OPTION, f"{text!r} is not a traffic shape; allowed: {FORMS}")
    return tuple(parts)


def is_even(spec: str) -> bool:
    return parse(spec) == (Even(),)


def times(spec: str, count: int, interval_s: float, seed: int) -> array[float]:
    """Every request's send time in seconds from the first, sorted. `even` and `poisson` parts send
    `count` requests each; bursts and files add theirs."""
    merged: list[float] = []
    parts = parse(spec)
    for i, part in enumerate(parts):
        if isinstance(part, Even):
            chunk = array("d", [k * interval_s for k in range(count)])
        elif isinstance(part, Poisson):
            chunk = poisson(part.rate, count, random.Random(f"arrivals:{seed}:{i}"))
        elif isinstance(part, Burst):
            chunk = array("d", [part.at_s]) * part.n
        else:
            chunk = read_file(part.path)
        if len(parts) == 1:
            return chunk
        merged.extend(chunk)
        if len(merged) > MAX_ARRIVALS:
            raise InputError(OPTION, f"{spec} makes over {MAX_ARRIVALS:,} requests; allowed: up to {MAX_ARRIVALS:,}")
    merged.sort()  # stable: ties keep the order of the parts
    return array("d", merged)


def poisson(rate: float, count: int, rng: random.Random) -> array[float]:
    """`count` arrivals of a Poisson process of `rate` a second, the first at t=0."""
    out = array("d", [0.0]) * count
    t = 0.0
    draw = rng.expovariate
    for k in range(1, count):
        t += draw(rate)
        out[k] = t
    return out


def read_file(path: str) -> array[float]:
    """The send times a traffic file describes (see the module's doc for its forms). A sweep reads
    one file for every point: the last few files read are kept, while unchanged on disk."""
    try:
        stat = Path(path).stat()
    except OSError as err:
        raise InputError(OPTION, f"file:{path}: cannot be read ({err.strerror or err})") from err
    return _read_file(path, stat.st_mtime_ns, stat.st_size)[:]  # a copy: the kept one stays as read


@lru_cache(maxsize=2)
def _read_file(path: str, mtime_ns: int, size: int) -> array[float]:
    try:
        with Path(path).open(encoding="utf-8", newline="") as handle:
            rows = list(_rows(path, handle))
    except OSError as err:
        raise InputError(OPTION, f"file:{path}: cannot be read ({err.strerror or err})") from err
    except UnicodeDecodeError as err:
        raise InputError(OPTION, f"file:{path}: not a text (UTF-8) CSV file") from err
    if not rows:
        raise InputError(OPTION, f"file:{path} line 1: empty: no TIME or TIME,COUNT row in the file")
    width = len(rows[0][1])
    for line, fields in rows:
        if len(fields) != width:
            raise InputError(
                OPTION, f"file:{path} line {line}: {len(fields)} columns where the first row has {width}; "
                "allowed: TIME or TIME,COUNT on every row"
            )
    if width == 1:
        return _timestamps(path, rows)
    if width == 2:
        return _counts(path, rows)
    raise InputError(OPTION, f"file:{path} line {rows[0][0]}: {width} columns; allowed: TIME or TIME,COUNT")


def _rows(path: str, handle: Iterator[str]) -> Iterator[tuple[int, list[str]]]:
    first = True
    for line, fields in enumerate(csv.reader(handle), start=1):
        fields = [f.strip() for f in fields]
        if not any(fields) or fields[0].startswith("#"):
            continue
        if first and _parse_time(fields[0]) is None and not _looks_numeric(fields[0]):
            first = False  # a header line
            continue
        first = False
        yield line, fields


def _timestamps(path: str, rows: list[tuple[int, list[str]]]) -> array[float]:
    if len(rows) > MAX_ARRIVALS:
        raise InputError(OPTION, f"file:{path}: {len(rows):,} requests; allowed: up to {MAX_ARRIVALS:,}")
    out = array("d", [0.0]) * len(rows)
    t0 = previous = None
    first = rows[0][1][0]
    # Epoch seconds (1700000000.3) minus the first row, in decimal: the offset 0.3 reads as the same
    # float as a file written from 0, so a replay equals the same times sent any other way.
    exact = _parse_time(first) not in (None, 0.0) and _is_decimal(first)
    base = Decimal(first) if exact else None
    for k, (line, fields) in enumerate(rows):
        text = fields[0]
        t = _time(path, line, text)
        if previous is not None and t < previous:
            raise InputError(OPTION, f"file:{path} line {line}: time {text} is earlier than the row before; "
                             "allowed: rows in time order")
        if t0 is None:
            t0 = t
        out[k] = float(Decimal(text) - base) if base is not None and _is_decimal(text) else t - t0
        previous = t
    return out


def _is_decimal(text: str) -> bool:
    return bool(text) and text.lstrip("+-").replace(".", "", 1).isdigit()


def _counts(path: str, rows: list[tuple[int, list[str]]]) -> array[float]:
    starts: list[float] = []
    counts: list[int] = []
    for line, fields in rows:
        t = _time(path, line, fields[0])
        if starts and t <= starts[-1]:
            raise InputError(OPTION, f"file:{path} line {line}: time {fields[0]} is not after the row before; "
                             "allowed: rows in time order, one per period")
        n = _number(fields[1], f"file:{path} line {line}: count {fields[1]!r}")
        if n < 0 or not n.is_integer():
            raise InputError(OPTION, f"file:{path} line {line}: count {fields[1]} is not allowed; "
                             "allowed: a whole number >= 0")
        starts.append(t)
        counts.append(int(n))
    total = sum(counts)
    if total == 0:
        raise InputError(OPTION, f"file:{path}: every count is 0: no traffic; allowed: counts >= 0, not all 0")
    if total > MAX_ARRIVALS:
        raise InputError(OPTION, f"file:{path}: {total:,} requests; allowed: up to {MAX_ARRIVALS:,}")
    period = min((b - a for a, b in pairwise(starts)), default=DEFAULT_PERIOD_S)
    out = array("d", [0.0]) * total
    t0 = starts[0]
    k = 0
    # Consecutive periods of one count are one even run, its times computed as run start + j * gap:
    # a file of constant counts then gives exactly the times of `--interval period/count`.
    run_start, run_n, run_j = 0.0, 0, 0  # run_n 0: no run open
    for start, n in zip(starts, counts, strict=True):
        if n == 0:
            run_n = 0
            continue
        gap = period / n
        if n != run_n or not math.isclose(start - t0, run_start + run_j * gap):
            run_start, run_n, run_j = start - t0, n, 0
        for _ in range(n):
            out[k] = run_start + run_j * gap
            run_j += 1
            k += 1
    return out


def _time(path: str, line: int, text: str) -> float:
    t = _parse_time(text)
    if t is None:
        raise InputError(OPTION, f"file:{path} line {line}: time {text!r} is not a number of seconds or an "
                         "ISO 8601 date-time")
    if t < 0:
        raise InputError(OPTION, f"file:{path} line {line}: time {text} is negative; allowed: >= 0")
    return t


def _parse_time(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        return value if math.isfinite(value) else None
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp()


def _looks_numeric(text: str) -> bool:
    return bool(text) and (text[0].isdigit() or text[0] in "+-.")


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(OPTION, f"{what} is not a number")
    return value
