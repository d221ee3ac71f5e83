from typing import Annotated

import typer

from lambdaprobe.cli_common import app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions


@app.command("concurrency", short_help="How many calls are throttled? (reserved, provisioned)", epilog=assumptions_epilog("concurrency"))
@probe_command
def concurrency_command(
    common: CommonOptions,
    reserved: Annotated[
        int | None,
        typer.Option(help="Reserved concurrency: a guarantee and a cap for the function (0..900 with the default --account-limit). Default: none."),
    ] = None,
    provisioned: Annotated[
        int, typer.Option(help="Provisioned concurrency on the alias or version (counts toward --reserved).")
    ] = 0,
    qualifier: Annotated[
        str, typer.Option(help="What the calls invoke: alias (live), version (1) or latest ($LATEST).")
    ] = "alias",
    count: Annotated[int, typer.Option(help="How many calls.")] = 20,
    interval: Annotated[float, typer.Option(help="Seconds between calls (open loop: each on time).")] = 1.0,
    duration: Annotated[float, typer.Option(help="Seconds each call runs in the handler.")] = 20.0,
    mode: Annotated[
        str, typer.Option(help="sync (RequestResponse: 429 when throttled) or async (Event: queued).")
    ] = "sync",
    init: Annotated[float, typer.Option(help="Seconds a cold start's init takes (not counted in the timeout).")] = 0.3,
    timeout: Annotated[
        float | None,
        typer.Option(help="Function timeout in seconds (1..900). Default: the duration + 5 s."),
    ] = None,
    account_limit: Annotated[
        int,
        typer.Option(help="[sim] The account's concurrency limit, 10..100000 (default 1000; new accounts may have less). "
                     "100 of it always stays unreserved, so --reserved allows 0..(limit - 100). Above 1000 the "
                     "scaling rate (1,000 new environments per 10 s per function) can bind. On --target aws "
                     "the account's own limit applies."),
    ] = 1000,
    env_lifetime: Annotated[
        float | None,
        typer.Option(help="[sim] Seconds an on-demand execution environment lives before Lambda recycles it, "
                     "1..86400 (default: none, every environment lives for the whole run). An assumption: "
                     "AWS documents no lifetime."),
    ] = None,
    dlq: Annotated[
        str, typer.Option(help="[--mode async] The function's DLQ, which gets the original event: sqs, sns or none.")
    ] = "none",
    on_failure: Annotated[
        str, typer.Option(help="[--mode async] On-failure destination (the invocation record): sqs, sns, lambda, eventbridge or none.")
    ] = "none",
    max_event_age: Annotated[
        int | None, typer.Option(help="[--mode async] MaximumEventAgeInSeconds, 60..21600 (default 21600): events throttled longer expire.")
    ] = None,
    max_retry_attempts: Annotated[
        int | None, typer.Option(help="[--mode async] MaximumRetryAttempts, 0..2 (default 2).")
    ] = None,
) -> None:
    """How many calls are throttled under reserved and provisioned concurrency? (20 calls, 1/s, 20 s each)"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import concurrency

    run_probe(
        common,
        lambda: concurrency.build(
            reserved=reserved, provisioned=provisioned, qualifier=qualifier, count=count, interval=interval,
            duration=duration, mode=mode, init=init, timeout=timeout, seed=common.seed,
            account_limit=account_limit, env_lifetime=env_lifetime,
            asynchronous=concurrency.AsyncOptions(
                dlq=dlq, on_failure=on_failure, max_event_age=max_event_age, max_retry_attempts=max_retry_attempts
            ),
        ),
    )
