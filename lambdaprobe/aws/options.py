"""How the AWS target is pointed and how far it may go: region, profile, endpoint, confirmation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

NAME_PREFIX = "lambdaprobe-"
RUN_TAG = "lambdaprobe:run"
CREATED_TAG = "lambdaprobe:created"
# Epoch seconds until which the run counts as live: set at creation, renewed on the run's role while
# the run lasts (`cleanup` skips live runs unless asked for one by id).
EXPIRES_TAG = "lambdaprobe:expires"
LEASE_S = 900
RUN_ID_PATTERN = r"lp[0-9a-f]{6}"  # what new_run_id makes; cleanup touches no other run id


def new_run_id() -> str:
    """A short id that keeps concurrent runs (and their leftovers) apart."""
    return "lp" + secrets.token_hex(3)


@dataclass(frozen=True)
class AwsOptions:
    """What the CLI passes to the AWS target.

    deadline_s        stop collecting after this many seconds from the first stimulus
                      (None: derived from the scenario)
    poll_s            how often logs and queues are read while collecting
    log_retention_days retention of the run's log groups (they are deleted at teardown anyway)
    created_at        epoch seconds written in the `lambdaprobe:created` tag, so `cleanup
                      --older-than` works on resources that report no creation time (None: now)
    """

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    yes: bool = False
    dry_run: bool = False
    run_id: str = field(default_factory=new_run_id)
    deadline_s: float | None = None
    poll_s: float = 2.0
    log_retention_days: int = 1
    created_at: int | None = None
    runtime: str = "python3.12"

    def name(self, role: str) -> str:
        """The name of the run's resource playing `role`."""
        return f"{NAME_PREFIX}{self.run_id}-{role}"
