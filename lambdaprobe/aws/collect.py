"""What happened, read back from AWS: probe log lines, REPORT lines, timeouts, DLQ and destination
messages, turned into the same observations the simulator emits.

The parsers are pure functions of strings and dicts. `Collector` does the I/O (FilterLogEvents,
draining queues) and decides when to stop: when every request's expected observations are in, or
when the deadline derived from the scenario passes (then `ObservationDeadline`, which carries the
partial observations).
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from lambdaprobe.aws.client import BOTO_ERRORS, Caller, one_line
from lambdaprobe.aws.ledger import Ledger
from lambdaprobe.aws.plan import Watch, function_timeout_s, is_async
from lambdaprobe.errors import AwsError, ObservationTimeout
from lambdaprobe.function.directive import decide
from lambdaprobe.observation import (
    Attempt,
    DeadLetter,
    DestinationRecord,
    Final,
    Observations,
    Outcome,
    Settled,
)
from lambdaprobe.scenario import Scenario

ASYNC_RETRY_SPACING_S = 60.0  # SEMANTICS §2 [A]: retry k about 60*k s after the previous attempt
# Measured retries come later than the documented 1 and 2 minutes at times: wait half as long again.
ASYNC_RETRY_MARGIN = 1.5
LOG_SLACK_S = 30.0  # CloudWatch Logs ingestion delay, and a cold start's own delay
POLLER_SLACK_S = 60.0  # an event source mapping starts polling some time after it is Enabled
STREAM_BACKOFF_GUESS_S = 10.0  # undocumented (SEMANTICS §5): a generous guess per stream retry
LOG_REREAD_S = 120.0  # how far back each read starts from the newest event seen

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


# --------------------------------------------------------------------------------------------
# parsing: log lines


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
    except ValueError:
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


INIT_LIMIT_S = 10.0  # SEMANTICS §4 [K]: an init longer than this is cut and run again in the invoke
SUPPRESSED_INIT_NOTE = (
    "suppressed init: a cold start's REPORT line had no Init Duration (init over 10 s, re-run inside "
    "the invoke [K, W, X]); its init_s is derived as the 10 s cut init, its start as 10 s before the "
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
                # it came the cut 10 s init, which no line reports [K, W, X]
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
    return Attempt(
        request_id=a.request_id,
        n=n,
        start=a.start,
        end=a.end,
        outcome=a.outcome,
        execution_id=a.execution_id,
        cold=a.cold,
        init_s=a.init_s,
        error=a.error,
        receive_count=a.receive_count,
        version=a.version,
        environment_id=a.environment_id,
        provisioned=a.provisioned,
        billed_ms=a.billed_ms,
    )


# --------------------------------------------------------------------------------------------
# parsing: queue messages


def _loads(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def find_request(obj: Any, depth: int = 0) -> str | None:
    """The probe's request id inside an event, a record, an envelope, or a record of a record."""
    if depth > 6 or not isinstance(obj, dict):
        return None
    request = obj.get("request")
    if isinstance(request, str) and "lambdaprobe" in obj:
        return request
    for key in ("requestPayload", "detail", "Message"):
        found = find_request(_loads(obj.get(key)), depth + 1)
        if found:
            return found
    return None


def _sent_s(message: dict[str, Any], t0_wall: float, received_wall: float) -> float:
    sent = message.get("Attributes", {}).get("SentTimestamp")
    return (int(sent) / 1000 if sent else received_wall) - t0_wall


def sqs_message_attributes(message: dict[str, Any]) -> dict[str, Any]:
    """SQS MessageAttributes as a consumer sees them, reduced to DataType and StringValue."""
    out: dict[str, Any] = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        item = {"DataType": value.get("DataType", "String")}
        if "StringValue" in value:
            item["StringValue"] = value["StringValue"]
        out[name] = item
    return out


def sns_notification(body: Any) -> dict[str, Any] | None:
    data = _loads(body)
    if isinstance(data, dict) and data.get("Type") == "Notification" and "Message" in data:
        return data
    return None


def dead_letter_from_message(
    message: dict[str, Any], watch: Watch, t0_wall: float, received_wall: float
) -> DeadLetter:
    """A DLQ message: the original event, with RequestID/ErrorCode/ErrorMessage attributes."""
    t = _sent_s(message, t0_wall, received_wall)
    note = sns_notification(message.get("Body")) if watch.shape == "sns" else None
    if note is not None:
        body = _loads(note["Message"])
        attributes: dict[str, Any] = {
            k: {"Type": v.get("Type"), "Value": v.get("Value")}
            for k, v in (note.get("MessageAttributes") or {}).items()
        }
    else:
        body = _loads(message.get("Body"))
        attributes = sqs_message_attributes(message)
    return DeadLetter(t=t, queue=watch.label, body=body, attributes=attributes, request_id=find_request(body))


def destination_from_message(
    message: dict[str, Any], watch: Watch, t0_wall: float, received_wall: float
) -> DestinationRecord:
    """A destination's record, exactly as AWS shapes it (SQS raw, SNS-unwrapped, EventBridge
    envelope kept whole, a Lambda destination's input recovered from its relay's record)."""
    t = _sent_s(message, t0_wall, received_wall)
    body = _loads(message.get("Body"))
    if watch.shape == "sns":
        note = sns_notification(body)
        record = _loads(note["Message"]) if note is not None else body
    elif watch.shape == "lambda" and isinstance(body, dict) and "requestPayload" in body:
        record = body["requestPayload"]
    else:
        record = body
    if not isinstance(record, dict):
        record = {"raw": record}
    kind: Literal["on_success", "on_failure"] = (
        "on_success" if watch.observe == "on_success" else "on_failure"
    )
    request = find_request(record) if watch.request_in_record else None
    return DestinationRecord(t=t, kind=kind, target=watch.label, record=record, request_id=request)


def condition_of(record: dict[str, Any]) -> str | None:
    inner = record.get("detail") if isinstance(record.get("detail"), dict) else record
    context = inner.get("requestContext") if isinstance(inner, dict) else None
    return str(context.get("condition")) if isinstance(context, dict) and context.get("condition") else None


# --------------------------------------------------------------------------------------------
# what to expect, and when to stop


def expected_attempts(scenario: Scenario, max_attempts: int) -> int | None:
    """The attempt that first succeeds under the directive (None: none of `max_attempts` does)."""
    directive = scenario.function.directive
    runs_out = directive.duration_s > scenario.function.timeout_s
    for n in range(1, max_attempts + 1):
        if not runs_out and not decide(directive, n).fail:
            return n
    return None


def derive_deadline_s(scenario: Scenario) -> float:
    """How long after the first stimulus collection may go on before giving up (SEMANTICS timings)."""
    stim, fn = scenario.stimulus, scenario.function
    span = max(0, stim.count - 1) * stim.interval_s
    run = fn.directive.init_s + min(fn.directive.duration_s, function_timeout_s(scenario))
    kind = scenario.source.kind
    conc = scenario.concurrency
    # with a small pool, requests wait for each other
    serial = run * stim.count / max(1, conc.reserved or stim.count)
    if kind in ("sqs", "sqs-fifo"):
        spec = scenario.source.sqs
        visibility = spec.visibility_timeout_s if spec else 30
        receives = spec.max_receive_count if spec and spec.max_receive_count else 5
        batching = spec.batching_window_s if spec else 0
        per_request = receives * (visibility + run) + batching + POLLER_SLACK_S
    elif kind in ("kinesis", "dynamodb"):
        st = scenario.source.stream
        retries = st.max_retry_attempts if st and st.max_retry_attempts >= 0 else 5
        per_request = (retries + 1) * (run + STREAM_BACKOFF_GUESS_S) + POLLER_SLACK_S
        if st and st.max_record_age_s > 0:
            per_request = min(per_request, st.max_record_age_s + run + POLLER_SLACK_S)
    elif is_async(scenario):
        cfg = scenario.async_config
        spacing = ASYNC_RETRY_SPACING_S * ASYNC_RETRY_MARGIN
        per_request = run + sum(run + spacing * k for k in range(1, cfg.max_retry_attempts + 1))
        per_request = min(per_request, cfg.max_event_age_s + run)
        if kind == "destination":
            per_request += 2 * run + LOG_SLACK_S
    else:
        attempts = {"off": 1, "legacy": 5, "standard": 3}[scenario.sdk.retry_mode]
        per_request = attempts * min(run, scenario.sdk.read_timeout_s + 20.0)
    return math.ceil(span + serial + per_request + LOG_SLACK_S)


def outstanding(
    scenario: Scenario, obs: Observations, ran: dict[str, int] | None = None
) -> tuple[list[str], list[str]]:
    """(requests whose expected observations are not all in, requests that never settle by design).

    `ran`: for direct invokes, how many sends of each request reached the function (the driver's
    ledger): each is an execution to wait for, SDK resends and calls the caller gave up on included.

    The second list holds requests that retry without bound (an SQS queue without redrive, a stream
    with unlimited retries, and a directive that always fails): they are watched until the deadline.
    """
    by_request: dict[str, list[Attempt]] = defaultdict(list)
    for a in obs.attempts:
        by_request[a.request_id].append(a)
    clients = {c.request_id: c for c in obs.client_results}
    dead = {d.request_id for d in obs.dead_letters if d.request_id}
    records: dict[str, set[str]] = defaultdict(set)
    for r in obs.destinations:
        if r.request_id:
            records[r.request_id].add(r.kind)
    stream_failures = sum(1 for r in obs.destinations if r.request_id is None)
    kind = scenario.source.kind
    cfg = scenario.async_config
    missing: list[str] = []
    unbounded: list[str] = []
    for sent in obs.sent:
        rid = sent.request_id
        attempts = by_request.get(rid, [])
        succeeded = any(a.outcome == "success" for a in attempts)
        failed = sum(1 for a in attempts if a.outcome != "success")
        if kind in ("sync", "async") and not is_async(scenario):
            client = clients.get(rid)
            if client is None:
                missing.append(f"{rid}: no answer from the invoke yet")
            elif client.status == 200 and not attempts:
                missing.append(f"{rid}: the invoke was answered but no attempt is in the logs yet")
            elif ran and ran.get(rid, 0) > len(attempts):
                missing.append(f"{rid}: {len(attempts)} of {ran[rid]} executions seen")
        elif is_async(scenario):
            allowed = cfg.max_retry_attempts + 1
            if succeeded:
                if cfg.on_success and "on_success" not in records[rid]:
                    missing.append(f"{rid}: succeeded; on-success record not seen yet")
            elif failed >= allowed or rid in dead or "on_failure" in records[rid]:
                # given up on (retries used, or the age limit): the DLQ and destination must say so
                if cfg.dlq and rid not in dead:
                    missing.append(f"{rid}: failed; DLQ message not seen yet")
                elif cfg.on_failure and "on_failure" not in records[rid]:
                    missing.append(f"{rid}: failed; on-failure record not seen yet")
            else:
                missing.append(f"{rid}: {len(attempts)} of {_expected_text(scenario, allowed)} attempts seen")
        elif kind in ("sqs", "sqs-fifo"):
            spec = scenario.source.sqs
            if succeeded or rid in dead:
                continue
            if (spec is None or spec.max_receive_count is None) and expected_attempts(scenario, 100) is None:
                unbounded.append(rid)
                continue
            missing.append(f"{rid}: {len(attempts)} receives seen, neither success nor source DLQ yet")
        else:
            st = scenario.source.stream
            if succeeded:
                continue
            limit = st.max_retry_attempts if st else -1
            if (
                limit < 0
                and expected_attempts(scenario, 100) is None
                and not (st and st.max_record_age_s > 0)
            ):
                unbounded.append(rid)
                continue
            if limit >= 0 and failed >= limit + 1 and (not (st and st.on_failure) or stream_failures > 0):
                continue
            missing.append(f"{rid}: {len(attempts)} attempts seen, not yet succeeded or discarded")
    return missing, unbounded


def _expected_text(scenario: Scenario, allowed: int) -> str:
    n = expected_attempts(scenario, allowed)
    return str(n if n is not None else allowed)


def settled_from_records(obs: Observations, scenario: Scenario) -> list[Settled]:
    """Final states that a destination record proves (Success, RetriesExhausted, EventAgeExceeded)."""
    out: list[Settled] = []
    if not is_async(scenario):
        return out
    dead = {d.request_id for d in obs.dead_letters if d.request_id}
    for r in obs.destinations:
        if r.request_id is None:
            continue
        condition = condition_of(r.record)
        final: Final | None = None
        if condition == "Success":
            final = "succeeded"
        elif condition in ("RetriesExhausted", "EventAgeExceeded"):
            if r.request_id in dead:
                final = "dead_lettered"
            else:
                final = "expired" if condition == "EventAgeExceeded" else "failed"
        if final is not None:
            out.append(Settled(r.request_id, r.t, final))
    return out


def next_retry_hint(scenario: Scenario, obs: Observations, now_s: float) -> str:
    """e.g. "next retry expected in ~40 s", from the last failed attempt of any request."""
    if not is_async(scenario) or not obs.attempts:
        return ""
    by_request: dict[str, list[Attempt]] = defaultdict(list)
    for a in obs.attempts:
        by_request[a.request_id].append(a)
    soonest: float | None = None
    for items in by_request.values():
        items.sort(key=lambda a: a.start)
        last = items[-1]
        k = len(items)
        if last.outcome == "success" or k > scenario.async_config.max_retry_attempts:
            continue
        due = last.end + ASYNC_RETRY_SPACING_S * k - now_s
        soonest = due if soonest is None else min(soonest, due)
    if soonest is None:
        return ""
    return f"next retry expected in ~{max(0, round(soonest))} s"


# --------------------------------------------------------------------------------------------
# the I/O side


class ObservationDeadline(ObservationTimeout):
    """The deadline passed first; `observations` holds what was seen (complete=False, missing=[...])."""

    def __init__(self, message: str, observations: Observations) -> None:
        super().__init__(message)
        self.observations = observations


class Collector:
    """Reads the run's logs and queues until the expected observations are in or the deadline passes."""

    def __init__(
        self,
        client: Caller,
        scenario: Scenario,
        log_group: str,
        watches: list[Watch],
        outputs: dict[str, Any],
        t0_wall: float,
        progress: Callable[[str], None] | None = None,
        poll_s: float = 2.0,
        clock: Callable[[], float] = time.time,
        ledger: Ledger | None = None,
    ) -> None:
        self.ledger = ledger or Ledger()
        self.client = client
        self.scenario = scenario
        self.log_group = log_group
        self.watches = watches
        self.outputs = outputs
        self.t0_wall = t0_wall
        self.progress = progress or (lambda _: None)
        self.poll_s = poll_s
        self.clock = clock
        self.events: dict[str, LogEvent] = {}
        self._since_ms = int((t0_wall - 60) * 1000)
        self.dead_letters: list[DeadLetter] = []
        self.destinations: list[DestinationRecord] = []

    def read_logs(self) -> None:
        """New log events since the last read (re-reading a window, deduplicated by event id)."""
        params: dict[str, Any] = {"logGroupName": self.log_group, "startTime": self._since_ms}
        while True:
            try:
                page = self.client.call("logs", "FilterLogEvents", params)
            except BOTO_ERRORS as exc:
                if "ResourceNotFound" in one_line(exc):
                    return  # no execution has logged yet
                raise
            for e in page.get("events", []):
                key = e.get("eventId") or f"{e.get('logStreamName')}:{e.get('timestamp')}:{e.get('message')}"
                self.events[key] = LogEvent(
                    float(e.get("timestamp", 0)),
                    str(e.get("message", "")),
                    str(e.get("logStreamName", "")),
                    key,
                )
            token = page.get("nextToken")
            if not token or token == params.get("nextToken"):
                break
            params["nextToken"] = token
        if self.events:
            newest = max(e.timestamp_ms for e in self.events.values())
            # events arrive out of order by up to the ingestion delay: keep re-reading that window
            self._since_ms = max(self._since_ms, int(newest - LOG_REREAD_S * 1000))

    def drain(self, watch: Watch) -> None:
        url = self.outputs[watch.queue_url]
        while True:
            page = self.client.call(
                "sqs",
                "ReceiveMessage",
                {
                    "QueueUrl": url,
                    "MaxNumberOfMessages": 10,
                    "WaitTimeSeconds": 0,
                    "MessageAttributeNames": ["All"],
                    "AttributeNames": ["All"],
                },
            )
            messages = page.get("Messages", [])
            if not messages:
                return
            now = self.clock()
            for m in messages:
                if watch.observe == "dead_letter":
                    self.dead_letters.append(dead_letter_from_message(m, watch, self.t0_wall, now))
                else:
                    self.destinations.append(destination_from_message(m, watch, self.t0_wall, now))
                # The run owns the queue: deleting keeps a message from being read twice.
                self.client.call(
                    "sqs", "DeleteMessage", {"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]}
                )

    def poll_once(self, obs: Observations) -> list[str]:
        """Read everything new into `obs`; returns the executions still in flight."""
        self.read_logs()
        for watch in self.watches:
            self.drain(watch)
        renumber = self.scenario.source.kind not in ("sqs", "sqs-fifo")
        notes: list[str] = []
        attempts, in_flight = attempts_from_logs(
            self.events.values(), self.t0_wall, renumber, requests=self.ledger.aws_ids, notes=notes
        )
        obs.notes.extend(n for n in notes if n not in obs.notes)
        obs.attempts = attempts
        obs.dead_letters = list(self.dead_letters)
        obs.destinations = list(self.destinations)
        obs.settled = _merge_settled(obs.settled, settled_from_records(obs, self.scenario))
        return in_flight

    def collect(
        self, obs: Observations, deadline_s: float, sleep: Callable[[float], None] = time.sleep
    ) -> Observations:
        """Poll until done or `deadline_s` after the first stimulus; raise ObservationDeadline then."""
        try:
            while True:
                in_flight = self.poll_once(obs)
                missing, unbounded = outstanding(self.scenario, obs, self.ledger.ran)
                now_s = self.clock() - self.t0_wall
                if not missing and not in_flight:
                    if unbounded and now_s < deadline_s:
                        self._report(obs, missing, unbounded, now_s, deadline_s)
                        sleep(self.poll_s)
                        continue
                    if unbounded:
                        obs.notes.append(
                            f"{len(unbounded)} request(s) retry without bound by design "
                            f"({', '.join(unbounded[:5])}); watched until {deadline_s:.0f} s"
                        )
                    return obs
                if now_s >= deadline_s:
                    obs.complete = False
                    obs.missing = missing + in_flight
                    raise ObservationDeadline(
                        f"gave up waiting after {deadline_s:.0f} s; "
                        f"still missing: {'; '.join(obs.missing[:3])}"
                        + (f" (and {len(obs.missing) - 3} more)" if len(obs.missing) > 3 else ""),
                        obs,
                    )
                self._report(obs, missing, unbounded, now_s, deadline_s)
                sleep(self.poll_s)
        except BOTO_ERRORS as exc:
            raise AwsError(one_line(exc, "collecting observations")) from exc

    def _report(
        self, obs: Observations, missing: list[str], unbounded: list[str], now_s: float, deadline_s: float
    ) -> None:
        done = len(obs.sent) - len(missing) - len(unbounded)
        hint = next_retry_hint(self.scenario, obs, now_s)
        text = (
            f"{done} of {len(obs.sent)} requests complete, {len(obs.attempts)} attempts seen"
            f"{'; ' + hint if hint else ''}; giving up in {max(0, deadline_s - now_s):.0f} s"
        )
        self.progress(text)


def _merge_settled(direct: list[Settled], derived: list[Settled]) -> list[Settled]:
    seen = {s.request_id for s in direct}
    return direct + [s for s in derived if s.request_id not in seen]
