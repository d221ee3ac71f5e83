"""DLQ messages and destination records, read from the run's queues, turned into observations.
Pure: `collect.Collector` receives the messages; these functions only parse them.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from lambdaprobe.aws.plan.records import Watch
from lambdaprobe.nesting import too_deep
from lambdaprobe.observation import DeadLetter, DestinationRecord


def _loads(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return text
    return text if too_deep(value) else value  # a hostile depth stays text (see `nesting`)


def find_request(obj: Any, depth: int = 0) -> str | None:
    """The probe's request id inside an event, a record, an envelope, or a record of a record."""
    if depth > 6 or not isinstance(obj, dict):
        return None
    request = obj.get("request")
    if isinstance(request, str) and "lambdaprobe" in obj:
        return request
    for key in ("requestPayload", "detail", "Message"):
        found = find_request(_loads(obj.get(key)), depth + 1)
        if found:
            return found
    return None


def _sent_s(message: dict[str, Any], t0_wall: float, received_wall: float) -> float:
    sent = message.get("Attributes", {}).get("SentTimestamp")
    return (int(sent) / 1000 if sent else received_wall) - t0_wall


def sqs_message_attributes(message: dict[str, Any]) -> dict[str, Any]:
    """SQS MessageAttributes as a consumer sees them, reduced to DataType and StringValue."""
    out: dict[str, Any] = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        item = {"DataType": value.get("DataType", "String")}
        if "StringValue" in value:
            item["StringValue"] = value["StringValue"]
        out[name] = item
    return out


def sns_notification(body: Any) -> dict[str, Any] | None:
    data = _loads(body)
    if isinstance(data, dict) and data.get("Type") == "Notification" and "Message" in data:
        return data
    return None


def dead_letter_from_message(
    message: dict[str, Any], watch: Watch, t0_wall: float, received_wall: float
) -> DeadLetter:
    """A DLQ message: the original event, with RequestID/ErrorCode/ErrorMessage attributes."""
    t = _sent_s(message, t0_wall, received_wall)
    note = sns_notification(message.get("Body")) if watch.shape == "sns" else None
    if note is not None:
        body = _loads(note["Message"])
        attributes: dict[str, Any] = {
            k: {"Type": v.get("Type"), "Value": v.get("Value")}
            for k, v in (note.get("MessageAttributes") or {}).items()
        }
    else:
        body = _loads(message.get("Body"))
        attributes = sqs_message_attributes(message)
    return DeadLetter(t=t, queue=watch.label, body=body, attributes=attributes, request_id=find_request(body))


def destination_from_message(
    message: dict[str, Any], watch: Watch, t0_wall: float, received_wall: float
) -> DestinationRecord:
    """A destination's record, exactly as AWS shapes it (SQS raw, SNS-unwrapped, EventBridge
    envelope kept whole, a Lambda destination's input recovered from its relay's record)."""
    t = _sent_s(message, t0_wall, received_wall)
    body = _loads(message.get("Body"))
    if watch.shape == "sns":
        note = sns_notification(body)
        record = _loads(note["Message"]) if note is not None else body
    elif watch.shape == "lambda" and isinstance(body, dict) and "requestPayload" in body:
        record = body["requestPayload"]
    else:
        record = body
    if not isinstance(record, dict):
        record = {"raw": record}
    kind: Literal["on_success", "on_failure"] = (
        "on_success" if watch.observe == "on_success" else "on_failure"
    )
    request = find_request(record) if watch.request_in_record else None
    return DestinationRecord(t=t, kind=kind, target=watch.label, record=record, request_id=request)


def condition_of(record: dict[str, Any]) -> str | None:
    inner = record.get("detail") if isinstance(record.get("detail"), dict) else record
    context = inner.get("requestContext") if isinstance(inner, dict) else None
    return str(context.get("condition")) if isinstance(context, dict) and context.get("condition") else None
