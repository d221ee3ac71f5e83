"""An SNS topic with the probe subscribed, on AWS.

SNS invokes the function asynchronously: Lambda's async retry policy, DLQ and destinations apply
(https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html).
"""

from __future__ import annotations

from typing import Any

from lambdaprobe.aws.observe.expectations import Seen, async_missing, async_per_request_s
from lambdaprobe.aws.plan.blocks import PlanBuilder
from lambdaprobe.aws.plan.records import Ref, SendTo, SourceEndpoint
from lambdaprobe.aws.sources.base import AwsSource
from lambdaprobe.scenario import Scenario


def policy(b: PlanBuilder) -> list[dict[str, Any]]:
    return []  # SNS invokes the function: its resource policy allows it, the role needs nothing


def resources(b: PlanBuilder) -> Any:
    b.topic("source")
    return Ref("source_arn")


def wiring(b: PlanBuilder, source_arn: Any) -> None:
    b.permission("sns.amazonaws.com", source_arn)
    b.subscribe("source", "lambda", b.qualified_probe(), "source")


def endpoint(b: PlanBuilder) -> SourceEndpoint:
    return SourceEndpoint(b.name("source"), arn=Ref("source_arn"))


def send(api: Any, scenario: Scenario, to: SendTo, i: int, rid: str, body: str) -> None:
    api.publish(TopicArn=to.arn, Message=body)


def per_request_s(scenario: Scenario, run: float) -> float:
    return async_per_request_s(scenario, run)


def missing(scenario: Scenario, seen: Seen) -> str | None:
    return async_missing(scenario, seen)


SOURCE = AwsSource(
    sends_with="sns", sent_kind="message", receive_counts=False, send=send,
    policy=policy, resources=resources, wiring=wiring, endpoint=endpoint, per_request_s=per_request_s, missing=missing,
)
