"""`retry`: how do retries unfold for a direct sync or async invoke, a queue, a topic, a bus, a stream?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal, get_args

from lambdaprobe.answer import missing, plural, seconds
from lambdaprobe.errors import InputError
from lambdaprobe.report import Finding, Report
from lambdaprobe.rules import constants as c
from lambdaprobe.scenario import (
    ASYNC_SOURCES,
    QUEUE_SOURCES,
    SOURCE_KINDS,
    STREAM_SOURCES,
    AsyncConfig,
    DestinationKind,
    DlqKind,
    FunctionSpec,
    Mode,
    Scenario,
    SdkConfig,
    SdkRetryMode,
    SourceSpec,
    SqsSourceSpec,
    Stimulus,
    StreamSourceSpec,
)
from lambdaprobe.scenarios.common import (
    ARRIVALS_HELP,
    FAIL_HELP,
    MAX_COUNT,
    MAX_DURATION_S,
    MAX_INIT_S,
    MAX_INTERVAL_S,
    PAYLOAD_SIZE_MAX,
    TIMEOUT_RANGE,
    fail_directives,
    in_range,
    shaped,
    timeout_for,
    traffic,
)
from lambdaprobe.scenarios.declare import check, choose, option, params

NONE = "none"
DLQ_TYPES: tuple[DlqKind, ...] = get_args(DlqKind)
DESTINATION_TYPES: tuple[DestinationKind, ...] = get_args(DestinationKind)
# [stream.on-failure-record] [destinations.s3] (Kafka: Kafka mappings only)
STREAM_DESTINATION_TYPES: tuple[Literal["sqs", "sns", "s3"], ...] = ("sqs", "sns", "s3")
DLQ_KINDS = (*DLQ_TYPES, NONE)
DESTINATION_KINDS = (*DESTINATION_TYPES, NONE)
# [destinations.s3] an S3 bucket is an on-failure destination only
ON_SUCCESS_TYPES: tuple[DestinationKind, ...] = tuple(k for k in DESTINATION_TYPES if k != "s3")
ON_SUCCESS_KINDS = (*ON_SUCCESS_TYPES, NONE)
# [stream.retention] Kinesis 24 h by default, up to 8,760 h; DynamoDB streams 24 h, fixed
KINESIS_RETENTION_HOURS = (c.KINESIS_RETENTION_DEFAULT_H, c.KINESIS_RETENTION_MAX_H)
DYNAMODB_RETENTION_HOURS = c.DYNAMODB_RETENTION_H
SDK_MODES: tuple[SdkRetryMode, ...] = get_args(SdkRetryMode)
# One default everywhere an option exists: the DLQ (so a failed event shows where it ends), and boto3's
# own SDK retry mode.
DEFAULT_DLQ = "sqs"
DEFAULT_SDK_RETRIES: SdkRetryMode = "legacy"
SDK_READ_TIMEOUT_S = c.SDK_READ_TIMEOUT_S  # [sdk.timeouts]


SOURCES_WITH_RETRY_POLICY = (*ASYNC_SOURCES, *STREAM_SOURCES)
BATCH_SOURCES = (*QUEUE_SOURCES, *STREAM_SOURCES)


@dataclass(frozen=True)
class RetryOptions:
    """The retry command's options, declared once: help, choices, ranges and the sources each applies to.

    None means "not given": the source's default applies (and is recorded in the run's params).
    """

    APPLIES_BY: ClassVar[str] = "source"

    source: str = option("async", "Where the requests come from.", choices=SOURCE_KINDS)
    duration: float = option(2.0, "Seconds the handler runs on each attempt.", low=0, high=MAX_DURATION_S)
    fail: str = option("always", FAIL_HELP + ".")
    init: float = option(0.3, "Seconds a cold start's init takes (not counted in the timeout).", low=0,
                         high=MAX_INIT_S)
    timeout: float | None = option(None, "Function timeout in seconds.", low=TIMEOUT_RANGE[0],
                                   high=TIMEOUT_RANGE[1], default_text="the duration + 5 s")
    count: int | None = option(None, "Requests (invokes, messages, records).", low=1, high=MAX_COUNT, default_text="1")
    messages: int | None = option(None, "The same as --count, in a queue's or a stream's words (give one of the "
                                  "two).", low=1, high=MAX_COUNT, param=False)
    interval: float = option(1.0, "Seconds between requests (0: all at once).", low=0, high=MAX_INTERVAL_S)
    arrivals: str = option("even", ARRIVALS_HELP, param=False)  # listed in params only when not even
    seed: int = 0
    max_retry_attempts: int | None = option(
        None, "Retries after a failure.", applies=SOURCES_WITH_RETRY_POLICY,
        range=f"async 0..{c.ASYNC_MAX_RETRY_ATTEMPTS}, streams -1..{c.STREAM_MAX_RETRY_ATTEMPTS_MAX} (-1: until the "
        "record expires)",
        default_text=f"async {c.ASYNC_MAX_RETRY_ATTEMPTS}, streams -1",
    )
    max_event_age: int | None = option(
        None, "MaximumEventAgeInSeconds.", applies=ASYNC_SOURCES, low=c.ASYNC_MAX_EVENT_AGE_MIN_S,
        high=c.ASYNC_MAX_EVENT_AGE_S, default_text=str(c.ASYNC_MAX_EVENT_AGE_S),
    )
    dlq: str | None = option(None, "The function's dead-letter queue, which gets the original event.",
                             choices=DLQ_KINDS, applies=ASYNC_SOURCES, default_text=DEFAULT_DLQ)
    on_failure: str | None = option(
        None, "On-failure destination, which gets the invocation record (streams: sqs, sns, s3 or none; s3 is "
        "simulated only for now).",
        choices=DESTINATION_KINDS, applies=SOURCES_WITH_RETRY_POLICY, default_text=NONE,
    )
    on_success: str | None = option(None, "On-success destination.", choices=ON_SUCCESS_KINDS,
                                    applies=ASYNC_SOURCES, default_text=NONE)
    sdk_retries: str | None = option(None, "The caller's SDK retry mode: off (1 attempt), legacy (5), standard "
                                     "(3).", choices=SDK_MODES, applies=("sync",), default_text=DEFAULT_SDK_RETRIES)
    read_timeout: float | None = option(None, "The caller's read timeout in seconds.", low=1, high=3600,
                                        applies=("sync",), default_text="60 (botocore's)")
    visibility_timeout: int | None = option(None, "Queue visibility timeout, the retry clock.", applies=QUEUE_SOURCES,
                                            low=0, high=c.SQS_VISIBILITY_TIMEOUT_MAX_S, default_text="30")
    max_receive_count: int | None = option(None, "Redrive to the queue's DLQ after N receives (0: no DLQ).",
                                           applies=QUEUE_SOURCES, low=0, high=1000, default_text="3")
    batch_size: int | None = option(None, "Records per batch.", applies=BATCH_SOURCES,
                                    range=f"1..{c.SQS_BATCH_SIZE_MAX} (FIFO 1..{c.SQS_FIFO_BATCH_SIZE_MAX})",
                                    default_text=f"{c.SQS_BATCH_SIZE_DEFAULT} for SQS, "
                                    f"{c.STREAM_BATCH_SIZE_DEFAULT} for streams")
    batching_window: int | None = option(
        None, "MaximumBatchingWindowInSeconds: gather records until the batch is full or the window has passed. "
        "(TumblingWindowInSeconds, the streams' aggregation windows, is not modelled: the state it passes between "
        "invocations is the function's, not Lambda's retry semantics.)",
        applies=BATCH_SOURCES, low=0, high=c.BATCHING_WINDOW_MAX_S, default_text="0",
    )
    report_batch_item_failures: bool = option(
        False, "Partial batch response: only failed items retry.", applies=BATCH_SOURCES,
        names=("--report-batch-item-failures",),
    )
    max_concurrency: int | None = option(None, "ScalingConfig.MaximumConcurrency.", applies=QUEUE_SOURCES,
                                         low=c.SQS_MAX_CONCURRENCY_MIN, high=c.SQS_MAX_CONCURRENCY_MAX,
                                         default_text="none")
    message_groups: int | None = option(None, "FIFO message groups the messages are spread over.",
                                        applies=QUEUE_SOURCES, low=1, high=1000, default_text="1")
    max_record_age: int | None = option(None, "MaximumRecordAgeInSeconds.", applies=STREAM_SOURCES,
                                        range=f"-1 or {c.STREAM_MAX_RECORD_AGE_MIN_S}..{c.STREAM_MAX_RECORD_AGE_MAX_S}",
                                        default_text="-1")
    bisect: bool = option(False, "BisectBatchOnFunctionError: split a failing batch in two.",
                          applies=STREAM_SOURCES, names=("--bisect",))
    shards: int | None = option(None, "Shards.", applies=STREAM_SOURCES, low=1, high=100, default_text="1")
    parallelization_factor: int | None = option(None, "Concurrent batches per shard.", applies=STREAM_SOURCES,
                                                low=1, high=c.STREAM_PARALLELIZATION_MAX, default_text="1")
    retention_hours: int | None = option(
        None, "Stream retention in hours (DynamoDB streams keep records 24 h, fixed).", applies=STREAM_SOURCES,
        range=f"kinesis {KINESIS_RETENTION_HOURS[0]}..{KINESIS_RETENTION_HOURS[1]}, "
        f"dynamodb {DYNAMODB_RETENTION_HOURS}",
        default_text=str(KINESIS_RETENTION_HOURS[0]),
    )
    payload_size: int | None = option(
        None, "Bytes each event is padded to. Over 6 MB (6291456) sync or 1 MB (1048576) async, Lambda refuses "
        "the invoke with 413 RequestEntityTooLargeException and nothing runs.", applies=("sync", "async"),
        low=1, high=PAYLOAD_SIZE_MAX, default_text="as built, a few hundred bytes",
    )


def _optional(option: str, value: str, allowed: tuple[DestinationKind, ...]) -> DestinationKind | None:
    return None if value == NONE else choose(option, value, allowed)


def build(options: RetryOptions | None = None, /, **given: Any) -> Scenario:
    o = options or RetryOptions(**given)
    check(o)
    if o.count is not None and o.messages is not None:
        raise InputError("--messages", "the same option as --count; give one of the two")
    count = o.messages or o.count or 1
    src = choose("--source", o.source, SOURCE_KINDS)
    times = traffic(o.arrivals, count, o.interval, o.seed)
    count = count if times is None else len(times)
    default, overrides = fail_directives(o.fail, count, o.duration, o.init)
    fn = FunctionSpec(timeout_s=timeout_for(o.timeout, o.duration), directive=default)
    mode: Mode = "sync" if src == "sync" else "async"
    source = SourceSpec(kind=src)
    async_config = AsyncConfig()
    sdk = SdkConfig()
    resolved: dict[str, object] = {"timeout": fn.timeout_s, "count": count}
    if src == "sync":
        sdk = SdkConfig(
            retry_mode=choose("--sdk-retries", o.sdk_retries or DEFAULT_SDK_RETRIES, SDK_MODES),
            read_timeout_s=SDK_READ_TIMEOUT_S if o.read_timeout is None else o.read_timeout,
        )
        resolved |= {"sdk_retries": sdk.retry_mode, "read_timeout": sdk.read_timeout_s}
    elif src in ASYNC_SOURCES:
        async_config = _async_config(o)
        resolved |= {
            "max_retry_attempts": async_config.max_retry_attempts,
            "max_event_age": async_config.max_event_age_s,
            "on_failure": async_config.on_failure or NONE, "on_success": async_config.on_success or NONE,
            "dlq": async_config.dlq or NONE,
        }
    elif src in QUEUE_SOURCES:
        sqs = _sqs(o, fn.timeout_s, source.fifo)
        source = SourceSpec(kind=src, sqs=sqs)
        resolved |= {
            "visibility_timeout": sqs.visibility_timeout_s, "max_receive_count": sqs.max_receive_count,
            "batch_size": sqs.batch_size, "batching_window": sqs.batching_window_s,
            "max_concurrency": sqs.max_concurrency, "message_groups": sqs.message_groups,
        }
    else:
        stream = _stream(o)
        source = SourceSpec(kind=src, stream=stream)
        resolved |= {
            "batch_size": stream.batch_size, "max_retry_attempts": stream.max_retry_attempts,
            "max_record_age": stream.max_record_age_s, "shards": stream.shards,
            "parallelization_factor": stream.parallelization_factor, "on_failure": stream.on_failure or "none",
            "batching_window": stream.batching_window_s, "retention_hours": stream.retention_s // 3600,
        }
    return Scenario(
        probe="retry",
        function=fn,
        stimulus=Stimulus(
            count=count, interval_s=o.interval, mode=mode, overrides=overrides, payload_bytes=o.payload_size,
            times=times,
        ),
        source=source,
        async_config=async_config,
        sdk=sdk,
        seed=o.seed,
        params=params(o, resolved) + shaped(o.arrivals, times),
    )


def _async_config(o: RetryOptions) -> AsyncConfig:
    # [async.retry-config] MaximumRetryAttempts 0..2 (MaximumEventAgeInSeconds is checked by its declaration)
    retries = c.ASYNC_MAX_RETRY_ATTEMPTS if o.max_retry_attempts is None else o.max_retry_attempts
    in_range("--max-retry-attempts", retries, 0, c.ASYNC_MAX_RETRY_ATTEMPTS)
    age = c.ASYNC_MAX_EVENT_AGE_S if o.max_event_age is None else o.max_event_age
    on_failure = _optional("--on-failure", o.on_failure or NONE, DESTINATION_TYPES)
    if o.source == "destination":
        if on_failure not in (None, "lambda"):
            raise InputError("--on-failure", "--source destination uses a Lambda destination; allowed: lambda")
        on_failure = "lambda"
    dlq_kind = o.dlq or DEFAULT_DLQ
    dlq = None if dlq_kind == NONE else choose("--dlq", dlq_kind, DLQ_TYPES)
    on_ok = _optional("--on-success", o.on_success or NONE, ON_SUCCESS_TYPES)
    return AsyncConfig(
        max_retry_attempts=retries, max_event_age_s=age, dlq=dlq, on_success=on_ok, on_failure=on_failure
    )


def _sqs(o: RetryOptions, function_timeout: float, fifo: bool) -> SqsSourceSpec:
    visibility = 30 if o.visibility_timeout is None else o.visibility_timeout
    if function_timeout > visibility:
        # [sqs.mapping-timeout] AWS refuses to create the mapping in this case.
        raise InputError(
            "--visibility-timeout",
            f"{visibility} s is below the function timeout ({function_timeout:g} s); AWS refuses the mapping; "
            f"allowed: >= {function_timeout:g} (recommended 6 x timeout = {6 * function_timeout:g})",
        )
    receives = 3 if o.max_receive_count is None else o.max_receive_count
    batch = c.SQS_BATCH_SIZE_DEFAULT if o.batch_size is None else o.batch_size
    in_range("--batch-size", batch, 1, c.SQS_FIFO_BATCH_SIZE_MAX if fifo else c.SQS_BATCH_SIZE_MAX)  # [sqs.batching]
    window = 0 if o.batching_window is None else o.batching_window
    if batch > 10 and window < 1:
        # [sqs.batching] BatchSize over 10 needs MaximumBatchingWindowInSeconds >= 1
        raise InputError("--batching-window", f"--batch-size {batch} (> 10) needs a batching window; allowed: 1..300")
    if fifo and window:
        raise InputError("--batching-window", "FIFO queues do not support a batching window; allowed: 0")
    groups = 1 if o.message_groups is None else o.message_groups
    if groups > 1 and not fifo:
        raise InputError("--message-groups", "message groups exist only on FIFO queues; use --source sqs-fifo")
    return SqsSourceSpec(
        visibility_timeout_s=visibility,
        max_receive_count=receives or None,  # 0: no redrive policy, the message lives until retention
        batch_size=batch,
        batching_window_s=window,
        report_batch_item_failures=o.report_batch_item_failures,
        max_concurrency=o.max_concurrency,
        message_groups=groups,
    )


def _stream(o: RetryOptions) -> StreamSourceSpec:
    # [stream.retry-limits] [stream.batching]
    retries = -1 if o.max_retry_attempts is None else o.max_retry_attempts
    in_range("--max-retry-attempts", retries, -1, c.STREAM_MAX_RETRY_ATTEMPTS_MAX)
    age = -1 if o.max_record_age is None else o.max_record_age
    if age != -1:
        in_range("--max-record-age", age, c.STREAM_MAX_RECORD_AGE_MIN_S, c.STREAM_MAX_RECORD_AGE_MAX_S)
    batch = c.STREAM_BATCH_SIZE_DEFAULT if o.batch_size is None else o.batch_size
    in_range("--batch-size", batch, 1, c.STREAM_BATCH_SIZE_MAX)
    shards = 1 if o.shards is None else o.shards
    factor = 1 if o.parallelization_factor is None else o.parallelization_factor
    given = o.on_failure or NONE
    on_failure = None if given == NONE else choose("--on-failure", given, STREAM_DESTINATION_TYPES)
    window = 0 if o.batching_window is None else o.batching_window
    if o.source == "kinesis":
        hours = KINESIS_RETENTION_HOURS[0] if o.retention_hours is None else o.retention_hours
        in_range("--retention-hours", hours, *KINESIS_RETENTION_HOURS)
    else:
        hours = DYNAMODB_RETENTION_HOURS if o.retention_hours is None else o.retention_hours
        in_range("--retention-hours", hours, DYNAMODB_RETENTION_HOURS, DYNAMODB_RETENTION_HOURS)
    return StreamSourceSpec(
        batching_window_s=window,
        retention_s=hours * 3600,
        shards=shards,
        batch_size=batch,
        max_retry_attempts=retries,
        max_record_age_s=age,
        bisect=o.bisect,
        report_batch_item_failures=o.report_batch_item_failures,
        parallelization_factor=factor,
        on_failure=on_failure,
    )


# Who retries, per source, in plain words, and the rules behind it.
_WHO: dict[str, tuple[str, tuple[str, ...]]] = {
    "sync": ("Lambda never retries a synchronous invoke; any resend comes from the caller's SDK (--sdk-retries)",
             ("sync.no-retry", "sdk.retry-modes")),
    "async": ("Lambda retried it, 1 minute and then 2 minutes after a failed attempt",
              ("async.retry-spacing", "async.retry-config")),
    "sns": ("SNS invokes asynchronously, so Lambda's async retries apply", ("sns.async", "async.retry-spacing")),
    "eventbridge": ("EventBridge invokes asynchronously, so Lambda's async retries apply",
                    ("eventbridge.async", "async.retry-spacing")),
    "destination": ("Lambda retried it, then the on-failure destination invoked the second function",
                    ("async.retry-spacing", "destinations.record")),
    "sqs": ("the queue retried it: a failed message reappears after the visibility timeout, and the queue's "
            "redrive policy, not the function's DLQ, decides where it ends", ("sqs.visibility-timeout", "sqs.redrive")),
    "sqs-fifo": ("the queue retried it: a failed message reappears after the visibility timeout and blocks its "
                 "message group meanwhile", ("sqs.visibility-timeout", "sqs.fifo-order")),
    "kinesis": ("the shard's poller retried it in order, the shard blocked meanwhile, until success or a limit",
                ("stream.in-order", "stream.retry-limits")),
    "dynamodb": ("the shard's poller retried it in order, the shard blocked meanwhile, until success or a limit",
                 ("stream.in-order", "stream.retry-limits")),
}


def findings(report: Report) -> list[Finding]:
    """The first request's retry story: when each attempt started, how it ended, and who retried."""
    gap = missing(report, "the retries")
    if not report.requests:
        return [gap] if gap else []
    first = report.requests[0]
    if gap is not None and not first.attempts:
        return [gap]  # on aws, nothing is said of a request nobody saw run
    starts = ", ".join(seconds(a.start_s) for a in first.attempts[:6])
    more = f" (+{len(first.attempts) - 6} more)" if len(first.attempts) > 6 else ""
    source = str(report.params.get("source"))
    who, rules = _WHO.get(source, ("", ()))
    out = [] if gap is None else [gap]
    ran = f"ran {plural(len(first.attempts), 'time')}" + (f", starting at {starts}{more}" if starts else "")
    if source == "destination" and len(report.requests) > 1:
        ran = f"(the failing event) {ran}"
    out.append(Finding(f"{first.id} {ran}, and ended {first.final.replace('_', '-')}: {who}", rules))
    dead = [d for d in report.dead_letters if d.request_id == first.id]
    records = [d for d in report.destinations if d.request_id == first.id]
    ends = [f"the DLQ {d.queue} got the event at {seconds(d.t)}" for d in dead[:1]]
    ends += [
        f"the {d.kind.replace('_', '-')} destination {d.target} got the record at {seconds(d.t)}" for d in records[:1]
    ]
    if ends:
        dlq_rule = "sqs.redrive" if source in QUEUE_SOURCES else "dlq.message"
        record_rule = "stream.on-failure-record" if source in STREAM_SOURCES else "destinations.record"
        cited = ((dlq_rule,) if dead else ()) + ((record_rule,) if records else ())
        out.append(Finding("; ".join(ends), cited))
    if source == "destination" and len(report.requests) > 1:
        out.append(Finding(f"{report.requests[1].id} is the second function's invoke, made by the on-failure "
                           "destination with the record as its event", ("destinations.lambda-async",)))
    return out[:4]
