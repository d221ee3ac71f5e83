"""What a failing event goes through, per way the function is invoked: Lambda's async retries, an SQS
queue's visibility timeout and redrive, a stream's retries; where it ends (DLQ, destination, dropped).

Each is `lambdaprobe retry` with the function's settings; a setting `retry` takes no option for (a
queue's or stream's retention) is applied on top and named in the journey's caveats."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lambdaprobe.errors import InputError
from lambdaprobe.explain.journey import Journey, argv, head, label, seconds, simulate, sqs_mapping_options
from lambdaprobe.explain.model import (
    DEFAULT_RETENTION_S,
    DEFAULT_STREAM_RETENTION_S,
    Destination,
    FunctionConfig,
    SqsMapping,
    StreamMapping,
)
from lambdaprobe.explain.rule_refs import ASYNC_RULES, SQS_RULES, STREAM_RULES, cited
from lambdaprobe.report import Report
from lambdaprobe.rules import RuleId
from lambdaprobe.scenario import Scenario
from lambdaprobe.scenarios import retry


def _destination(d: Destination | None, allowed: tuple[str, ...], what: str, caveats: list[str]) -> str:
    if d is None:
        return "none"
    if d.kind in allowed:
        return d.kind
    caveats.append(f"the {what} {d.target or d.kind} ({d.kind}) is simulated as an SQS queue: it gets the same record")
    return "sqs"


def _run_retry(
    way: str, title: str, options: dict[str, Any], rules: tuple[RuleId, ...], caveats: list[str], adjust: Any = None
) -> tuple[Journey, Report | None]:
    command = argv("retry", options)
    try:
        scenario = retry.build(retry.RetryOptions(**options))
    except InputError as err:
        return Journey(way, title, f"not run: {err}", head(rules), command, None, tuple(caveats), str(err)), None
    if adjust is not None:
        scenario = adjust(scenario)
    report = simulate(scenario)
    relied_on = cited(rules, [str(r.get("id")) for r in report.rules])
    return Journey(way, title, "", relied_on, command, report, tuple(caveats)), report


def async_event(fn: FunctionConfig, base: dict[str, Any]) -> Journey:
    a = fn.async_settings
    via = ", ".join(t.via for t in fn.triggers if t.kind == "async") or "direct async invokes"
    title = f"a failing event, invoked asynchronously ({via})"
    if a.max_retry_attempts is None or a.max_event_age_s is None:
        return Journey(
            "async",
            title,
            "not run: the event invoke config is unresolved",
            head(ASYNC_RULES),
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
    names = {"dlq": label(fn.dlq), "destination": label(a.on_failure)}
    return replace(journey, answer=_failing_answer(report, "DLQ or on-failure destination", names))


def sqs_message(fn: FunctionConfig, m: SqsMapping, base: dict[str, Any]) -> Journey:
    q = m.queue
    source = "sqs-fifo" if q.fifo else "sqs"
    title = f"a failing message on queue {q.name} (SQS mapping)"
    if q.visibility_timeout_s is None or q.has_redrive is None or (q.has_redrive and q.max_receive_count is None):
        return Journey(
            source,
            title,
            "not run: the queue's visibility timeout or redrive policy is unresolved",
            head(SQS_RULES),
            not_run="queue attributes unresolved (give them with --param)",
        )
    caveats: list[str] = []
    options = {
        "source": source,
        **base,
        "count": 1,
        **sqs_mapping_options(m),
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


def stream_record(fn: FunctionConfig, s: StreamMapping, base: dict[str, Any]) -> Journey:
    title = f"a failing record on {s.kind} stream {s.source}"
    if None in (s.max_retry_attempts, s.max_record_age_s, s.batch_size, s.parallelization_factor):
        return Journey(
            s.kind,
            title,
            "not run: the mapping's retry settings are unresolved",
            head(STREAM_RULES),
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
    names = {"destination": label(s.on_failure)}
    return replace(journey, answer=_failing_answer(report, "on-failure destination", names))


def _failing_answer(report: Report, keeper: str, names: dict[str, str]) -> str:
    first = report.requests[0]
    runs = len(first.attempts)
    starts = ", ".join(seconds(a.start_s) for a in first.attempts[:4]) + (" ..." if runs > 4 else "")
    end = max((a.end_s for a in first.attempts), default=0.0)
    billed_s = sum(a.billed_ms or 0 for a in first.attempts) / 1000
    story = f"runs {runs} time{'s' if runs != 1 else ''} (starting at {starts} s; {billed_s:,.1f} s billed)"
    kept = [f"DLQ {names.get('dlq') or d.queue} at {seconds(d.t)} s" for d in report.dead_letters[:1]]
    kept += [
        f"on-failure destination {names.get('destination') or d.target} at {seconds(d.t)} s"
        for d in report.destinations[:1]
    ]
    if kept:
        return f"{story}, then ends in the {' and the '.join(kept)}"
    if first.final == "expired":
        return (
            f"{story}, then is dropped, unseen, when it expires (last run ended at {seconds(end)} s): nothing keeps it"
        )
    if first.final == "succeeded":
        return f"{story} and succeeds"
    return f"{story}, then is dropped after the last run at {seconds(end)} s: no {keeper} keeps it"
