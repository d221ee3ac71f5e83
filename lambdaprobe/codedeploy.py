"""CodeDeploy's predefined deployment configurations for Lambda, and how each shifts an alias's
traffic over time. Both targets follow the same schedule: the simulator's routing, and the AWS
target's shifter (https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html).
"""

from __future__ import annotations

import re

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
