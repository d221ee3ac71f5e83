"""Event sources in the simulator: one small module per source, registered by kind.

A driver takes the run's context and the scenario, and schedules the stimulus on the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lambdaprobe.observation import Observations
from lambdaprobe.scenario import Scenario
from lambdaprobe.sim.async_invoke import AsyncInvoker
from lambdaprobe.sim.engine import Clock
from lambdaprobe.sim.records import Ids
from lambdaprobe.sim.service import LambdaService, SimFunction
from lambdaprobe.sim.sinks import Sinks


@dataclass
class SimContext:
    clock: Clock
    obs: Observations
    service: LambdaService
    fn: SimFunction
    sinks: Sinks
    ids: Ids
    invoker: AsyncInvoker


Driver = Callable[[SimContext, Scenario], None]

DRIVERS: dict[str, Driver] = {}


def register(kind: str) -> Callable[[Driver], Driver]:
    def wrap(driver: Driver) -> Driver:
        DRIVERS[kind] = driver
        return driver

    return wrap


# The drivers register themselves on import; they need the registry above, hence the late import.
from lambdaprobe.sim.sources import destination, eventbridge, sns, sqs, streams  # noqa: E402, F401
