"""A function whose on-failure destination is another function ([destinations.record],
[destinations.lambda-async]).

The probe function is invoked asynchronously and fails as directed; when its retries are spent,
Lambda sends the invocation record to the destination function. How Lambda invokes a Lambda
destination is not documented: the model invokes it asynchronously ([destinations.lambda-async]),
so the destination's own async retry policy applies. Its executions appear under the request id
of the event that failed plus `>dest` (`r01>dest`), as a request of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import Sent
from lambdaprobe.rules import RuleId
from lambdaprobe.scenario import AsyncConfig, FunctionSpec, Scenario, SdkConfig
from lambdaprobe.sim.async_invoke import AsyncInvoker
from lambdaprobe.sim.client import SyncClient
from lambdaprobe.sim.sinks import SIM_PREFIX, Sinks
from lambdaprobe.sim.sources.common import Delivery, probe_message, send_all, stimuli
from lambdaprobe.sim.sources.context import SimContext

DESTINATION_FUNCTION = f"{SIM_PREFIX}-destination"
REQUEST_SUFFIX = ">dest"


@dataclass(frozen=True)
class DestinationModel:
    # [destinations.lambda-async]; "sync" runs the destination once, with no retry, to compare
    invoke_mode: Literal["async", "sync"] = "async"
    function: FunctionSpec = field(default_factory=FunctionSpec)
    # The destination's own event invoke config: AWS's defaults, no DLQ or destinations of its own.
    async_config: AsyncConfig = field(default_factory=AsyncConfig)


MODEL = DestinationModel()


def destination_directive(record: dict[str, Any], model: DestinationModel) -> Directive:
    """What the deployed probe does with an invocation record: the record has no `lambdaprobe` key
    at its top (the failed event's directive sits in `requestPayload`), so the destination follows
    its own configuration."""
    given = record.get("lambdaprobe")
    return Directive.from_event(given) if given else model.function.directive


def chain(ctx: SimContext, model: DestinationModel = MODEL) -> None:
    """Register the destination function and deliver every Lambda-destination record to it."""
    fn = ctx.service.add_function(DESTINATION_FUNCTION, model.function, reserved=None, provisioned={})
    sinks = Sinks(ctx.clock, ctx.obs, model.async_config, ctx.ids)
    invoker = AsyncInvoker(ctx.service, fn, model.async_config, sinks, ctx.ids)
    client = SyncClient(ctx.service, fn, SdkConfig(), 0)
    ctx.service.rules.add(RuleId.DESTINATIONS_LAMBDA_ASYNC)
    ctx.sinks.lambda_destination = _Delivery(ctx, invoker, client, model).deliver


class _Delivery:
    """Hands each record to the destination function. It holds what it needs, not the context:
    the context holds the sinks that hold this, and a run must leave no reference cycle."""

    def __init__(self, ctx: SimContext, invoker: AsyncInvoker, client: SyncClient, model: DestinationModel) -> None:
        self.obs, self.clock = ctx.obs, ctx.clock
        self.invoker, self.client, self.model = invoker, client, model

    def deliver(self, record: dict[str, Any], request_id: str) -> None:
        rid = request_id + REQUEST_SUFFIX
        self.obs.sent.append(Sent(rid, self.clock.now, "destination"))
        directive = destination_directive(record, self.model)
        if self.model.invoke_mode == "async":
            self.invoker.invoke(rid, record, directive, "$LATEST", client=False)
        else:
            self.client.call(rid, directive, "$LATEST")


def drive(ctx: SimContext, scenario: Scenario) -> None:
    if scenario.async_config.on_failure != "lambda":
        # the source is defined by its Lambda on-failure destination
        config = replace(scenario.async_config, on_failure="lambda")
        ctx.sinks.config = config
        ctx.invoker.config = config
    chain(ctx)
    qualifier = scenario.called_qualifier

    def invoke(s: Delivery) -> None:
        ctx.invoker.invoke(s.request_id, probe_message(s), s.directive, qualifier)

    send_all(ctx, stimuli(scenario), "invoke", invoke)
