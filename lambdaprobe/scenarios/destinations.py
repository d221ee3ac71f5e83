"""`destinations`: what lands in a DLQ (the input) versus a destination (the invocation record)?

Two async events to one function: r01's directive succeeds, r02's fails on every attempt. With a DLQ
and both destinations configured, r01 yields an on-success record; r02 yields the DLQ message and an
on-failure record at the same moment [B].
"""

from __future__ import annotations

from lambdaprobe.answer import missing, plural, seconds
from lambdaprobe.function.directive import Directive
from lambdaprobe.report import Finding, Report
from lambdaprobe.scenario import AsyncConfig, DestinationKind, DlqKind, FunctionSpec, Scenario, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import directive, in_range, one_of, timeout_for

DLQ_KINDS = ("sqs", "sns")
DESTINATION_KINDS = ("sqs", "sns", "lambda", "eventbridge")


def build(
    *, dlq: str, destination: str, max_retry_attempts: int, duration: float, init: float, seed: int
) -> Scenario:
    one_of("--dlq", dlq, DLQ_KINDS)
    one_of("--destination", destination, DESTINATION_KINDS)
    in_range("--max-retry-attempts", max_retry_attempts, 0, 2)
    ok = directive(duration, "never", init)
    failing = Directive(duration_s=ok.duration_s, fail="always", init_s=ok.init_s)
    d: DestinationKind = destination  # type: ignore[assignment]  # checked by one_of above
    q: DlqKind = dlq  # type: ignore[assignment]
    return Scenario(
        probe="destinations",
        function=FunctionSpec(timeout_s=timeout_for(None, duration), directive=ok),
        stimulus=Stimulus(count=2, interval_s=0.0, mode="async", directives=(ok, failing)),
        source=SourceSpec(kind="async"),
        async_config=AsyncConfig(max_retry_attempts=max_retry_attempts, dlq=q, on_success=d, on_failure=d),
        seed=seed,
        params=(
            ("dlq", dlq), ("destination", destination), ("max_retry_attempts", max_retry_attempts),
            ("duration", duration), ("init", init), ("seed", seed),
        ),
    )


def findings(report: Report) -> list[Finding]:
    """Who got what: the DLQ the input, the destination the invocation record, at the same moment."""
    gap = missing(report, "the DLQ and the destinations")
    out: list[Finding] = [] if gap is None else [gap]
    failing = report.requests[1] if len(report.requests) > 1 else None
    dead = [d for d in report.dead_letters if failing and d.request_id == failing.id]
    failed_records = [d for d in report.destinations if d.kind == "on_failure"]
    ok_records = [d for d in report.destinations if d.kind == "on_success"]
    if failing is not None:
        tries = len(failing.attempts)
        if dead:
            out.append(Finding(
                f"{failing.id} failed {plural(tries, 'time')}; then the DLQ ({dead[0].queue}) got the original event "
                "with RequestID, ErrorCode and ErrorMessage attributes, nothing else",
                ("async.retry-config", "dlq.message"),
            ))
        else:
            out.append(Finding(f"missing: no DLQ message seen for {failing.id} (it ran {plural(tries, 'time')})"))
        if failed_records:
            rec = failed_records[0]
            ctx = rec.record.get("requestContext", {}) if isinstance(rec.record, dict) else {}
            when = f" at {seconds(rec.t)}" + (", the same moment" if dead and abs(dead[0].t - rec.t) < 0.05 else "")
            out.append(Finding(
                f"the on-failure destination ({rec.target}) got the invocation record{when}: condition "
                f"{ctx.get('condition', '?')}, approximateInvokeCount {ctx.get('approximateInvokeCount', '?')}, the "
                "event as requestPayload and the error as responsePayload; with both configured, both receive",
                ("destinations.record", "destinations.with-dlq"),
            ))
        else:
            out.append(Finding(f"missing: no on-failure record seen for {failing.id}"))
    if ok_records:
        out.append(Finding(
            f"the successful event went only to the on-success destination ({ok_records[0].target}); "
            "a DLQ never gets successes",
            ("destinations.record",),
        ))
    elif report.requests:
        out.append(Finding("missing: no on-success record seen for the successful event"))
    return out[:4]
