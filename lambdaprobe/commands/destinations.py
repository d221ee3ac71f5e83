from lambdaprobe.cli_common import app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions
from lambdaprobe.scenarios.destinations import DestinationsOptions


@app.command("destinations", short_help="What lands in a DLQ versus a destination?", epilog=assumptions_epilog("destinations"))
@probe_command(options=DestinationsOptions)
def destinations_command(common: CommonOptions, options: DestinationsOptions) -> None:
    """What lands in a DLQ (the input) versus a destination (the invocation record)? One success, one failure."""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import destinations

    run_probe(common, lambda: destinations.build(options), destinations.findings)
