from typing import Annotated

import typer

from lambdaprobe.cli_common import ARRIVALS_HELP, app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions


@app.command("deploy-preference", short_help="Which version runs while an alias shifts?", epilog=assumptions_epilog("deploy-preference"))
@probe_command
def deploy_preference_command(
    common: CommonOptions,
    preference: Annotated[str, typer.Option(help="CodeDeploy configuration: Canary10Percent5|10|15|30Minutes, Linear10PercentEvery1Minute|2|3|10Minutes, AllAtOnce.")] = "Canary10Percent5Minutes",
    rollback_on_error: Annotated[bool, typer.Option("--rollback-on-error", help="Roll back when the new version's Errors alarm fires (aws: at the first version-2 error seen).")] = False,
    new_version_fails: Annotated[bool, typer.Option("--new-version-fails", help="Make version 2 fail every call (to watch the rollback).")] = False,
    rate: Annotated[float, typer.Option(help="Calls per second to the alias `live`.")] = 1.0,
    arrivals: Annotated[str, typer.Option(help=ARRIVALS_HELP + " Here --count is --minutes x --rate, and even is one call every 1/--rate s.")] = "even",
    minutes: Annotated[float | None, typer.Option(help="How long to call. Default: the shift's length + 2 minutes.")] = None,
    duration: Annotated[float, typer.Option(help="Seconds the handler runs.")] = 0.1,
    init: Annotated[float, typer.Option(help="Seconds a cold start's init takes.")] = 0.3,
) -> None:
    """Which version runs each call while CodeDeploy shifts the alias? (alias routing weights over time)

    On --target aws this is alias routing directly, not CodeDeploy: lambdaprobe publishes versions 1 and 2
    (each with its own directive in its environment) and updates alias `live`'s RoutingConfig weights itself,
    on the chosen configuration's schedule; with --rollback-on-error it routes everything back to version 1
    as soon as it sees a version-2 call fail (no CloudWatch alarm).
    """
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import deploy_preference as probe

    run_probe(
        common,
        lambda: probe.build(
            preference=preference, rollback_on_error=rollback_on_error, new_version_fails=new_version_fails,
            rate=rate, minutes=minutes, duration=duration, init=init, seed=common.seed, arrivals=arrivals,
        ),
        probe.findings,
    )
