"""The options every probe command takes, as plain data (kept light: imported by `--help`)."""

from __future__ import annotations

from dataclasses import dataclass

AWS_ONLY = ("region", "profile", "endpoint_url", "yes", "dry_run", "compare", "deadline")
# Accepted and ignored on --target sim, so a CI job can switch targets with LAMBDAPROBE_TARGET alone.
SIM_IGNORES = ("region", "profile", "yes")


@dataclass(frozen=True)
class CommonOptions:
    target: str = "sim"
    output: str = "table"
    seed: int = 0
    expect: list[str] | None = None
    save: str | None = None
    max_rows: int = 40
    full: bool = False
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    yes: bool = False
    dry_run: bool = False
    compare: bool = False
    deadline: float | None = None
    quiet: bool = False
    verbose: bool = False
    summary_only: bool = False
