"""Reads an AWS SAM or CloudFormation template (YAML or JSON, short-form tags) into a Configuration.

The template is decoded by cfn-lint's decoder (the `explain` extra): it understands `!Ref`, `!GetAtt`,
`!Sub` and the other short forms, reads JSON and YAML alike, and keeps each key's line for the
findings' locations.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lambdaprobe.errors import InputError, NotAvailableError
from lambdaprobe.explain.model import (
    DEFAULT_ACCOUNT_LIMIT,
    DEFAULT_EVENT_AGE_S,
    DEFAULT_RETENTION_S,
    DEFAULT_STREAM_RETENTION_S,
    DEFAULT_TIMEOUT_S,
    DEFAULT_VISIBILITY_TIMEOUT_S,
    Account,
    AsyncSettings,
    Configuration,
    Destination,
    DestinationKind,
    FunctionConfig,
    Location,
    Provisioned,
    Queue,
    SqsMapping,
    StreamMapping,
    Trigger,
)
from lambdaprobe.explain.template_values import MISSING, Resolver, ResourceRef, as_bool, as_int

# a redrive policy the template computes at deploy time (or a JSON string that does not parse)
INTRINSIC_REDRIVE = ("Ref", "Fn::If", "Fn::Sub", "Fn::Join", "Fn::ImportValue", "Fn::FindInMap", "Fn::Unparsed")
EXTRA_HINT = "explain --template needs the template reader: pip install 'lambdaprobe[explain]'"
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
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
# Service principals of a resource-based policy statement that invoke asynchronously or synchronously
ASYNC_PRINCIPALS = (
    "sns.amazonaws.com",
    "events.amazonaws.com",
    "s3.amazonaws.com",
    "logs.amazonaws.com",
    "iot.amazonaws.com",
    "ses.amazonaws.com",
    "scheduler.amazonaws.com",
)
SYNC_PRINCIPALS = ("apigateway.amazonaws.com", "elasticloadbalancing.amazonaws.com", "cognito-idp.amazonaws.com")
DESTINATION_TYPES: dict[str, DestinationKind] = {
    "AWS::SQS::Queue": "sqs",
    "AWS::SNS::Topic": "sns",
    "AWS::Lambda::Function": "lambda",
    "AWS::Serverless::Function": "lambda",
    "AWS::Events::EventBus": "eventbridge",
    "AWS::S3::Bucket": "s3",
}
ARN_KINDS: dict[str, DestinationKind] = {
    "sqs": "sqs",
    "sns": "sns",
    "lambda": "lambda",
    "events": "eventbridge",
    "s3": "s3",
}


def decode(path: str) -> dict[str, Any]:
    """The template as data, with line marks; InputError when it is not a template."""
    try:
        from cfnlint.decode import decode_str
    except ImportError as err:
        raise NotAvailableError(EXTRA_HINT) from err
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError("--template", f"{path}: cannot read it ({err})") from err
    template, problems = decode_str(text)
    if template is None or not isinstance(template, dict):
        first = str(problems[0].message) if problems else "not a mapping"
        raise InputError("--template", f"{path}: not a YAML or JSON template ({' '.join(first.split())})")
    if not isinstance(template.get("Resources"), dict):
        raise InputError("--template", f"{path}: no Resources section; allowed: an AWS SAM or CloudFormation template")
    return template


def read(
    path: str, function: str | None, params: dict[str, str], account_limit: int = DEFAULT_ACCOUNT_LIMIT
) -> Configuration:
    """The functions of the template (or the one named), each with what invokes it and its limits."""
    template = decode(path)
    resolver = Resolver(template, params, path)
    reader = _Reader(resolver, template)
    ids = [i for i in resolver.resources if resolver.type_of(i) in FUNCTION_TYPES]
    if not ids:
        raise InputError("--template", f"{path}: no AWS::Lambda::Function or AWS::Serverless::Function to explain")
    if function is not None:
        if function not in ids:
            allowed = ", ".join(ids) or "none in this template"
            raise InputError("--function", f"{function!r} is not a function of {path}; allowed: {allowed}")
        ids = [function]
    functions = tuple(reader.function(i) for i in ids)
    all_reserved = {i: reader.reserved(i) for i in resolver.resources if resolver.type_of(i) in FUNCTION_TYPES}
    unknown = sorted(set(params) - resolver.used_params)
    if unknown:
        raise InputError(
            "--param", f"{unknown[0]} is not used by {path}; allowed: a parameter name or LogicalId.Property"
        )
    return Configuration(
        source="template",
        origin=path,
        functions=functions,
        account=Account(limit=account_limit, reserved_by=tuple((k, v) for k, v in all_reserved.items() if v)),
        unresolved=tuple(resolver.unresolved),
    )


class _Reader:
    def __init__(self, resolver: Resolver, template: dict[str, Any]) -> None:
        self.r = resolver
        globals_ = template.get("Globals") or {}
        self.globals: dict[str, Any] = dict(globals_.get("Function") or {}) if isinstance(globals_, dict) else {}

    # -- the function itself ---------------------------------------------------------------------

    def props(self, logical_id: str) -> dict[str, Any]:
        own = self.r.props(logical_id)
        if self.r.type_of(logical_id) == "AWS::Serverless::Function" and self.globals:
            return {**self.globals, **own}
        return own

    def reserved(self, logical_id: str) -> int | None:
        return as_int(self.r.get(logical_id, self.props(logical_id), "ReservedConcurrentExecutions", default=None))

    def function(self, fid: str) -> FunctionConfig:
        r, props = self.r, self.props(fid)
        sam = r.type_of(fid) == "AWS::Serverless::Function"
        present = "ReservedConcurrentExecutions" in props
        reserved = r.number(fid, props, "ReservedConcurrentExecutions", default=None)
        sqs, streams, triggers = self._events(fid, props) if sam else ((), (), [])
        for mapping in self._mappings(fid):
            if isinstance(mapping, SqsMapping):
                sqs = (*sqs, mapping)
            else:
                streams = (*streams, mapping)
        triggers = [*triggers, *self._callers(fid)]
        if sam and isinstance(props.get("FunctionUrlConfig"), dict):
            triggers.append(Trigger("sync", "function URL", r.location(fid, props, "FunctionUrlConfig")))
        alias = r.get(fid, props, "AutoPublishAlias", default=None) if sam else None
        return FunctionConfig(
            name=fid,
            location=r.location(fid),
            qualifier=str(alias) if isinstance(alias, str) else None,  # SAM's triggers call the alias
            timeout_s=r.number(fid, props, "Timeout", default=DEFAULT_TIMEOUT_S),
            reserved=reserved,
            reserved_location=r.location(fid, props, "ReservedConcurrentExecutions") if present else None,
            reserved_unresolved=present and reserved is None,
            provisioned=self._provisioned(fid, props, sam),
            dlq=self._dlq(fid, props, sam),
            async_settings=self._async(fid, props, sam),
            sqs=sqs,
            streams=streams,
            triggers=tuple(triggers),
        )

    def _dlq(self, fid: str, props: dict[str, Any], sam: bool) -> Destination | None:
        key = "DeadLetterQueue" if sam and "DeadLetterQueue" in props else "DeadLetterConfig"
        if not isinstance(props.get(key), dict):
            return None
        target = self.r.get(fid, props, key, "TargetArn", default=None)
        declared = str(self.r.get(fid, props, key, "Type", default="") or "").lower()
        kind = self._kind(target, declared)
        return Destination(kind, self._name(target), self.r.location(fid, props, key))

    def _provisioned(self, fid: str, props: dict[str, Any], sam: bool) -> tuple[Provisioned, ...]:
        found: list[Provisioned] = []
        if sam and isinstance(props.get("ProvisionedConcurrencyConfig"), dict):
            alias = self.r.get(fid, props, "AutoPublishAlias", default=None)
            amount = self.r.number(fid, props, "ProvisionedConcurrencyConfig", "ProvisionedConcurrentExecutions")
            location = self.r.location(fid, props, "ProvisionedConcurrencyConfig")
            found.append(Provisioned(str(alias) if alias else "$LATEST", amount, location))
        for rid in self.r.resources:
            rtype = self.r.type_of(rid)
            if rtype not in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                continue
            rprops = self.r.props(rid)
            if not isinstance(rprops.get("ProvisionedConcurrencyConfig"), dict) or not self._is(fid, rprops, rid):
                continue
            amount = self.r.number(rid, rprops, "ProvisionedConcurrencyConfig", "ProvisionedConcurrentExecutions")
            qualifier = rid
            if rtype == "AWS::Lambda::Alias":
                version = self.r.get(rid, rprops, "FunctionVersion", default=None)
                qualifier = "$LATEST" if version == "$LATEST" else str(self.r.get(rid, rprops, "Name", default=rid))
            found.append(Provisioned(qualifier, amount, self.r.location(rid, rprops, "ProvisionedConcurrencyConfig")))
        return tuple(found)

    def _async(self, fid: str, props: dict[str, Any], sam: bool) -> AsyncSettings:
        if sam and isinstance(props.get("EventInvokeConfig"), dict):
            return self._invoke_config(
                fid, props, ("EventInvokeConfig",), self.r.location(fid, props, "EventInvokeConfig")
            )
        for rid in self.r.resources:
            rprops = self.r.props(rid)
            if self.r.type_of(rid) == "AWS::Lambda::EventInvokeConfig" and self._is(fid, rprops, rid):
                return self._invoke_config(rid, rprops, (), self.r.location(rid))
        return AsyncSettings()

    def _invoke_config(
        self, rid: str, props: dict[str, Any], prefix: tuple[str, ...], location: Location
    ) -> AsyncSettings:
        on: dict[str, Destination | None] = {}
        for side in ("OnFailure", "OnSuccess"):
            path = (*prefix, "DestinationConfig", side)
            node = _at(props, path)
            if not isinstance(node, dict):
                on[side] = None
                continue
            target = self.r.get(rid, props, *path, "Destination", default=None)
            declared = str(self.r.get(rid, props, *path, "Type", default="") or "").lower()
            where = self.r.location(rid, _at(props, path[:-1]), side)
            on[side] = Destination(
                self._kind(target, declared), self._name(target) or f"created by SAM ({declared})", where
            )
        return AsyncSettings(
            max_retry_attempts=self.r.number(rid, props, *prefix, "MaximumRetryAttempts", default=2),
            max_event_age_s=self.r.number(rid, props, *prefix, "MaximumEventAgeInSeconds", default=DEFAULT_EVENT_AGE_S),
            on_failure=on["OnFailure"],
            on_success=on["OnSuccess"],
            location=location,
        )

    # -- what invokes it ---------------------------------------------------------------------------

    def _events(
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
                sqs.append(self._sqs_mapping(fid, props, path, "Queue", where))
            elif etype in ("Kinesis", "DynamoDB"):
                streams.append(self._stream_mapping(fid, props, path, "Stream", where, etype.lower()))
            elif etype in ASYNC_EVENTS:
                triggers.append(Trigger("async", f"{etype} event {name}", where))
            elif etype in SYNC_EVENTS:
                triggers.append(Trigger("sync", f"{etype} event {name}", where))
        return tuple(sqs), tuple(streams), triggers

    def _mappings(self, fid: str) -> list[SqsMapping | StreamMapping]:
        found: list[SqsMapping | StreamMapping] = []
        for rid in self.r.resources:
            rprops = self.r.props(rid)
            if self.r.type_of(rid) != "AWS::Lambda::EventSourceMapping" or not self._is(fid, rprops, rid):
                continue
            source = self.r.get(rid, rprops, "EventSourceArn", default=None)
            kind = self._source_kind(source)
            where = self.r.location(rid)
            if kind == "sqs":
                found.append(self._sqs_mapping(rid, rprops, (), "EventSourceArn", where))
            elif kind in ("kinesis", "dynamodb"):
                found.append(self._stream_mapping(rid, rprops, (), "EventSourceArn", where, kind))
        return found

    def _callers(self, fid: str) -> list[Trigger]:
        found: list[Trigger] = []
        for rid in self.r.resources:
            rtype, rprops = self.r.type_of(rid), self.r.props(rid)
            where = self.r.location(rid)
            if rtype == "AWS::Lambda::Permission" and self._is(fid, rprops, rid):
                principal = str(self.r.get(rid, rprops, "Principal", default="") or "")
                if principal in ASYNC_PRINCIPALS:
                    found.append(Trigger("async", f"{principal} (permission {rid})", where))
                elif principal in SYNC_PRINCIPALS:
                    found.append(Trigger("sync", f"{principal} (permission {rid})", where))
            elif rtype == "AWS::Lambda::Url" and self._is(fid, rprops, rid, key="TargetFunctionArn"):
                found.append(Trigger("sync", f"function URL {rid}", where))
            elif rtype == "AWS::SNS::Subscription" and str(rprops.get("Protocol", "")).lower() == "lambda":
                if self._refers(fid, self.r.get(rid, rprops, "Endpoint", default=None)):
                    found.append(Trigger("async", f"SNS subscription {rid}", where))
            elif rtype == "AWS::SNS::Topic":
                for i, sub in enumerate(rprops.get("Subscription") or []):
                    lambda_sub = isinstance(sub, dict) and str(sub.get("Protocol", "")).lower() == "lambda"
                    if lambda_sub and self._refers(fid, self._quiet(sub.get("Endpoint"))):
                        found.append(Trigger("async", f"SNS topic {rid} subscription {i + 1}", where))
            elif rtype == "AWS::Events::Rule":
                for target in rprops.get("Targets") or []:
                    if isinstance(target, dict) and self._refers(fid, self._quiet(target.get("Arn"))):
                        found.append(Trigger("async", f"EventBridge rule {rid}", where))
            elif rtype == "AWS::S3::Bucket":
                notifications = rprops.get("NotificationConfiguration")
                configs = notifications.get("LambdaConfigurations") if isinstance(notifications, dict) else None
                for config in configs if isinstance(configs, list) else []:
                    if isinstance(config, dict) and self._refers(fid, self._quiet(config.get("Function"))):
                        found.append(Trigger("async", f"S3 bucket {rid} notification", where))
            elif rtype == "AWS::Scheduler::Schedule":
                target = rprops.get("Target")
                if isinstance(target, dict) and self._refers(fid, self._quiet(target.get("Arn"))):
                    found.append(Trigger("async", f"EventBridge Scheduler schedule {rid}", where))
        return found

    def _sqs_mapping(
        self, rid: str, props: dict[str, Any], path: tuple[str, ...], key: str, where: Location
    ) -> SqsMapping:
        r = self.r
        source = r.get(rid, props, *path, key, default=None)
        types = r.get(rid, props, *path, "FunctionResponseTypes", default=[]) or []
        scaling = (*path, "ScalingConfig", "MaximumConcurrency")
        return SqsMapping(
            queue=self._queue(source, where),
            location=where,
            batch_size=r.number(rid, props, *path, "BatchSize", default=10),
            batching_window_s=r.number(rid, props, *path, "MaximumBatchingWindowInSeconds", default=0),
            max_concurrency=r.number(rid, props, *scaling, default=None),
            max_concurrency_location=r.location(rid, _at(props, (*path, "ScalingConfig")), "MaximumConcurrency")
            if _at(props, scaling) is not None
            else None,
            report_batch_item_failures="ReportBatchItemFailures"
            in [str(t) for t in types if not isinstance(t, ResourceRef)],
        )

    def _queue(self, source: Any, where: Location) -> Queue:
        r = self.r
        if isinstance(source, ResourceRef) and r.type_of(source.logical_id) == "AWS::SQS::Queue":
            qid = source.logical_id
            props = r.props(qid)
            redrive: Any = props.get("RedrivePolicy")
            if isinstance(redrive, str):  # CloudFormation also takes the policy as a JSON string
                try:
                    redrive = json.loads(redrive)
                    props = {**props, "RedrivePolicy": redrive}  # the key object, with its line, is kept
                except ValueError:
                    redrive = {"Fn::Unparsed": redrive}
            present = isinstance(redrive, dict)
            has_redrive: bool | None = present
            if present and len(redrive) == 1 and next(iter(redrive)) in INTRINSIC_REDRIVE:
                r.note(
                    f"{qid}.RedrivePolicy",
                    f"{qid}.RedrivePolicy: not resolved offline",
                    r.location(qid, props, "RedrivePolicy"),
                )
                has_redrive, present = None, False
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
                dead_letter_target=self._name(r.get(qid, props, "RedrivePolicy", "deadLetterTargetArn", default=None))
                if present
                else None,
                redrive_location=r.location(qid, props, "RedrivePolicy") if present else r.location(qid),
            )
        # A queue outside the template: its attributes come from --param NAME.VisibilityTimeout etc.
        name = self._name(source) or "queue"
        name = name.rsplit(":", 1)[-1]
        visibility = self._external(name, "VisibilityTimeout", where, "its visibility timeout")
        receives = self._external(
            name, "maxReceiveCount", where, "its redrive policy's maxReceiveCount (0: no redrive)"
        )
        retention = self._external(name, "MessageRetentionPeriod", where, None)
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

    def _external(self, name: str, attribute: str, where: Location, what: str | None) -> int | None:
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

    def _stream_mapping(
        self, rid: str, props: dict[str, Any], path: tuple[str, ...], key: str, where: Location, kind: str
    ) -> StreamMapping:
        r = self.r
        source = r.get(rid, props, *path, key, default=None)
        failure_path = (*path, "DestinationConfig", "OnFailure")
        on_failure = None
        if isinstance(_at(props, failure_path), dict):
            target = r.get(rid, props, *failure_path, "Destination", default=None)
            declared = str(r.get(rid, props, *failure_path, "Type", default="") or "").lower()
            on_failure = Destination(
                self._kind(target, declared),
                self._name(target),
                r.location(rid, _at(props, failure_path[:-1]), "OnFailure"),
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
            source=self._name(source) or "stream",
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

    # -- references --------------------------------------------------------------------------------

    def _quiet(self, node: Any) -> Any:
        try:
            return self.r.evaluate(node)
        except Exception:  # an unresolvable target simply does not refer to this function
            return None

    def _is(self, fid: str, props: dict[str, Any], rid: str, key: str = "FunctionName") -> bool:
        if key not in props:
            return False
        return self._refers(fid, self._quiet(props[key]))

    def _refers(self, fid: str, value: Any) -> bool:
        """Does a FunctionName/Arn value name function `fid` (directly, or through its alias or version)?"""
        if isinstance(value, ResourceRef):
            if value.logical_id == fid:
                return True
            if self.r.type_of(value.logical_id) in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                return self._is(fid, self.r.props(value.logical_id), value.logical_id)
            return False
        if isinstance(value, str):
            if f"${{{fid}}}" in value or f"${{{fid}.Arn}}" in value:
                return True
            name = self.r.props(fid).get("FunctionName")
            return isinstance(name, str) and (value == name or value.endswith(f":function:{name}"))
        return False

    def _source_kind(self, source: Any) -> str | None:
        if isinstance(source, ResourceRef):
            return {
                "AWS::SQS::Queue": "sqs",
                "AWS::Kinesis::Stream": "kinesis",
                "AWS::DynamoDB::Table": "dynamodb",
                "AWS::DynamoDB::GlobalTable": "dynamodb",
            }.get(self.r.type_of(source.logical_id))
        if isinstance(source, str) and source.startswith("arn:"):
            service = source.split(":")[2] if source.count(":") >= 2 else ""
            return service if service in ("sqs", "kinesis", "dynamodb") else None
        return None

    def _kind(self, target: Any, declared: str) -> DestinationKind:
        if declared in ("sqs", "sns", "lambda", "eventbridge", "s3"):
            return declared  # type: ignore[return-value]  # one of the literal's values, checked above
        if isinstance(target, ResourceRef):
            return DESTINATION_TYPES.get(self.r.type_of(target.logical_id), "unknown")
        if isinstance(target, str) and target.startswith("arn:") and target.count(":") >= 2:
            return ARN_KINDS.get(target.split(":")[2], "unknown")
        return "unknown"

    @staticmethod
    def _name(target: Any) -> str:
        if isinstance(target, ResourceRef):
            return target.logical_id
        return "" if target is None or target is MISSING else str(target)


def _at(props: Any, path: tuple[str, ...]) -> Any:
    node = props
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node
