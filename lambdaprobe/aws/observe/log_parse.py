"""Probe log lines, REPORT lines and timeout lines, turned into attempt observations. Pure.

The lines come from the probe function's log group (read by `collect.Collector`); nothing here
does I/O.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from lambdaprobe.observation import Attempt, Outcome
from lambdaprobe.rules.constants import (
    INIT_LIMIT_S,  # [init.suppressed] an init longer than this is cut and run again in the invoke
)

REPORT_RE = re.compile(
    r"REPORT RequestId:\s*(?P<id>[0-9a-fA-F-]+)\s+Duration:\s*(?P<duration>[0-9.]+)\s*ms\s+"
    r"Billed Duration:\s*(?P<billed>[0-9]+)\s*ms\s+Memory Size:\s*(?P<memory>[0-9]+)\s*MB\s+"
    r"Max Memory Used:\s*(?P<used>[0-9]+)\s*MB(?:\s+Init Duration:\s*(?P<init>[0-9.]+)\s*ms)?"
    r"(?:\s+Status:\s*(?P<status>\w+))?"
)
TIMEOUT_RE = re.compile(
    r"^(?P<ts>\S+)\s+(?P<id>[0-9a-fA-F-]{8,})\s+Task timed out after (?P<seconds>[0-9.]+) seconds"
)
STREAM_VERSION_RE = re.compile(r"\[(?P<version>[^\]]+)\]")


@dataclass(frozen=True)
class LogEvent:
    """One CloudWatch Logs event: epoch milliseconds, the message, the stream it came from."""

    timestamp_ms: float
    message: str
    stream: str = ""
    event_id: str = ""


@dataclass(frozen=True)
class ProbeLine:
    kind: str  # "start" | "end"
    request: str
    aws_request_id: str
    attempt: int
    t: float
    cold: bool
    init_type: str | None
    init_s: float
    outcome: str | None
    error: str | None


@dataclass(frozen=True)
class ReportLine:
    aws_request_id: str
    duration_ms: float
    billed_ms: int
    memory_mb: int
    max_memory_mb: int
    init_ms: float | None
    status: str | None = None  # newer runtimes add "Status: timeout|error" to a failed invocation


@dataclass(frozen=True)
class TimeoutLine:
    aws_request_id: str
    seconds: float


def parse_probe_line(message: str) -> ProbeLine | None:
    """The handler's `{"lambdaprobe": "start"|"end", ...}` line, or None for any other line."""
    start = message.find("{")
    if start < 0 or '"lambdaprobe"' not in message:
        return None
    try:
        data = json.loads(message[start:])
    except (ValueError, RecursionError):  # a function's line may be anything, thousands deep included
        return None
    if not isinstance(data, dict) or data.get("lambdaprobe") not in ("start", "end"):
        return None
    try:
        return ProbeLine(
            kind=data["lambdaprobe"],
            request=str(data.get("request", "")),
            aws_request_id=str(data["aws_request_id"]),
            attempt=int(data.get("attempt", 1)),
            t=float(data["t"]),
            cold=bool(data.get("cold", False)),
            init_type=data.get("init_type"),
            init_s=float(data.get("init_s") or 0.0),
            outcome=data.get("outcome"),
            error=data.get("error"),
        )
    except (KeyError, TypeError, ValueError):
        return None


def parse_report(message: str) -> ReportLine | None:
    """`REPORT RequestId: ... Duration: ... Billed Duration: ... [Init Duration: ...]`."""
    m = REPORT_RE.search(message)
    if m is None:
        return None
    return ReportLine(
        aws_request_id=m.group("id"),
        duration_ms=float(m.group("duration")),
        billed_ms=int(m.group("billed")),
        memory_mb=int(m.group("memory")),
        max_memory_mb=int(m.group("used")),
        init_ms=float(m.group("init")) if m.group("init") else None,
        status=m.group("status"),
    )


def parse_timeout(message: str) -> TimeoutLine | None:
    """`<ts> <requestId> Task timed out after 3.00 seconds`."""
    m = TIMEOUT_RE.search(message.strip())
    if m is None:
        return None
    return TimeoutLine(m.group("id"), float(m.group("seconds")))


def version_of_stream(stream: str) -> str:
    """`2026/01/01/[1]abcdef...` -> "1"; `[$LATEST]` -> "$LATEST"."""
    m = STREAM_VERSION_RE.search(stream)
    return m.group("version") if m else "$LATEST"


@dataclass
class _Execution:
    aws_request_id: str
    stream: str
    starts: dict[str, ProbeLine] = field(default_factory=dict)
    ends: dict[str, ProbeLine] = field(default_factory=dict)
    report: ReportLine | None = None
    timeout: tuple[float, TimeoutLine] | None = None
    report_t: float | None = None  # when the REPORT line was written (epoch s)

    @property
    def first_start(self) -> float:
        if not self.starts:  # the handler never ran (killed in init): the invoke phase's start
            return self.orphan_end - (self.report.duration_ms / 1000 if self.report else 0.0)
        return min(line.t for line in self.starts.values())

    @property
    def orphan_end(self) -> float:
        if self.timeout is not None:
            return self.timeout[0]
        return self.report_t if self.report_t is not None else 0.0


def _executions(events: Iterable[LogEvent]) -> list[_Execution]:
    """Group lines into handler executions.

    An async retry keeps its aws_request_id, so one id may have several executions: within one log
    stream (one environment) a new execution begins when a request starts again or after an end
    line. REPORT and timeout lines of an id attach to its executions in time order.
    """
    ordered = sorted(events, key=lambda e: (e.timestamp_ms, e.event_id))
    current: dict[tuple[str, str], _Execution] = {}
    executions: list[_Execution] = []
    reports: dict[tuple[str, str], list[tuple[float, ReportLine]]] = defaultdict(list)
    timeouts: dict[tuple[str, str], list[tuple[float, TimeoutLine]]] = defaultdict(list)
    for event in ordered:
        line = parse_probe_line(event.message)
        if line is not None:
            key = (line.aws_request_id, event.stream)
            ex = current.get(key)
            if line.kind == "start":
                if ex is None or ex.ends or line.request in ex.starts:
                    ex = _Execution(line.aws_request_id, event.stream)
                    current[key] = ex
                    executions.append(ex)
                ex.starts[line.request] = line
            elif ex is not None:
                ex.ends[line.request] = line
            continue
        report = parse_report(event.message)
        if report is not None:
            reports[(report.aws_request_id, event.stream)].append((event.timestamp_ms / 1000, report))
            continue
        timeout = parse_timeout(event.message)
        if timeout is not None:
            timeouts[(timeout.aws_request_id, event.stream)].append((event.timestamp_ms / 1000, timeout))
    by_key: dict[tuple[str, str], list[_Execution]] = defaultdict(list)
    for ex in executions:
        by_key[(ex.aws_request_id, ex.stream)].append(ex)
    for key, found in reports.items():
        if key not in by_key:
            # REPORT without any probe line: the execution ended before the handler ran (a
            # suppressed init that ran out of time). Only its aws_request_id names it.
            orphan = _Execution(key[0], key[1])
            orphan.report_t, orphan.report = found[0]
            orphan.timeout = timeouts[key][0] if timeouts.get(key) else None
            executions.append(orphan)
    for key, exs in by_key.items():
        exs.sort(key=lambda e: e.first_start)
        for ex, (report_t, report) in zip(exs, reports.get(key, []), strict=False):
            ex.report, ex.report_t = report, report_t
        pending_timeouts = list(timeouts.get(key, []))
        for ex in exs:
            if not ex.ends and pending_timeouts:
                ex.timeout = pending_timeouts.pop(0)
    return executions


SUPPRESSED_INIT_NOTE = (
    "suppressed init: a cold start's REPORT line had no Init Duration (init over 10 s, re-run inside "
    "the invoke [init.suppressed]); its init_s is derived as the 10 s cut init, its start as 10 s before the "
    "invoke phase (the REPORT Duration, which includes the re-init)"
)


def attempts_from_logs(
    events: Iterable[LogEvent],
    t0_wall: float,
    renumber: bool = True,
    timeout_s: float | None = None,
    requests: dict[str, str] | None = None,
    notes: list[str] | None = None,
) -> tuple[list[Attempt], list[str]]:
    """Attempt observations from the probe's log events, and the executions still in flight.

    `renumber`: number attempts per request in time order (async retries and stream retries on a
    new environment restart the handler's in-memory counter); SQS keeps the receive count.
    `requests`: aws_request_id -> request, for executions that left no probe line (the driver's
    ledger). `notes`: where to say that a value was derived rather than read.
    """
    attempts: list[Attempt] = []
    in_flight: list[str] = []
    for ex in _executions(events):
        report = ex.report
        starts = dict(ex.starts)
        if not starts and requests and ex.aws_request_id in requests:
            starts[requests[ex.aws_request_id]] = _orphan_start(ex, requests[ex.aws_request_id])
        for request, start in starts.items():
            init_s = start.init_s
            # No Init Duration on a cold start is a suppressed init only when init took over 10 s (or
            # never finished): a proactive init, done before any request, leaves none either.
            suppressed = (
                start.cold
                and report is not None
                and report.init_ms is None
                and (not ex.starts or start.init_s >= INIT_LIMIT_S)
            )
            if report is not None and report.init_ms is not None:
                init_s = report.init_ms / 1000
            cold = start.cold or (report is not None and report.init_ms is not None)
            # a batch is one execution: every request in it starts when the first line was written
            begin = ex.first_start - (init_s if cold else 0.0) - t0_wall
            if suppressed:
                # the handler's own measure is the re-run init, inside the invoke phase; before
                # it came the cut 10 s init, which no line reports [init.suppressed]
                begin = ex.first_start - (start.init_s if ex.starts else 0.0) - INIT_LIMIT_S - t0_wall
                init_s = INIT_LIMIT_S
                if notes is not None and SUPPRESSED_INIT_NOTE not in notes:
                    notes.append(SUPPRESSED_INIT_NOTE)
            end_line = ex.ends.get(request)
            outcome: Outcome
            if end_line is not None:
                outcome = "success" if end_line.outcome == "success" else "error"
                end = end_line.t - t0_wall
                error = end_line.error
            elif ex.timeout is not None:
                outcome = "timeout"
                seconds = ex.timeout[1].seconds
                end = (min(ex.timeout[0], start.t + seconds) if ex.starts else ex.timeout[0]) - t0_wall
                error = f"Task timed out after {seconds:.2f} seconds"
            elif report is not None and report.status == "timeout":
                outcome = "timeout"
                seconds = report.duration_ms / 1000
                end = ex.first_start + seconds - t0_wall
                error = f"Task timed out after {seconds:.2f} seconds"
            elif report is not None and report.status is not None:
                # the runtime died under the handler (out of memory, exit): no end line is coming
                outcome = "error"
                end = ex.first_start + report.duration_ms / 1000 - t0_wall
                error = f"the runtime reported Status: {report.status}"
            elif report is not None and not ex.starts:
                outcome = "error"  # ended without a timeout before the handler ran: init failed
                end = ex.orphan_end - t0_wall
                error = "the handler never ran (init failed)"
            else:
                in_flight.append(
                    f"{request or ex.aws_request_id}: attempt started at {start.t - t0_wall:.1f} s, "
                    "no end yet"
                )
                continue
            attempts.append(
                Attempt(
                    request_id=request,
                    n=start.attempt,
                    start=begin,
                    end=end,
                    outcome=outcome,
                    execution_id=f"{ex.aws_request_id}@{ex.stream}#{ex.first_start:.6f}",
                    cold=cold,
                    init_s=init_s if cold else 0.0,
                    error=error,
                    receive_count=None if renumber else start.attempt,
                    version=version_of_stream(ex.stream),
                    environment_id=ex.stream,
                    provisioned=start.init_type == "provisioned-concurrency",
                    billed_ms=report.billed_ms if report is not None else None,
                )
            )
    # executions of a batch share one id: keep them together by sharing the first start
    if renumber:
        by_request: dict[str, list[Attempt]] = defaultdict(list)
        for a in attempts:
            by_request[a.request_id].append(a)
        attempts = []
        for items in by_request.values():
            items.sort(key=lambda a: a.start)
            attempts.extend(_with_n(a, i) for i, a in enumerate(items, 1))
    attempts.sort(key=lambda a: (a.start, a.request_id))
    return attempts, in_flight


def _orphan_start(ex: _Execution, request: str) -> ProbeLine:
    """A start line for an execution that wrote none: it began the invoke phase, cold."""
    return ProbeLine("start", request, ex.aws_request_id, 1, ex.first_start, True, None, 0.0, None, None)


def _with_n(a: Attempt, n: int) -> Attempt:
    return replace(a, n=n)
