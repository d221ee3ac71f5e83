"""The deploy plan: a Scenario turned into a list of API calls, as plain frozen data. Pure.

Nothing here talks to AWS. `apply` carries the plan out, `format_plan` prints it for `--dry-run`.
Values known only once an earlier call has run (a role ARN, a queue URL) are `Ref`s to the name
that call `produces`; `Fmt` and `Json` build strings out of them.

Every resource is named `lambdaprobe-<run id>-<role>` and tagged `lambdaprobe:run=<run id>` where
the API takes tags, so `cleanup` can find leftovers.

The records live in `plan_records`; the planner's building blocks in `plan_blocks`, and its parts
per concern in `plan_function`, `plan_destinations` and `plan_sources`. This module puts the
planner together and keeps the entry points (and re-exports the records, as before).
"""

from __future__ import annotations

import json
import math
from typing import Any

from lambdaprobe.aws.bundle import HANDLER
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.plan_blocks import PROBE, partition
from lambdaprobe.aws.plan_destinations import DestinationPlanner
from lambdaprobe.aws.plan_function import PROVISIONED_READY_TIMEOUT_S, FunctionPlanner
from lambdaprobe.aws.plan_records import ApiCall, Fmt, Json, Poll, Ref, Watch, WatchKind, WatchShape
from lambdaprobe.aws.plan_sources import SourcePlanner
from lambdaprobe.scenario import Scenario

__all__ = [
    "ASYNC_KINDS",
    "PROBE",
    "PROVISIONED_READY_TIMEOUT_S",
    "ApiCall",
    "Fmt",
    "Json",
    "Poll",
    "Ref",
    "Watch",
    "WatchKind",
    "WatchShape",
    "format_plan",
    "function_timeout_s",
    "is_async",
    "log_group",
    "partition",
    "plan",
    "resources",
    "watches",
]

ASYNC_KINDS = frozenset({"async", "sns", "eventbridge", "destination"})


def function_timeout_s(scenario: Scenario) -> int:
    """Lambda takes whole seconds (1..900)."""
    return max(1, min(900, math.ceil(scenario.function.timeout_s)))


def is_async(scenario: Scenario) -> bool:
    return scenario.source.kind in ASYNC_KINDS or (
        scenario.source.kind == "sync" and scenario.stimulus.mode == "async"
    )


class _Planner(FunctionPlanner, DestinationPlanner, SourcePlanner):
    """The whole planner: the building blocks and each concern's part, put together by `build`."""

    # -- the scenario ------------------------------------------------------------------------
    def build(self) -> None:
        s = self.s
        # the account the role's policy is scoped to (ARNs name it)
        self.add(ApiCall("sts", "GetCallerIdentity", {}, produces="account", output="Account", mutating=False))
        self.add(
            ApiCall(
                "iam",
                "CreateRole",
                {
                    "RoleName": self.name("role"),
                    "AssumeRolePolicyDocument": json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Principal": {"Service": "lambda.amazonaws.com"},
                                    "Action": "sts:AssumeRole",
                                }
                            ],
                        },
                        sort_keys=True,
                    ),
                    "Description": "lambdaprobe run role (deleted at teardown)",
                    "Tags": self.tag_list(),
                },
                produces="role_arn",
                output="Role.Arn",
                teardown=ApiCall("iam", "DeleteRole", {"RoleName": self.name("role")}),
            )
        )
        dlq_arn = self.dead_letter_queue()
        destinations = {
            "on_success": self.destination("on_success", s.async_config.on_success),
            "on_failure": self.destination("on_failure", s.async_config.on_failure),
        }
        source_arn = self.source_resource()
        self.add(
            ApiCall(
                "iam",
                "PutRolePolicy",
                {
                    "RoleName": self.name("role"),
                    "PolicyName": self.name("policy"),
                    "PolicyDocument": Json(self.policy()),
                },
                teardown=ApiCall(
                    "iam",
                    "DeleteRolePolicy",
                    {"RoleName": self.name("role"), "PolicyName": self.name("policy")},
                ),
            )
        )
        self.relay_functions()
        from lambdaprobe.aws.plan_features import plan_feature  # here: it builds on this module

        feature = plan_feature(self)  # vpc, efs, code-signing, env-encryption; nothing otherwise
        directive = s.function.directive
        env = {
            "LAMBDAPROBE_INIT_S": repr(directive.init_s),
            "LAMBDAPROBE_DIRECTIVE": json.dumps(directive.to_event(), sort_keys=True),
        }
        spec = s.source.sqs or s.source.stream
        if spec is not None and spec.report_batch_item_failures:
            env["LAMBDAPROBE_PARTIAL_BATCH"] = "1"
        env.update(feature.env)
        self.function(PROBE, HANDLER, function_timeout_s(s), env, dlq_arn, feature.function_params)
        self.versions()
        self.concurrency()
        if is_async(s):
            self.event_invoke_config(PROBE, s.called_qualifier, destinations)
        self.source_wiring(source_arn)
        # a second version, an API in front: planned in their own module, which imports this one
        from lambdaprobe.aws.plan_callers import extend

        extend(self)


def plan(scenario: Scenario, options: AwsOptions) -> list[ApiCall]:
    """The API calls that deploy `scenario`, in order. Teardown is each call's `teardown`, reversed."""
    planner = _Planner(scenario, options)
    planner.build()
    return planner.calls


def watches(scenario: Scenario, options: AwsOptions) -> list[Watch]:
    """The queues the collector drains for this scenario (DLQs and destinations)."""
    planner = _Planner(scenario, options)
    planner.build()
    return planner.watches


def log_group(options: AwsOptions) -> str:
    """Where the probe function logs its JSON lines and REPORT lines."""
    return f"/aws/lambda/{options.name(PROBE)}"


_CREATES = {
    # the AWS-only probes' resources (lambdaprobe.aws.plan_features)
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


def resources(calls: list[ApiCall]) -> list[str]:
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


def _show(value: Any) -> Any:
    if isinstance(value, Ref):
        return f"<{value.name}>"
    if isinstance(value, Fmt):
        return value.template.replace("{", "<").replace("}", ">")
    if isinstance(value, Json):
        return _show(value.value)
    if isinstance(value, bytes):
        return f"<zip, {len(value)} bytes>"
    if isinstance(value, dict):
        return {k: _show(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_show(v) for v in value]
    return value


def format_plan(calls: list[ApiCall]) -> str:
    """The plan as text: one line per call, then the teardown in the order it would run."""
    lines = [f"Deploy ({len(calls)} API calls; nothing is created by a dry run):"]
    for i, call in enumerate(calls, 1):
        params = json.dumps(_show(call.params), sort_keys=True, separators=(", ", ": "))
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
        params = json.dumps(_show(call.params), sort_keys=True, separators=(", ", ": "))
        lines.append(f"{i:3d}. {call.service}.{call.operation} {params}")
    return "\n".join(lines)
