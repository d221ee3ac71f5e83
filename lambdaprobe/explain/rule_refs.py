"""The model's rules each journey and finding rests on, by registry id (`lambdaprobe rules ID` explains one)."""

from __future__ import annotations

from lambdaprobe.rules import RuleId

# Per journey, the rules that decide its answer, most telling first; a journey cites those its run relied on.
ASYNC_RULES: tuple[RuleId, ...] = (
    RuleId.ASYNC_RETRY_SPACING,
    RuleId.ASYNC_RETRY_CONFIG,
    RuleId.ASYNC_AGE_CHECK,
    RuleId.DLQ_MESSAGE,
    RuleId.DESTINATIONS_RECORD,
    RuleId.DESTINATIONS_WITH_DLQ,
)
SQS_RULES: tuple[RuleId, ...] = (
    RuleId.SQS_VISIBILITY_TIMEOUT,
    RuleId.SQS_REDRIVE,
    RuleId.SQS_RETENTION,
    RuleId.SQS_RETENTION_IN_FLIGHT,
    RuleId.SQS_PARTIAL_BATCH,
    RuleId.SQS_MAPPING_TIMEOUT,
)
STREAM_RULES: tuple[RuleId, ...] = (
    RuleId.STREAM_IN_ORDER,
    RuleId.STREAM_RETRY_LIMITS,
    RuleId.STREAM_RETRY_DELAY,
    RuleId.STREAM_BISECT,
    RuleId.STREAM_AGE_CHECK,
    RuleId.STREAM_RETENTION_LOSS,
    RuleId.STREAM_ON_FAILURE_RECORD,
)
BURST_RULES: tuple[RuleId, ...] = (
    RuleId.CONCURRENCY_RESERVED,
    RuleId.CONCURRENCY_PROVISIONED_SPILLOVER,
    RuleId.CONCURRENCY_PROVISIONED_WARM,
    RuleId.THROTTLE_ERROR,
    RuleId.SYNC_NO_RETRY,
    RuleId.CONCURRENCY_ACCOUNT_POOL,
)
ASYNC_BURST_RULES: tuple[RuleId, ...] = (
    RuleId.ASYNC_QUEUED,
    RuleId.ASYNC_THROTTLE_REQUEUE,
    RuleId.ASYNC_THROTTLE_BACKOFF,
    RuleId.CONCURRENCY_RESERVED,
    RuleId.ASYNC_AGE_CHECK,
)
SQS_BURST_RULES: tuple[RuleId, ...] = (
    RuleId.SQS_SCALING,
    RuleId.SQS_SCALING_STEPS,
    RuleId.SQS_BATCHING,
    RuleId.SQS_THROTTLED_POLLER,
    RuleId.SQS_THROTTLE_BACKOFF,
    RuleId.CONCURRENCY_RESERVED,
)
# Per finding, the model's rules that explain why it loses events or money
FINDING_RULES: dict[str, tuple[RuleId, ...]] = {
    "explain.sqs-visibility-timeout": (RuleId.SQS_VISIBILITY_TIMEOUT, RuleId.SQS_MAPPING_TIMEOUT),
    "explain.sqs-no-redrive": (RuleId.SQS_REDRIVE, RuleId.SQS_RETENTION),
    "explain.sqs-max-receive-count-1": (RuleId.SQS_REDRIVE, RuleId.SQS_THROTTLED_POLLER),
    "explain.dlq-on-sqs-only-function": (RuleId.SQS_REDRIVE, RuleId.DLQ_MESSAGE),
    "explain.stream-retry-forever": (RuleId.STREAM_RETRY_LIMITS, RuleId.STREAM_IN_ORDER, RuleId.STREAM_BISECT),
    "explain.async-event-age-short": (RuleId.ASYNC_RETRY_SPACING, RuleId.ASYNC_RETRY_CONFIG, RuleId.ASYNC_AGE_CHECK),
    "explain.async-no-failure-destination": (RuleId.ASYNC_RETRY_CONFIG, RuleId.DLQ_MESSAGE, RuleId.DESTINATIONS_RECORD),
    "explain.reserved-below-sqs-max-concurrency": (RuleId.SQS_SCALING, RuleId.SQS_THROTTLED_POLLER),
    "explain.provisioned-on-latest": (RuleId.CONCURRENCY_PROVISIONED_SPILLOVER,),
    "explain.reserved-exceeds-unreserved-minimum": (RuleId.CONCURRENCY_ACCOUNT_POOL, RuleId.CONCURRENCY_RESERVED),
}


def cited(curated: tuple[RuleId, ...], relied_on: list[str]) -> tuple[str, ...]:
    """The curated rules that the run relied on (all of them listed in its report), in curated order."""
    used = set(relied_on)
    return tuple(r.value for r in curated if r.value in used) or tuple(r.value for r in curated[:2])
