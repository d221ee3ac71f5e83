"""What lands in a DLQ and at a destination, shaped exactly as AWS shapes it ([dlq.message],
[destinations.record], [destinations.eventbridge-envelope]).

A DLQ gets the *input* (the original event) with three attributes; a destination gets an
*invocation record* (input and output).
"""

from __future__ import annotations

import hashlib
import math
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from lambdaprobe.rules.constants import DLQ_ERROR_MESSAGE_LIMIT

# Virtual time 0 maps to this instant, so records carry plausible, reproducible timestamps.
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
ERROR_MESSAGE_LIMIT = DLQ_ERROR_MESSAGE_LIMIT  # [dlq.message] ErrorMessage holds the first 1 KB

Condition = Literal["Success", "RetriesExhausted", "EventAgeExceeded", "ZeroReservedConcurrency"]


def timestamp(t: float) -> str:
    return (EPOCH + timedelta(seconds=t)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def timestamp_s(t: float) -> str:
    """In whole seconds, as an EventBridge event's `time` is."""
    return (EPOCH + timedelta(seconds=math.floor(t))).isoformat(timespec="seconds").replace("+00:00", "Z")


class Ids:
    """AWS-looking request ids (version-4 UUIDs), derived from the seed and a name: the same seed
    gives the same ids, and an id costs nothing until a record needs it."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._fresh = 0

    def for_name(self, name: str) -> str:
        digest = hashlib.blake2b(f"{self._seed}:{name}".encode(), digest_size=16).digest()
        return str(uuid.UUID(bytes=digest, version=4))

    def request_id(self) -> str:
        """A new id, for things that have no name of their own (e.g. EventBridge event ids)."""
        self._fresh += 1
        return self.for_name(f"#{self._fresh}")


def dlq_attributes(kind: str, request_id: str, error_code: int, error_message: str) -> dict[str, Any]:
    """[dlq.message] RequestID (String), ErrorCode (Number, the HTTP status), ErrorMessage (String, 1 KB).

    As a consumer sees them: SQS message attributes, or the SNS notification's MessageAttributes.
    """
    values = {
        "RequestID": ("String", request_id),
        "ErrorCode": ("Number", str(error_code)),
        "ErrorMessage": ("String", error_message[:ERROR_MESSAGE_LIMIT]),
    }
    if kind == "sns":
        return {k: {"Type": t, "Value": v} for k, (t, v) in values.items()}
    return {k: {"DataType": t, "StringValue": v} for k, (t, v) in values.items()}


def invocation_record(
    *,
    t: float,
    request_id: str,
    function_arn: str,
    condition: Condition,
    invoke_count: int,
    payload: Any,
    status_code: int | None,
    executed_version: str | None,
    function_error: bool,
    response: Any,
) -> dict[str, Any]:
    """[destinations.record] the invocation record sent to an async destination. `status_code`
    None: the function never ran, and the record has no responseContext ([async.reserved-zero])."""
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": timestamp(t),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "requestPayload": payload,
    }
    if status_code is not None:
        response_context: dict[str, Any] = {"statusCode": status_code}
        if executed_version is not None:
            response_context["executedVersion"] = executed_version
        if function_error:
            response_context["functionError"] = "Unhandled"
        record["responseContext"] = response_context
    if response is not None:
        record["responsePayload"] = response
    return record


def eventbridge_envelope(
    t: float, record: dict[str, Any], success: bool, function_arn: str, event_id: str, bus_arn: str
) -> dict[str, Any]:
    """[destinations.eventbridge-envelope] the record as `detail` of a `lambda` event whose
    resources are the destination bus and the function."""
    arn_parts = function_arn.split(":")
    return {
        "version": "0",
        "id": event_id,
        "detail-type": f"Lambda Function Invocation Result - {'Success' if success else 'Failure'}",
        "source": "lambda",
        "account": arn_parts[4],
        "time": timestamp_s(t),
        "region": arn_parts[3],
        "resources": [bus_arn, function_arn],
        "detail": record,
    }
