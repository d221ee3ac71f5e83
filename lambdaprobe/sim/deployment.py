"""Traffic shifting on an alias, as CodeDeploy's predefined Lambda configurations do it, and the
alarm-driven rollback.

CodeDeploy shifts an alias by updating its routing configuration (AdditionalVersionWeights); a
CloudWatch alarm in ALARM during the deployment stops it and routes everything back.
"""

from __future__ import annotations

import random
import re

from lambdaprobe.scenario import ALIAS_NAME, NEW_VERSION, PUBLISHED_VERSION, DeploymentSpec
from lambdaprobe.sim.engine import Clock

CANARY = re.compile(r"^Canary10Percent(\d+)Minutes$")
LINEAR = re.compile(r"^Linear10PercentEvery(\d+)Minutes?$")
# CodeDeploy's predefined deployment configurations for Lambda.
PREFERENCES = (
    "Canary10Percent5Minutes",
    "Canary10Percent10Minutes",
    "Canary10Percent15Minutes",
    "Canary10Percent30Minutes",
    "Linear10PercentEvery1Minute",
    "Linear10PercentEvery2Minutes",
    "Linear10PercentEvery3Minutes",
    "Linear10PercentEvery10Minutes",
    "AllAtOnce",
)


def schedule(preference: str) -> list[tuple[float, float]]:
    """(time s, weight of the new version) steps, from the deployment's start.

    Canary: 10 % at once, the rest after the interval. Linear: 10 % more at each interval;
    [deploy.linear-steps]: 10 % at the start, so 100 % comes 9 intervals later.
    """
    canary = CANARY.match(preference)
    if canary:
        return [(0.0, 0.1), (int(canary.group(1)) * 60.0, 1.0)]
    linear = LINEAR.match(preference)
    if linear:
        step = int(linear.group(1)) * 60.0
        return [(k * step, round(0.1 * (k + 1), 1)) for k in range(10)]
    if preference == "AllAtOnce":
        return [(0.0, 1.0)]
    raise ValueError(f"unknown deployment preference {preference!r}")


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
