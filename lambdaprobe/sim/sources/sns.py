"""An SNS topic with a Lambda subscription ([sns.async]).

SNS hands each message to Lambda as an asynchronous invoke, so function errors follow Lambda's
async retry policy, the function's DLQ and its destinations. SNS's own delivery policy
only retries a failed hand-off, and an async invoke is never throttled at the API: it is not modelled.
"""

from __future__ import annotations

from typing import Any

from lambdaprobe.rules import RuleId
from lambdaprobe.scenario import Scenario
from lambdaprobe.sim.records import timestamp
from lambdaprobe.sim.service import REGION
from lambdaprobe.sim.sources.common import (
    Delivery,
    arn,
    directive_of,
    probe_body,
    resource_name,
    send_all,
    stimuli,
)
from lambdaprobe.sim.sources.context import SimContext
from lambdaprobe.templates import template

TOPIC = resource_name("topic")
NOTE = (
    "SNS invokes the function asynchronously: Lambda's async retry policy (1 min, then 2 min) applies to "
    "function errors; SNS's delivery retries cover only a failed hand-off to Lambda, which does not happen "
    "because Lambda does not throttle async invokes [sns.async] [async.queued]"
)


def envelope(ctx: SimContext, stimulus: Delivery, body: str) -> dict[str, Any]:
    """[sns.async] the event Lambda receives from an SNS subscription: one record, the message as a string."""
    event: dict[str, Any] = template("sns")
    topic_arn = arn("sns", TOPIC)
    record = event["Records"][0]
    record["EventSubscriptionArn"] = f"{topic_arn}:{ctx.ids.request_id()}"
    sns = record["Sns"]
    sns["Timestamp"] = timestamp(stimulus.t)
    sns["MessageId"] = ctx.ids.request_id()
    sns["Message"] = body
    sns["TopicArn"] = topic_arn
    sns["UnsubscribeUrl"] = (
        f"https://sns.{REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={record['EventSubscriptionArn']}"
    )
    return event


def drive(ctx: SimContext, scenario: Scenario) -> None:
    qualifier = scenario.called_qualifier
    ctx.obs.notes.append(NOTE)
    ctx.obs.rules.add(RuleId.SNS_ASYNC)

    def publish(stimulus: Delivery) -> None:
        body = probe_body(stimulus)
        # [async.queued] no caller waits on SNS's async invoke: there is no client result to report
        ctx.invoker.invoke(
            stimulus.request_id, envelope(ctx, stimulus, body), directive_of(body), qualifier, client=False
        )

    send_all(ctx, stimuli(scenario), "message", publish)
