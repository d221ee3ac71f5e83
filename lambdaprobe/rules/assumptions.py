"""Rules the model needs where AWS documents nothing: each says what a `--target aws` run measures."""

from __future__ import annotations

from lambdaprobe.rules import constants as c
from lambdaprobe.rules.documented import (
    ASYNC_ERRORS,
    ASYNC_PROBES,
    ASYNC_RECORDS,
    CONCURRENCY,
    CREATE_MAPPING,
    INVOKE_API,
    INVOKING,
    KINESIS_ON_FAILURE,
    SCALING,
    SOURCES,
    SQS_ERRORS,
    SQS_SCALING,
    SYNC_CALLING,
    WITH_DDB,
    WITH_KINESIS,
    WITH_SQS,
)
from lambdaprobe.rules.ids import RuleId as R
from lambdaprobe.rules.model import Rule, assumption

_CODEDEPLOY = "https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html"
_ALIASES = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html"
_ENVIRONMENT = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html"

ASSUMPTIONS: tuple[Rule, ...] = (
    assumption(
        R.DEPLOY_LINEAR_STEPS,
        "A Linear10Percent deployment routes 10 % at its start and 10 % more at each interval, reaching 100 % "
        "nine intervals later.",
        "the executed version of each call over time, from the log streams",
        (_CODEDEPLOY,), ("deploy-preference",),
    ),
    assumption(
        R.DEPLOY_ALARM_ROLLBACK,
        "The rollback alarm goes to ALARM when a 60 s period with an error of the new version closes, and "
        "CodeDeploy then routes all traffic back to the old version at once.",
        "when the first call after a new-version error runs the old version again",
        (_CODEDEPLOY,), ("deploy-preference",),
        period_s=60.0,
    ),
    assumption(
        R.DEPLOY_WEIGHTED_PICK,
        "Each call to a weighted alias picks its version independently, by weight.",
        "the share of each version per window against the configured weight",
        (_ALIASES,), ("deploy-preference",),
    ),
    assumption(
        R.ASYNC_POLL_DELAY,
        "The async poller takes an event from the internal queue at once (no queueing delay).",
        "the gap between the 202 and the attempt's start in the function's logs",
        (ASYNC_ERRORS,), ASYNC_PROBES,
        delay_s=0.0,
    ),
    assumption(
        R.ASYNC_THROTTLE_BACKOFF,
        "A throttled async event is requeued after 1 s, doubling per throttle up to 300 s, without jitter, and "
        "from 1 s again after each attempt (AWS documents only the 1 s to 5 min range).",
        "the start times of attempts of queued events behind a busy reserved pool",
        (ASYNC_ERRORS,), ASYNC_PROBES,
        factor=2.0,
    ),
    assumption(
        R.ASYNC_AGE_CHECK,
        "An async event whose next attempt would come after MaximumEventAgeInSeconds is discarded the moment "
        "its age reaches the maximum.",
        "when the EventAgeExceeded record or DLQ message arrives relative to the event's send time",
        (ASYNC_ERRORS, ASYNC_RECORDS), ASYNC_PROBES,
    ),
    assumption(
        R.ENVIRONMENT_WARM_REUSE,
        "Idle execution environments stay warm for the whole run, and the one freed most recently is reused "
        "first.",
        "which calls are cold (Init Duration in REPORT lines) and which log stream each call writes to",
        (_ENVIRONMENT,), INVOKING,
    ),
    assumption(
        R.CONCURRENCY_SCALING_REASON,
        "A call refused by the scaling rate gets 429 with Reason FunctionInvocationRateLimitExceeded.",
        "the Reason of 429s when more than 1,000 new environments are asked for within 10 s",
        (SCALING,), ("concurrency", "deploy-preference", "invoke", "retry", "timeout"),
        reason="FunctionInvocationRateLimitExceeded",
    ),
    assumption(
        R.ASYNC_RESERVED_ZERO_DETAIL,
        "With reserved concurrency 0, the DLQ message of a dropped async event has ErrorCode 429 and "
        "ErrorMessage 'Rate Exceeded.'.",
        "the DLQ message attributes of an event sent to a function with reserved concurrency 0",
        (ASYNC_RECORDS,), ("concurrency",),
        error_code=429,
    ),
    assumption(
        R.DESTINATIONS_LAMBDA_ASYNC,
        "A Lambda destination is invoked asynchronously, so its own async retry policy applies.",
        "the destination function's attempts after it fails: spacing and count",
        (ASYNC_RECORDS,), ("destinations", "retry"),
    ),
    assumption(
        R.SDK_BACKOFF_SEEDED,
        "The SDK's random retry backoff is drawn from --seed, so a run replays exactly.",
        "nothing: on AWS the SDK draws its own backoff, which the report shows as observed",
        ("https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html",), ("abort", "invoke", "retry"),
    ),
    assumption(
        R.BATCH_DURATION,
        "The handler runs its directed duration once per batch, and a batch fails when any of its records is "
        "directed to fail.",
        "nothing: it is how the deployed probe handler is written, the same on both targets",
        (WITH_SQS, WITH_KINESIS), SOURCES,
    ),
    assumption(
        R.SQS_POLL_DELAY,
        "An idle SQS poller receives a message as soon as it is visible (long polling, no delay); a batching "
        "window starts with the first visible message.",
        "the gap between a message's send (or reappearance) and the attempt's start",
        (WITH_SQS, SQS_SCALING), SOURCES,
        delay_s=0.0,
    ),
    assumption(
        R.SQS_SCALING_STEPS,
        "The SQS mapping's concurrent batches grow from 5 by 300 at each full minute after the first message "
        "(AWS documents up to 300 more a minute), and do not scale down during the run.",
        "the concurrency over time of a large backlog",
        (SQS_SCALING,), SOURCES,
    ),
    assumption(
        R.SQS_THROTTLE_BACKOFF,
        "A throttled SQS batch is invoked again after 1 s, doubling, while its visibility timeout lasts; then "
        "its messages reappear in the queue, their receive count already spent.",
        "attempt start times and receive counts of a queue read by a function with small reserved concurrency",
        (SQS_ERRORS, SQS_SCALING), SOURCES,
        first_s=1.0,
    ),
    assumption(
        R.SQS_FIFO_BATCH,
        "A FIFO batch takes the oldest messages of one message group first, then of the next groups; each group "
        "in a batch stays locked until its messages are deleted or visible again.",
        "which messages each batch holds, from the handler's logs",
        (WITH_SQS, SQS_SCALING), SOURCES,
    ),
    assumption(
        R.SQS_RETENTION_IN_FLIGHT,
        "A message whose retention period ends while it is in flight is removed when it would have become "
        "visible again; a visible one when a poller next reaches it.",
        "the last receive of a message whose retention ends mid-run",
        ("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html",),
        SOURCES,
    ),
    assumption(
        R.SQS_DLQ_ATTRIBUTES,
        "A message redriven to the queue's DLQ keeps its MessageId, body and SentTimestamp, gains "
        "DeadLetterQueueSourceArn, and its first receive from the DLQ counts maxReceiveCount + 1.",
        "the attributes of the message received from the DLQ",
        ("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html",),
        SOURCES,
    ),
    assumption(
        R.STREAM_RETRY_DELAY,
        "A failed stream batch is retried after 0.5 s x 1.5^n (n: the shard's consecutive failures before this "
        "one), capped at 60 s, as LocalStack does; AWS documents no delay.",
        "the gaps between a failing batch's attempts",
        (KINESIS_ON_FAILURE,), SOURCES,
        first_s=0.5, factor=1.5, max_s=60.0,
    ),
    assumption(
        R.STREAM_POLL_TICKS,
        "An idle shard is polled on ticks of its documented rate from the start of the run; a busy one reads its "
        "next batch as soon as the last is done.",
        "the gap between a record's arrival and its batch's start",
        (WITH_KINESIS, WITH_DDB), SOURCES,
    ),
    assumption(
        R.STREAM_BISECT_RETRIES,
        "A bisected batch's halves keep its retry count; the first half runs after the retry delay, the second "
        "as soon as the first is done; a failing batch of one record uses up a retry.",
        "batch sizes and attempt counts of a bisected failing batch",
        (KINESIS_ON_FAILURE, CREATE_MAPPING), SOURCES,
    ),
    assumption(
        R.STREAM_AGE_CHECK,
        "Records of a failing stream batch that would be older than MaximumRecordAgeInSeconds at its next retry "
        "are discarded the moment they reach that age; the younger ones are retried.",
        "when the RecordAgeExceeded record arrives relative to the records' arrival",
        (KINESIS_ON_FAILURE,), SOURCES,
    ),
    assumption(
        R.STREAM_RETENTION_LOSS,
        "Records the stream's retention trims while they wait or are retried are lost: they end expired and no "
        "on-failure record is sent.",
        "nothing in a short run: a stream keeps records at least 24 h",
        (WITH_KINESIS, WITH_DDB), SOURCES,
    ),
    assumption(
        R.STREAM_THROTTLE_RETRY,
        "A throttled stream batch is retried after the stream retry delay without using up MaximumRetryAttempts.",
        "attempt counts of a stream read by a function with reserved concurrency 0 then raised",
        (KINESIS_ON_FAILURE,), SOURCES,
    ),
    assumption(
        R.ENVIRONMENT_RESET_INIT,
        "The init run again after a reset follows a first init's rules: up to 10 s it is not counted in the "
        "timeout; over 10 s it is cut and retried inside the invocation, against the timeout.",
        "the Init Duration (or its absence) and the duration of the call after a timed-out one in one environment",
        (_ENVIRONMENT,), INVOKING,
    ),
    assumption(
        R.ENVIRONMENT_LIFETIME,
        "With --env-lifetime, an on-demand environment is shut down once it has lived that long (an invocation "
        "in flight finishes first) and the next call starts a new one, cold; provisioned environments are "
        "replaced ahead of calls. Without it, environments live for the whole run.",
        "how long one log stream keeps receiving calls at a steady low rate",
        (_ENVIRONMENT,), ("concurrency",),
    ),
    assumption(
        R.CONCURRENCY_RPS_WINDOW,
        "The requests-per-second quota counts the sync invokes admitted in any sliding 1 s window; a call to a "
        "qualifier with provisioned concurrency counts against its own 10 x provisioned first, then the "
        "function's; a call refused for concurrency uses none of it.",
        "the times of admitted and refused calls of a fast burst of short calls to a reserved-1 function",
        (CONCURRENCY, SCALING), SYNC_CALLING,
        window_s=1.0,
    ),
    assumption(
        R.CONCURRENCY_RPS_REASON,
        "A sync invoke over the requests-per-second quota gets 429 with Reason "
        "ReservedFunctionInvocationRateLimitExceeded when the function has reserved concurrency, else "
        "FunctionInvocationRateLimitExceeded.",
        "the Reason of the 429s of a fast burst of short calls",
        (CONCURRENCY,), SYNC_CALLING,
    ),
    assumption(
        R.INVOKE_PAYLOAD_ERROR,
        "An oversized invoke is answered 413 with error code RequestEntityTooLargeException and the message "
        "'Request must be smaller than N bytes for the InvokeFunction operation' (the API reference names the "
        "413 RequestTooLargeException).",
        "the error code and message of an invoke with a payload over the limit",
        (INVOKE_API,), ("invoke", "retry"),
        error=c.PAYLOAD_TOO_LARGE_ERROR,
    ),
    assumption(
        R.DESTINATIONS_S3_OBJECT,
        "An S3 on-failure destination gets one object per failure holding the same record an SQS destination "
        "gets.",
        "the objects written to the bucket by a failing async event and a failing stream batch",
        (ASYNC_RECORDS, KINESIS_ON_FAILURE), ("retry",),
    ),
)
