"""Scenario builders for tests: run a scenario on the simulator and get the report."""

from __future__ import annotations

from lambdaprobe.analysis import analyse
from lambdaprobe.function.directive import Directive
from lambdaprobe.report import Report
from lambdaprobe.scenario import (
    AsyncConfig,
    ConcurrencySpec,
    FunctionSpec,
    Scenario,
    SdkConfig,
    SourceSpec,
    Stimulus,
)
from lambdaprobe.sim.target import SimTarget


def simulate(scenario: Scenario) -> Report:
    return analyse(scenario, SimTarget().run(scenario))


def direct(
    *,
    mode: str = "sync",
    count: int = 1,
    interval: float = 1.0,
    duration: float = 1.0,
    fail: str = "never",
    init: float = 0.0,
    timeout: float = 30.0,
    concurrency: ConcurrencySpec | None = None,
    async_config: AsyncConfig | None = None,
    sdk: SdkConfig | None = None,
    seed: int = 0,
) -> Scenario:
    return Scenario(
        probe="test",
        function=FunctionSpec(timeout_s=timeout, directive=Directive(duration_s=duration, fail=fail, init_s=init)),
        stimulus=Stimulus(count=count, interval_s=interval, mode=mode),  # type: ignore[arg-type]
        source=SourceSpec(kind=mode),  # type: ignore[arg-type]
        concurrency=concurrency or ConcurrencySpec(),
        async_config=async_config or AsyncConfig(),
        sdk=sdk or SdkConfig(),
        seed=seed,
    )


def spans(report: Report, index: int = 0) -> list[tuple[float, float, str]]:
    return [(round(a.start_s, 6), round(a.end_s, 6), a.outcome) for a in report.requests[index].attempts]
