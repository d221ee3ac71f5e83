"""`destinations`: what lands in a DLQ (the input) versus a destination (the invocation record)?

Two async events to one function: r01's directive succeeds, r02's fails on every attempt. With a DLQ
and both destinations configured, r01 yields an on-success record; r02 yields the DLQ message and an
on-failure record at the same moment [destinations.with-dlq].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

from lambdaprobe.answer import missing, plural, seconds
from lambdaprobe.function.directive import Directive
from lambdaprobe.report import Finding, Report
from lambdaprobe.rules.constants import ASYNC_MAX_RETRY_ATTEMPTS
from lambdaprobe.scenario import AsyncConfig, DestinationKind, DlqKind, FunctionSpec, Scenario, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import MAX_DURATION_S, MAX_INIT_S, directive, timeout_for
from lambdaprobe.scenarios.declare import check, choose, option, params
from lambdaprobe.scenarios.retry import DEFAULT_DLQ

DLQ_TYPES: tuple[DlqKind, ...] = get_args(DlqKind)
DESTINATION_TYPES: tuple[DestinationKind, ...] = get_args(DestinationKind)


@dataclass(frozen=True)
class DestinationsOptions:
    """The destinations command's options, declared once, in retry's words (--dlq, --on-failure, --on-success)."""

    dlq: str = option(DEFAULT_DLQ, "The function's dead-letter queue, which gets the failed event.",
                      choices=DLQ_TYPES)
    on_failure: str = option("sqs", "On-failure destination, which gets the failed event's invocation record.",
                             choices=DESTINATION_TYPES)
    on_success: str = option("sqs", "On-success destination, which gets the successful event's record.",
                             choices=DESTINATION_TYPES)
    max_retry_attempts: int = option(ASYNC_MAX_RETRY_ATTEMPTS, "Async retries of the failing event.", low=0,
                                     high=ASYNC_MAX_RETRY_ATTEMPTS)
    duration: float = option(1.0, "Seconds the handler runs.", low=0, high=MAX_DURATION_S)
    init: float = option(0.3, "Seconds a cold start's init takes.", low=0, high=MAX_INIT_S)
    seed: int = 0


def build(options: DestinationsOptions | None = None, /, **given: Any) -> Scenario:
    o = options or DestinationsOptions(**given)
    check(o)
    ok = directive(o.duration, "never", o.init)
    failing = Directive(duration_s=ok.duration_s, fail="always", init_s=ok.init_s)
    config = AsyncConfig(
        max_retry_attempts=o.max_retry_attempts,
        dlq=choose("--dlq", o.dlq, DLQ_TYPES),
        on_success=choose("--on-success", o.on_success, DESTINATION_TYPES),
        on_failure=choose("--on-failure", o.on_failure, DESTINATION_TYPES),
    )
    return Scenario(
        probe="destinations",
        function=FunctionSpec(timeout_s=timeout_for(None, o.duration), directive=ok),
        stimulus=Stimulus(count=2, interval_s=0.0, mode="async", directives=(ok, failing)),
        source=SourceSpec(kind="async"),
        async_config=config,
        seed=o.seed,
        params=params(o),
    )


def findings(report: Report) -> list[Finding]:
    """Who got what: the DLQ the input, the destination the invocation record, at the same moment."""
    gap = missing(report, "the DLQ and the destinations")
    out: list[Finding] = [] if gap is None else [gap]
    if len(report.requests) < 2:
        return out
    ok, failing = report.requests[0], report.requests[1]
    if gap is not None and not failing.attempts:
        return out
    dead = next((d for d in report.dead_letters if d.request_id == failing.id), None)
    record = next((d for d in report.destinations if d.kind == "on_failure" and d.request_id == failing.id), None)
    tries = plural(len(failing.attempts), "time")
    if dead is not None and record is not None:
        ctx = record.record.get("requestContext", {}) if isinstance(record.record, dict) else {}
        when = f"both at {seconds(dead.t)}" if abs(dead.t - record.t) < 0.05 else (
            f"at {seconds(dead.t)} and {seconds(record.t)}")
        out.append(Finding(
            f"{failing.id} failed {tries}, then {when}: the DLQ got the original event (attributes RequestID, "
            f"ErrorCode, ErrorMessage), the on-failure destination the invocation record ({ctx.get('condition', '?')}, "
            f"approximateInvokeCount {ctx.get('approximateInvokeCount', '?')})",
            ("dlq.message", "destinations.record", "destinations.with-dlq"),
        ))
    else:
        seen = "a DLQ message" if dead else "an on-failure record" if record else "neither message"
        out.append(Finding(f"missing: {failing.id} failed {tries}; only {seen} was seen"))
    if any(d.kind == "on_success" and d.request_id == ok.id for d in report.destinations):
        out.append(Finding(
            f"{ok.id} succeeded: only the on-success destination got a record; a DLQ never gets successes",
            ("destinations.record",),
        ))
    else:
        out.append(Finding(f"missing: no on-success record seen for {ok.id}"))
    return out
