from typing import Annotated

import typer

from lambdaprobe.cli_common import NOT_FOR_FEATURES, app, probe_command
from lambdaprobe.options import CommonOptions


@app.command(
    "env-encryption", short_help="Can the function decrypt a KMS-encrypted env var? (aws)",
    epilog="Creates a KMS key (scheduled for deletion at teardown after 7 days, the minimum KMS allows; a key is "
    "billed while it exists), sets it as the function's KMSKeyArn, and puts in one environment variable encrypted "
    "client-side (kms Encrypt with EncryptionContext LambdaFunctionName, as the console's helper does), which the "
    "function decrypts with kms:Decrypt.",
)
@probe_command(without=NOT_FOR_FEATURES)
def env_encryption_command(
    common: CommonOptions,
    decrypt_permission: Annotated[bool, typer.Option("--decrypt-permission/--without-decrypt-permission", help="--without-decrypt-permission: the role lacks kms:Decrypt, to see the error the function gets.")] = True,
) -> None:
    """Can a function decrypt a KMS-encrypted environment variable, and what error does it get without kms:Decrypt? (aws only)"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenario import Scenario
    from lambdaprobe.scenarios import features as probe

    def build() -> Scenario:
        scenario = probe.env_encryption(decrypt_permission=decrypt_permission, seed=common.seed)
        probe.require_aws("env-encryption", common.target)
        return scenario

    run_probe(common, build, probe.findings)
