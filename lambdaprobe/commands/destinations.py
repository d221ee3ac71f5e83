from typing import Annotated

import typer

from lambdaprobe.cli_common import app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions


@app.command("destinations", short_help="What lands in a DLQ versus a destination?", epilog=assumptions_epilog("destinations"))
@probe_command
def destinations_command(
    common: CommonOptions,
    dlq: Annotated[str, typer.Option(help="The function's dead-letter queue: sqs or sns.")] = "sqs",
    destination: Annotated[
        str, typer.Option(help="On-success and on-failure destination: sqs, sns, lambda or eventbridge.")
    ] = "sqs",
    max_retry_attempts: Annotated[int, typer.Option(help="Async retries of the failing event (0..2).")] = 2,
    duration: Annotated[float, typer.Option(help="Seconds the handler runs.")] = 1.0,
    init: Annotated[float, typer.Option(help="Seconds a cold start's init takes.")] = 0.3,
) -> None:
    """What lands in a DLQ (the input) versus a destination (the invocation record)? One success, one failure."""
    from dataclasses import replace

    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import destinations

    # Comparing the DLQ message with the records is this probe's point: print them whole.
    common = replace(common, full=True)

    run_probe(
        common,
        lambda: destinations.build(
            dlq=dlq, destination=destination, max_retry_attempts=max_retry_attempts, duration=duration, init=init,
            seed=common.seed,
        ),
    )
