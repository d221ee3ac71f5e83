"""An upstream function whose on-success destination is the probe, on AWS.

The upstream always succeeds; Lambda hands its invocation record to the probe asynchronously, so
the async retry policy applies to the probe (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
"""

from __future__ import annotations

from typing import Any

from lambdaprobe.aws.observe.expectations import LOG_SLACK_S, Seen, async_missing, async_per_request_s
from lambdaprobe.aws.plan.blocks import PlanBuilder
from lambdaprobe.aws.plan.bundle import RELAY_HANDLER
from lambdaprobe.aws.plan.records import ApiCall, SendTo, SourceEndpoint
from lambdaprobe.aws.sources.base import AwsSource
from lambdaprobe.scenario import Scenario


def policy(b: PlanBuilder) -> list[dict[str, Any]]:
    return []  # the upstream hands its record to the probe under the run role's lambda:InvokeFunction


def resources(b: PlanBuilder) -> Any:
    return None


def wiring(b: PlanBuilder, source_arn: Any) -> None:
    # The probe is the on-success destination of an upstream function that always succeeds.
    b.function("upstream", RELAY_HANDLER, 10, {})
    b.add(
        ApiCall(
            "lambda",
            "PutFunctionEventInvokeConfig",
            {
                "FunctionName": b.name("upstream"),
                "MaximumRetryAttempts": 0,
                "DestinationConfig": {"OnSuccess": {"Destination": b.qualified_probe()}},
            },
        )
    )


def endpoint(b: PlanBuilder) -> SourceEndpoint:
    return SourceEndpoint(b.name("upstream"))


def send(api: Any, scenario: Scenario, to: SendTo, i: int, rid: str, body: str) -> None:
    api.invoke(FunctionName=to.name, InvocationType="Event", Payload=body.encode())


def per_request_s(scenario: Scenario, run: float) -> float:
    # the upstream's own run, and the hand-over, come first
    return async_per_request_s(scenario, run) + 2 * run + LOG_SLACK_S


def missing(scenario: Scenario, seen: Seen) -> str | None:
    return async_missing(scenario, seen)


SOURCE = AwsSource(
    sends_with="lambda", sent_kind="invoke", receive_counts=False, send=send,
    policy=policy, resources=resources, wiring=wiring, endpoint=endpoint, per_request_s=per_request_s, missing=missing,
)
