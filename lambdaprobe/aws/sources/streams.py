"""A Kinesis stream or a DynamoDB table's stream, read by an event source mapping, on AWS.

A failing batch blocks its shard and is retried until it succeeds, runs out of retries or ages
out; then an on-failure destination gets a record that points at the batch, never its data
(https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html,
https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html).
"""

from __future__ import annotations

import json
import math
from typing import Any

from lambdaprobe.aws.observe.expectations import (
    POLLER_SLACK_S,
    STREAM_BACKOFF_GUESS_S,
    UNBOUNDED,
    Seen,
    expected_attempts,
)
from lambdaprobe.aws.plan.blocks import PlanBuilder
from lambdaprobe.aws.plan.records import ApiCall, Poll, Ref, SendTo, SourceEndpoint, Watch
from lambdaprobe.aws.sources.base import AwsSource
from lambdaprobe.scenario import Scenario, StreamSourceSpec


def stream_spec(scenario: Scenario) -> StreamSourceSpec:
    return scenario.source.stream or StreamSourceSpec()


def policy(b: PlanBuilder) -> list[dict[str, Any]]:
    mine = f"lambdaprobe-{b.o.run_id}-*"
    statements: list[dict[str, Any]] = []
    kind = b.s.source.kind
    if kind == "kinesis":
        statements.append(
            {
                "Effect": "Allow",
                "Action": [
                    "kinesis:DescribeStream",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:ListShards",
                    "kinesis:SubscribeToShard",
                ],
                "Resource": [b.pattern("kinesis", f"stream/{mine}")],
            }
        )
    if kind == "dynamodb":
        statements.append(
            {
                "Effect": "Allow",
                "Action": [
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                ],
                "Resource": [b.pattern("dynamodb", f"table/{mine}/stream/*")],
            }
        )
        # ListStreams takes no resource: the mapping's role check needs it account-wide
        statements.append({"Effect": "Allow", "Action": ["dynamodb:ListStreams"], "Resource": ["*"]})
    return statements


def resources(b: PlanBuilder) -> Any:
    kind = b.s.source.kind
    spec = stream_spec(b.s)
    if spec.on_failure == "sqs":
        b.queue("stream-failure")
        b.watches.append(
            Watch("stream-failure_url", "on_failure", f"sqs:{b.name('stream-failure')}", "sqs", False)
        )
    elif spec.on_failure == "sns":
        obs = b.observed_topic("stream-failure")
        b.watches.append(
            Watch(f"{obs}_url", "on_failure", f"sns:{b.name('stream-failure')}", "sns", False)
        )
    name = b.name("source")
    if kind == "kinesis":
        b.add(
            ApiCall(
                "kinesis",
                "CreateStream",
                {
                    "StreamName": name,
                    "ShardCount": spec.shards,
                    "StreamModeDetails": {"StreamMode": "PROVISIONED"},
                    # tagged at creation: an interrupt before ACTIVE must not leave it untagged
                    "Tags": b.tag_dict(),
                },
                teardown=ApiCall(
                    "kinesis", "DeleteStream", {"StreamName": name, "EnforceConsumerDeletion": True}
                ),
                note=f"a provisioned Kinesis stream is billed per shard-hour ({spec.shards} shard(s))",
            )
        )
        b.add(
            ApiCall(
                "kinesis",
                "DescribeStreamSummary",
                {"StreamName": name},
                produces="source_arn",
                output="StreamDescriptionSummary.StreamARN",
                poll=Poll(
                    "StreamDescriptionSummary.StreamStatus",
                    ("ACTIVE",),
                    message="waiting for stream ACTIVE",
                ),
                mutating=False,
            )
        )
        # again once ACTIVE, for endpoints that ignore CreateStream's Tags (moto does)
        b.add(ApiCall("kinesis", "AddTagsToStream", {"StreamName": name, "Tags": b.tag_dict()}))
        hours = math.ceil(spec.retention_s / 3600)
        if hours > 24:
            b.add(
                ApiCall(
                    "kinesis",
                    "IncreaseStreamRetentionPeriod",
                    {"StreamName": name, "RetentionPeriodHours": hours},
                )
            )
        return Ref("source_arn")
    b.add(
        ApiCall(
            "dynamodb",
            "CreateTable",
            {
                "TableName": name,
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                "Tags": b.tag_list(),
            },
            produces="source_arn",
            output="TableDescription.LatestStreamArn",
            teardown=ApiCall("dynamodb", "DeleteTable", {"TableName": name}),
        )
    )
    b.add(
        ApiCall(
            "dynamodb",
            "DescribeTable",
            {"TableName": name},
            poll=Poll("Table.TableStatus", ("ACTIVE",), message="waiting for table ACTIVE"),
            mutating=False,
        )
    )
    return Ref("source_arn")


def wiring(b: PlanBuilder, source_arn: Any) -> None:
    st = stream_spec(b.s)
    settings: dict[str, Any] = {
        "StartingPosition": "TRIM_HORIZON",
        "BatchSize": st.batch_size,
        "MaximumRetryAttempts": st.max_retry_attempts,
        "MaximumRecordAgeInSeconds": st.max_record_age_s,
        "BisectBatchOnFunctionError": st.bisect,
        "ParallelizationFactor": st.parallelization_factor,
    }
    if st.batching_window_s:
        settings["MaximumBatchingWindowInSeconds"] = st.batching_window_s  # [stream.batching-window]
    if st.report_batch_item_failures:
        settings["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
    if st.on_failure is not None:
        settings["DestinationConfig"] = {"OnFailure": {"Destination": Ref("stream-failure_arn")}}
    b.event_source_mapping(source_arn, settings)


def endpoint(b: PlanBuilder) -> SourceEndpoint:
    return SourceEndpoint(b.name("source"), arn=Ref("source_arn"))  # the stream, or the table


def send_kinesis(api: Any, scenario: Scenario, to: SendTo, i: int, rid: str, body: str) -> None:
    api.put_record(StreamName=to.name, Data=body.encode(), PartitionKey=rid)


def send_dynamodb(api: Any, scenario: Scenario, to: SendTo, i: int, rid: str, body: str) -> None:
    directive = json.loads(body)["lambdaprobe"]  # the request's own (--fail may give it one)
    api.put_item(TableName=to.name, Item={"id": {"S": rid}, "lambdaprobe": {"S": json.dumps(directive)}})


def per_request_s(scenario: Scenario, run: float) -> float:
    """Each retry of a blocked batch, with a guessed backoff, unless the record ages out first."""
    st = scenario.source.stream
    retries = st.max_retry_attempts if st and st.max_retry_attempts >= 0 else 5
    per_request = (retries + 1) * (run + STREAM_BACKOFF_GUESS_S) + POLLER_SLACK_S
    if st and st.max_record_age_s > 0:
        per_request = min(per_request, st.max_record_age_s + run + POLLER_SLACK_S)
    return per_request + (st.batching_window_s if st else 0)  # a batch may wait that long for more records


def missing(scenario: Scenario, seen: Seen) -> str | None:
    st = scenario.source.stream
    if seen.succeeded:
        return None
    limit = st.max_retry_attempts if st else -1
    if limit < 0 and expected_attempts(scenario, 100) is None and not (st and st.max_record_age_s > 0):
        return UNBOUNDED  # unlimited retries and a directive that always fails: the shard stays blocked
    if limit >= 0 and seen.failed >= limit + 1 and (not (st and st.on_failure) or seen.stream_failures > 0):
        return None
    return f"{seen.request_id}: {len(seen.attempts)} attempts seen, not yet succeeded or discarded"


KINESIS = AwsSource(
    sends_with="kinesis", sent_kind="record", receive_counts=False, send=send_kinesis,
    policy=policy, resources=resources, wiring=wiring, endpoint=endpoint, per_request_s=per_request_s, missing=missing,
)
DYNAMODB = AwsSource(
    sends_with="dynamodb", sent_kind="record", receive_counts=False, send=send_dynamodb,
    policy=policy, resources=resources, wiring=wiring, endpoint=endpoint, per_request_s=per_request_s, missing=missing,
)
