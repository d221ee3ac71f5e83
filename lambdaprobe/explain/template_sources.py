"""What invokes a template's function: SAM events, event source mappings with their queues and streams, and
the callers that resource policies, subscriptions, rules and notifications show."""

from __future__ import annotations

import json
from typing import Any

from lambdaprobe.errors import InputError
from lambdaprobe.explain.model import (
    ASYNC_PRINCIPALS,
    DEFAULT_RETENTION_S,
    DEFAULT_STREAM_RETENTION_S,
    DEFAULT_VISIBILITY_TIMEOUT_S,
    SYNC_PRINCIPALS,
    Destination,
    Location,
    Queue,
    SqsMapping,
    StreamMapping,
    Trigger,
)
from lambdaprobe.explain.template_refs import Refs, at
from lambdaprobe.explain.template_values import ABSENT, Resolver, ResourceRef, as_bool, as_int

# SAM event types that invoke the function asynchronously, and those that invoke it synchronously
ASYNC_EVENTS = (
    "SNS",
    "S3",
    "EventBridgeRule",
    "CloudWatchEvent",
    "Schedule",
    "ScheduleV2",
    "CloudWatchLogs",
    "IoTRule",
)
SYNC_EVENTS = ("Api", "HttpApi", "Cognito", "AlexaSkill")


class Sources:
    def __init__(self, resolver: Resolver, refs: Refs) -> None:
        self.r = resolver
        self.refs = refs

    def events(
        self, fid: str, props: dict[str, Any]
    ) -> tuple[tuple[SqsMapping, ...], tuple[StreamMapping, ...], list[Trigger]]:
        sqs: list[SqsMapping] = []
        streams: list[StreamMapping] = []
        triggers: list[Trigger] = []
        events = props.get("Events")
        if not isinstance(events, dict):
            return (), (), []
        for name, event in events.items():
            if not isinstance(event, dict):
                continue
            etype = str(event.get("Type", ""))
            where = self.r.location(fid, events, name)
            path = ("Events", str(name), "Properties")
            if etype == "SQS":
                sqs.append(self.sqs_mapping(fid, props, path, "Queue", where))
            elif etype in ("Kinesis", "DynamoDB"):
                streams.append(self.stream_mapping(fid, props, path, "Stream", where, etype.lower()))
            elif etype in ASYNC_EVENTS:
                triggers.append(Trigger("async", f"{etype} event {name}", where))
            elif etype in SYNC_EVENTS:
                triggers.append(Trigger("sync", f"{etype} event {name}", where))
        return tuple(sqs), tuple(streams), triggers

    def mappings(self, fid: str) -> list[SqsMapping | StreamMapping]:
        found: list[SqsMapping | StreamMapping] = []
        for rid in self.r.resources:
            rprops = self.r.props(rid)
            if self.r.type_of(rid) != "AWS::Lambda::EventSourceMapping" or not self.refs.is_for(fid, rprops, rid):
                continue
            source = self.r.get(rid, rprops, "EventSourceArn", default=None)
            kind = self.refs.source_kind(source)
            where = self.r.location(rid)
            if kind == "sqs":
                found.append(self.sqs_mapping(rid, rprops, (), "EventSourceArn", where))
            elif kind in ("kinesis", "dynamodb"):
                found.append(self.stream_mapping(rid, rprops, (), "EventSourceArn", where, kind))
        return found

    def callers(self, fid: str) -> list[Trigger]:
        found: list[Trigger] = []
        for rid in self.r.resources:
            rtype, rprops = self.r.type_of(rid), self.r.props(rid)
            where = self.r.location(rid)
            if rtype == "AWS::Lambda::Permission" and self.refs.is_for(fid, rprops, rid):
                principal = str(self.r.get(rid, rprops, "Principal", default="") or "")
                if principal in ASYNC_PRINCIPALS:
                    found.append(Trigger("async", f"{principal} (permission {rid})", where))
                elif principal in SYNC_PRINCIPALS:
                    found.append(Trigger("sync", f"{principal} (permission {rid})", where))
            elif rtype == "AWS::Lambda::Url" and self.refs.is_for(fid, rprops, rid, key="TargetFunctionArn"):
                found.append(Trigger("sync", f"function URL {rid}", where))
            elif rtype == "AWS::SNS::Subscription" and str(rprops.get("Protocol", "")).lower() == "lambda":
                if self.refs.refers(fid, self.r.get(rid, rprops, "Endpoint", default=None)):
                    found.append(Trigger("async", f"SNS subscription {rid}", where))
            elif rtype == "AWS::SNS::Topic":
                for i, sub in enumerate(rprops.get("Subscription") or []):
                    lambda_sub = isinstance(sub, dict) and str(sub.get("Protocol", "")).lower() == "lambda"
                    if lambda_sub and self.refs.refers(fid, self.refs.quiet(sub.get("Endpoint"))):
                        found.append(Trigger("async", f"SNS topic {rid} subscription {i + 1}", where))
            elif rtype == "AWS::Events::Rule":
                for target in rprops.get("Targets") or []:
                    if isinstance(target, dict) and self.refs.refers(fid, self.refs.quiet(target.get("Arn"))):
                        found.append(Trigger("async", f"EventBridge rule {rid}", where))
            elif rtype == "AWS::S3::Bucket":
                notifications = rprops.get("NotificationConfiguration")
                configs = notifications.get("LambdaConfigurations") if isinstance(notifications, dict) else None
                for config in configs if isinstance(configs, list) else []:
                    if isinstance(config, dict) and self.refs.refers(fid, self.refs.quiet(config.get("Function"))):
                        found.append(Trigger("async", f"S3 bucket {rid} notification", where))
            elif rtype == "AWS::Scheduler::Schedule":
                target = rprops.get("Target")
                if isinstance(target, dict) and self.refs.refers(fid, self.refs.quiet(target.get("Arn"))):
                    found.append(Trigger("async", f"EventBridge Scheduler schedule {rid}", where))
        return found

    def sqs_mapping(
        self, rid: str, props: dict[str, Any], path: tuple[str, ...], key: str, where: Location
    ) -> SqsMapping:
        r = self.r
        source = r.get(rid, props, *path, key, default=None)
        types = r.get(rid, props, *path, "FunctionResponseTypes", default=[]) or []
        scaling = (*path, "ScalingConfig", "MaximumConcurrency")
        return SqsMapping(
            queue=self.queue(source, where),
            location=where,
            batch_size=r.number(rid, props, *path, "BatchSize", default=10),
            batching_window_s=r.number(rid, props, *path, "MaximumBatchingWindowInSeconds", default=0),
            max_concurrency=r.number(rid, props, *scaling, default=None),
            max_concurrency_location=r.location(rid, at(props, (*path, "ScalingConfig")), "MaximumConcurrency")
            if at(props, scaling) is not None
            else None,
            report_batch_item_failures="ReportBatchItemFailures"
            in [str(t) for t in types if not isinstance(t, ResourceRef)],
        )

    def queue(self, source: Any, where: Location) -> Queue:
        r = self.r
        if isinstance(source, ResourceRef) and r.type_of(source.logical_id) == "AWS::SQS::Queue":
            qid = source.logical_id
            props = r.props(qid)
            redrive: Any = r.get(qid, props, "RedrivePolicy", default=ABSENT)
            if isinstance(redrive, str):  # CloudFormation also takes the policy as a JSON string
                try:
                    redrive = json.loads(redrive)
                    props = {**props, "RedrivePolicy": redrive}  # the key object, with its line, is kept
                except ValueError:
                    key = f"{qid}.RedrivePolicy"
                    r.note(key, f"{key}: not JSON", r.location(qid, props, "RedrivePolicy"))
                    redrive = None
            # None: present but unresolved; a mapping: a policy; ABSENT (or AWS::NoValue): none
            has_redrive: bool | None = None if redrive is None else isinstance(redrive, dict)
            present = has_redrive is True
            return Queue(
                name=qid,
                location=r.location(qid),
                fifo=as_bool(r.get(qid, props, "FifoQueue", default=False)),
                visibility_timeout_s=r.number(qid, props, "VisibilityTimeout", default=DEFAULT_VISIBILITY_TIMEOUT_S),
                visibility_location=r.location(qid, props, "VisibilityTimeout"),
                retention_s=r.number(qid, props, "MessageRetentionPeriod", default=DEFAULT_RETENTION_S),
                has_redrive=has_redrive,
                max_receive_count=r.number(qid, props, "RedrivePolicy", "maxReceiveCount", default=None)
                if present
                else None,
                dead_letter_target=self.refs.name(
                    r.get(qid, props, "RedrivePolicy", "deadLetterTargetArn", default=None)
                )
                if present
                else None,
                redrive_location=r.location(qid, props, "RedrivePolicy") if present else r.location(qid),
            )
        # A queue outside the template: its attributes come from --param NAME.VisibilityTimeout etc.
        name = self.refs.name(source) or "queue"
        name = name.rsplit(":", 1)[-1]
        visibility = self.external(name, "VisibilityTimeout", where, "its visibility timeout")
        receives = self.external(name, "maxReceiveCount", where, "its redrive policy's maxReceiveCount (0: no redrive)")
        retention = self.external(name, "MessageRetentionPeriod", where, None)
        return Queue(
            name=name,
            location=where,
            fifo=name.endswith(".fifo"),
            visibility_timeout_s=visibility,
            visibility_location=where,
            retention_s=retention if retention is not None else DEFAULT_RETENTION_S,
            has_redrive=None if receives is None else receives > 0,
            max_receive_count=receives or None,
            redrive_location=where,
        )

    def external(self, name: str, attribute: str, where: Location, what: str | None) -> int | None:
        key = f"{name}.{attribute}"
        if key in self.r.params:
            self.r.used_params.add(key)
            value = as_int(self.r.params[key])
            if value is None:
                raise InputError("--param", f"{key}={self.r.params[key]!r}: allowed: a whole number")
            return value
        if what is not None:
            self.r.note(key, f"queue {name} is not in the template: {what} is unknown", where)
        return None

    def stream_mapping(
        self, rid: str, props: dict[str, Any], path: tuple[str, ...], key: str, where: Location, kind: str
    ) -> StreamMapping:
        r = self.r
        source = r.get(rid, props, *path, key, default=None)
        failure_path = (*path, "DestinationConfig", "OnFailure")
        on_failure = None
        if isinstance(at(props, failure_path), dict):
            target = r.get(rid, props, *failure_path, "Destination", default=None)
            declared = str(r.get(rid, props, *failure_path, "Type", default="") or "").lower()
            on_failure = Destination(
                self.refs.kind(target, declared),
                self.refs.name(target),
                r.location(rid, at(props, failure_path[:-1]), "OnFailure"),
            )
        types = r.get(rid, props, *path, "FunctionResponseTypes", default=[]) or []
        retention = DEFAULT_STREAM_RETENTION_S
        if (
            kind == "kinesis"
            and isinstance(source, ResourceRef)
            and r.type_of(source.logical_id) == "AWS::Kinesis::Stream"
        ):
            sid = source.logical_id
            hours = r.number(sid, r.props(sid), "RetentionPeriodHours", default=24)
            retention = hours * 3600 if hours is not None else DEFAULT_STREAM_RETENTION_S
        return StreamMapping(
            kind="kinesis" if kind == "kinesis" else "dynamodb",
            source=self.refs.name(source) or "stream",
            location=where,
            batch_size=r.number(rid, props, *path, "BatchSize", default=100),
            max_retry_attempts=r.number(rid, props, *path, "MaximumRetryAttempts", default=-1),
            max_record_age_s=r.number(rid, props, *path, "MaximumRecordAgeInSeconds", default=-1),
            bisect=as_bool(r.get(rid, props, *path, "BisectBatchOnFunctionError", default=False)),
            on_failure=on_failure,
            parallelization_factor=r.number(rid, props, *path, "ParallelizationFactor", default=1),
            report_batch_item_failures="ReportBatchItemFailures"
            in [str(t) for t in types if not isinstance(t, ResourceRef)],
            retention_s=retention,
        )
