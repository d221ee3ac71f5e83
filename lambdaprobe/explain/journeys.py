"""Runs the existing scenarios on the simulator with a function's exact settings, one per way it is invoked.

Each journey is built by the same scenario builder as `lambdaprobe retry` / `lambdaprobe concurrency`,
from the same options, so its timeline is the one those commands print; `command` is that command line.
Settings those commands take no option for (a queue's or stream's retention) are applied on top and
named in the journey's caveats.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from lambdaprobe.analysis import analyse
from lambdaprobe.errors import InputError
from lambdaprobe.explain.model import (
    DEFAULT_RETENTION_S,
    DEFAULT_STREAM_RETENTION_S,
    Destination,
    FunctionConfig,
)
from lambdaprobe.explain.rule_refs import ASYNC_RULES, BURST_RULES, SQS_RULES, STREAM_RULES, cited
from lambdaprobe.report import Report
from lambdaprobe.rules import RuleId
from lambdaprobe.scenario import Scenario
from lambdaprobe.scenarios import concurrency, retry
from lambdaprobe.sim.target import SimTarget

DEFAULT_INIT_S = 0.3
DEFAULT_BURST = 100


@dataclass(frozen=True)
class Settings:
    """How the journeys are run: how long a failing attempt or a call lasts, the cold start, the burst."""

    duration_s: float | None = None  # None: the function's timeout (the worst case)
    init_s: float = DEFAULT_INIT_S
    burst: int = DEFAULT_BURST
    burst_interval_s: float = 0.0


@dataclass(frozen=True)
class Journey:
    way: str  # async | sqs | sqs-fifo | kinesis | dynamodb | sync-burst
    title: str
    answer: str
    rules: tuple[str, ...]
    command: tuple[str, ...] = ()
    report: Report | None = None
    caveats: tuple[str, ...] = ()
    not_run: str | None = None


def _argv(probe: str, options: dict[str, Any]) -> tuple[str, ...]:
    argv = [probe]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            argv += [flag] if value else []
        elif value is not None:
            argv += [flag, _number(value) if isinstance(value, float) else str(value)]
    return tuple(argv)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _simulate(scenario: Scenario) -> Report:
    return analyse(scenario, SimTarget().run(scenario))


def _head(curated: tuple[RuleId, ...]) -> tuple[str, ...]:
    return tuple(r.value for r in curated[:2])


def _destination(d: Destination | None, allowed: tuple[str, ...], what: str, caveats: list[str]) -> str:
    if d is None:
        return "none"
    if d.kind in allowed:
        return d.kind
    caveats.append(f"the {what} {d.target or d.kind} ({d.kind}) is simulated as an SQS queue: it gets the same record")
    return "sqs"


def for_function(fn: FunctionConfig, settings: Settings) -> list[Journey]:
    journeys: list[Journey] = []
    if fn.timeout_s is None:
        return [
            Journey(
                "all",
                "every journey",
                "not run: the function timeout is unresolved",
                (),
                not_run="the function timeout is unresolved (give it with --param)",
            )
        ]
    duration = float(fn.timeout_s) if settings.duration_s is None else settings.duration_s
    base = {"duration": duration, "fail": "always", "init": settings.init_s, "timeout": float(fn.timeout_s)}
    if fn.async_invoked or (fn.dlq is not None and not fn.sqs):
        journeys.append(_async(fn, base))
    journeys += [_sqs(fn, m, base) for m in fn.sqs]
    journeys += [_stream(fn, s, base) for s in fn.streams]
    if fn.sync_invoked or not (fn.sqs or fn.streams or fn.async_invoked):
        journeys.append(_burst(fn, duration, settings))
    return journeys


def _run_retry(
    way: str, title: str, options: dict[str, Any], rules: tuple[RuleId, ...], caveats: list[str], adjust: Any = None
) -> tuple[Journey, Report | None]:
    command = _argv("retry", options)
    try:
        scenario = retry.build(retry.RetryOptions(**options))
    except InputError as err:
        return Journey(way, title, f"not run: {err}", _head(rules), command, None, tuple(caveats), str(err)), None
    if adjust is not None:
        scenario = adjust(scenario)
    report = _simulate(scenario)
    relied_on = cited(rules, [str(r.get("id")) for r in report.rules])
    return Journey(way, title, "", relied_on, command, report, tuple(caveats)), report


def _async(fn: FunctionConfig, base: dict[str, Any]) -> Journey:
    a = fn.async_settings
    via = ", ".join(t.via for t in fn.triggers if t.kind == "async") or "direct async invokes"
    title = f"a failing event, invoked asynchronously ({via})"
    if a.max_retry_attempts is None or a.max_event_age_s is None:
        return Journey(
            "async",
            title,
            "not run: the event invoke config is unresolved",
            _head(ASYNC_RULES),
            not_run="MaximumRetryAttempts or MaximumEventAgeInSeconds is unresolved",
        )
    caveats: list[str] = []
    dlq = fn.dlq.kind if fn.dlq is not None and fn.dlq.kind in ("sqs", "sns") else "none"
    if fn.dlq is not None and dlq == "none":
        caveats.append(f"the DLQ {fn.dlq.target} is of an unknown kind: not simulated")
    options = {
        "source": "async",
        **base,
        "count": 1,
        "max_retry_attempts": a.max_retry_attempts,
        "max_event_age": a.max_event_age_s,
        "dlq": dlq,
        "on_failure": _destination(
            a.on_failure, ("sqs", "sns", "lambda", "eventbridge"), "on-failure destination", caveats
        ),
    }
    journey, report = _run_retry("async", title, options, ASYNC_RULES, caveats)
    if report is None:
        return journey
    names = {"dlq": _label(fn.dlq), "destination": _label(a.on_failure)}
    return replace(journey, answer=_failing_answer(report, "DLQ or on-failure destination", names))


def _sqs(fn: FunctionConfig, m: Any, base: dict[str, Any]) -> Journey:
    q = m.queue
    source = "sqs-fifo" if q.fifo else "sqs"
    title = f"a failing message on queue {q.name} (SQS mapping)"
    if q.visibility_timeout_s is None or q.has_redrive is None or (q.has_redrive and q.max_receive_count is None):
        return Journey(
            source,
            title,
            "not run: the queue's visibility timeout or redrive policy is unresolved",
            _head(SQS_RULES),
            not_run="queue attributes unresolved (give them with --param)",
        )
    caveats: list[str] = []
    options = {
        "source": source,
        **base,
        "count": 1,
        "visibility_timeout": q.visibility_timeout_s,
        "max_receive_count": q.max_receive_count if q.has_redrive else 0,
        "batch_size": m.batch_size,
        "batching_window": m.batching_window_s,
        "report_batch_item_failures": m.report_batch_item_failures,
        "max_concurrency": m.max_concurrency,
    }
    retention = q.retention_s or DEFAULT_RETENTION_S

    def adjust(scenario: Scenario) -> Scenario:
        spec = scenario.source.sqs
        if spec is None or retention == spec.retention_s:
            return scenario
        return replace(scenario, source=replace(scenario.source, sqs=replace(spec, retention_s=retention)))

    if retention != DEFAULT_RETENTION_S:
        caveats.append(f"run with the queue's retention period of {retention} s, which `retry` takes no option for")
    journey, report = _run_retry(source, title, options, SQS_RULES, caveats, adjust)
    if report is None:
        return journey
    names = {"dlq": f"{q.dead_letter_target or 'the DLQ'} (the queue's redrive target)"}
    return replace(journey, answer=_failing_answer(report, "redrive policy", names))


def _stream(fn: FunctionConfig, s: Any, base: dict[str, Any]) -> Journey:
    title = f"a failing record on {s.kind} stream {s.source}"
    if None in (s.max_retry_attempts, s.max_record_age_s, s.batch_size, s.parallelization_factor):
        return Journey(
            s.kind,
            title,
            "not run: the mapping's retry settings are unresolved",
            _head(STREAM_RULES),
            not_run="mapping settings unresolved (give them with --param)",
        )
    caveats: list[str] = []
    options = {
        "source": s.kind,
        **base,
        "count": 1,
        "max_retry_attempts": s.max_retry_attempts,
        "max_record_age": s.max_record_age_s,
        "bisect": s.bisect,
        "batch_size": s.batch_size,
        "parallelization_factor": s.parallelization_factor,
        "report_batch_item_failures": s.report_batch_item_failures,
        "on_failure": _destination(s.on_failure, ("sqs", "sns"), "on-failure destination", caveats),
    }
    retention = s.retention_s or DEFAULT_STREAM_RETENTION_S

    def adjust(scenario: Scenario) -> Scenario:
        spec = scenario.source.stream
        if spec is None or retention == spec.retention_s:
            return scenario
        return replace(scenario, source=replace(scenario.source, stream=replace(spec, retention_s=retention)))

    if retention != DEFAULT_STREAM_RETENTION_S:
        caveats.append(f"run with the stream's retention of {retention} s, which `retry` takes no option for")
    journey, report = _run_retry(s.kind, title, options, STREAM_RULES, caveats, adjust)
    if report is None:
        return journey
    names = {"destination": _label(s.on_failure)}
    return replace(journey, answer=_failing_answer(report, "on-failure destination", names))


def _burst(fn: FunctionConfig, duration: float, settings: Settings) -> Journey:
    title = f"a burst of {settings.burst} sync calls, {settings.burst_interval_s:g} s apart, {duration:g} s each"
    if fn.reserved_unresolved or any(p.amount is None for p in fn.provisioned):
        return Journey(
            "sync-burst",
            title,
            "not run: reserved or provisioned concurrency is unresolved",
            _head(BURST_RULES),
            not_run="concurrency settings unresolved (give them with --param)",
        )
    usable = [p for p in fn.provisioned if p.qualifier != "$LATEST"]
    called = next((p for p in usable if p.qualifier == fn.qualifier), None)
    if called is not None:
        qualifier = "version" if called.qualifier.isdigit() else "alias"
        provisioned = called.amount or 0
    else:
        # calls to $LATEST (or a qualifier without its own): provisioned elsewhere still counts toward reserved
        qualifier, provisioned = "latest", sum(p.amount or 0 for p in usable)
    options: dict[str, Any] = {
        "reserved": fn.reserved,
        "provisioned": provisioned,
        "qualifier": qualifier,
        "count": settings.burst,
        "interval": settings.burst_interval_s,
        "duration": duration,
        "mode": "sync",
        "init": settings.init_s,
        "timeout": float(fn.timeout_s or 3),
    }
    command = _argv("concurrency", options)
    try:
        scenario = concurrency.build(**options, seed=0)
    except InputError as err:
        return Journey("sync-burst", title, f"not run: {err}", _head(BURST_RULES), command, not_run=str(err))
    report = _simulate(scenario)
    s = report.summary
    warm = sum(1 for r in report.requests for a in r.attempts[:1] if not a.cold)
    answer = (
        f"{s.succeeded} of {s.requests} calls ran ({warm} warm, {s.cold_starts} cold starts; at most "
        f"{s.max_concurrency} at once); {s.throttled} throttled with 429"
    )
    reasons = sorted(
        {r.client.reason for r in report.requests if r.client and r.client.status == 429 and r.client.reason}
    )
    if reasons:
        answer += f" ({', '.join(reasons)})"
    relied_on = cited(BURST_RULES, [str(r.get("id")) for r in report.rules])
    return Journey("sync-burst", title, answer, relied_on, command, report)


def _t(seconds: float) -> str:
    return f"{round(seconds, 1):g}"


def _label(d: Destination | None) -> str:
    return "" if d is None else f"{d.target or d.kind} ({d.kind})"


def _failing_answer(report: Report, keeper: str, names: dict[str, str]) -> str:
    first = report.requests[0]
    runs = len(first.attempts)
    starts = ", ".join(_t(a.start_s) for a in first.attempts[:4]) + (" ..." if runs > 4 else "")
    end = max((a.end_s for a in first.attempts), default=0.0)
    billed_s = sum(a.billed_ms or 0 for a in first.attempts) / 1000
    story = f"runs {runs} time{'s' if runs != 1 else ''} (starting at {starts} s; {billed_s:,.1f} s billed)"
    kept = [f"DLQ {names.get('dlq') or d.queue} at {_t(d.t)} s" for d in report.dead_letters[:1]]
    kept += [
        f"on-failure destination {names.get('destination') or d.target} at {_t(d.t)} s" for d in report.destinations[:1]
    ]
    if kept:
        return f"{story}, then ends in the {' and the '.join(kept)}"
    if first.final == "expired":
        return f"{story}, then is dropped, unseen, when it expires (last run ended at {_t(end)} s): nothing keeps it"
    if first.final == "succeeded":
        return f"{story} and succeeds"
    return f"{story}, then is dropped after the last run at {_t(end)} s: no {keeper} keeps it"
