"""The values AWS documents, each under the rule that defines it (see `documented.py`).

One home: the simulator, the AWS collector, validation and --help import them from here.
"""

from __future__ import annotations

from typing import Final

# throttle.error: the 429 TooManyRequestsException and its Reason values, as the service model spells them
THROTTLE_STATUS: Final = 429
THROTTLE_TYPE: Final = "User"
THROTTLE_MESSAGE: Final = "Rate Exceeded."
RESERVED_LIMIT: Final = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_LIMIT: Final = "ConcurrentInvocationLimitExceeded"
SCALING_LIMIT: Final = "FunctionInvocationRateLimitExceeded"

# sdk.timeouts and sdk.retry-modes
SDK_CONNECT_TIMEOUT_S: Final = 60.0
SDK_READ_TIMEOUT_S: Final = 60.0
SDK_MAX_ATTEMPTS: Final = {"off": 1, "legacy": 5, "standard": 3}
SDK_STANDARD_BACKOFF_CAP_S: Final = 20.0

# apigateway.integration-timeout
APIGATEWAY_TIMEOUT_S: Final = 29.0

# async.retry-spacing and async.retry-config
ASYNC_RETRY_SPACING_S: Final = 60.0
ASYNC_MAX_RETRY_ATTEMPTS: Final = 2
ASYNC_MAX_EVENT_AGE_MIN_S: Final = 60
ASYNC_MAX_EVENT_AGE_S: Final = 21600

# async.throttle-requeue: the documented range of the requeue backoff
ASYNC_THROTTLE_BACKOFF_FIRST_S: Final = 1.0
ASYNC_THROTTLE_BACKOFF_MAX_S: Final = 300.0

# dlq.message
DLQ_ERROR_MESSAGE_LIMIT: Final = 1024

# concurrency.account-pool
ACCOUNT_CONCURRENCY_LIMIT: Final = 1000
MIN_UNRESERVED: Final = 100

# concurrency.scaling-rate: 1,000 environments every 10 s, refilled continuously
SCALING_BURST: Final = 1000
SCALING_WINDOW_S: Final = 10.0

# function.limits
FUNCTION_TIMEOUT_DEFAULT_S: Final = 3.0
FUNCTION_TIMEOUT_MIN_S: Final = 1.0
FUNCTION_TIMEOUT_MAX_S: Final = 900.0
MEMORY_MIN_MB: Final = 128
MEMORY_MAX_MB: Final = 10240

# init.outside-timeout
INIT_LIMIT_S: Final = 10.0

# runtime.timeout-error
TIMEOUT_ERROR_TYPE: Final = "Sandbox.Timedout"

# sqs.*
SQS_VISIBILITY_TIMEOUT_MAX_S: Final = 43200
SQS_RECOMMENDED_MAX_RECEIVE_COUNT: Final = 5
SQS_INITIAL_BATCHES: Final = 5
SQS_SCALE_STEP: Final = 300
SQS_SCALE_PERIOD_S: Final = 60.0
SQS_MAX_BATCHES: Final = 1000
SQS_MAX_CONCURRENCY_MIN: Final = 2
SQS_MAX_CONCURRENCY_MAX: Final = 1000
SQS_BATCH_SIZE_DEFAULT: Final = 10
SQS_BATCH_SIZE_MAX: Final = 10000
SQS_FIFO_BATCH_SIZE_MAX: Final = 10
BATCHING_WINDOW_MAX_S: Final = 300
SQS_RETENTION_DEFAULT_S: Final = 345600

# stream.*
STREAM_MAX_RETRY_ATTEMPTS_MAX: Final = 10000
STREAM_MAX_RECORD_AGE_MIN_S: Final = 60
STREAM_MAX_RECORD_AGE_MAX_S: Final = 604800
STREAM_BATCH_SIZE_DEFAULT: Final = 100
STREAM_BATCH_SIZE_MAX: Final = 10000
STREAM_PARALLELIZATION_MAX: Final = 10
KINESIS_POLL_INTERVAL_S: Final = 1.0
DYNAMODB_POLL_INTERVAL_S: Final = 0.25

# features.limits
MAX_SUBNETS: Final = 16
MAX_SECURITY_GROUPS: Final = 5

# environment.reset, concurrency.requests-per-second, invoke.payload-limits, apigateway.timeout-range
REQUESTS_PER_S_PER_CONCURRENCY: Final = 10
ACCOUNT_CONCURRENCY_LIMIT_MIN: Final = 10  # what a new account may start with
ACCOUNT_CONCURRENCY_LIMIT_MAX: Final = 100_000
SYNC_PAYLOAD_MAX_BYTES: Final = 6 * 1024 * 1024
ASYNC_PAYLOAD_MAX_BYTES: Final = 1024 * 1024
PAYLOAD_TOO_LARGE_STATUS: Final = 413
PAYLOAD_TOO_LARGE_ERROR: Final = "RequestEntityTooLargeException"
APIGATEWAY_TIMEOUT_MIN_S: Final = 0.05
APIGATEWAY_TIMEOUT_RAISED_MAX_S: Final = 900.0  # a raised quota; no wait beyond the function's own limit

# stream.batching-window and stream.retention
STREAM_BATCHING_WINDOW_MAX_S: Final = 300
KINESIS_RETENTION_DEFAULT_H: Final = 24
KINESIS_RETENTION_MAX_H: Final = 8760
DYNAMODB_RETENTION_H: Final = 24
