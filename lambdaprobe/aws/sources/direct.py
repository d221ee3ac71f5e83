"""A direct invoke (`sync` and `async`): no source in between, the driver calls the function itself.

A sync call is retried by the caller's SDK; an async one (InvocationType Event) by Lambda's async
retry policy (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html).
"""

from __future__ import annotations

from typing import Any

from lambdaprobe.aws.observe.expectations import (
    Seen,
    async_missing,
    async_per_request_s,
    direct_missing,
    direct_per_request_s,
)
from lambdaprobe.aws.plan.blocks import PlanBuilder
from lambdaprobe.aws.plan.records import SourceEndpoint
from lambdaprobe.aws.sources.base import AwsSource
from lambdaprobe.scenario import Scenario


def policy(b: PlanBuilder) -> list[dict[str, Any]]:
    return []


def resources(b: PlanBuilder) -> Any:
    return None


def wiring(b: PlanBuilder, source_arn: Any) -> None:
    return None


def endpoint(b: PlanBuilder) -> SourceEndpoint | None:
    return None



def per_request_s(scenario: Scenario, run: float) -> float:
    return async_per_request_s(scenario, run) if scenario.is_async else direct_per_request_s(scenario, run)


def missing(scenario: Scenario, seen: Seen) -> str | None:
    return async_missing(scenario, seen) if scenario.is_async else direct_missing(scenario, seen)


# the driver invokes the function itself (its caller: the SDK, or API Gateway)
SOURCE = AwsSource(
    sends_with=None, sent_kind="invoke", receive_counts=False, send=None,
    policy=policy, resources=resources, wiring=wiring, endpoint=endpoint, per_request_s=per_request_s, missing=missing,
)
