"""Planning the event source the stimulus enters through: queues, topics, buses, streams, tables,
and how they are wired to the probe (mappings, permissions, subscriptions, rules). Pure; part of
the planner.
"""

from __future__ import annotations

import json
import math
from typing import Any

from lambdaprobe.aws.bundle import RELAY_HANDLER
from lambdaprobe.aws.plan_blocks import PROBE, PlannerBase
from lambdaprobe.aws.plan_records import ApiCall, Fmt, Json, Poll, Ref, Watch
from lambdaprobe.scenario import SqsSourceSpec, StreamSourceSpec


class SourcePlanner(PlannerBase):
    def qualified_probe(self) -> Any:
        q = self.s.called_qualifier
        return Ref(f"{PROBE}_arn") if q == "$LATEST" else Fmt("{" + PROBE + "_arn}:" + q)

    def sqs_spec(self) -> SqsSourceSpec:
        return self.s.source.sqs or SqsSourceSpec(fifo=self.s.source.kind == "sqs-fifo")

    def stream_spec(self) -> StreamSourceSpec:
        return self.s.source.stream or StreamSourceSpec()

    def source_resource(self) -> Any:
        """The resources the stimulus enters through that the function does not depend on."""
        kind = self.s.source.kind
        if kind in ("sqs", "sqs-fifo"):
            spec = self.sqs_spec()
            fifo = kind == "sqs-fifo" or spec.fifo
            attrs: dict[str, Any] = {
                "VisibilityTimeout": str(spec.visibility_timeout_s),
                "MessageRetentionPeriod": str(spec.retention_s),
            }
            if spec.max_receive_count is not None:
                self.queue("source-dlq", fifo=fifo)
                attrs["RedrivePolicy"] = Json(
                    {"deadLetterTargetArn": Ref("source-dlq_arn"), "maxReceiveCount": spec.max_receive_count}
                )
                label = f"sqs:{self.name('source-dlq')}"
                self.watches.append(Watch("source-dlq_url", "dead_letter", label, "sqs"))
            self.queue("source", fifo=fifo, attributes=attrs)
            return Ref("source_arn")
        if kind == "sns":
            self.topic("source")
            return Ref("source_arn")
        if kind == "eventbridge":
            self.bus("source")
            return None
        if kind in ("kinesis", "dynamodb"):
            return self.stream_resource(kind)
        return None

    def stream_resource(self, kind: str) -> Any:
        spec = self.stream_spec()
        if spec.on_failure == "sqs":
            self.queue("stream-failure")
            self.watches.append(
                Watch("stream-failure_url", "on_failure", f"sqs:{self.name('stream-failure')}", "sqs", False)
            )
        elif spec.on_failure == "sns":
            obs = self.observed_topic("stream-failure")
            self.watches.append(
                Watch(f"{obs}_url", "on_failure", f"sns:{self.name('stream-failure')}", "sns", False)
            )
        name = self.name("source")
        if kind == "kinesis":
            self.add(
                ApiCall(
                    "kinesis",
                    "CreateStream",
                    {
                        "StreamName": name,
                        "ShardCount": spec.shards,
                        "StreamModeDetails": {"StreamMode": "PROVISIONED"},
                    },
                    teardown=ApiCall(
                        "kinesis", "DeleteStream", {"StreamName": name, "EnforceConsumerDeletion": True}
                    ),
                    note=f"a provisioned Kinesis stream is billed per shard-hour ({spec.shards} shard(s))",
                )
            )
            self.add(
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
            self.add(ApiCall("kinesis", "AddTagsToStream", {"StreamName": name, "Tags": self.tag_dict()}))
            hours = math.ceil(spec.retention_s / 3600)
            if hours > 24:
                self.add(
                    ApiCall(
                        "kinesis",
                        "IncreaseStreamRetentionPeriod",
                        {"StreamName": name, "RetentionPeriodHours": hours},
                    )
                )
            return Ref("source_arn")
        self.add(
            ApiCall(
                "dynamodb",
                "CreateTable",
                {
                    "TableName": name,
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                    "BillingMode": "PAY_PER_REQUEST",
                    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                    "Tags": self.tag_list(),
                },
                produces="source_arn",
                output="TableDescription.LatestStreamArn",
                teardown=ApiCall("dynamodb", "DeleteTable", {"TableName": name}),
            )
        )
        self.add(
            ApiCall(
                "dynamodb",
                "DescribeTable",
                {"TableName": name},
                poll=Poll("Table.TableStatus", ("ACTIVE",), message="waiting for table ACTIVE"),
                mutating=False,
            )
        )
        return Ref("source_arn")

    def permission(self, principal: str, source_arn: Any) -> None:
        name, q = self.name(PROBE), self.s.called_qualifier
        params: dict[str, Any] = {
            "FunctionName": name,
            "StatementId": "lambdaprobe-source",
            "Action": "lambda:InvokeFunction",
            "Principal": principal,
            "SourceArn": source_arn,
        }
        remove: dict[str, Any] = {"FunctionName": name, "StatementId": "lambdaprobe-source"}
        if q != "$LATEST":
            params["Qualifier"] = q
            remove["Qualifier"] = q
        self.add(
            ApiCall("lambda", "AddPermission", params, teardown=ApiCall("lambda", "RemovePermission", remove))
        )

    def source_wiring(self, source_arn: Any) -> None:
        kind = self.s.source.kind
        if kind in ("sqs", "sqs-fifo", "kinesis", "dynamodb"):
            self.event_source_mapping(source_arn)
        elif kind == "sns":
            self.permission("sns.amazonaws.com", source_arn)
            self.subscribe("source", "lambda", self.qualified_probe(), "source")
        elif kind == "eventbridge":
            self.add(
                ApiCall(
                    "events",
                    "PutRule",
                    {
                        "Name": self.rule_name("source"),
                        "EventBusName": self.name("source"),
                        "EventPattern": json.dumps({"source": ["lambdaprobe"]}),
                        "State": "ENABLED",
                        "Tags": self.tag_list(),
                    },
                    produces="source_rule_arn",
                    output="RuleArn",
                    teardown=ApiCall(
                        "events",
                        "DeleteRule",
                        {"Name": self.rule_name("source"), "EventBusName": self.name("source")},
                    ),
                )
            )
            self.permission("events.amazonaws.com", Ref("source_rule_arn"))
            self.rule_target("source", self.qualified_probe())
        elif kind == "destination":
            # The probe is the on-success destination of an upstream function that always succeeds.
            self.function("upstream", RELAY_HANDLER, 10, {})
            self.add(
                ApiCall(
                    "lambda",
                    "PutFunctionEventInvokeConfig",
                    {
                        "FunctionName": self.name("upstream"),
                        "MaximumRetryAttempts": 0,
                        "DestinationConfig": {"OnSuccess": {"Destination": self.qualified_probe()}},
                    },
                )
            )

    def event_source_mapping(self, source_arn: Any) -> None:
        s = self.s
        q = s.called_qualifier
        params: dict[str, Any] = {
            "EventSourceArn": source_arn,
            "FunctionName": self.name(PROBE) if q == "$LATEST" else f"{self.name(PROBE)}:{q}",
            "Enabled": True,
            "Tags": self.tag_dict(),
        }
        if s.source.kind in ("sqs", "sqs-fifo"):
            spec = self.sqs_spec()
            params["BatchSize"] = spec.batch_size
            if s.source.kind == "sqs" and not spec.fifo and spec.batching_window_s:
                # FIFO mappings refuse a batching window
                params["MaximumBatchingWindowInSeconds"] = spec.batching_window_s
            if spec.report_batch_item_failures:
                params["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
            if spec.max_concurrency is not None:
                params["ScalingConfig"] = {"MaximumConcurrency": spec.max_concurrency}
        else:
            st = self.stream_spec()
            params.update(
                {
                    "StartingPosition": "TRIM_HORIZON",
                    "BatchSize": st.batch_size,
                    "MaximumRetryAttempts": st.max_retry_attempts,
                    "MaximumRecordAgeInSeconds": st.max_record_age_s,
                    "BisectBatchOnFunctionError": st.bisect,
                    "ParallelizationFactor": st.parallelization_factor,
                }
            )
            if st.batching_window_s:
                params["MaximumBatchingWindowInSeconds"] = st.batching_window_s
            if st.report_batch_item_failures:
                params["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
            if st.on_failure is not None:
                params["DestinationConfig"] = {"OnFailure": {"Destination": Ref("stream-failure_arn")}}
        self.add(
            ApiCall(
                "lambda",
                "CreateEventSourceMapping",
                params,
                produces="mapping_uuid",
                output="UUID",
                teardown=ApiCall("lambda", "DeleteEventSourceMapping", {"UUID": Ref("mapping_uuid")}),
            )
        )
        self.add(
            ApiCall(
                "lambda",
                "GetEventSourceMapping",
                {"UUID": Ref("mapping_uuid")},
                poll=Poll(
                    "State",
                    ("Enabled",),
                    ("Disabled",),
                    message="waiting for the event source mapping Enabled",
                ),
                mutating=False,
            )
        )
