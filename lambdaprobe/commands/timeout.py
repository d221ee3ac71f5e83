from typing import Annotated

import typer

from lambdaprobe.cli_common import app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions


@app.command("timeout", short_help="Does the function timeout include the cold start?", epilog=assumptions_epilog("timeout"))
@probe_command
def timeout_command(
    common: CommonOptions,
    init: Annotated[float, typer.Option(help="Seconds the cold start's init takes (over 10 s: suppressed init).")] = 5.0,
    duration: Annotated[float, typer.Option(help="Seconds the handler runs.")] = 2.5,
    timeout: Annotated[float, typer.Option(help="Function timeout in seconds (1..900).")] = 3.0,
    count: Annotated[int, typer.Option(help="Calls, one after another (the first is cold, the rest warm).")] = 1,
) -> None:
    """Does the function timeout include the cold start? (init up to 10 s is not counted)"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import timeout as probe

    run_probe(
        common,
        lambda: probe.build(init=init, duration=duration, timeout=timeout, count=count, seed=common.seed),
        probe.findings,
    )
