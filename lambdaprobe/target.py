"""The Target protocol: anything that runs a Scenario and returns what it observed."""

from __future__ import annotations

from typing import Protocol

from lambdaprobe.observation import Observations
from lambdaprobe.scenario import Scenario


class Target(Protocol):
    name: str

    def run(self, scenario: Scenario) -> Observations: ...
