"""Reads a deployed function's configuration from an account, with read-only calls only.

Every call goes through the AWS client wrapper (control-plane retries on throttling). Nothing is
created or changed; `PERMISSIONS` lists the IAM actions a caller needs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lambdaprobe.aws.client import BOTO_ERRORS, AwsClient, error_code, is_not_found, to_aws_error
from lambdaprobe.explain.model import (
    ASYNC_PRINCIPALS,
    DEFAULT_EVENT_AGE_S,
    DEFAULT_STREAM_RETENTION_S,
    SYNC_PRINCIPALS,
    UNRESERVED_MINIMUM,
    Account,
    AsyncSettings,
    Configuration,
    Destination,
    FunctionConfig,
    Location,
    Provisioned,
    Queue,
    SqsMapping,
    StreamMapping,
    Trigger,
    Unresolved,
    kind_of_arn,
)

PERMISSIONS: tuple[str, ...] = (
    "lambda:GetFunctionConfiguration",
    "lambda:GetFunctionConcurrency",
    "lambda:ListProvisionedConcurrencyConfigs",
    "lambda:GetFunctionEventInvokeConfig",
    "lambda:ListEventSourceMappings",
    "lambda:GetPolicy",
    "lambda:GetAccountSettings",
    "sqs:GetQueueUrl",
    "sqs:GetQueueAttributes",
    "kinesis:DescribeStreamSummary",
)
MAX_PAGES = 100  # a guard against an endpoint that repeats its pagination marker
# APIs some AWS-compatible endpoints (emulators) lack; without them explain goes on and says what it assumed
OPTIONAL_APIS = ("ListProvisionedConcurrencyConfigs", "GetAccountSettings")


def _int(value: Any, default: int) -> int:
    """A number from an answer, or AWS's default when the field is absent or null (emulators send null)."""
    return default if value is None else int(value)


class Unanswered(Exception):
    """An endpoint (an emulator) that does not implement an API explain can do without."""


def _unimplemented(exc: BaseException) -> bool:
    """A bare 404 (no AWS error code): the endpoint has no such API, as opposed to no such resource."""
    response = getattr(exc, "response", None) or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status == 404 and error_code(exc) in ("404", "")


class AccountReader:
    def __init__(self, client: AwsClient) -> None:
        self.client = client
        self.unresolved: list[Unresolved] = []

    def _call(
        self, service: str, operation: str, params: dict[str, Any], missing_ok: bool = False
    ) -> dict[str, Any] | None:
        try:
            return self.client.call(service, operation, params)
        except BOTO_ERRORS as exc:
            if missing_ok and is_not_found(exc):
                return None
            if operation in OPTIONAL_APIS and _unimplemented(exc):
                raise Unanswered(operation) from exc
            raise to_aws_error(exc, f"{service}.{operation} (explain needs only read permissions: see --help)") from exc

    def _unanswered(self, operation: str, what: str, where: Location) -> None:
        self.unresolved.append(
            Unresolved(key=operation, what=f"{operation} is not answered by this endpoint: {what}", location=where)
        )

    def _pages(self, operation: str, params: dict[str, Any], key: str) -> Iterator[dict[str, Any]]:
        marker: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page = self._call("lambda", operation, {**params, **({"Marker": marker} if marker else {})}) or {}
            yield from page.get(key, [])
            marker = page.get("NextMarker")
            if not marker or marker in seen:
                return
            seen.add(marker)

    def read(self, name: str, qualifier: str | None) -> Configuration:
        q = {"Qualifier": qualifier} if qualifier else {}
        config = self._call("lambda", "GetFunctionConfiguration", {"FunctionName": name, **q}) or {}
        # arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]; for an alias, some endpoints answer the
        # version's ARN: the explained ARN is built from the unqualified one and the qualifier asked for
        unqualified = ":".join(str(config.get("FunctionArn", name)).split(":")[:7])
        arn = f"{unqualified}:{qualifier}" if qualifier else unqualified
        here = Location(resource=name, arn=arn)
        concurrency = self._call("lambda", "GetFunctionConcurrency", {"FunctionName": name}, missing_ok=True) or {}
        reserved = concurrency.get("ReservedConcurrentExecutions")
        dlq_arn = (config.get("DeadLetterConfig") or {}).get("TargetArn")
        dlq = Destination(kind_of_arn(dlq_arn), dlq_arn, here) if dlq_arn else None
        sqs: list[SqsMapping] = []
        streams: list[StreamMapping] = []
        for mapping in self._mappings(arn, str(config.get("FunctionName", name)), qualifier):
            source = str(mapping.get("EventSourceArn", ""))
            service = source.split(":")[2] if source.count(":") >= 2 else ""
            if service == "sqs":
                sqs.append(self._sqs(mapping, source))
            elif service in ("kinesis", "dynamodb"):
                streams.append(self._stream(mapping, source, service))
        functions = (
            FunctionConfig(
                name=name,
                location=here,
                qualifier=qualifier,
                timeout_s=_int(config.get("Timeout"), 3),
                reserved=int(reserved) if reserved is not None else None,
                reserved_location=Location(resource=name, arn=unqualified) if reserved is not None else None,
                provisioned=self._provisioned(name, here),
                dlq=dlq,
                async_settings=self._async(name, q),
                sqs=tuple(sqs),
                streams=tuple(streams),
                triggers=tuple(self._triggers(name, q, here)),
            ),
        )
        return Configuration(
            source="account",
            origin=arn,
            functions=functions,
            account=self._account(name, int(reserved) if reserved is not None else 0, here),
            unresolved=tuple(self.unresolved),
        )

    def _mappings(self, arn: str, name: str, qualifier: str | None) -> list[dict[str, Any]]:
        """The mappings that invoke what is explained: the qualified ARN's, or the unqualified function's.

        Asked by ARN and by name (AWS answers both alike; some emulators only the spelling a mapping was
        created with), each kept once; asked unqualified, a mapping on an alias or version is not ours."""
        names = (arn, f"{name}:{qualifier}") if qualifier else (name, arn)
        found: dict[str, dict[str, Any]] = {}
        for function_name in names:
            pages = self._pages("ListEventSourceMappings", {"FunctionName": function_name}, "EventSourceMappings")
            for mapping in pages:
                parts = str(mapping.get("FunctionArn", arn)).split(":")
                if qualifier is None and len(parts) > 7 and parts[7] != "$LATEST":
                    continue
                found.setdefault(str(mapping.get("UUID", len(found))), mapping)
        return list(found.values())

    def _provisioned(self, name: str, here: Location) -> tuple[Provisioned, ...]:
        try:
            configs = list(
                self._pages(
                    "ListProvisionedConcurrencyConfigs", {"FunctionName": name}, "ProvisionedConcurrencyConfigs"
                )
            )
        except Unanswered as gap:
            self._unanswered(str(gap), "provisioned concurrency is unknown (taken as none)", here)
            return ()
        found = []
        for pc in configs:
            arn = str(pc.get("FunctionArn", ""))
            amount = pc.get("RequestedProvisionedConcurrentExecutions")
            found.append(
                Provisioned(
                    arn.rsplit(":", 1)[-1],
                    int(amount) if amount is not None else None,
                    Location(resource=name, arn=arn),
                )
            )
        return tuple(found)

    def _async(self, name: str, q: dict[str, str]) -> AsyncSettings:
        eic = self._call("lambda", "GetFunctionEventInvokeConfig", {"FunctionName": name, **q}, missing_ok=True)
        if eic is None:
            return AsyncSettings()
        where = Location(resource=name, arn=str(eic.get("FunctionArn", name)))
        dest = eic.get("DestinationConfig") or {}

        def destination(side: str) -> Destination | None:
            target = (dest.get(side) or {}).get("Destination")
            return Destination(kind_of_arn(target), target, where) if target else None

        return AsyncSettings(
            max_retry_attempts=_int(eic.get("MaximumRetryAttempts"), 2),
            max_event_age_s=_int(eic.get("MaximumEventAgeInSeconds"), DEFAULT_EVENT_AGE_S),
            on_failure=destination("OnFailure"),
            on_success=destination("OnSuccess"),
            location=where,
        )

    def _triggers(self, name: str, q: dict[str, str], here: Location) -> Iterator[Trigger]:
        policy = self._call("lambda", "GetPolicy", {"FunctionName": name, **q}, missing_ok=True)
        if not policy:
            return
        try:
            statements = json.loads(policy.get("Policy", "{}")).get("Statement", [])
        except ValueError:
            return
        for statement in statements if isinstance(statements, list) else [statements]:
            principal = (statement.get("Principal") or {}) if isinstance(statement, dict) else {}
            services = principal.get("Service", []) if isinstance(principal, dict) else []
            for service in [services] if isinstance(services, str) else services:
                sid = statement.get("Sid", "")
                if service in ASYNC_PRINCIPALS:
                    yield Trigger("async", f"{service} (policy statement {sid})", here)
                elif service in SYNC_PRINCIPALS:
                    yield Trigger("sync", f"{service} (policy statement {sid})", here)

    def _sqs(self, mapping: dict[str, Any], source: str) -> SqsMapping:
        where = Location(resource=str(mapping.get("UUID", "")), arn=str(mapping.get("EventSourceMappingArn") or source))
        queue_name = source.rsplit(":", 1)[-1]
        owner = source.split(":")[4] if source.count(":") >= 5 else ""
        url = self._call(
            "sqs", "GetQueueUrl", {"QueueName": queue_name, **({"QueueOwnerAWSAccountId": owner} if owner else {})}
        )
        attributes = (
            self._call(
                "sqs", "GetQueueAttributes", {"QueueUrl": (url or {}).get("QueueUrl", ""), "AttributeNames": ["All"]}
            )
            or {}
        ).get("Attributes", {})
        redrive_text = attributes.get("RedrivePolicy")
        try:
            redrive = json.loads(redrive_text) if redrive_text else None
        except ValueError:  # unreadable: the queue has a policy, of unknown count
            redrive = {}
        queue_where = Location(resource=queue_name, arn=source)
        queue = Queue(
            name=queue_name,
            location=queue_where,
            fifo=str(attributes.get("FifoQueue", "false")).lower() == "true",
            visibility_timeout_s=_int(attributes.get("VisibilityTimeout"), 30),
            visibility_location=queue_where,
            retention_s=_int(attributes.get("MessageRetentionPeriod"), 345600),
            has_redrive=redrive is not None,  # an unreadable policy: has one, count unknown (journeys say so)
            max_receive_count=int(redrive["maxReceiveCount"]) if redrive and "maxReceiveCount" in redrive else None,
            dead_letter_target=str(redrive.get("deadLetterTargetArn", "")).rsplit(":", 1)[-1] if redrive else None,
            redrive_location=queue_where,
        )
        scaling = (mapping.get("ScalingConfig") or {}).get("MaximumConcurrency")
        return SqsMapping(
            queue=queue,
            location=where,
            batch_size=_int(mapping.get("BatchSize"), 10),
            batching_window_s=_int(mapping.get("MaximumBatchingWindowInSeconds"), 0),
            max_concurrency=int(scaling) if scaling is not None else None,
            max_concurrency_location=where if scaling is not None else None,
            report_batch_item_failures="ReportBatchItemFailures" in (mapping.get("FunctionResponseTypes") or []),
        )

    def _stream(self, mapping: dict[str, Any], source: str, service: str) -> StreamMapping:
        where = Location(resource=str(mapping.get("UUID", "")), arn=str(mapping.get("EventSourceMappingArn") or source))
        retention = DEFAULT_STREAM_RETENTION_S  # DynamoDB streams keep records 24 h, fixed
        if service == "kinesis":
            summary = self._call("kinesis", "DescribeStreamSummary", {"StreamARN": source}) or {}
            hours = (summary.get("StreamDescriptionSummary") or {}).get("RetentionPeriodHours")
            retention = int(hours) * 3600 if hours is not None else retention
        target = ((mapping.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        return StreamMapping(
            kind="kinesis" if service == "kinesis" else "dynamodb",
            source=source.split("/")[1] if "/" in source else source,
            location=where,
            batch_size=_int(mapping.get("BatchSize"), 100),
            max_retry_attempts=_int(mapping.get("MaximumRetryAttempts"), -1),
            max_record_age_s=_int(mapping.get("MaximumRecordAgeInSeconds"), -1),
            bisect=bool(mapping.get("BisectBatchOnFunctionError", False)),
            on_failure=Destination(kind_of_arn(target), target, where) if target else None,
            parallelization_factor=_int(mapping.get("ParallelizationFactor"), 1),
            report_batch_item_failures="ReportBatchItemFailures" in (mapping.get("FunctionResponseTypes") or []),
            retention_s=retention,
        )

    def _account(self, name: str, own_reserved: int, here: Location) -> Account:
        try:
            settings = self._call("lambda", "GetAccountSettings", {}) or {}
        except Unanswered as gap:
            self._unanswered(str(gap), "the account's concurrency is taken as the default (1000, 100 unreserved)", here)
            return Account()
        limits = settings.get("AccountLimit") or {}
        limit = _int(limits.get("ConcurrentExecutions"), 1000)
        unreserved = _int(limits.get("UnreservedConcurrentExecutions"), limit)
        others = max(0, limit - unreserved - own_reserved)
        return Account(
            limit=limit,
            unreserved_minimum=UNRESERVED_MINIMUM,
            reserved_by=(("other functions", others),) if others else (),
            from_account=True,
        )


def client_for(region: str | None, profile: str | None, endpoint_url: str | None) -> AwsClient:
    """The client explain reads with (tests replace it to add botocore hooks)."""
    from lambdaprobe.aws.options import AwsOptions

    return AwsClient(AwsOptions(region=region, profile=profile, endpoint_url=endpoint_url))
