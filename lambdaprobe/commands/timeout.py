from lambdaprobe.cli_common import app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions
from lambdaprobe.scenarios.timeout import TimeoutOptions


@app.command("timeout", epilog=assumptions_epilog("timeout"), short_help="Does the function timeout include the cold start?")
@probe_command(options=TimeoutOptions)
def timeout_command(common: CommonOptions, options: TimeoutOptions) -> None:
    """Does the function timeout include the cold start? (init up to 10 s is not counted)"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import timeout as probe

    run_probe(common, lambda: probe.build(options), probe.findings)
