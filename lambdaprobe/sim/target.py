"""SimTarget: runs a Scenario on the model and returns what it observed."""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any, cast

from lambdaprobe.columns import Columns, const
from lambdaprobe.errors import NotAvailableError
from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import Attempt, ClientResult, Observations, Sent, Settled, Throttle
from lambdaprobe.rules import RuleId
from lambdaprobe.rules.constants import (
    ASYNC_PAYLOAD_MAX_BYTES,
    PAYLOAD_TOO_LARGE_ERROR,
    PAYLOAD_TOO_LARGE_STATUS,
    SYNC_PAYLOAD_MAX_BYTES,
)
from lambdaprobe.scenario import (
    DIRECT_SOURCES,
    NEW_VERSION,
    PUBLISHED_VERSION,
    DeploymentSpec,
    Scenario,
    Stimulus,
    request_ids,
)
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


def compact_observations(target: str) -> Observations:
    """Observations whose per-request records are kept in columns (`lambdaprobe.columns`): a large
    run's millions of records in a fraction of the memory. They read as the usual lists of records."""
    obs = Observations(target=target)
    obs.sent = cast(list[Sent], Columns(Sent))
    obs.attempts = cast(list[Attempt], Columns(Attempt, numbered=("execution_id",)))
    obs.client_results = cast(list[ClientResult], Columns(ClientResult))
    obs.throttles = cast(list[Throttle], Columns(Throttle))
    obs.settled = cast(list[Settled], Columns(Settled))
    return obs


def _flush(obs: Observations, now: float, progress: Callable[[float], None] | None) -> None:
    for records in (obs.sent, obs.attempts, obs.client_results, obs.throttles, obs.settled):
        if isinstance(records, Columns):
            records.flush()
    if progress is not None:
        progress(now)


class SimTarget:
    name = "sim"

    def __init__(self, progress: Callable[[float], None] | None = None) -> None:
        # Told the virtual time every so many events, for a progress bar on long runs.
        self.progress = progress

    def run(self, scenario: Scenario) -> Observations:
        clock = Clock()
        obs = compact_observations(self.name)
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
        clock.run(tick=lambda: _flush(obs, clock.now, self.progress))
        _flush(obs, clock.now, self.progress)  # the end: a bar shows it reached
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
        times = stim.times
        sent = ctx.obs.sent
        if isinstance(sent, Columns):  # straight into columns: no Sent record is made
            at = array("d", [i * interval for i in range(len(ids))]) if times is None else times
            sent.add_chunk({"request_id": ids, "t": at, "kind": const("invoke", len(ids))}, len(ids))
        elif times is None:
            sent.extend([Sent(rid, i * interval) for i, rid in enumerate(ids)])
        else:
            sent.extend([Sent(rid, t) for rid, t in zip(ids, times, strict=True)])
        if stim.payload_bytes is not None and _refused_as_too_large(ctx, stim.payload_bytes, stim.mode, ids, stim):
            return
        # In a deployment each version follows its own configuration: the event carries no directive.
        cycle: tuple[Directive | None, ...] = (
            (None,) if scenario.deployment else (stim.directives or (scenario.function.directive,))
        )
        payloads = [d.to_event() if d is not None else {} for d in cycle]  # shared: events are never mutated
        loop = _OpenLoop(ctx, client, ids, interval, times, cycle, payloads, qualifier, stim.mode == "sync")
        loop.base = stim.base
        if stim.overrides and not scenario.deployment:
            loop.overrides = stim.override_map
            ctx.clock.at(stim.at(0), loop.send_own, 0)
        else:
            ctx.clock.at(stim.at(0), loop.send, 0)


def _refused_as_too_large(ctx: sources.SimContext, size: int, mode: str, ids: list[str], stim: Stimulus) -> bool:
    """[invoke.payload-limits] an event over the invoke limit is refused with 413 and never runs (every
    request of a run has the same size). True if so."""
    ctx.service.rules.add(RuleId.INVOKE_PAYLOAD_LIMITS)
    limit = SYNC_PAYLOAD_MAX_BYTES if mode == "sync" else ASYNC_PAYLOAD_MAX_BYTES
    if size <= limit:
        return False
    ctx.service.rules.add(RuleId.INVOKE_PAYLOAD_ERROR)
    message = f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
    for i, rid in enumerate(ids):
        t = stim.at(i)
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
        "at", "base", "call", "cycle", "ids", "interval", "invoke", "overrides", "payloads", "qualifier", "sync",
        "times",
    )

    def __init__(
        self,
        ctx: sources.SimContext,
        client: SyncClient,
        ids: list[str],
        interval: float,
        times: array[float] | None,
        cycle: tuple[Directive | None, ...],
        payloads: list[dict[str, Any]],
        qualifier: str,
        sync: bool,
    ) -> None:
        self.at, self.call, self.invoke = ctx.clock.at, client.call, ctx.invoker.invoke  # bound once
        self.ids, self.interval, self.cycle, self.payloads = ids, interval, cycle, payloads
        self.times = times  # each send time (a traffic shape), or None: one every `interval`
        self.qualifier, self.sync = qualifier, sync
        self.overrides: dict[int, Directive] | None = None  # requests with a directive of their own
        self.base: dict[str, Any] | None = None  # --payload: the event's own fields

    def send(self, i: int) -> None:
        # Each send schedules the next, so the agenda holds one pending stimulus, not all of them.
        ids = self.ids
        if i + 1 < len(ids):
            times = self.times
            self.at((i + 1) * self.interval if times is None else times[i + 1], self.send, i + 1)
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
            times = self.times
            self.at((i + 1) * self.interval if times is None else times[i + 1], self.send_own, i + 1)
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
