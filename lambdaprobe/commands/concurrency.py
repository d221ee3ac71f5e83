from typing import Annotated

import typer

from lambdaprobe.cli_common import ARRIVALS_HELP, app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions


@app.command("concurrency", short_help="How many calls are throttled? (reserved, provisioned)", epilog=assumptions_epilog("concurrency"))
@probe_command
def concurrency_command(
    common: CommonOptions,
    reserved: Annotated[
        int | None,
        typer.Option(help="Reserved concurrency: a guarantee and a cap for the function (0..900). Default: none."),
    ] = None,
    provisioned: Annotated[
        int, typer.Option(help="Provisioned concurrency on the alias or version (counts toward --reserved).")
    ] = 0,
    qualifier: Annotated[
        str, typer.Option(help="What the calls invoke: alias (live), version (1) or latest ($LATEST).")
    ] = "alias",
    count: Annotated[int, typer.Option(help="How many calls.")] = 20,
    interval: Annotated[float, typer.Option(help="Seconds between calls (open loop: each on time).")] = 1.0,
    arrivals: Annotated[str, typer.Option(help=ARRIVALS_HELP)] = "even",
    duration: Annotated[float, typer.Option(help="Seconds each call runs in the handler.")] = 20.0,
    mode: Annotated[
        str, typer.Option(help="sync (RequestResponse: 429 when throttled) or async (Event: queued).")
    ] = "sync",
    init: Annotated[float, typer.Option(help="Seconds a cold start's init takes (not counted in the timeout).")] = 0.3,
    timeout: Annotated[
        float | None,
        typer.Option(help="Function timeout in seconds (1..900). Default: the duration + 5 s."),
    ] = None,
) -> None:
    """How many calls are throttled under reserved and provisioned concurrency? (20 calls, 1/s, 20 s each)"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import concurrency

    run_probe(
        common,
        lambda: concurrency.build(
            reserved=reserved, provisioned=provisioned, qualifier=qualifier, count=count, interval=interval,
            duration=duration, mode=mode, init=init, timeout=timeout, seed=common.seed, arrivals=arrivals,
        ),
    )
