from lambdaprobe.cli_common import app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions
from lambdaprobe.scenarios.retry import RetryOptions


@app.command(
    "retry", short_help="How do retries unfold, source by source?",
    epilog=assumptions_epilog("retry"),
)
@probe_command(options=RetryOptions)
def retry_command(common: CommonOptions, options: RetryOptions) -> None:
    """How do retries unfold: sync, async, SQS, SNS, EventBridge, Kinesis, DynamoDB, destinations?

    An option marked [source ...] applies only to those sources; giving it for another is an error.
    """
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import retry

    run_probe(common, lambda: retry.build(options), retry.findings)
