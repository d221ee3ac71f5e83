"""The probe handler deployed to Lambda. Standard library only: it is zipped flat with `directive.py`.

Module init sleeps `LAMBDAPROBE_INIT_S` once (the cold start under test). Each invocation reads the
directive of every request it carries (a direct invoke, an invocation record from a destination,
or the records of an SQS, Kinesis, DynamoDB, SNS or EventBridge envelope), decides with the pure
`decide` the simulator also uses, and writes exactly one JSON line when an attempt starts and one
when it ends. The AWS collector reads those lines back from CloudWatch Logs.

Attempt numbers: SQS says it (`ApproximateReceiveCount`). Async invokes do not, but a retry keeps
`context.aws_request_id`, so a counter per request id is kept in module memory. That counter lives
in one execution environment only: a retry that lands on a different environment counts from 1
again, which the collector corrects by numbering attempts in time order.
"""

from __future__ import annotations

import base64
import json
import os
import time
from typing import Any

try:
    from lambdaprobe.function.directive import Directive, decide
except ImportError:  # zipped flat at the zip root, as deployed
    from directive import Directive, decide  # type: ignore[no-redef,import-not-found]

try:
    from lambdaprobe.function import features
except ImportError:  # zipped flat at the zip root, as deployed
    import features  # type: ignore[no-redef,import-not-found]

_INIT_STARTED = time.time()
time.sleep(float(os.environ.get("LAMBDAPROBE_INIT_S", "0") or 0))
INIT_S = time.time() - _INIT_STARTED

_state: dict[str, Any] = {"invocations": 0}
_attempts: dict[str, int] = {}


class ProbeError(Exception):
    """The failure the directive asked for (its name is the errorType Lambda reports)."""


def _env_directive() -> dict[str, Any] | None:
    raw = os.environ.get("LAMBDAPROBE_DIRECTIVE")
    return json.loads(raw) if raw else None


def _json_or_none(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return None


def _probe_item(body: Any) -> dict[str, Any] | None:
    """The `{"request", "lambdaprobe"}` object in a payload, unwrapping a destination's record."""
    if not isinstance(body, dict):
        return None
    if "requestPayload" in body and "requestContext" in body:
        return _probe_item(body["requestPayload"])
    if "request" in body or "lambdaprobe" in body:
        return body
    return None


class Item:
    """One request carried by this invocation."""

    def __init__(self, request: str, directive: dict[str, Any] | None, attempt: int, ident: str) -> None:
        self.request = request
        self.directive = directive
        self.attempt = attempt
        self.ident = ident


def _counted(key: str) -> int:
    _attempts[key] = _attempts.get(key, 0) + 1
    return _attempts[key]


def items(event: Any, aws_request_id: str) -> list[Item]:
    """The requests in `event`, with the attempt number each is on."""
    records = event.get("Records") if isinstance(event, dict) else None
    if isinstance(records, list) and records:
        out: list[Item] = []
        for rec in records:
            source = rec.get("eventSource") or rec.get("EventSource") or ""
            if source == "aws:sqs":
                ident = rec.get("messageId", "")
                probe = _probe_item(_json_or_none(rec.get("body")))
                attempt = int(rec.get("attributes", {}).get("ApproximateReceiveCount", "1"))
            elif source == "aws:kinesis":
                ident = rec["kinesis"]["sequenceNumber"]
                data = base64.b64decode(rec["kinesis"]["data"]).decode("utf-8")
                probe = _probe_item(_json_or_none(data))
                attempt = _counted(ident)
            elif source == "aws:dynamodb":
                ident = rec["dynamodb"].get("SequenceNumber", "")
                image = rec["dynamodb"].get("NewImage", {})
                probe = {
                    "request": image.get("id", {}).get("S", ""),
                    "lambdaprobe": _json_or_none(image.get("lambdaprobe", {}).get("S")),
                }
                attempt = _counted(ident)
            elif source == "aws:sns":
                ident = rec["Sns"].get("MessageId", "")
                probe = _probe_item(_json_or_none(rec["Sns"].get("Message")))
                attempt = _counted(aws_request_id)
            else:
                continue
            probe = probe or {}
            out.append(Item(str(probe.get("request", "")), probe.get("lambdaprobe"), attempt, ident))
        return out
    if (
        isinstance(event, dict)
        and event.get("source") == "lambdaprobe"
        and isinstance(event.get("detail"), dict)
    ):
        probe = event["detail"]  # an EventBridge event: our payload is its detail
    elif _proxied(event):
        probe = _probe_item(_json_or_none(event.get("body"))) or {}  # API Gateway: the POST body
    else:
        probe = _probe_item(event) or {}
    return [Item(str(probe.get("request", "")), probe.get("lambdaprobe"), _counted(aws_request_id), "")]


def _proxied(event: Any) -> bool:
    """An API Gateway proxy event (REST, AWS_PROXY): the answer must be {statusCode, body}."""
    return isinstance(event, dict) and "httpMethod" in event and "requestContext" in event


def _log(kind: str, item: Item, context: Any, cold: bool, **extra: Any) -> None:
    line = {
        "lambdaprobe": kind,
        "request": item.request,
        "aws_request_id": context.aws_request_id,
        "attempt": item.attempt,
        "t": time.time(),
        "cold": cold,
        "init_type": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE"),
        "init_s": round(INIT_S, 6) if cold else 0.0,
    }
    line.update(extra)
    print(json.dumps(line, separators=(",", ":")), flush=True)


def handler(event: Any, context: Any) -> Any:
    """The probe: run and fail as each request's directive says, logging start and end."""
    _state["invocations"] += 1
    # A provisioned environment was initialised ahead of the request: its first one is warm.
    cold = _state["invocations"] == 1 and os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != (
        "provisioned-concurrency"
    )
    batch = items(event, context.aws_request_id)
    env_directive = _env_directive()
    partial = bool(os.environ.get("LAMBDAPROBE_PARTIAL_BATCH"))
    decisions = []
    for item in batch:
        directive = Directive.from_event(item.directive if item.directive is not None else env_directive)
        decisions.append((item, decide(directive, item.attempt)))
        _log("start", item, context, cold, outcome=None)
    _feature(batch, context, cold)
    # One directed duration per invocation, whatever the batch size (the simulator's assumption).
    time.sleep(max((d.duration_s for _, d in decisions), default=0.0))
    failing = [(item, d) for item, d in decisions if d.fail]
    if any(d.crash for _, d in decisions):
        # `crash`: the runtime process exits mid-invocation (Runtime.ExitError); no end line is
        # written, the REPORT line says Status: error, and Lambda resets the environment
        os._exit(1)
    if partial and failing:
        for item, d in decisions:
            _log(
                "end",
                item,
                context,
                cold,
                outcome="error" if d.fail else "success",
                error=d.error_message or None,
            )
        return {"batchItemFailures": [{"itemIdentifier": item.ident} for item, _ in failing]}
    if failing:
        message = failing[0][1].error_message
        for item, _ in decisions:
            _log("end", item, context, cold, outcome="error", error=message)
        raise ProbeError(message)
    for item, _ in decisions:
        _log("end", item, context, cold, outcome="success", error=None)
    if partial:
        return {"batchItemFailures": []}
    result = {"ok": True, "request": batch[0].request if len(batch) == 1 else [i.request for i in batch]}
    if _proxied(event):  # any other shape is a 502 "Malformed Lambda proxy response"
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(result)}
    return result


def relay(event: Any, context: Any) -> Any:
    """An upstream or destination function: succeeds at once and returns its input.

    Its own on-success destination (a queue the run owns) then carries the input onward, which is
    how a Lambda destination is observed.
    """
    return event


def _feature(batch: list[Item], context: Any, cold: bool) -> None:
    """The AWS-only probes' own part (`features.run`), logged as one `feature` line per invocation.

    Logged before the attempt's end line, so a collector that has every end line has these too.
    """
    raw = os.environ.get("LAMBDAPROBE_FEATURE")
    if not raw:
        return
    item = batch[0] if batch else Item("", None, 1, "")
    result = features.run(json.loads(raw), item.request)
    _log("feature", item, context, cold, **result)
