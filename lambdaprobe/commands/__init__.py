"""The probe commands; importing this package registers each on the typer app."""

from lambdaprobe.commands import (
    abort,
    cleanup,
    concurrency,
    deploy_preference,
    destinations,
    invoke,
    report,
    retry,
    timeout,
)

__all__ = [
    "abort", "cleanup", "concurrency", "deploy_preference", "destinations", "invoke", "report", "retry", "timeout",
]
