"""`destinations`: what lands in a DLQ (the input) versus a destination (the invocation record)?

Two async events to one function: r01's directive succeeds, r02's fails on every attempt. With a DLQ
and both destinations configured, r01 yields an on-success record; r02 yields the DLQ message and an
on-failure record at the same moment [destinations.with-dlq].
"""

from __future__ import annotations

from lambdaprobe.function.directive import Directive
from lambdaprobe.rules.constants import ASYNC_MAX_RETRY_ATTEMPTS
from lambdaprobe.scenario import AsyncConfig, DestinationKind, DlqKind, FunctionSpec, Scenario, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import directive, in_range, one_of, timeout_for

DLQ_KINDS = ("sqs", "sns")
DESTINATION_KINDS = ("sqs", "sns", "lambda", "eventbridge")


def build(
    *, dlq: str, destination: str, max_retry_attempts: int, duration: float, init: float, seed: int
) -> Scenario:
    one_of("--dlq", dlq, DLQ_KINDS)
    one_of("--destination", destination, DESTINATION_KINDS)
    in_range("--max-retry-attempts", max_retry_attempts, 0, ASYNC_MAX_RETRY_ATTEMPTS)  # [async.retry-config]
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
