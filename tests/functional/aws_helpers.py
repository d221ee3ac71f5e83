"""Helpers for the moto-backed AWS tests: scenarios per source kind, and an inventory of a run."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3

from lambdaprobe.function.directive import Directive
from lambdaprobe.scenario import (
    SOURCE_KINDS,
    AsyncConfig,
    ConcurrencySpec,
    FunctionSpec,
    Scenario,
    SourceSpec,
    SqsSourceSpec,
    Stimulus,
    StreamSourceSpec,
)

KINDS = list(SOURCE_KINDS)
# Each kind with a different DLQ/destination mix, so every resource shape is deployed somewhere.
ASYNC_CONFIGS = {
    "sync": AsyncConfig(),
    "async": AsyncConfig(max_retry_attempts=1, dlq="sns", on_success="eventbridge", on_failure="lambda"),
    "sqs": AsyncConfig(),
    "sqs-fifo": AsyncConfig(),
    "sns": AsyncConfig(dlq="sqs", on_failure="sns"),
    "eventbridge": AsyncConfig(on_success="sqs", on_failure="eventbridge"),
    "kinesis": AsyncConfig(),
    "dynamodb": AsyncConfig(),
    "destination": AsyncConfig(on_success="lambda", on_failure="sqs"),
}


def scenario(kind: str, count: int = 1, **kw: Any) -> Scenario:
    sqs = SqsSourceSpec(max_receive_count=3) if kind.startswith("sqs") else None
    stream = None
    if kind == "kinesis":
        stream = StreamSourceSpec(on_failure="sqs", max_retry_attempts=1)
    elif kind == "dynamodb":
        stream = StreamSourceSpec(on_failure="sns", bisect=True)
    return Scenario(
        probe="retry",
        function=FunctionSpec(timeout_s=3, directive=Directive(duration_s=0.1, fail=kw.pop("fail", "never"))),
        stimulus=Stimulus(
            count=count, interval_s=0.05, mode=kw.pop("mode", "async" if kind == "async" else "sync")
        ),
        source=SourceSpec(kind=kind, sqs=sqs, stream=stream),  # type: ignore[arg-type]
        concurrency=kw.pop("concurrency", ConcurrencySpec(reserved=5)),
        async_config=kw.pop("async_config", ASYNC_CONFIGS[kind]),
    )


@cache
def clients(endpoint: str) -> dict[str, Any]:
    session = boto3.Session(region_name="us-east-1")
    return {
        s: session.client(s, endpoint_url=endpoint)
        for s in ("lambda", "iam", "sqs", "sns", "events", "kinesis", "dynamodb", "logs")
    }


def inventory(endpoint: str, needle: str) -> dict[str, list[str]]:
    """Every resource of any kind whose name or ARN contains `needle` (a run id)."""
    c = clients(endpoint)
    found: dict[str, list[str]] = {}
    found["functions"] = [f["FunctionName"] for f in c["lambda"].list_functions()["Functions"]]
    found["mappings"] = [
        m["FunctionArn"] for m in c["lambda"].list_event_source_mappings()["EventSourceMappings"]
    ]
    found["roles"] = [r["RoleName"] for r in c["iam"].list_roles()["Roles"]]
    found["queues"] = c["sqs"].list_queues().get("QueueUrls", [])
    found["topics"] = [t["TopicArn"] for t in c["sns"].list_topics()["Topics"]]
    found["subscriptions"] = [s["TopicArn"] for s in c["sns"].list_subscriptions()["Subscriptions"]]
    buses = [b["Name"] for b in c["events"].list_event_buses()["EventBuses"]]
    found["buses"] = buses
    found["rules"] = [r["Name"] for b in buses for r in c["events"].list_rules(EventBusName=b)["Rules"]]
    found["streams"] = c["kinesis"].list_streams()["StreamNames"]
    found["tables"] = c["dynamodb"].list_tables()["TableNames"]
    found["log groups"] = [g["logGroupName"] for g in c["logs"].describe_log_groups()["logGroups"]]
    result = {
        kind: [n for n in names if needle in n]
        for kind, names in found.items()
        if any(needle in n for n in names)
    }
    # the AWS-only probes' resources: VPC, EFS, KMS, signer
    from tests.functional.feature_inventory import feature_inventory

    result.update(feature_inventory(endpoint, needle))
    return result
