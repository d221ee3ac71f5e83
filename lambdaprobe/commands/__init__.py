"""The probe commands; importing this package registers each on the typer app."""

from lambdaprobe.commands import (
    abort,
    cleanup,
    code_signing,
    concurrency,
    deploy_preference,
    destinations,
    efs,
    env_encryption,
    invoke,
    report,
    retry,
    timeout,
    vpc,
)

__all__ = [
    "abort", "cleanup", "concurrency", "deploy_preference", "destinations", "invoke", "report", "retry", "timeout",
    "code_signing", "efs", "env_encryption", "vpc",
]
