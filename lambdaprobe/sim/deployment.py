"""Traffic shifting on an alias, as CodeDeploy's predefined Lambda configurations do it, and the
alarm-driven rollback.

CodeDeploy shifts an alias by updating its routing configuration (AdditionalVersionWeights); a
CloudWatch alarm in ALARM during the deployment stops it and routes everything back.
"""

from __future__ import annotations

import random

from lambdaprobe.codedeploy import schedule
from lambdaprobe.scenario import ALIAS_NAME, NEW_VERSION, PUBLISHED_VERSION, DeploymentSpec
from lambdaprobe.sim.engine import Clock


class Routing:
    """The alias's routing: which version each call to `live` runs, weighted, drawn from the seed."""

    def __init__(self, clock: Clock, spec: DeploymentSpec, seed: int) -> None:
        self.clock = clock
        self.spec = spec
        self.weight = 0.0
        self.rolled_back_at: float | None = None
        self.completed_at: float | None = None
        self._rng = random.Random(f"routing:{seed}")
        self._alarm_due: float | None = None
        steps = schedule(spec.preference)
        self.end = steps[-1][0]
        for t, weight in steps:
            clock.at(t, self._shift, weight)

    def version_for(self, qualifier: str) -> str | None:
        """The version a call to `qualifier` runs, or None if routing does not apply."""
        if qualifier != ALIAS_NAME:
            return None
        return NEW_VERSION if self._rng.random() < self.weight else PUBLISHED_VERSION

    def _shift(self, weight: float) -> None:
        if self.rolled_back_at is not None:
            return
        self.weight = weight
        if weight >= 1.0:
            self.completed_at = self.clock.now

    def observe(self, version: str, failed: bool) -> None:
        """An execution ended: errors of the new version during the deployment trip the alarm."""
        if not (failed and version == NEW_VERSION and self.spec.rollback_on_error):
            return
        if self.completed_at is not None or self.rolled_back_at is not None or self._alarm_due is not None:
            return
        # [deploy.alarm-rollback]: Errors >= 1 in a period puts the alarm in ALARM when that period closes,
        # and CodeDeploy routes all traffic back at once.
        period = self.spec.alarm_period_s
        self._alarm_due = (int(self.clock.now // period) + 1) * period
        self.clock.at(self._alarm_due, self._roll_back)

    def _roll_back(self) -> None:
        if self.completed_at is None:
            self.weight = 0.0
            self.rolled_back_at = self.clock.now
