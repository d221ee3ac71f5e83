from lambdaprobe.cli_common import app, assumptions_epilog, probe_command
from lambdaprobe.options import CommonOptions
from lambdaprobe.scenarios.deploy_preference import DeployPreferenceOptions


@app.command("deploy-preference", short_help="Which version runs while an alias shifts?", epilog=assumptions_epilog("deploy-preference"))
@probe_command(options=DeployPreferenceOptions)
def deploy_preference_command(common: CommonOptions, options: DeployPreferenceOptions) -> None:
    """Which version runs each call while CodeDeploy shifts the alias? (alias routing weights over time)

    On --target aws this is alias routing directly, not CodeDeploy: lambdaprobe publishes versions 1 and 2
    (each with its own directive in its environment) and updates alias `live`'s RoutingConfig weights itself,
    on the chosen configuration's schedule; with --rollback-on-error it routes everything back to version 1
    as soon as it sees a version-2 call fail (no CloudWatch alarm).
    """
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenarios import deploy_preference as probe

    run_probe(common, lambda: probe.build(options), probe.findings)
