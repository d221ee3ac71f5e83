"""The rules AWS documents, each in our own words with the pages it comes from."""

from __future__ import annotations

from lambdaprobe.rules import constants as c
from lambdaprobe.rules.ids import RuleId as R
from lambdaprobe.rules.model import Rule, documented

_DG = "https://docs.aws.amazon.com/lambda/latest/dg/"
_API = "https://docs.aws.amazon.com/lambda/latest/api/"
INVOKE_API = _API + "API_Invoke.html"
ASYNC = _DG + "invocation-async.html"
ASYNC_ERRORS = _DG + "invocation-async-error-handling.html"
ASYNC_RECORDS = _DG + "invocation-async-retain-records.html"
EVENT_INVOKE_CONFIG = _API + "API_PutFunctionEventInvokeConfig.html"
CONCURRENCY = _DG + "lambda-concurrency.html"
RESERVED = _DG + "configuration-concurrency.html"
PROVISIONED = _DG + "provisioned-concurrency.html"
SCALING = _DG + "scaling-behavior.html"
QUOTAS = _DG + "gettingstarted-limits.html"
PUT_CONCURRENCY = _API + "API_PutFunctionConcurrency.html"
ENVIRONMENT = _DG + "lambda-runtime-environment.html"
SQS_ERRORS = _DG + "services-sqs-errorhandling.html"
SQS_SCALING = _DG + "services-sqs-scaling.html"
WITH_SQS = _DG + "with-sqs.html"
CREATE_MAPPING = _API + "API_CreateEventSourceMapping.html"
WITH_KINESIS = _DG + "with-kinesis.html"
WITH_DDB = _DG + "with-ddb.html"
KINESIS_ON_FAILURE = _DG + "kinesis-on-failure-destination.html"
ALL_PROBES = (
    "abort", "code-signing", "concurrency", "deploy-preference", "destinations", "efs", "env-encryption",
    "invoke", "retry", "timeout", "vpc",
)
INVOKING = ("abort", "concurrency", "deploy-preference", "destinations", "invoke", "retry", "timeout")
SYNC_CALLING = ("abort", "concurrency", "deploy-preference", "invoke", "retry", "timeout")  # direct sync invokes
ASYNC_PROBES = ("concurrency", "destinations", "invoke", "retry")
SOURCES = ("retry",)

DOCUMENTED: tuple[Rule, ...] = (
    # Synchronous invoke and its callers
    documented(
        R.SYNC_NO_RETRY, "Lambda never retries a synchronous invoke; any resend comes from the caller.",
        (_DG + "invocation-retries.html", _DG + "invocation-sync.html"), INVOKING,
    ),
    documented(
        R.SYNC_STATUS,
        "Invoke answers 200 for RequestResponse, 202 for Event and 204 for DryRun; a function error is still "
        "a 200, with the FunctionError header set to Unhandled (or Handled).",
        (INVOKE_API,), INVOKING,
        request_response=200, event=202, dry_run=204,
    ),
    documented(
        R.THROTTLE_ERROR,
        "A throttled invoke gets HTTP 429 TooManyRequestsException whose body names the Reason "
        "(ReservedFunctionConcurrentInvocationLimitExceeded when the function's reserved concurrency is in use, "
        "ConcurrentInvocationLimitExceeded when the account's is), with Type User and message 'Rate Exceeded.'.",
        (INVOKE_API, _DG + "troubleshooting-invocation.html"), INVOKING,
        status=c.THROTTLE_STATUS, type=c.THROTTLE_TYPE, message=c.THROTTLE_MESSAGE,
        reserved_reason=c.RESERVED_LIMIT, account_reason=c.ACCOUNT_LIMIT,
    ),
    documented(
        R.SDK_TIMEOUTS, "An AWS SDK for Python client waits 60 s to connect and 60 s to read by default.",
        ("https://docs.aws.amazon.com/sdkref/latest/guide/feature-timeouts.html",
         "https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html"),
        ("abort", "invoke", "retry"),
        connect_timeout_s=c.SDK_CONNECT_TIMEOUT_S, read_timeout_s=c.SDK_READ_TIMEOUT_S,
    ),
    documented(
        R.SDK_RETRY_MODES,
        "The SDK retries by itself: legacy mode (boto3's default) makes up to 5 attempts, standard mode (the "
        "AWS CLI v2's) up to 3 with a random backoff of at most min(2^(attempt-1), 20) s; both retry throttles, "
        "5xx answers and connection errors, read timeouts included.",
        ("https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html",
         "https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-retries.html",
         "https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html"),
        ("abort", "invoke", "retry"),
        legacy_attempts=c.SDK_MAX_ATTEMPTS["legacy"], standard_attempts=c.SDK_MAX_ATTEMPTS["standard"],
        standard_backoff_cap_s=c.SDK_STANDARD_BACKOFF_CAP_S,
    ),
    documented(
        R.SDK_RESEND_AFTER_READ_TIMEOUT,
        "A synchronous invoke of a function that runs longer than the SDK's read timeout is sent again by the "
        "SDK, so the function runs once per attempt.",
        ("https://repost.aws/knowledge-center/lambda-function-retry-timeout-sdk",), ("abort", "invoke", "retry"),
    ),
    documented(
        R.APIGATEWAY_INTEGRATION_TIMEOUT,
        "An API Gateway REST integration waits 29 s by default, then answers 504; it never retries.",
        ("https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html",
         "https://docs.aws.amazon.com/lambda/latest/operatorguide/invocation-modes.html"),
        ("abort",),
        default_s=c.APIGATEWAY_TIMEOUT_S,
    ),
    documented(
        R.CALLER_GIVES_UP,
        "An invocation whose caller stopped waiting keeps running and is billed; only the function timeout "
        "stops it.",
        ("https://docs.aws.amazon.com/lambda/latest/operatorguide/invocation-modes.html",
         "https://repost.aws/knowledge-center/lambda-function-retry-timeout-sdk"),
        ("abort", "invoke", "retry"),
    ),
    # Asynchronous invoke
    documented(
        R.ASYNC_QUEUED,
        "An asynchronous invoke answers 202 at once and queues the event; the API never throttles it, and "
        "concurrency is checked only when Lambda's poller takes the event from the queue.",
        (ASYNC, ASYNC_ERRORS), ASYNC_PROBES,
    ),
    documented(
        R.ASYNC_RETRY_SPACING,
        "After a function error (a timeout included) Lambda runs an async event at most twice more, about one "
        "minute after the first attempt and two minutes after the second.",
        (ASYNC_ERRORS,), ASYNC_PROBES,
        spacing_s=c.ASYNC_RETRY_SPACING_S,
    ),
    documented(
        R.ASYNC_RETRY_CONFIG,
        "MaximumRetryAttempts is 0 to 2 (default 2) and MaximumEventAgeInSeconds 60 to 21600 (default 21600), "
        "per function, version or alias.",
        (EVENT_INVOKE_CONFIG, ASYNC_ERRORS), ASYNC_PROBES,
        max_retry_attempts=c.ASYNC_MAX_RETRY_ATTEMPTS, max_event_age_min_s=c.ASYNC_MAX_EVENT_AGE_MIN_S,
        max_event_age_s=c.ASYNC_MAX_EVENT_AGE_S,
    ),
    documented(
        R.ASYNC_THROTTLE_REQUEUE,
        "An async event throttled or hit by a system error when polled goes back to the queue and is tried "
        "again with a backoff from 1 s to 5 min until it is too old; these tries use up no retry attempt.",
        (ASYNC_ERRORS,), ASYNC_PROBES,
        first_s=c.ASYNC_THROTTLE_BACKOFF_FIRST_S, max_s=c.ASYNC_THROTTLE_BACKOFF_MAX_S,
    ),
    documented(
        R.ASYNC_REQUEST_ID,
        "Every attempt of one async event, and its DLQ message and destination record, carry the same request id.",
        (ASYNC_ERRORS, ASYNC_RECORDS), ASYNC_PROBES,
    ),
    documented(
        R.ASYNC_RESERVED_ZERO,
        "With reserved concurrency 0, Lambda does not run or retry new async events: it sends each to the "
        "on-failure destination with condition ZeroReservedConcurrency and no response, and to the DLQ.",
        (ASYNC_RECORDS, RESERVED), ("concurrency",),  # the one probe that sets reserved concurrency
        condition="ZeroReservedConcurrency",
    ),
    documented(
        R.DLQ_MESSAGE,
        "A function's dead-letter queue (SQS or SNS) gets the original event unchanged, with the attributes "
        "RequestID (String), ErrorCode (Number, the HTTP status) and ErrorMessage (String, its first 1 KB).",
        (ASYNC_RECORDS,), ASYNC_PROBES,
        error_message_limit=c.DLQ_ERROR_MESSAGE_LIMIT,
    ),
    documented(
        R.DESTINATIONS_RECORD,
        "An async destination gets an invocation record: version 1.0, timestamp, requestContext (requestId, "
        "functionArn, condition Success, RetriesExhausted or EventAgeExceeded, approximateInvokeCount), the "
        "request payload, and for an executed function its responseContext and responsePayload.",
        (ASYNC_RECORDS, _API + "API_DestinationConfig.html"), ASYNC_PROBES,
    ),
    documented(
        R.DESTINATIONS_EVENTBRIDGE,
        "An EventBridge destination gets the invocation record as the detail of an event from source lambda, "
        "detail-type 'Lambda Function Invocation Result - Success' or '- Failure', whose resources are the "
        "event bus and the function.",
        (ASYNC_RECORDS, "https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-lambda.html"),
        ASYNC_PROBES,
    ),
    documented(
        R.DESTINATIONS_WITH_DLQ,
        "When an async event fails for good, its DLQ and its on-failure destination both receive, at the same "
        "moment, if both are configured.",
        (ASYNC_RECORDS,), ASYNC_PROBES,
    ),
    # Concurrency
    documented(
        R.CONCURRENCY_ACCOUNT_POOL,
        "An account's concurrency limit per Region defaults to 1,000, of which at least 100 must stay unreserved; "
        "functions without reserved concurrency share what is left.",
        (QUOTAS, PUT_CONCURRENCY, CONCURRENCY), INVOKING,
        limit=c.ACCOUNT_CONCURRENCY_LIMIT, min_unreserved=c.MIN_UNRESERVED,
    ),
    documented(
        R.CONCURRENCY_RESERVED,
        "Reserved concurrency is both a guarantee and a cap for the whole function (all versions and $LATEST "
        "together); 0 stops every invocation.",
        (RESERVED, PUT_CONCURRENCY), ("concurrency", "retry"),
    ),
    documented(
        R.CONCURRENCY_PROVISIONED_SPILLOVER,
        "Provisioned concurrency sits on a version or alias, never $LATEST, and counts toward reserved concurrency; "
        "requests beyond it spill over to on-demand environments within what is left, and when provisioned "
        "equals reserved, $LATEST and spill-over are throttled.",
        (PROVISIONED, RESERVED), ("concurrency",),
    ),
    documented(
        R.CONCURRENCY_PROVISIONED_WARM,
        "Provisioned environments are initialised before any request, so requests on them have no cold start.",
        (PROVISIONED,), ("concurrency",),
    ),
    documented(
        R.CONCURRENCY_SCALING_RATE,
        "Each function may add at most 1,000 execution environments every 10 s, refilled continuously; an "
        "invoke beyond that rate is throttled.",
        (SCALING,), ("concurrency", "deploy-preference", "invoke", "retry", "timeout"),
        burst=c.SCALING_BURST, window_s=c.SCALING_WINDOW_S,
    ),
    # Function configuration, init and the runtime's answers
    documented(
        R.FUNCTION_LIMITS,
        "A function's timeout is 1 to 900 s (default 3 s) and its memory 128 to 10,240 MB.",
        (_DG + "configuration-timeout.html", _DG + "configuration-memory.html", QUOTAS), ALL_PROBES,
        timeout_default_s=c.FUNCTION_TIMEOUT_DEFAULT_S, timeout_min_s=c.FUNCTION_TIMEOUT_MIN_S,
        timeout_max_s=c.FUNCTION_TIMEOUT_MAX_S, memory_min_mb=c.MEMORY_MIN_MB, memory_max_mb=c.MEMORY_MAX_MB,
    ),
    documented(
        R.INIT_OUTSIDE_TIMEOUT,
        "A cold start's init phase may take up to 10 s and does not count toward the function timeout.",
        (ENVIRONMENT,), INVOKING,
        limit_s=c.INIT_LIMIT_S,
    ),
    documented(
        R.INIT_SUPPRESSED,
        "An init that exceeds 10 s is stopped and run again inside the first invocation, where it counts "
        "toward the function timeout; that invocation's REPORT line has no Init Duration.",
        (ENVIRONMENT,), INVOKING,
        limit_s=c.INIT_LIMIT_S,
    ),
    documented(
        R.INIT_BILLED,
        "Since 1 August 2025 the init phase of on-demand environments is billed; provisioned environments were "
        "initialised ahead.",
        ("https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/",), INVOKING,
    ),
    documented(
        R.RUNTIME_TIMEOUT_ERROR,
        "An invocation that reaches its timeout fails with errorType Sandbox.Timedout and errorMessage "
        "'RequestId: <id> Error: Task timed out after <timeout, 2 decimals> seconds'.",
        (_DG + "troubleshooting-invocation.html", ASYNC_RECORDS), INVOKING,
        error_type=c.TIMEOUT_ERROR_TYPE,
    ),
    documented(
        R.RUNTIME_ERROR_PAYLOAD,
        "A Python handler's unhandled exception is answered as errorMessage, errorType, requestId and a "
        "non-empty stackTrace.",
        (_DG + "python-exceptions.html",), INVOKING,
    ),
    documented(
        R.RUNTIME_REPORT_LINE,
        "Each invocation ends with a REPORT log line giving Duration, Billed Duration, Memory Size, Max Memory "
        "Used and, on a cold start, Init Duration.",
        (_DG + "python-logging.html", _DG + "monitoring-cloudwatchlogs.html"), INVOKING,
    ),
    # SQS
    documented(
        R.SQS_VISIBILITY_TIMEOUT,
        "An SQS mapping invokes the function synchronously with a batch; on success the batch is deleted, on "
        "error nothing is, and the messages reappear after the queue's visibility timeout, each receive "
        "adding one to ApproximateReceiveCount.",
        (SQS_ERRORS, WITH_SQS), SOURCES,
        visibility_timeout_max_s=c.SQS_VISIBILITY_TIMEOUT_MAX_S,
    ),
    documented(
        R.SQS_REDRIVE,
        "The queue's redrive policy moves a message received maxReceiveCount times to the queue's DLQ; the "
        "function's own DLQ and destinations do not apply to an SQS mapping.",
        (SQS_ERRORS, "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
         "sqs-dead-letter-queues.html"), SOURCES,
        recommended_max_receive_count=c.SQS_RECOMMENDED_MAX_RECEIVE_COUNT,
    ),
    documented(
        R.SQS_MAPPING_TIMEOUT,
        "Creating an SQS mapping fails when the function timeout exceeds the queue's visibility timeout; AWS "
        "recommends a visibility timeout of six times the function timeout and maxReceiveCount of at least 5.",
        (WITH_SQS, SQS_ERRORS), SOURCES,
    ),
    documented(
        R.SQS_PARTIAL_BATCH,
        "With ReportBatchItemFailures only the messages listed in batchItemFailures stay in the queue; an "
        "empty list means the whole batch succeeded.",
        (SQS_ERRORS,), SOURCES,
    ),
    documented(
        R.SQS_THROTTLED_POLLER,
        "When the function is throttled, the SQS poller backs off and tries the batch again until its "
        "visibility timeout runs out.",
        (SQS_ERRORS, SQS_SCALING), SOURCES,
    ),
    documented(
        R.SQS_SCALING,
        "A standard queue's mapping starts with 5 concurrent batches, adds up to 300 a minute and reaches at "
        "most 1,000; ScalingConfig.MaximumConcurrency (2 to 1,000) caps it.",
        (SQS_SCALING, "https://repost.aws/knowledge-center/lambda-sqs-scaling"), SOURCES,
        initial_batches=c.SQS_INITIAL_BATCHES, step=c.SQS_SCALE_STEP, max_batches=c.SQS_MAX_BATCHES,
        max_concurrency_min=c.SQS_MAX_CONCURRENCY_MIN, max_concurrency_max=c.SQS_MAX_CONCURRENCY_MAX,
    ),
    documented(
        R.SQS_FIFO_ORDER,
        "A FIFO queue's mapping keeps order per message group: a failing message blocks its group until it "
        "succeeds or leaves for the DLQ.",
        (WITH_SQS, SQS_SCALING), SOURCES,
    ),
    documented(
        R.SQS_BATCHING,
        "BatchSize defaults to 10 (at most 10,000 standard, 10 FIFO); a batching window of 0 to 300 s waits for "
        "a fuller batch, and a batch size over 10 needs a window of at least 1 s.",
        (CREATE_MAPPING, WITH_SQS), SOURCES,
        batch_default=c.SQS_BATCH_SIZE_DEFAULT, batch_max=c.SQS_BATCH_SIZE_MAX,
        fifo_batch_max=c.SQS_FIFO_BATCH_SIZE_MAX, window_max_s=c.BATCHING_WINDOW_MAX_S,
    ),
    documented(
        R.SQS_RETENTION,
        "A message no DLQ takes stays until the queue's MessageRetentionPeriod (default 4 days) ends.",
        ("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html",),
        SOURCES,
        default_s=c.SQS_RETENTION_DEFAULT_S,
    ),
    documented(
        R.SQS_EVENT,
        "The SQS event lists each message as a record with messageId, receiptHandle, body, attributes "
        "(ApproximateReceiveCount, SentTimestamp, ...), messageAttributes, md5OfBody, eventSource aws:sqs, "
        "eventSourceARN and awsRegion.",
        (WITH_SQS,), SOURCES,
    ),
    # Streams
    documented(
        R.STREAM_IN_ORDER,
        "A Kinesis or DynamoDB stream mapping invokes synchronously, per shard and in order; a failing batch is "
        "retried, blocking its shard, until it succeeds, runs out of retries or ages out, then it is discarded "
        "and the shard moves on; records the stream trims are lost.",
        (WITH_KINESIS, WITH_DDB, KINESIS_ON_FAILURE), SOURCES,
    ),
    documented(
        R.STREAM_RETRY_LIMITS,
        "MaximumRetryAttempts is -1 (until the record expires) to 10,000 and MaximumRecordAgeInSeconds -1 or "
        "60 to 604,800.",
        (CREATE_MAPPING, KINESIS_ON_FAILURE), SOURCES,
        retry_max=c.STREAM_MAX_RETRY_ATTEMPTS_MAX, age_min_s=c.STREAM_MAX_RECORD_AGE_MIN_S,
        age_max_s=c.STREAM_MAX_RECORD_AGE_MAX_S,
    ),
    documented(
        R.STREAM_BISECT,
        "With BisectBatchOnFunctionError a failing batch is split in two and each half retried; a split uses "
        "no retry attempt.",
        (KINESIS_ON_FAILURE, CREATE_MAPPING), SOURCES,
    ),
    documented(
        R.STREAM_PARTIAL_BATCH,
        "With ReportBatchItemFailures the mapping checkpoints at the lowest failed sequence number and retries "
        "from there.",
        (_DG + "services-kinesis-batchfailurereporting.html", _DG + "services-ddb-batchfailurereporting.html"),
        SOURCES,
    ),
    documented(
        R.STREAM_ON_FAILURE_RECORD,
        "A stream mapping's on-failure destination gets a record without the data: requestContext (condition "
        "RetryAttemptsExhausted or RecordAgeExceeded, approximateInvokeCount), a responseContext when the "
        "function ran, and KinesisBatchInfo or DDBStreamBatchInfo telling where the batch lies.",
        (KINESIS_ON_FAILURE, WITH_DDB), SOURCES,
    ),
    documented(
        R.STREAM_POLL_RATE,
        "Lambda polls each Kinesis shard once a second and each DynamoDB stream shard four times a second.",
        (WITH_KINESIS, WITH_DDB), SOURCES,
        kinesis_interval_s=c.KINESIS_POLL_INTERVAL_S, dynamodb_interval_s=c.DYNAMODB_POLL_INTERVAL_S,
    ),
    documented(
        R.STREAM_BATCHING,
        "A stream mapping's BatchSize is 1 to 10,000 (default 100) and its ParallelizationFactor 1 to 10.",
        (CREATE_MAPPING,), SOURCES,
        batch_default=c.STREAM_BATCH_SIZE_DEFAULT, batch_max=c.STREAM_BATCH_SIZE_MAX,
        parallelization_max=c.STREAM_PARALLELIZATION_MAX,
    ),
    documented(
        R.STREAM_EVENT,
        "A Kinesis event carries each record's data base64-encoded with its sequence number and arrival time; "
        "a DynamoDB stream event carries eventName, Keys and the images.",
        (WITH_KINESIS, WITH_DDB), SOURCES,
    ),
    # Push sources
    documented(
        R.SNS_ASYNC,
        "SNS invokes a subscribed function asynchronously, so Lambda's async retries apply to function errors; "
        "SNS's own delivery retries only cover handing the message to Lambda.",
        (_DG + "with-sns.html", "https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html"),
        SOURCES,
    ),
    documented(
        R.EVENTBRIDGE_ASYNC,
        "An EventBridge rule invokes its target function asynchronously, so Lambda's async retries apply to "
        "function errors; EventBridge's retry policy (24 h, 185 attempts) only covers delivery to Lambda.",
        ("https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html",
         _DG + "invocation-async.html"),
        SOURCES,
    ),
    # Deployments and features
    documented(
        R.DEPLOY_CONFIGURATIONS,
        "CodeDeploy shifts a Lambda alias all at once, by a canary (10 % then the rest after N minutes) or "
        "linearly (10 % more every N minutes), and rolls back on a CloudWatch alarm.",
        ("https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html",),
        ("deploy-preference",),
    ),
    documented(
        R.DEPLOY_ALIAS_ROUTING,
        "A weighted alias sends each invocation to one of its two versions according to the weights.",
        (_DG + "configuration-aliases.html",), ("deploy-preference",),
    ),
    documented(
        R.FEATURES_LIMITS,
        "A function's VPC configuration takes at most 16 subnets and 5 security groups; a code signing "
        "configuration refuses (Enforce) or only warns about (Warn) unsigned code.",
        (_API + "API_VpcConfig.html", _API + "API_CodeSigningPolicies.html"),
        ("code-signing", "vpc", "efs"),
        max_subnets=c.MAX_SUBNETS, max_security_groups=c.MAX_SECURITY_GROUPS,
    ),
    # Lifecycle, quotas and source options
    documented(
        R.ENVIRONMENT_RESET,
        "When an invocation times out or its runtime exits, Lambda resets the execution environment: the next "
        "invocation in it runs init again, a cold start that is billed.",
        (ENVIRONMENT,), INVOKING,
    ),
    documented(
        R.CONCURRENCY_REQUESTS_PER_SECOND,
        "Synchronous invokes are also limited per second: 10 times the concurrency available to the function "
        "(its reserved concurrency, else the account's), and 10 times the provisioned concurrency for a "
        "qualifier that has it; calls beyond that get 429.",
        (CONCURRENCY, SCALING, QUOTAS), SYNC_CALLING,
        per_concurrency=c.REQUESTS_PER_S_PER_CONCURRENCY,
    ),
    documented(
        R.APIGATEWAY_TIMEOUT_RANGE,
        "A REST API's integration timeout is 50 ms to 29 s; Regional and private APIs may go above 29 s after "
        "a quota increase for the account.",
        ("https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html",
         "https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html"),
        ("abort",),
        min_s=c.APIGATEWAY_TIMEOUT_MIN_S, default_max_s=c.APIGATEWAY_TIMEOUT_S,
    ),
    documented(
        R.INVOKE_PAYLOAD_LIMITS,
        "An invoke's payload may be at most 6 MB for a synchronous call (request and response) and 1 MB for "
        "an asynchronous one; a larger request is refused with HTTP 413 and never runs.",
        (INVOKE_API, QUOTAS), ("invoke", "retry"),
        sync_bytes=c.SYNC_PAYLOAD_MAX_BYTES, async_bytes=c.ASYNC_PAYLOAD_MAX_BYTES,
        status=c.PAYLOAD_TOO_LARGE_STATUS,
    ),
    documented(
        R.DESTINATIONS_S3,
        "An S3 bucket can be the on-failure destination of an async invocation and of a Kinesis or DynamoDB "
        "stream mapping (not an on-success one).",
        (_API + "API_OnFailure.html", ASYNC_RECORDS, KINESIS_ON_FAILURE), ("retry",),
    ),
    documented(
        R.STREAM_BATCHING_WINDOW,
        "A stream mapping's MaximumBatchingWindowInSeconds (0 to 300 s) lets it gather records before invoking: "
        "it invokes when the batch is full or the window has passed.",
        (CREATE_MAPPING, WITH_KINESIS), SOURCES,
        max_s=c.STREAM_BATCHING_WINDOW_MAX_S,
    ),
    documented(
        R.STREAM_RETENTION,
        "A Kinesis stream keeps records 24 h by default, extendable up to 8,760 h (365 days); a DynamoDB stream "
        "keeps them 24 h, fixed.",
        ("https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html",
         "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html"),
        SOURCES,
        kinesis_default_h=c.KINESIS_RETENTION_DEFAULT_H, kinesis_max_h=c.KINESIS_RETENTION_MAX_H,
        dynamodb_h=c.DYNAMODB_RETENTION_H,
    ),
)
