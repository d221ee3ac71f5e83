from lambdaprobe.cli_common import app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions
from lambdaprobe.scenarios.concurrency import ConcurrencyOptions


@app.command("concurrency", short_help="How many calls are throttled? (reserved, provisioned)", epilog=assumptions_epilog("concurrency"))
@probe_command(options=ConcurrencyOptions)
def concurrency_command(common: CommonOptions, options: ConcurrencyOptions) -> None:
    """How many calls are throttled under reserved and provisioned concurrency? (20 calls, 1/s, 20 s each)"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import concurrency

    run_probe(common, lambda: concurrency.build(options), concurrency.findings)
