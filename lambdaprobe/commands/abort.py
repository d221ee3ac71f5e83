from typing import Annotated

import typer

from lambdaprobe.cli_common import app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions


@app.command("abort", short_help="When the caller gives up, does the function stop?", epilog=assumptions_epilog("abort"))
@probe_command
def abort_command(
    common: CommonOptions,
    caller: Annotated[str, typer.Option(help="apigateway (REST integration, 504 at 29 s) or sdk (read timeout, retries).")] = "apigateway",
    duration: Annotated[float, typer.Option(help="Seconds the handler runs.")] = 40.0,
    timeout: Annotated[float | None, typer.Option(help="Function timeout in seconds (1..900). Default: the duration + 5 s.")] = None,
    read_timeout: Annotated[float | None, typer.Option(help="Seconds the caller waits: apigateway 1..29 (default 29), sdk (default 60, botocore's).")] = None,
    sdk_retries: Annotated[str | None, typer.Option(help="[sdk] off (1 attempt), legacy (5, boto3's default), standard (3).")] = None,
    init: Annotated[float, typer.Option(help="Seconds a cold start's init takes.")] = 0.3,
) -> None:
    """When the caller gives up, does the function stop? (No: it runs on, and is billed.)"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import abort as probe

    run_probe(
        common,
        lambda: probe.build(
            caller=caller, duration=duration, timeout=timeout, read_timeout=read_timeout, sdk_retries=sdk_retries,
            init=init, seed=common.seed,
        ),
        probe.findings,
    )
