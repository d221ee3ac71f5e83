"""The probe commands; importing this package registers each on the typer app."""

from lambdaprobe.commands import concurrency, destinations, invoke, report, retry

__all__ = ["concurrency", "destinations", "invoke", "report", "retry"]
