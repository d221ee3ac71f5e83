"""The plan being built: its calls and watches, the run's naming and tags, and the building blocks
every part uses (a queue, a topic, a bus, a rule, a function, a permission, a mapping). Pure.

Each part of the plan (`function`, `destinations`, `callers`, `features`, and each source in
`lambdaprobe.aws.sources`) is a function that takes a `PlanBuilder` and adds its calls;
`lambdaprobe.aws.planner` calls them in order.
"""

from __future__ import annotations

import json
from typing import Any

from lambdaprobe.aws.options import CREATED_TAG, EXPIRES_TAG, LEASE_S, RUN_TAG, AwsOptions
from lambdaprobe.aws.plan.bundle import function_zip
from lambdaprobe.aws.plan.records import ApiCall, Fmt, Json, Poll, Ref, Watch
from lambdaprobe.scenario import Scenario

PROBE = "probe"


def partition(region: str | None) -> str:
    if region and region.startswith("cn-"):
        return "aws-cn"
    if region and region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


class PlanBuilder:
    """The calls and watches added so far, with the scenario and the options they are built from."""

    def __init__(self, scenario: Scenario, options: AwsOptions) -> None:
        self.s = scenario
        self.o = options
        self.calls: list[ApiCall] = []
        self.watches: list[Watch] = []
        self.p = partition(options.region)

    # -- naming and tags ---------------------------------------------------------------------
    def name(self, role: str) -> str:
        return self.o.name(role)

    def rule_name(self, role: str) -> str:
        # distinct from its bus's name: some emulators key tags by name and would mix the two up
        return self.name(f"{role}-rule")

    def tag_dict(self) -> dict[str, str]:
        return run_tags(self.o)

    def tag_list(self) -> list[dict[str, str]]:
        return [{"Key": k, "Value": v} for k, v in self.tag_dict().items()]

    def pattern(self, service: str, resource: str) -> Fmt:
        """An ARN pattern covering this run's resources only: its account (read from STS at the
        start of the run) and its Region (any Region only in a dry run without --region)."""
        region = self.o.region or "*"
        return Fmt(f"arn:{self.p}:{service}:{region}:" + "{account}:" + resource)

    def add(self, call: ApiCall) -> None:
        self.calls.append(call)

    # -- building blocks ---------------------------------------------------------------------
    def queue(self, role: str, fifo: bool = False, attributes: dict[str, Any] | None = None) -> str:
        """A queue; returns the role (its URL is `<role>_url`, its ARN `<role>_arn`)."""
        name = self.name(role) + (".fifo" if fifo else "")
        attrs: dict[str, Any] = dict(attributes or {})
        if fifo:
            attrs.update({"FifoQueue": "true", "ContentBasedDeduplication": "true"})
        params: dict[str, Any] = {"QueueName": name, "tags": self.tag_dict()}
        if attrs:
            params["Attributes"] = attrs
        self.add(
            ApiCall(
                "sqs",
                "CreateQueue",
                params,
                produces=f"{role}_url",
                output="QueueUrl",
                teardown=ApiCall("sqs", "DeleteQueue", {"QueueUrl": Ref(f"{role}_url")}),
            )
        )
        self.add(
            ApiCall(
                "sqs",
                "GetQueueAttributes",
                {"QueueUrl": Ref(f"{role}_url"), "AttributeNames": ["QueueArn"]},
                produces=f"{role}_arn",
                output="Attributes.QueueArn",
                mutating=False,
            )
        )
        return role

    def allow_send(self, queue_role: str, principal: str, source_ref: str) -> None:
        """Let SNS or EventBridge deliver into a queue of this run, from one source only."""
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": principal},
                    "Action": "sqs:SendMessage",
                    "Resource": Ref(f"{queue_role}_arn"),
                    "Condition": {"ArnEquals": {"aws:SourceArn": Ref(source_ref)}},
                }
            ],
        }
        self.add(
            ApiCall(
                "sqs",
                "SetQueueAttributes",
                {"QueueUrl": Ref(f"{queue_role}_url"), "Attributes": {"Policy": Json(policy)}},
            )
        )

    def topic(self, role: str) -> str:
        self.add(
            ApiCall(
                "sns",
                "CreateTopic",
                {"Name": self.name(role), "Tags": self.tag_list()},
                produces=f"{role}_arn",
                output="TopicArn",
                teardown=ApiCall("sns", "DeleteTopic", {"TopicArn": Ref(f"{role}_arn")}),
            )
        )
        return role

    def subscribe(self, topic_role: str, protocol: str, endpoint: Any, sub: str) -> None:
        self.add(
            ApiCall(
                "sns",
                "Subscribe",
                {
                    "TopicArn": Ref(f"{topic_role}_arn"),
                    "Protocol": protocol,
                    "Endpoint": endpoint,
                    "ReturnSubscriptionArn": True,
                },
                produces=f"{sub}_subscription",
                output="SubscriptionArn",
                teardown=ApiCall("sns", "Unsubscribe", {"SubscriptionArn": Ref(f"{sub}_subscription")}),
            )
        )

    def observed_topic(self, role: str) -> str:
        """A topic with a queue of this run subscribed (SNS-wrapped messages, not raw)."""
        self.topic(role)
        obs = self.queue(f"{role}-obs")
        self.allow_send(obs, "sns.amazonaws.com", f"{role}_arn")
        self.subscribe(role, "sqs", Ref(f"{obs}_arn"), obs)
        return obs

    def bus(self, role: str) -> None:
        self.add(
            ApiCall(
                "events",
                "CreateEventBus",
                {"Name": self.name(role), "Tags": self.tag_list()},
                produces=f"{role}_bus_arn",
                output="EventBusArn",
                teardown=ApiCall("events", "DeleteEventBus", {"Name": self.name(role)}),
            )
        )

    def rule(self, role: str, pattern: dict[str, Any], target_arn: Any) -> None:
        self.add(
            ApiCall(
                "events",
                "PutRule",
                {
                    "Name": self.rule_name(role),
                    "EventBusName": self.name(role),
                    "EventPattern": json.dumps(pattern, sort_keys=True),
                    "State": "ENABLED",
                    "Tags": self.tag_list(),
                },
                produces=f"{role}_rule_arn",
                output="RuleArn",
                teardown=ApiCall(
                    "events", "DeleteRule", {"Name": self.rule_name(role), "EventBusName": self.name(role)}
                ),
            )
        )
        self.rule_target(role, target_arn)

    def rule_target(self, role: str, target_arn: Any) -> None:
        self.add(
            ApiCall(
                "events",
                "PutTargets",
                {
                    "Rule": self.rule_name(role),
                    "EventBusName": self.name(role),
                    "Targets": [{"Id": "lambdaprobe", "Arn": target_arn}],
                },
                teardown=ApiCall(
                    "events",
                    "RemoveTargets",
                    {"Rule": self.rule_name(role), "EventBusName": self.name(role), "Ids": ["lambdaprobe"]},
                ),
            )
        )

    def log_group(self, fn_role: str) -> None:
        group = f"/aws/lambda/{self.name(fn_role)}"
        # Created ahead of the function so the run owns it (tags, retention) and deletes it.
        self.add(
            ApiCall(
                "logs",
                "CreateLogGroup",
                {"logGroupName": group, "tags": self.tag_dict()},
                teardown=ApiCall("logs", "DeleteLogGroup", {"logGroupName": group}),
            )
        )
        self.add(
            ApiCall(
                "logs",
                "PutRetentionPolicy",
                {"logGroupName": group, "retentionInDays": self.o.log_retention_days},
            )
        )

    def function(
        self,
        role: str,
        handler: str,
        timeout_s: int,
        env: dict[str, str],
        dead_letter: Any = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.log_group(role)
        self.add(create_function(self.o, self.s, role, handler, timeout_s, env, dead_letter, extra))
        self.add(
            ApiCall(
                "lambda",
                "GetFunctionConfiguration",
                {"FunctionName": self.name(role)},
                poll=Poll("State", ("Active",), ("Failed",), message=f"waiting for {self.name(role)} Active"),
                mutating=False,
            )
        )


    def qualified_probe(self) -> Any:
        """The probe's ARN as a source invokes it: with the called qualifier, unless `$LATEST`."""
        q = self.s.called_qualifier
        return Ref(f"{PROBE}_arn") if q == "$LATEST" else Fmt("{" + PROBE + "_arn}:" + q)

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

    def event_source_mapping(self, source_arn: Any, settings: dict[str, Any]) -> None:
        """A mapping from a queue or stream to the called qualifier, with the source's own settings."""
        q = self.s.called_qualifier
        params: dict[str, Any] = {
            "EventSourceArn": source_arn,
            "FunctionName": self.name(PROBE) if q == "$LATEST" else f"{self.name(PROBE)}:{q}",
            "Enabled": True,
            "Tags": self.tag_dict(),
        }
        params.update(settings)
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


def run_tags(options: AwsOptions) -> dict[str, str]:
    """The tags every resource of a run carries: the run id, when it was made (for --older-than), and
    until when it counts as live unless renewed (the run renews it on its role)."""
    tags = {RUN_TAG: options.run_id}
    if options.created_at is not None:
        tags[CREATED_TAG] = str(options.created_at)
        tags[EXPIRES_TAG] = str(options.created_at + LEASE_S)
    return tags


def create_function(
    options: AwsOptions,
    scenario: Scenario,
    role: str,
    handler: str,
    timeout_s: int,
    env: dict[str, str],
    dead_letter: Any = None,
    extra: dict[str, Any] | None = None,
) -> ApiCall:
    """CreateFunction for one of the run's functions (with its DeleteFunction), zipped from the probe."""
    name = options.name(role)
    params: dict[str, Any] = {
        "FunctionName": name,
        "Runtime": options.runtime,
        "Role": Ref("role_arn"),
        "Handler": handler,
        "Code": {"ZipFile": function_zip()},
        "Timeout": timeout_s,
        "MemorySize": scenario.function.memory_mb,
        "Environment": {"Variables": env},
        # Text: the collector parses REPORT and timeout lines as text, whatever the account default.
        # The function's own group, created by the plan, so it is tagged and cleanup finds it.
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        "Tags": run_tags(options),
    }
    if dead_letter is not None:
        params["DeadLetterConfig"] = {"TargetArn": dead_letter}
    params.update(extra or {})
    return ApiCall(
        "lambda",
        "CreateFunction",
        params,
        produces=f"{role}_arn",
        output="FunctionArn",
        teardown=ApiCall("lambda", "DeleteFunction", {"FunctionName": name}),
    )
