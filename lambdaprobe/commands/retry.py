from lambdaprobe.cli_common import app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions
from lambdaprobe.scenarios.retry import RetryOptions


@app.command(
    "retry", short_help="How do retries unfold, source by source?",
    epilog=assumptions_epilog(
        "poll_delay", "throttle_backoff", "age_check", "reserved_zero_record", "destination_async", "sdk_backoff_seeded",
        "batch_duration", "sqs_scaling", "sqs_throttle_backoff", "sqs_fifo_batch", "stream_retry_delay", "stream_bisect",
        "stream_age_check",
    ),
)
@probe_command(options=RetryOptions)
def retry_command(common: CommonOptions, options: RetryOptions) -> None:
    """How do retries unfold: sync, async, SQS, SNS, EventBridge, Kinesis, DynamoDB, destinations?

    An option marked [source ...] applies only to those sources; giving it for another is an error.
    """
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import retry

    run_probe(common, lambda: retry.build(options), retry.findings)
