"""Rules the simulator needs where AWS documents nothing. Each is what `--target aws` should measure.

A run lists in its report's notes the assumptions it relied on (SEMANTICS.md: "it is then an
assumption, named as such in code, in --help and in the report's notes").
"""

from __future__ import annotations

ASSUMPTIONS: dict[str, str] = {
    "linear_steps": (
        "assumption: a Linear10Percent deployment routes 10 % at its start and 10 % more at each interval, "
        "reaching 100 % nine intervals later"
    ),
    "alarm": (
        "assumption: the rollback alarm goes to ALARM when a 60 s period with an error of the new version "
        "closes, and CodeDeploy routes all traffic back to the old version at once"
    ),
    "weighted_routing": "assumption: each call to a weighted alias picks its version independently, by weight",
    "poll_delay": "assumption: the async poller picks an event from the internal queue at once (0 s queue delay)",
    "throttle_backoff": (
        "assumption: a throttled async event is requeued after 1 s, doubling per throttle, capped at 300 s, "
        "without jitter, restarting from 1 s after each attempt (AWS documents only the 1 s .. 5 min range [A])"
    ),
    "age_check": (
        "assumption: an async event whose next attempt would fall after MaximumEventAgeInSeconds is "
        "discarded when its age reaches the maximum"
    ),
    "warm_reuse": (
        "assumption: idle execution environments stay warm for the whole run and the most recently "
        "freed one is reused first"
    ),
    "scaling_reason": (
        "assumption: a call refused by the scaling rate gets 429 with Reason "
        "FunctionInvocationRateLimitExceeded"
    ),
    "reserved_zero_record": (
        "assumption: with reserved concurrency 0, Lambda sends the event to the DLQ and on-failure destination "
        "at once, without running or retrying it (documented); only the details are assumed: DLQ ErrorCode 429, "
        "approximateInvokeCount 0 and the record's condition (here RetriesExhausted)"
    ),
    "destination_async": (
        "assumption: a Lambda destination is invoked asynchronously, so its own async retry policy applies [AG]"
    ),
    "sdk_backoff_seeded": "assumption: the SDK's random retry backoff is drawn from --seed, so runs replay exactly",
    "batch_duration": (
        "assumption: the handler runs its directed duration once per batch, and a batch fails when any of "
        "its records is directed to fail"
    ),
    "sqs_poll_delay": (
        "assumption: an idle SQS poller receives a message as soon as it is visible (long polling, "
        "0 s delay); a batching window starts with the first visible message"
    ),
    "sqs_scaling": (
        "assumption: the SQS mapping's concurrent batches grow from 5 by 300 at each full minute after the "
        "first message (documented: +300/minute up to 1,000 [M]), and do not scale down during the run"
    ),
    "sqs_throttle_backoff": (
        "assumption: a throttled SQS batch is re-invoked after 1 s, doubling, while its visibility timeout "
        "lasts; then its messages reappear in the queue, their receive count already spent [M]"
    ),
    "sqs_fifo_batch": (
        "assumption: a FIFO batch takes the oldest messages of one message group first, then of the next "
        "groups; each group in a batch stays locked until its messages are deleted or visible again"
    ),
    "sqs_retention": (
        "assumption: a message whose retention period ends while it is in flight is removed when it would "
        "have become visible again; a visible one when a poller next reaches it"
    ),
    "sqs_dlq_attributes": (
        "assumption: a message redriven to the DLQ keeps its MessageId, body, SentTimestamp and "
        "ApproximateReceiveCount, and gains DeadLetterQueueSourceArn"
    ),
    "stream_retry_delay": (
        "assumption: a failed stream batch is retried after 0.5 s x 1.5^n (n = consecutive failures of the "
        "shard before this one), capped at 60 s, as LocalStack does; AWS documents no delay [N]"
    ),
    "stream_poll": (
        "assumption: an idle shard is polled on ticks of its documented base rate from t=0 (Kinesis "
        "once a second, DynamoDB 4 times a second [N]); a busy one reads its next batch as soon as the "
        "last is done"
    ),
    "stream_bisect": (
        "assumption: a bisected batch's halves keep its retry count; the first half runs after the retry "
        "delay, the second as soon as the first is done; a failing batch of one record consumes a retry"
    ),
    "stream_age_check": (
        "assumption: records of a failing stream batch that would be older than MaximumRecordAgeInSeconds "
        "at its next retry are discarded the moment they reach that age; the younger ones are retried"
    ),
    "stream_retention": (
        "assumption: records trimmed by the stream's retention while they wait or are retried are lost: "
        "they end expired and no on-failure record is sent"
    ),
    "stream_throttle": (
        "assumption: a throttled stream batch is retried after the stream retry delay without consuming "
        "MaximumRetryAttempts"
    ),
}
