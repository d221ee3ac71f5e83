"""An SQS queue read by an event source mapping (standard or FIFO), on AWS.

The queue's visibility timeout is the retry clock; its redrive policy, not the function's DLQ,
decides where a message ends (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html). A FIFO
queue delivers each message group in order, and a failing message blocks its group.
"""

from __future__ import annotations

from typing import Any

from lambdaprobe.aws.observe.expectations import POLLER_SLACK_S, UNBOUNDED, Seen, expected_attempts
from lambdaprobe.aws.plan.blocks import PlanBuilder
from lambdaprobe.aws.plan.records import Json, Ref, SendTo, SourceEndpoint, Watch
from lambdaprobe.aws.sources.base import AwsSource
from lambdaprobe.scenario import Scenario, SqsSourceSpec


def spec(scenario: Scenario) -> SqsSourceSpec:
    return scenario.source.sqs or SqsSourceSpec()


def policy(b: PlanBuilder) -> list[dict[str, Any]]:
    mine = f"lambdaprobe-{b.o.run_id}-*"
    return [
        {
            "Effect": "Allow",
            "Action": [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ChangeMessageVisibility",
            ],
            "Resource": [b.pattern("sqs", mine)],
        }
    ]


def resources(b: PlanBuilder) -> Any:
    s = spec(b.s)
    fifo = b.s.source.fifo
    attrs: dict[str, Any] = {
        "VisibilityTimeout": str(s.visibility_timeout_s),
        "MessageRetentionPeriod": str(s.retention_s),
    }
    if s.max_receive_count is not None:
        b.queue("source-dlq", fifo=fifo)
        attrs["RedrivePolicy"] = Json(
            {"deadLetterTargetArn": Ref("source-dlq_arn"), "maxReceiveCount": s.max_receive_count}
        )
        label = f"sqs:{b.name('source-dlq')}"
        b.watches.append(Watch("source-dlq_url", "dead_letter", label, "sqs"))
    b.queue("source", fifo=fifo, attributes=attrs)
    return Ref("source_arn")


def wiring(b: PlanBuilder, source_arn: Any) -> None:
    s = spec(b.s)
    settings: dict[str, Any] = {"BatchSize": s.batch_size}
    if not b.s.source.fifo and s.batching_window_s:
        # FIFO mappings refuse a batching window
        settings["MaximumBatchingWindowInSeconds"] = s.batching_window_s
    if s.report_batch_item_failures:
        settings["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
    if s.max_concurrency is not None:
        settings["ScalingConfig"] = {"MaximumConcurrency": s.max_concurrency}
    b.event_source_mapping(source_arn, settings)


def endpoint(b: PlanBuilder) -> SourceEndpoint:
    return SourceEndpoint(b.name("source"), url=Ref("source_url"), arn=Ref("source_arn"))


def send(api: Any, scenario: Scenario, to: SendTo, i: int, rid: str, body: str) -> None:
    params: dict[str, Any] = {"QueueUrl": to.url, "MessageBody": body}
    if scenario.source.fifo:
        groups = max(1, spec(scenario).message_groups)
        params.update({"MessageGroupId": f"g{i % groups}", "MessageDeduplicationId": rid})
    api.send_message(**params)


def per_request_s(scenario: Scenario, run: float) -> float:
    """Each receive waits out the visibility timeout after its run, up to the redrive's count."""
    s = scenario.source.sqs
    visibility = s.visibility_timeout_s if s else 30
    receives = s.max_receive_count if s and s.max_receive_count else 5
    batching = s.batching_window_s if s else 0
    return receives * (visibility + run) + batching + POLLER_SLACK_S


def missing(scenario: Scenario, seen: Seen) -> str | None:
    if seen.succeeded or seen.dead_lettered:
        return None
    s = scenario.source.sqs
    if (s is None or s.max_receive_count is None) and expected_attempts(scenario, 100) is None:
        return UNBOUNDED  # no redrive and a directive that always fails: it comes back until retention
    return f"{seen.request_id}: {len(seen.attempts)} receives seen, neither success nor source DLQ yet"


SOURCE = AwsSource(
    sends_with="sqs", sent_kind="message", receive_counts=True, send=send,
    policy=policy, resources=resources, wiring=wiring, endpoint=endpoint, per_request_s=per_request_s, missing=missing,
)
