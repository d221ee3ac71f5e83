from typing import Annotated

import typer

from lambdaprobe.cli_common import app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions


@app.command("invoke", short_help="What do caller and function see for one invoke?", epilog=assumptions_epilog("invoke"))
@probe_command
def invoke_command(
    common: CommonOptions,
    mode: Annotated[
        str, typer.Option(help="sync (RequestResponse: waits, 200) or async (Event: 202 at once).")
    ] = "sync",
    duration: Annotated[float, typer.Option(help="Seconds the handler runs.")] = 1.0,
    fail: Annotated[str, typer.Option(help="never, always, or first:N (fail the first N attempts).")] = "never",
    init: Annotated[float, typer.Option(help="Seconds a cold start's init takes.")] = 0.3,
    timeout: Annotated[
        float | None,
        typer.Option(help="Function timeout in seconds (1..900). Default: the duration + 5 s."),
    ] = None,
    count: Annotated[int, typer.Option(help="How many invokes.")] = 1,
    interval: Annotated[float, typer.Option(help="Seconds between invokes.")] = 1.0,
) -> None:
    """What do the caller and the function see for one sync or async invoke?"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import invoke

    run_probe(
        common,
        lambda: invoke.build(
            mode=mode, duration=duration, fail=fail, init=init, timeout=timeout, count=count, interval=interval,
            seed=common.seed,
        ),
    )
