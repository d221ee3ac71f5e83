from lambdaprobe.cli_common import app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions
from lambdaprobe.scenarios.abort import AbortOptions


@app.command("abort", short_help="When the caller gives up, does the function stop?", epilog=assumptions_epilog("abort"))
@probe_command(options=AbortOptions)
def abort_command(common: CommonOptions, options: AbortOptions) -> None:
    """When the caller gives up, does the function stop? (No: it runs on, and is billed.)"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import abort as probe

    run_probe(common, lambda: probe.build(options), probe.findings)
