"""`retry`: how do retries unfold for a direct sync or async invoke, a queue, a topic, a bus, a stream?"""

from __future__ import annotations

from dataclasses import dataclass

from lambdaprobe.errors import InputError
from lambdaprobe.report import Report
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
from lambdaprobe.scenarios.common import directive, in_range, one_of, timeout_for, traffic

DLQ_KINDS = ("sqs", "sns", "none")
DESTINATION_KINDS = ("sqs", "sns", "lambda", "eventbridge", "none")
STREAM_DESTINATION_KINDS = ("sqs", "sns", "none")  # [stream.on-failure-record] (S3 and Kafka exist; not probed here)
SDK_MODES = ("off", "legacy", "standard")


@dataclass(frozen=True)
class RetryOptions:
    """The retry command's options as given (None = not given, so the source's default applies)."""

    source: str = "async"
    duration: float = 2.0
    fail: str = "always"
    init: float = 0.3
    timeout: float | None = None
    count: int = 1
    interval: float = 1.0
    seed: int = 0
    max_retry_attempts: int | None = None
    max_event_age: int | None = None
    dlq: str = "none"
    on_failure: str = "none"
    on_success: str = "none"
    sdk_retries: str = "off"
    read_timeout: float = 60.0
    visibility_timeout: int | None = None
    max_receive_count: int | None = None
    batch_size: int | None = None
    batching_window: int | None = None
    report_batch_item_failures: bool = False
    max_concurrency: int | None = None
    message_groups: int | None = None
    max_record_age: int | None = None
    bisect: bool = False
    shards: int | None = None
    parallelization_factor: int | None = None
    arrivals: str = "even"


def _only_for(option: str, value: object, source: str, allowed: tuple[str, ...]) -> None:
    if value not in (None, False) and source not in allowed:
        raise InputError(option, f"applies only to --source {'|'.join(allowed)} (got --source {source})")


def _none(value: str) -> str | None:
    return None if value == "none" else value


def build(o: RetryOptions) -> Scenario:
    one_of("--source", o.source, SOURCE_KINDS)
    times = traffic(o.arrivals, o.count, o.interval, o.seed)
    count = o.count if times is None else len(times)
    src = o.source
    _only_for("--sdk-retries", None if o.sdk_retries == "off" else o.sdk_retries, src, ("sync",))
    _only_for("--max-event-age", o.max_event_age, src, ASYNC_SOURCES)
    _only_for("--dlq", _none(o.dlq), src, ASYNC_SOURCES)
    _only_for("--on-success", _none(o.on_success), src, ASYNC_SOURCES)
    _only_for("--on-failure", _none(o.on_failure), src, (*ASYNC_SOURCES, *STREAM_SOURCES))
    _only_for("--max-retry-attempts", o.max_retry_attempts, src, (*ASYNC_SOURCES, *STREAM_SOURCES))
    for option, value in (
        ("--visibility-timeout", o.visibility_timeout),
        ("--max-receive-count", o.max_receive_count),
        ("--max-concurrency", o.max_concurrency),
        ("--message-groups", o.message_groups),
    ):
        _only_for(option, value, src, QUEUE_SOURCES)
    for option, value in (
        ("--max-record-age", o.max_record_age),
        ("--bisect", o.bisect),
        ("--shards", o.shards),
        ("--parallelization-factor", o.parallelization_factor),
    ):
        _only_for(option, value, src, STREAM_SOURCES)
    _only_for("--batch-size", o.batch_size, src, (*QUEUE_SOURCES, *STREAM_SOURCES))
    _only_for("--batching-window", o.batching_window, src, QUEUE_SOURCES)
    _only_for("--report-batch-item-failures", o.report_batch_item_failures, src, (*QUEUE_SOURCES, *STREAM_SOURCES))

    fn = FunctionSpec(timeout_s=timeout_for(o.timeout, o.duration), directive=directive(o.duration, o.fail, o.init))
    mode: Mode = "sync" if src == "sync" else "async"
    source = SourceSpec(kind=src)  # type: ignore[arg-type]  # checked by one_of above
    async_config = AsyncConfig()
    sdk = SdkConfig()
    params: dict[str, object] = {
        "source": src, "duration": o.duration, "fail": o.fail, "init": o.init, "timeout": fn.timeout_s,
        "count": count, "interval": o.interval, "seed": o.seed,
    }
    if times is not None:  # listed only when not the default, so reports of even traffic read as before
        params["arrivals"] = o.arrivals
    if src == "sync":
        one_of("--sdk-retries", o.sdk_retries, SDK_MODES)
        in_range("--read-timeout", o.read_timeout, 1, 3600)
        retry_mode: SdkRetryMode = o.sdk_retries  # type: ignore[assignment]  # checked above
        sdk = SdkConfig(retry_mode=retry_mode, read_timeout_s=o.read_timeout)
        params |= {"sdk_retries": o.sdk_retries, "read_timeout": o.read_timeout}
    elif src in ASYNC_SOURCES:
        async_config = _async_config(o)
        params |= {
            "max_retry_attempts": async_config.max_retry_attempts,
            "max_event_age": async_config.max_event_age_s,
            "dlq": o.dlq, "on_failure": async_config.on_failure or "none", "on_success": o.on_success,
        }
    elif src in QUEUE_SOURCES:
        sqs = _sqs(o, fn.timeout_s, source.fifo)
        source = SourceSpec(kind=src, sqs=sqs)
        params |= {
            "visibility_timeout": sqs.visibility_timeout_s, "max_receive_count": sqs.max_receive_count,
            "batch_size": sqs.batch_size, "batching_window": sqs.batching_window_s,
            "report_batch_item_failures": sqs.report_batch_item_failures,
            "max_concurrency": sqs.max_concurrency, "message_groups": sqs.message_groups,
        }
    else:
        stream = _stream(o)
        source = SourceSpec(kind=src, stream=stream)  # type: ignore[arg-type]
        params |= {
            "batch_size": stream.batch_size, "max_retry_attempts": stream.max_retry_attempts,
            "max_record_age": stream.max_record_age_s, "bisect": stream.bisect,
            "report_batch_item_failures": stream.report_batch_item_failures, "shards": stream.shards,
            "parallelization_factor": stream.parallelization_factor, "on_failure": stream.on_failure or "none",
        }
    return Scenario(
        probe="retry",
        function=fn,
        stimulus=Stimulus(count=count, interval_s=o.interval, mode=mode, times=times),
        source=source,
        async_config=async_config,
        sdk=sdk,
        seed=o.seed,
        params=tuple(params.items()),
    )


def _async_config(o: RetryOptions) -> AsyncConfig:
    # [async.retry-config] MaximumRetryAttempts 0..2, MaximumEventAgeInSeconds 60..21600
    retries = c.ASYNC_MAX_RETRY_ATTEMPTS if o.max_retry_attempts is None else o.max_retry_attempts
    in_range("--max-retry-attempts", retries, 0, c.ASYNC_MAX_RETRY_ATTEMPTS)
    age = c.ASYNC_MAX_EVENT_AGE_S if o.max_event_age is None else o.max_event_age
    in_range("--max-event-age", age, c.ASYNC_MAX_EVENT_AGE_MIN_S, c.ASYNC_MAX_EVENT_AGE_S)
    one_of("--dlq", o.dlq, DLQ_KINDS)
    one_of("--on-failure", o.on_failure, DESTINATION_KINDS)
    one_of("--on-success", o.on_success, DESTINATION_KINDS)
    on_failure = _none(o.on_failure)
    if o.source == "destination":
        if on_failure not in (None, "lambda"):
            raise InputError("--on-failure", "--source destination uses a Lambda destination; allowed: lambda")
        on_failure = "lambda"
    dlq: DlqKind | None = _none(o.dlq)  # type: ignore[assignment]
    on_fail: DestinationKind | None = on_failure  # type: ignore[assignment]
    on_ok: DestinationKind | None = _none(o.on_success)  # type: ignore[assignment]
    return AsyncConfig(max_retry_attempts=retries, max_event_age_s=age, dlq=dlq, on_success=on_ok, on_failure=on_fail)


def _sqs(o: RetryOptions, function_timeout: float, fifo: bool) -> SqsSourceSpec:
    visibility = 30 if o.visibility_timeout is None else o.visibility_timeout
    in_range("--visibility-timeout", visibility, 0, c.SQS_VISIBILITY_TIMEOUT_MAX_S)  # [sqs.visibility-timeout]
    if function_timeout > visibility:
        # [sqs.mapping-timeout] AWS refuses to create the mapping in this case.
        raise InputError(
            "--visibility-timeout",
            f"{visibility} s is below the function timeout ({function_timeout:g} s); AWS refuses the mapping; "
            f"allowed: >= {function_timeout:g} (recommended 6 x timeout = {6 * function_timeout:g})",
        )
    receives = 3 if o.max_receive_count is None else o.max_receive_count
    in_range("--max-receive-count", receives, 0, 1000)
    batch = c.SQS_BATCH_SIZE_DEFAULT if o.batch_size is None else o.batch_size
    in_range("--batch-size", batch, 1, c.SQS_FIFO_BATCH_SIZE_MAX if fifo else c.SQS_BATCH_SIZE_MAX)  # [sqs.batching]
    window = 0 if o.batching_window is None else o.batching_window
    in_range("--batching-window", window, 0, c.BATCHING_WINDOW_MAX_S)
    if batch > 10 and window < 1:
        # [sqs.batching] BatchSize over 10 needs MaximumBatchingWindowInSeconds >= 1
        raise InputError("--batching-window", f"--batch-size {batch} (> 10) needs a batching window; allowed: 1..300")
    if fifo and window:
        raise InputError("--batching-window", "FIFO queues do not support a batching window; allowed: 0")
    if o.max_concurrency is not None:
        in_range("--max-concurrency", o.max_concurrency, c.SQS_MAX_CONCURRENCY_MIN, c.SQS_MAX_CONCURRENCY_MAX)
    groups = 1 if o.message_groups is None else o.message_groups
    in_range("--message-groups", groups, 1, 1000)
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
    in_range("--shards", shards, 1, 100)
    factor = 1 if o.parallelization_factor is None else o.parallelization_factor
    in_range("--parallelization-factor", factor, 1, c.STREAM_PARALLELIZATION_MAX)
    one_of("--on-failure", o.on_failure, STREAM_DESTINATION_KINDS)
    on_failure = _none(o.on_failure)
    return StreamSourceSpec(
        shards=shards,
        batch_size=batch,
        max_retry_attempts=retries,
        max_record_age_s=age,
        bisect=o.bisect,
        report_batch_item_failures=o.report_batch_item_failures,
        parallelization_factor=factor,
        on_failure=on_failure,  # type: ignore[arg-type]
    )


def findings(report: Report) -> list[str]:
    """The first request's retry story in one line: when each attempt started, and who retried."""
    if not report.requests:
        return []
    first = report.requests[0]
    starts = ", ".join(f"{round(a.start_s, 2):g}" for a in first.attempts[:6])
    more = f" (+{len(first.attempts) - 6} more)" if len(first.attempts) > 6 else ""
    who = {
        "sync": (
            "nobody: Lambda never retries a sync invoke [sync.no-retry]; any resend is the caller's SDK "
            "(--sdk-retries)"
        ),
        "async": "Lambda's async retries [async.retry-spacing]",
        "sns": "Lambda's async retries: SNS invokes asynchronously [sns.async]",
        "eventbridge": "Lambda's async retries: EventBridge invokes asynchronously [eventbridge.async]",
        "destination": "Lambda's async retries, then the on-failure destination [destinations.record]",
        "sqs": "the queue: a failed message reappears after the visibility timeout [sqs.visibility-timeout]",
        "sqs-fifo": (
            "the queue: a failed message reappears after the visibility timeout and blocks its group [sqs.fifo-order]"
        ),
        "kinesis": "the shard's poller, in order, until success or a limit [stream.in-order]",
        "dynamodb": "the shard's poller, in order, until success or a limit [stream.in-order]",
    }.get(str(report.params.get("source")), "")
    return [
        f"finding: {first.id} ran {len(first.attempts)} time(s), starting at {starts or '-'} s{more}, "
        f"and ended {first.final}. Who retries: {who}"
    ]
