"""An EventBridge bus with a rule targeting the probe, on AWS.

EventBridge invokes the function asynchronously: Lambda's async retry policy, DLQ and destinations
apply (https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge.html).
"""

from __future__ import annotations

import json
from typing import Any

from lambdaprobe.aws.observe.expectations import Seen, async_missing, async_per_request_s
from lambdaprobe.aws.plan.blocks import PlanBuilder
from lambdaprobe.aws.plan.records import ApiCall, Ref, SendTo, SourceEndpoint
from lambdaprobe.aws.sources.base import AwsSource
from lambdaprobe.errors import AwsError
from lambdaprobe.scenario import Scenario


def policy(b: PlanBuilder) -> list[dict[str, Any]]:
    return []  # EventBridge invokes the function: its resource policy allows it


def resources(b: PlanBuilder) -> Any:
    b.bus("source")
    return None


def wiring(b: PlanBuilder, source_arn: Any) -> None:
    b.add(
        ApiCall(
            "events",
            "PutRule",
            {
                "Name": b.rule_name("source"),
                "EventBusName": b.name("source"),
                "EventPattern": json.dumps({"source": ["lambdaprobe"]}),
                "State": "ENABLED",
                "Tags": b.tag_list(),
            },
            produces="source_rule_arn",
            output="RuleArn",
            teardown=ApiCall(
                "events",
                "DeleteRule",
                {"Name": b.rule_name("source"), "EventBusName": b.name("source")},
            ),
        )
    )
    b.permission("events.amazonaws.com", Ref("source_rule_arn"))
    b.rule_target("source", b.qualified_probe())


def endpoint(b: PlanBuilder) -> SourceEndpoint:
    return SourceEndpoint(b.name("source"))  # the bus


def send(api: Any, scenario: Scenario, to: SendTo, i: int, rid: str, body: str) -> None:
    out = api.put_events(
        Entries=[
            {
                "Source": "lambdaprobe",
                "DetailType": "lambdaprobe probe",
                "Detail": body,
                "EventBusName": to.name,
            }
        ]
    )
    if out.get("FailedEntryCount"):
        entry = out["Entries"][0]
        raise EntryRefused(str(entry.get("ErrorCode", "")), str(entry.get("ErrorMessage", "failed")))


class EntryRefused(AwsError):
    """PutEvents answered 200 and refused the entry (its ErrorCode says whether a resend may help)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"events.PutEvents: {code}: {message}".rstrip(": "))
        self.code = code


def per_request_s(scenario: Scenario, run: float) -> float:
    return async_per_request_s(scenario, run)


def missing(scenario: Scenario, seen: Seen) -> str | None:
    return async_missing(scenario, seen)


SOURCE = AwsSource(
    sends_with="events", sent_kind="message", receive_counts=False, send=send,
    policy=policy, resources=resources, wiring=wiring, endpoint=endpoint, per_request_s=per_request_s, missing=missing,
)
