"""Every rule's id: a closed set, so a misspelt id fails at import and under mypy, never at run time."""

from __future__ import annotations

from enum import Enum


class RuleId(str, Enum):
    """Stable, readable ids, `area.name`. An id never changes meaning; a rule that no longer holds is removed."""

    # Synchronous invoke and its callers
    SYNC_NO_RETRY = "sync.no-retry"
    SYNC_STATUS = "sync.status"
    THROTTLE_ERROR = "throttle.error"
    SDK_TIMEOUTS = "sdk.timeouts"
    SDK_RETRY_MODES = "sdk.retry-modes"
    SDK_RESEND_AFTER_READ_TIMEOUT = "sdk.resend-after-read-timeout"
    APIGATEWAY_INTEGRATION_TIMEOUT = "apigateway.integration-timeout"
    CALLER_GIVES_UP = "caller.gives-up"
    # Asynchronous invoke
    ASYNC_QUEUED = "async.queued"
    ASYNC_RETRY_SPACING = "async.retry-spacing"
    ASYNC_RETRY_CONFIG = "async.retry-config"
    ASYNC_THROTTLE_REQUEUE = "async.throttle-requeue"
    ASYNC_REQUEST_ID = "async.request-id"
    ASYNC_RESERVED_ZERO = "async.reserved-zero"
    DLQ_MESSAGE = "dlq.message"
    DESTINATIONS_RECORD = "destinations.record"
    DESTINATIONS_EVENTBRIDGE = "destinations.eventbridge-envelope"
    DESTINATIONS_WITH_DLQ = "destinations.with-dlq"
    # Concurrency
    CONCURRENCY_ACCOUNT_POOL = "concurrency.account-pool"
    CONCURRENCY_RESERVED = "concurrency.reserved"
    CONCURRENCY_PROVISIONED_SPILLOVER = "concurrency.provisioned-spillover"
    CONCURRENCY_PROVISIONED_WARM = "concurrency.provisioned-warm"
    CONCURRENCY_SCALING_RATE = "concurrency.scaling-rate"
    # Function configuration, init and the runtime's answers
    FUNCTION_LIMITS = "function.limits"
    INIT_OUTSIDE_TIMEOUT = "init.outside-timeout"
    INIT_SUPPRESSED = "init.suppressed"
    INIT_BILLED = "init.billed"
    RUNTIME_TIMEOUT_ERROR = "runtime.timeout-error"
    RUNTIME_ERROR_PAYLOAD = "runtime.error-payload"
    RUNTIME_REPORT_LINE = "runtime.report-line"
    # Event source mappings: SQS
    SQS_VISIBILITY_TIMEOUT = "sqs.visibility-timeout"
    SQS_REDRIVE = "sqs.redrive"
    SQS_MAPPING_TIMEOUT = "sqs.mapping-timeout"
    SQS_PARTIAL_BATCH = "sqs.partial-batch"
    SQS_THROTTLED_POLLER = "sqs.throttled-poller"
    SQS_SCALING = "sqs.scaling"
    SQS_FIFO_ORDER = "sqs.fifo-order"
    SQS_BATCHING = "sqs.batching"
    SQS_RETENTION = "sqs.retention"
    SQS_EVENT = "sqs.event"
    # Event source mappings: Kinesis and DynamoDB Streams
    STREAM_IN_ORDER = "stream.in-order"
    STREAM_RETRY_LIMITS = "stream.retry-limits"
    STREAM_BISECT = "stream.bisect"
    STREAM_PARTIAL_BATCH = "stream.partial-batch"
    STREAM_ON_FAILURE_RECORD = "stream.on-failure-record"
    STREAM_POLL_RATE = "stream.poll-rate"
    STREAM_BATCHING = "stream.batching"
    STREAM_EVENT = "stream.event"
    # Push sources
    SNS_ASYNC = "sns.async"
    EVENTBRIDGE_ASYNC = "eventbridge.async"
    # Deployments and features
    DEPLOY_CONFIGURATIONS = "deploy.configurations"
    DEPLOY_ALIAS_ROUTING = "deploy.alias-routing"
    FEATURES_LIMITS = "features.limits"
    # Lifecycle, quotas and source options (documented)
    ENVIRONMENT_RESET = "environment.reset"
    CONCURRENCY_REQUESTS_PER_SECOND = "concurrency.requests-per-second"
    APIGATEWAY_TIMEOUT_RANGE = "apigateway.timeout-range"
    INVOKE_PAYLOAD_LIMITS = "invoke.payload-limits"
    DESTINATIONS_S3 = "destinations.s3"
    STREAM_BATCHING_WINDOW = "stream.batching-window"
    STREAM_RETENTION = "stream.retention"

    # Assumptions: where AWS documents nothing, what the model does (and --target aws measures)
    DEPLOY_LINEAR_STEPS = "deploy.linear-steps"
    DEPLOY_ALARM_ROLLBACK = "deploy.alarm-rollback"
    DEPLOY_WEIGHTED_PICK = "deploy.weighted-pick"
    ASYNC_POLL_DELAY = "async.poll-delay"
    ASYNC_THROTTLE_BACKOFF = "async.throttle-backoff"
    ASYNC_AGE_CHECK = "async.age-check"
    ENVIRONMENT_WARM_REUSE = "environment.warm-reuse"
    CONCURRENCY_SCALING_REASON = "concurrency.scaling-reason"
    ASYNC_RESERVED_ZERO_DETAIL = "async.reserved-zero-detail"
    DESTINATIONS_LAMBDA_ASYNC = "destinations.lambda-async"
    SDK_BACKOFF_SEEDED = "sdk.backoff-seeded"
    BATCH_DURATION = "batch.duration"
    SQS_POLL_DELAY = "sqs.poll-delay"
    SQS_SCALING_STEPS = "sqs.scaling-steps"
    SQS_THROTTLE_BACKOFF = "sqs.throttle-backoff"
    SQS_FIFO_BATCH = "sqs.fifo-batch"
    SQS_RETENTION_IN_FLIGHT = "sqs.retention-in-flight"
    SQS_DLQ_ATTRIBUTES = "sqs.dlq-attributes"
    STREAM_RETRY_DELAY = "stream.retry-delay"
    STREAM_POLL_TICKS = "stream.poll-ticks"
    STREAM_BISECT_RETRIES = "stream.bisect-retries"
    STREAM_AGE_CHECK = "stream.age-check"
    STREAM_RETENTION_LOSS = "stream.retention-loss"
    STREAM_THROTTLE_RETRY = "stream.throttle-retry"
    # Assumptions: lifecycle, quotas and source options
    ENVIRONMENT_RESET_INIT = "environment.reset-init"
    ENVIRONMENT_LIFETIME = "environment.lifetime"
    CONCURRENCY_RPS_WINDOW = "concurrency.rps-window"
    CONCURRENCY_RPS_REASON = "concurrency.rps-reason"
    INVOKE_PAYLOAD_ERROR = "invoke.payload-error"
    DESTINATIONS_S3_OBJECT = "destinations.s3-object"

    def __str__(self) -> str:
        return self.value
