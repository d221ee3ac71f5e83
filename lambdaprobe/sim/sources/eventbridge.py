"""An EventBridge rule targeting the function ([eventbridge.async]).

A rule invokes its Lambda target asynchronously: function errors follow Lambda's async retry policy,
the function's DLQ and destinations. EventBridge's own retry policy (24 h, 185 attempts) covers only
failed deliveries (5xx, 429), which an async invoke does not meet: it is not modelled.
"""

from __future__ import annotations

from typing import Any

from lambdaprobe.rules import RuleId
from lambdaprobe.scenario import Scenario
from lambdaprobe.sim.records import timestamp_s
from lambdaprobe.sim.service import ACCOUNT_ID, REGION
from lambdaprobe.sim.sources.common import Delivery, probe_message, send_all, stimuli
from lambdaprobe.sim.sources.context import SimContext
from lambdaprobe.templates import template

NOTE = (
    "EventBridge invokes the function asynchronously: Lambda's async retry policy (1 min, then 2 min) "
    "applies to function errors; EventBridge's retry policy (24 h, 185 attempts) covers only failed "
    "deliveries, which do not happen because Lambda does not throttle async invokes [eventbridge.async] "
    "[async.queued]"
)


def envelope(ctx: SimContext, stimulus: Delivery) -> dict[str, Any]:
    """[eventbridge.async] the event as the rule delivers it; the probe's message is the `detail`."""
    event: dict[str, Any] = template("eventbridge")
    event["id"] = ctx.ids.request_id()
    event["account"] = ACCOUNT_ID
    event["region"] = REGION
    event["time"] = timestamp_s(stimulus.t)
    event["detail"] = probe_message(stimulus)
    return event


def drive(ctx: SimContext, scenario: Scenario) -> None:
    qualifier = scenario.called_qualifier
    ctx.obs.notes.append(NOTE)
    ctx.obs.rules.add(RuleId.EVENTBRIDGE_ASYNC)

    def put_event(stimulus: Delivery) -> None:
        event = envelope(ctx, stimulus)
        # [async.queued] no caller waits on the rule's async invoke: there is no client result to report
        ctx.invoker.invoke(stimulus.request_id, event, stimulus.directive, qualifier, client=False)

    send_all(ctx, stimuli(scenario), "message", put_event)
