"""What a source driver works with: the run's clock, observations, service, function and sinks.

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


SourceDriver = Callable[[SimContext, Scenario], None]
