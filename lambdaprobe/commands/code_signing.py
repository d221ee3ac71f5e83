from typing import Annotated

import typer

from lambdaprobe.cli_common import app, probe_command
from lambdaprobe.options import CommonOptions


@app.command(
    "code-signing", short_help="Is unsigned code refused, or only warned? (aws)",
    epilog="Creates an AWS Signer profile (platform AWSLambda-SHA384-ECDSA; cancelled at teardown, Signer cannot "
    "delete one) and a code signing config, then tries to create a function from an unsigned zip under it. "
    "With --region it also signs the zip (a versioned S3 bucket of the run, signer StartSigningJob) and creates a "
    "function from the signed object; without --region that signed path is left out (the bucket's location must "
    "be known) and the report says so.",
)
@probe_command
def code_signing_command(
    common: CommonOptions,
    policy: Annotated[str, typer.Option(help="CodeSigningPolicies.UntrustedArtifactOnDeployment; allowed: Enforce (refuse unsigned code), Warn (accept it, log a warning).")] = "Enforce",
) -> None:
    """Does Lambda refuse unsigned code under a code signing config (Enforce), or accept it with a warning (Warn)? (aws only)"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenario import Scenario
    from lambdaprobe.scenarios import features as probe

    def build() -> Scenario:
        scenario = probe.code_signing(policy=policy, seed=common.seed)
        probe.require_aws("code-signing", common.target, common.compare)
        return scenario

    run_probe(common, build, probe.findings)
