"""The plan as text: the dry run's listing, and the confirmation's resources. Pure."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from lambdaprobe.aws.plan.records import ApiCall, Fmt, Json, Ref

_CREATES = {
    # the AWS-only probes' resources (lambdaprobe.aws.plan.features)
    "CreateVpc": ("vpc", "CidrBlock"),
    "CreateSubnet": ("subnet", "CidrBlock"),
    "CreateSecurityGroup": ("security group", "GroupName"),
    "CreateFileSystem": ("efs file system", "CreationToken"),
    "CreateAccessPoint": ("efs access point", "ClientToken"),
    "PutSigningProfile": ("signer profile", "profileName"),
    "CreateCodeSigningConfig": ("code signing config", "Description"),
    "CreateKey": ("kms key", "Description"),
    "CreateBucket": ("s3 bucket", "Bucket"),
    "CreateRole": ("iam role", "RoleName"),
    "CreateQueue": ("sqs queue", "QueueName"),
    "CreateTopic": ("sns topic", "Name"),
    "CreateEventBus": ("eventbridge bus", "Name"),
    "PutRule": ("eventbridge rule", "Name"),
    "CreateLogGroup": ("log group", "logGroupName"),
    "CreateFunction": ("lambda function", "FunctionName"),
    "CreateStream": ("kinesis stream", "StreamName"),
    "CreateTable": ("dynamodb table", "TableName"),
    "CreateEventSourceMapping": ("event source mapping", "FunctionName"),
    "PutProvisionedConcurrencyConfig": ("provisioned concurrency", "Qualifier"),
    "CreateRestApi": ("api gateway rest api", "name"),
}


def resources(calls: Sequence[ApiCall]) -> list[str]:
    """What a plan creates, one line each, with what it costs when it costs while idle.

    For the confirmation the CLI asks before anything billable is created.
    """
    out: list[str] = []
    for call in calls:
        if call.operation not in _CREATES:
            continue
        kind, key = _CREATES[call.operation]
        line = f"{kind} {call.params.get(key)}"
        if call.operation == "PutProvisionedConcurrencyConfig":
            line = f"{kind} {call.params['ProvisionedConcurrentExecutions']} on {call.params['Qualifier']}"
        if call.note:
            line += f" ({call.note})"
        out.append(line)
    return out


def show_value(value: Any) -> Any:
    if isinstance(value, Ref):
        return f"<{value.name}>"
    if isinstance(value, Fmt):
        return value.template.replace("{", "<").replace("}", ">")
    if isinstance(value, Json):
        return show_value(value.value)
    if isinstance(value, bytes):
        return f"<zip, {len(value)} bytes>"
    if isinstance(value, dict):
        return {k: show_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [show_value(v) for v in value]
    return value


def format_plan(calls: Sequence[ApiCall]) -> str:
    """The plan as text: one line per call, then the teardown in the order it would run."""
    lines = [f"Deploy ({len(calls)} API calls; nothing is created by a dry run):"]
    for i, call in enumerate(calls, 1):
        params = json.dumps(show_value(call.params), sort_keys=True, separators=(", ", ": "))
        line = f"{i:3d}. {call.service}.{call.operation} {params}"
        if call.produces:
            line += f" -> <{call.produces}>"
        if call.poll:
            line += f" until {call.poll.path} in {'|'.join(call.poll.ready)}"
        lines.append(line)
        if call.note:
            lines.append(f"     note: {call.note}")
    teardown = [c.teardown for c in reversed(calls) if c.teardown is not None]
    lines.append(f"Teardown ({len(teardown)} API calls, always run, in this order):")
    for i, call in enumerate(teardown, 1):
        params = json.dumps(show_value(call.params), sort_keys=True, separators=(", ", ": "))
        lines.append(f"{i:3d}. {call.service}.{call.operation} {params}")
    return "\n".join(lines)


def plan_json(calls: Sequence[ApiCall]) -> dict[str, Any]:
    """The plan as data (the dry run's `--output json`): the deploy calls in order, then the teardown."""

    def one(call: ApiCall) -> dict[str, Any]:
        item: dict[str, Any] = {"service": call.service, "operation": call.operation,
                                "params": show_value(call.params)}
        if call.produces:
            item["produces"] = call.produces
        if call.poll:
            item["until"] = {"path": call.poll.path, "in": list(call.poll.ready)}
        if call.note:
            item["note"] = call.note
        return item

    teardown = [c.teardown for c in reversed(calls) if c.teardown is not None]
    return {"deploy": [one(c) for c in calls], "teardown": [one(c) for c in teardown]}
