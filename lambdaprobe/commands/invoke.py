from lambdaprobe.cli_common import app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions
from lambdaprobe.scenarios.invoke import InvokeOptions


@app.command("invoke", epilog=assumptions_epilog("invoke"), short_help="What do caller and function see for one invoke?")
@probe_command(options=InvokeOptions)
def invoke_command(common: CommonOptions, options: InvokeOptions) -> None:
    """What do the caller and the function see for one sync or async invoke?"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import invoke

    run_probe(common, lambda: invoke.build(options), invoke.findings)
