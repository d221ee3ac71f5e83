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
    explain,
    invoke,
    report,
    retry,
    rules,
    sweep,
    timeout,
    vpc,
)

__all__ = [
    "abort", "cleanup", "code_signing", "concurrency", "deploy_preference", "destinations", "efs", "env_encryption", "explain",
    "invoke", "report", "retry", "rules", "sweep", "timeout", "vpc",
]
