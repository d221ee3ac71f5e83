"""What a burst does, per way the function is invoked: sync calls (429 throttles), async events (queued,
requeued while throttled), SQS messages (batches, throttled pollers); cold starts and concurrency.

Sync and async bursts are `lambdaprobe concurrency`; an SQS burst is `lambdaprobe retry --source sqs` with
messages that succeed. What those commands take no option for (an async burst's event invoke config and
DLQ, an SQS burst's reserved concurrency) is applied on top and named in the journey's caveats."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lambdaprobe.errors import InputError
from lambdaprobe.explain.journey import Journey, Settings, argv, head, seconds, simulate, sqs_mapping_options
from lambdaprobe.explain.model import FunctionConfig, SqsMapping
from lambdaprobe.explain.rule_refs import ASYNC_BURST_RULES, BURST_RULES, SQS_BURST_RULES, SQS_RULES, cited
from lambdaprobe.report import Report
from lambdaprobe.rules import RuleId
from lambdaprobe.scenario import AsyncConfig, ConcurrencySpec, DestinationKind, DlqKind, Scenario
from lambdaprobe.scenarios import concurrency, retry

ASYNC_DESTINATIONS: tuple[DestinationKind, ...] = ("sqs", "sns", "lambda", "eventbridge")


def _called(fn: FunctionConfig) -> tuple[str, int]:
    """What the burst invokes (the probe's qualifier) and the provisioned concurrency that serves it."""
    usable = [p for p in fn.provisioned if p.qualifier != "$LATEST"]
    called = next((p for p in usable if p.qualifier == fn.qualifier), None)
    if called is not None:
        return ("version" if called.qualifier.isdigit() else "alias"), called.amount or 0
    # calls to $LATEST (or a qualifier without its own): provisioned elsewhere still counts toward reserved
    return "latest", sum(p.amount or 0 for p in usable)


def _options(fn: FunctionConfig, duration: float, settings: Settings, mode: str) -> dict[str, Any]:
    qualifier, provisioned = _called(fn)
    return {
        "reserved": fn.reserved,
        "provisioned": provisioned,
        "qualifier": qualifier,
        "count": settings.burst,
        "interval": settings.burst_interval_s,
        "duration": duration,
        "mode": mode,
        "init": settings.init_s,
        "timeout": float(fn.timeout_s or 3),
    }


def _build(way: str, title: str, options: dict[str, Any], rules: tuple[RuleId, ...]) -> Journey | Scenario:
    try:
        return concurrency.build(**options, seed=0)
    except InputError as err:
        return Journey(way, title, f"not run: {err}", head(rules), argv("concurrency", options), not_run=str(err))


def _done_at(report: Report) -> float:
    return max((a.end_s for r in report.requests for a in r.attempts), default=0.0)


def _relied_on(rules: tuple[RuleId, ...], report: Report) -> tuple[str, ...]:
    return cited(rules, [str(r.get("id")) for r in report.rules])


def sync_burst(fn: FunctionConfig, duration: float, settings: Settings) -> Journey:
    """`concurrency --mode sync`: what reserved and provisioned concurrency let through, what gets 429."""
    title = f"a burst of {settings.burst} sync calls, {settings.burst_interval_s:g} s apart, {duration:g} s each"
    if fn.reserved_unresolved or any(p.amount is None for p in fn.provisioned):
        return Journey(
            "sync-burst",
            title,
            "not run: reserved or provisioned concurrency is unresolved",
            head(BURST_RULES),
            not_run="concurrency settings unresolved (give them with --param)",
        )
    options = _options(fn, duration, settings, "sync")
    built = _build("sync-burst", title, options, BURST_RULES)
    if isinstance(built, Journey):
        return built
    report = simulate(built)
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
    command = argv("concurrency", options)
    return Journey("sync-burst", title, answer, _relied_on(BURST_RULES, report), command, report)


def async_burst(fn: FunctionConfig, duration: float, settings: Settings) -> Journey:
    """`concurrency --mode async`: the API accepts every event; throttled ones wait in Lambda's queue."""
    title = f"a burst of {settings.burst} async events, {settings.burst_interval_s:g} s apart, {duration:g} s each"
    a = fn.async_settings
    unresolved = a.max_event_age_s is None or a.max_retry_attempts is None
    if fn.reserved_unresolved or unresolved or any(p.amount is None for p in fn.provisioned):
        return Journey(
            "async-burst",
            title,
            "not run: the concurrency or event invoke config is unresolved",
            head(ASYNC_BURST_RULES),
            not_run="settings unresolved (give them with --param)",
        )
    options = _options(fn, duration, settings, "async")
    built = _build("async-burst", title, options, ASYNC_BURST_RULES)
    if isinstance(built, Journey):
        return built
    dlq: DlqKind | None = None
    if fn.dlq is not None and fn.dlq.kind in ("sqs", "sns"):
        dlq = "sqs" if fn.dlq.kind == "sqs" else "sns"
    on_failure: DestinationKind | None = None
    if a.on_failure is not None:  # an S3 or unknown destination stands in as SQS, as in the failing journey
        on_failure = next((k for k in ASYNC_DESTINATIONS if k == a.on_failure.kind), "sqs")
    own = AsyncConfig(
        max_retry_attempts=a.max_retry_attempts or 0,
        max_event_age_s=a.max_event_age_s or 21600,
        dlq=dlq,
        on_failure=on_failure,
    )
    caveats: list[str] = []
    if own != built.async_config:
        built = replace(built, async_config=own)
        caveats.append("run with the function's event invoke config and DLQ, which `concurrency` takes no option for")
    report = simulate(built)
    s = report.summary
    expired = sum(1 for r in report.requests if r.final == "expired")
    answer = (
        f"all {s.requests} accepted (202); {s.succeeded} ran ({s.cold_starts} cold starts, at most "
        f"{s.max_concurrency} at once), the last finishing at {seconds(_done_at(report))} s; "
        f"{s.throttle_events} throttles requeued events"
    )
    if expired:
        answer += f"; {expired} expired before running (MaximumEventAgeInSeconds {a.max_event_age_s})"
    command = argv("concurrency", options)
    return Journey("async-burst", title, answer, _relied_on(ASYNC_BURST_RULES, report), command, report, tuple(caveats))


def sqs_burst(fn: FunctionConfig, m: SqsMapping, duration: float, settings: Settings) -> Journey:
    """`retry --source sqs` with messages that succeed: batches, the poller's scaling, throttles."""
    q = m.queue
    source = "sqs-fifo" if q.fifo else "sqs"
    title = f"a burst of {settings.burst} messages on queue {q.name}, {settings.burst_interval_s:g} s apart"
    if q.visibility_timeout_s is None or q.has_redrive is None or fn.reserved_unresolved:
        return Journey(
            "sqs-burst",
            title,
            "not run: the queue or the concurrency is unresolved",
            head(SQS_RULES),
            not_run="settings unresolved (give them with --param)",
        )
    options: dict[str, Any] = {
        "source": source,
        "duration": duration,
        "fail": "never",
        "init": settings.init_s,
        "timeout": float(fn.timeout_s or 3),
        "count": settings.burst,
        "interval": settings.burst_interval_s,
        **sqs_mapping_options(m),
    }
    command = argv("retry", options)
    try:
        scenario = retry.build(retry.RetryOptions(**options))
    except InputError as err:
        return Journey("sqs-burst", title, f"not run: {err}", head(SQS_RULES), command, not_run=str(err))
    caveats: list[str] = []
    if fn.reserved is not None:
        scenario = replace(scenario, concurrency=ConcurrencySpec(reserved=fn.reserved))
        caveats.append(f"run with the function's reserved concurrency {fn.reserved}, which `retry` takes no option for")
    report = simulate(scenario)
    s = report.summary
    answer = (
        f"{s.succeeded} of {s.requests} processed in {s.attempts} batch run(s) ({s.cold_starts} cold starts, at "
        f"most {s.max_concurrency} at once), the last finishing at {seconds(_done_at(report))} s"
    )
    if s.throttle_events:
        answer += f"; {s.throttle_events} throttled invokes"
    if s.dead_lettered:
        answer += f"; {s.dead_lettered} moved to {q.dead_letter_target or 'the DLQ'} without succeeding"
    return Journey("sqs-burst", title, answer, _relied_on(SQS_BURST_RULES, report), command, report, tuple(caveats))
