from typing import Annotated

import typer

from lambdaprobe.cli_common import ARRIVALS_HELP, app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions


@app.command(
    "retry", short_help="How do retries unfold, source by source?",
    epilog=assumptions_epilog("retry"),
)
@probe_command
def retry_command(
    common: CommonOptions,
    source: Annotated[
        str,
        typer.Option(help="sync, async, sqs, sqs-fifo, sns, eventbridge, kinesis, dynamodb, or destination."),
    ] = "async",
    duration: Annotated[float, typer.Option(help="Seconds the handler runs on each attempt.")] = 2.0,
    fail: Annotated[str, typer.Option(help="never, always, or first:N (fail the first N attempts).")] = "always",
    init: Annotated[float, typer.Option(help="Seconds a cold start's init takes (not counted in the timeout).")] = 0.3,
    timeout: Annotated[
        float | None, typer.Option(help="Function timeout in seconds (1..900). Default: the duration + 5 s.")
    ] = None,
    count: Annotated[int, typer.Option("--count", "--messages", help="Requests (invokes, messages, records).")] = 1,
    interval: Annotated[float, typer.Option(help="Seconds between requests (0: all at once).")] = 1.0,
    arrivals: Annotated[str, typer.Option(help=ARRIVALS_HELP)] = "even",
    max_retry_attempts: Annotated[
        int | None,
        typer.Option(help="[async, sns, eventbridge, destination, kinesis, dynamodb] Async: 0..2 (default 2). Streams: -1..10000 (default -1: until the record expires)."),
    ] = None,
    max_event_age: Annotated[
        int | None, typer.Option(help="[async, sns, eventbridge, destination] MaximumEventAgeInSeconds, 60..21600 (default 21600).")
    ] = None,
    dlq: Annotated[
        str, typer.Option(help="[async, sns, eventbridge, destination] The function's DLQ, which gets the original event: sqs, sns or none.")
    ] = "none",
    on_failure: Annotated[
        str,
        typer.Option(help="[async, sns, eventbridge, destination, kinesis, dynamodb] On-failure destination (gets the invocation record): sqs, sns, lambda, eventbridge, none. "
                     "Streams: sqs, sns, none."),
    ] = "none",
    on_success: Annotated[
        str, typer.Option(help="[async, sns, eventbridge, destination] On-success destination: sqs, sns, lambda, eventbridge or none.")
    ] = "none",
    sdk_retries: Annotated[
        str, typer.Option(help="[sync] The caller's SDK retry mode: off (1 attempt), legacy (5), standard (3).")
    ] = "off",
    read_timeout: Annotated[
        float, typer.Option(help="[sync] The caller's read timeout in seconds (botocore default 60).")
    ] = 60.0,
    visibility_timeout: Annotated[
        int | None, typer.Option(help="[sqs, sqs-fifo] Queue visibility timeout, the retry clock (default 30).")
    ] = None,
    max_receive_count: Annotated[
        int | None, typer.Option(help="[sqs, sqs-fifo] Redrive to the queue's DLQ after N receives (default 3; 0: no DLQ).")
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="[sqs, sqs-fifo, kinesis, dynamodb] Records per batch (default 10 for SQS, 100 for streams).")
    ] = None,
    batching_window: Annotated[
        int | None, typer.Option(help="[sqs, sqs-fifo] MaximumBatchingWindowInSeconds, 0..300 (default 0).")
    ] = None,
    report_batch_item_failures: Annotated[
        bool, typer.Option("--report-batch-item-failures", help="[sqs, sqs-fifo, kinesis, dynamodb] Partial batch response: only failed items retry.")
    ] = False,
    max_concurrency: Annotated[
        int | None, typer.Option(help="[sqs, sqs-fifo] ScalingConfig.MaximumConcurrency, 2..1000.")
    ] = None,
    message_groups: Annotated[
        int | None, typer.Option(help="[sqs, sqs-fifo] FIFO message groups the messages are spread over (default 1).")
    ] = None,
    max_record_age: Annotated[
        int | None, typer.Option(help="[kinesis, dynamodb] MaximumRecordAgeInSeconds: -1 or 60..604800 (default -1).")
    ] = None,
    bisect: Annotated[
        bool, typer.Option("--bisect", help="[kinesis, dynamodb] BisectBatchOnFunctionError: split a failing batch in two.")
    ] = False,
    shards: Annotated[int | None, typer.Option(help="[kinesis, dynamodb] Shards (default 1).")] = None,
    parallelization_factor: Annotated[
        int | None, typer.Option(help="[kinesis, dynamodb] Concurrent batches per shard, 1..10 (default 1).")
    ] = None,
) -> None:
    """How do retries unfold: sync, async, SQS, SNS, EventBridge, Kinesis, DynamoDB, destinations?"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import retry

    options = retry.RetryOptions(
        source=source, duration=duration, fail=fail, init=init, timeout=timeout, count=count, interval=interval,
        seed=common.seed, max_retry_attempts=max_retry_attempts, max_event_age=max_event_age, dlq=dlq,
        on_failure=on_failure, on_success=on_success, sdk_retries=sdk_retries, read_timeout=read_timeout,
        visibility_timeout=visibility_timeout, max_receive_count=max_receive_count, batch_size=batch_size,
        batching_window=batching_window, report_batch_item_failures=report_batch_item_failures,
        max_concurrency=max_concurrency, message_groups=message_groups, max_record_age=max_record_age,
        bisect=bisect, shards=shards, parallelization_factor=parallelization_factor, arrivals=arrivals,
    )
    run_probe(common, lambda: retry.build(options), retry.findings)
