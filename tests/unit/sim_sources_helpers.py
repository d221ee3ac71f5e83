"""Shared scaffolding for the event-source tests: build scenarios, run them, read the timelines."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from lambdaprobe.analysis import analyse
from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import Observations
from lambdaprobe.report import Report, RequestView
from lambdaprobe.scenario import (
    AsyncConfig,
    ConcurrencySpec,
    FunctionSpec,
    Scenario,
    SourceKind,
    SourceSpec,
    SqsSourceSpec,
    Stimulus,
    StreamSourceSpec,
)
from lambdaprobe.sim.async_invoke import AsyncInvoker
from lambdaprobe.sim.engine import Clock
from lambdaprobe.sim.pools import Account
from lambdaprobe.sim.records import Ids
from lambdaprobe.sim.service import LambdaService
from lambdaprobe.sim.sinks import Sinks
from lambdaprobe.sim.sources.context import SimContext
from lambdaprobe.sim.target import FUNCTION_NAME, SimTarget

OK = Directive(duration_s=0.1, fail="never", init_s=0.0)
FAIL = Directive(duration_s=0.1, fail="always", init_s=0.0)


def scenario(
    kind: SourceKind,
    *,
    count: int = 1,
    interval: float = 0.0,
    directive: Directive = FAIL,
    directives: tuple[Directive, ...] = (),
    timeout: float = 3.0,
    sqs: SqsSourceSpec | None = None,
    stream: StreamSourceSpec | None = None,
    async_config: AsyncConfig | None = None,
    reserved: int | None = None,
    seed: int = 0,
) -> Scenario:
    return Scenario(
        probe="retry",
        function=FunctionSpec(timeout_s=timeout, directive=directive),
        stimulus=Stimulus(count=count, interval_s=interval, mode="async", directives=directives),
        source=SourceSpec(kind=kind, sqs=sqs, stream=stream),
        concurrency=ConcurrencySpec(reserved=reserved),
        async_config=async_config or AsyncConfig(),
        seed=seed,
    )


@dataclass
class Run:
    scenario: Scenario
    obs: Observations
    report: Report

    def request(self, rid: str) -> RequestView:
        return next(r for r in self.report.requests if r.id == rid)

    def starts(self, rid: str) -> list[float]:
        return [round(a.start_s, 6) for a in self.request(rid).attempts]

    def ends(self, rid: str) -> list[float]:
        return [round(a.end_s, 6) for a in self.request(rid).attempts]

    def final(self, rid: str) -> str:
        return self.request(rid).final

    def settled_once(self) -> bool:
        counts = Counter(s.request_id for s in self.obs.settled)
        return all(counts[s.request_id] == 1 for s in self.obs.sent) and len(counts) == len(self.obs.sent)


def run(sc: Scenario) -> Run:
    obs = SimTarget().run(sc)
    return Run(sc, obs, analyse(sc, obs))


def context(sc: Scenario) -> tuple[SimContext, Scenario]:
    clock = Clock()
    obs = Observations(target="sim")
    service = LambdaService(clock, obs, Account())
    fn = service.add_function(FUNCTION_NAME, sc.function, None, {})
    ids = Ids(sc.seed)
    sinks = Sinks(clock, obs, sc.async_config, ids)
    invoker = AsyncInvoker(service, fn, sc.async_config, sinks, ids)
    return SimContext(clock, obs, service, fn, sinks, ids, invoker), sc
