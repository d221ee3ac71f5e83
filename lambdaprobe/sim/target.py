"""SimTarget: runs a Scenario on the model and returns what it observed."""

from __future__ import annotations

from typing import Any

from lambdaprobe.errors import NotAvailableError
from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import ClientResult, Observations, Sent, Settled
from lambdaprobe.rules import RuleId
from lambdaprobe.rules.constants import (
    ASYNC_PAYLOAD_MAX_BYTES,
    PAYLOAD_TOO_LARGE_ERROR,
    PAYLOAD_TOO_LARGE_STATUS,
    SYNC_PAYLOAD_MAX_BYTES,
)
from lambdaprobe.scenario import DIRECT_SOURCES, NEW_VERSION, PUBLISHED_VERSION, DeploymentSpec, Scenario, request_ids
from lambdaprobe.sim import sources
from lambdaprobe.sim.async_invoke import AsyncInvoker
from lambdaprobe.sim.client import SyncClient
from lambdaprobe.sim.deployment import Routing
from lambdaprobe.sim.engine import Clock
from lambdaprobe.sim.pools import Account
from lambdaprobe.sim.records import Ids
from lambdaprobe.sim.service import LambdaService, SimFunction
from lambdaprobe.sim.sinks import SIM_PREFIX, Sinks
from lambdaprobe.sim.sources import destination
from lambdaprobe.templates import invoke_event

FUNCTION_NAME = f"{SIM_PREFIX}-probe"


class SimTarget:
    name = "sim"

    def run(self, scenario: Scenario) -> Observations:
        clock = Clock()
        obs = Observations(target=self.name)
        conc = scenario.concurrency
        service = LambdaService(clock, obs, Account(conc.account_limit, conc.min_unreserved))
        provisioned: dict[str, int] = {}
        if scenario.provisioned_qualifier is not None:
            provisioned[SimFunction.version_of(scenario.provisioned_qualifier)] = conc.provisioned
        fn = service.add_function(FUNCTION_NAME, scenario.function, conc.reserved, provisioned, conc.env_lifetime_s)
        if scenario.deployment is not None:
            self._deploy(service, fn, scenario.deployment, scenario.seed)
        ids = Ids(scenario.seed)
        sinks = Sinks(clock, obs, scenario.async_config, ids)
        invoker = AsyncInvoker(service, fn, scenario.async_config, sinks, ids)
        ctx = sources.SimContext(clock, obs, service, fn, sinks, ids, invoker)
        kind = scenario.source.kind
        if kind != "destination" and "lambda" in (scenario.async_config.on_success, scenario.async_config.on_failure):
            destination.chain(ctx)  # a Lambda destination is a function of its own, with its own policy
        if kind in DIRECT_SOURCES:
            self._direct(ctx, scenario)
        elif kind in sources.DRIVERS:
            sources.DRIVERS[kind](ctx, scenario)
        else:
            raise NotAvailableError(f"--source {kind}: not modelled by the simulator in this build")
        clock.run()
        return obs

    @staticmethod
    def _deploy(service: LambdaService, fn: SimFunction, deployment: DeploymentSpec, seed: int) -> None:
        fn.routing = Routing(service.clock, deployment, seed)
        fn.version_directives = {PUBLISHED_VERSION: fn.spec.directive, NEW_VERSION: deployment.new_directive}
        service.rules.update((RuleId.DEPLOY_CONFIGURATIONS, RuleId.DEPLOY_ALIAS_ROUTING, RuleId.DEPLOY_WEIGHTED_PICK))
        if deployment.preference.startswith("Linear"):
            service.rules.add(RuleId.DEPLOY_LINEAR_STEPS)
        if deployment.rollback_on_error:
            service.rules.add(RuleId.DEPLOY_ALARM_ROLLBACK)

    @staticmethod
    def _direct(ctx: sources.SimContext, scenario: Scenario) -> None:
        """Direct invokes on an open-loop schedule: call i at i * interval, whatever came before."""
        stim = scenario.stimulus
        qualifier = scenario.called_qualifier
        client = SyncClient(ctx.service, ctx.fn, scenario.sdk, scenario.seed)
        ids = request_ids(stim.count)
        interval = stim.interval_s
        ctx.obs.sent.extend([Sent(rid, i * interval) for i, rid in enumerate(ids)])
        if stim.payload_bytes is not None and _refused_as_too_large(ctx, stim.payload_bytes, stim.mode, ids, interval):
            return
        # In a deployment each version follows its own configuration: the event carries no directive.
        cycle: tuple[Directive | None, ...] = (
            (None,) if scenario.deployment else (stim.directives or (scenario.function.directive,))
        )
        payloads = [d.to_event() if d is not None else {} for d in cycle]  # shared: events are never mutated
        loop = _OpenLoop(ctx, client, ids, interval, cycle, payloads, qualifier, stim.mode == "sync")
        loop.base = stim.base
        if stim.overrides and not scenario.deployment:
            loop.overrides = stim.override_map
            ctx.clock.at(0.0, loop.send_own, 0)
        else:
            ctx.clock.at(0.0, loop.send, 0)


def _refused_as_too_large(ctx: sources.SimContext, size: int, mode: str, ids: list[str], interval: float) -> bool:
    """[invoke.payload-limits] an event over the invoke limit is refused with 413 and never runs (every
    request of a run has the same size). True if so."""
    ctx.service.rules.add(RuleId.INVOKE_PAYLOAD_LIMITS)
    limit = SYNC_PAYLOAD_MAX_BYTES if mode == "sync" else ASYNC_PAYLOAD_MAX_BYTES
    if size <= limit:
        return False
    ctx.service.rules.add(RuleId.INVOKE_PAYLOAD_ERROR)
    message = f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
    for i, rid in enumerate(ids):
        t = i * interval
        ctx.obs.client_results.append(
            ClientResult(rid, t, PAYLOAD_TOO_LARGE_STATUS, 0.0, PAYLOAD_TOO_LARGE_ERROR, None, message, "User")
        )
        ctx.obs.settled.append(Settled(rid, t, "failed"))
    return True


class _OpenLoop:
    """The sender of direct invokes. A bound method in the agenda, where a closure that scheduled
    itself would be a reference cycle: a run must leave none, for its records are frozen out of
    the collector (see gc_pause)."""

    __slots__ = (
        "at", "base", "call", "cycle", "ids", "interval", "invoke", "overrides", "payloads", "qualifier", "sync"
    )

    def __init__(
        self,
        ctx: sources.SimContext,
        client: SyncClient,
        ids: list[str],
        interval: float,
        cycle: tuple[Directive | None, ...],
        payloads: list[dict[str, Any]],
        qualifier: str,
        sync: bool,
    ) -> None:
        self.at, self.call, self.invoke = ctx.clock.at, client.call, ctx.invoker.invoke  # bound once
        self.ids, self.interval, self.cycle, self.payloads = ids, interval, cycle, payloads
        self.qualifier, self.sync = qualifier, sync
        self.overrides: dict[int, Directive] | None = None  # requests with a directive of their own
        self.base: dict[str, Any] | None = None  # --payload: the event's own fields

    def send(self, i: int) -> None:
        # Each send schedules the next, so the agenda holds one pending stimulus, not all of them.
        ids = self.ids
        if i + 1 < len(ids):
            self.at((i + 1) * self.interval, self.send, i + 1)
        k = i % len(self.cycle)
        if self.sync:
            self.call(ids[i], self.cycle[k], self.qualifier)
        else:
            self.invoke(ids[i], invoke_event(ids[i], self.payloads[k], self.base), self.cycle[k], self.qualifier)

    def send_own(self, i: int) -> None:
        """`send` for a run where some requests have a directive of their own (`--fail rNN:...`);
        kept apart so that the common run does not look each request up."""
        ids = self.ids
        if i + 1 < len(ids):
            self.at((i + 1) * self.interval, self.send_own, i + 1)
        own = self.overrides.get(i) if self.overrides else None
        if own is None:
            k = i % len(self.cycle)
            own, payload = self.cycle[k], self.payloads[k]
        else:
            payload = own.to_event()
        if self.sync:
            self.call(ids[i], own, self.qualifier)
        else:
            self.invoke(ids[i], invoke_event(ids[i], payload, self.base), own, self.qualifier)
