from lambdaprobe.cli_common import NOT_FOR_FEATURES, app, probe_command
from lambdaprobe.options import CommonOptions
from lambdaprobe.scenarios.features import CodeSigningOptions


@app.command(
    "code-signing", short_help="Is unsigned code refused, or only warned? (aws)",
    epilog="Creates an AWS Signer profile (platform AWSLambda-SHA384-ECDSA; cancelled at teardown, Signer cannot "
    "delete one) and a code signing config, then tries to create a function from an unsigned zip under it. "
    "It also signs the zip (a versioned S3 bucket of the run, signer StartSigningJob) and creates a function from "
    "the signed object, in the run's region (resolved before anything is created).",
)
@probe_command(options=CodeSigningOptions, without=NOT_FOR_FEATURES)
def code_signing_command(common: CommonOptions, options: CodeSigningOptions) -> None:
    """Does Lambda refuse unsigned code under a code signing config (Enforce), or accept it with a warning (Warn)? (aws only)"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenario import Scenario
    from lambdaprobe.scenarios import features as probe

    def build() -> Scenario:
        scenario = probe.code_signing(policy=options.policy, seed=common.seed)
        probe.require_aws("code-signing", common.target)
        return scenario

    run_probe(common, build, probe.findings)
