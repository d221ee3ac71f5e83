"""The deploy plan: a Scenario turned into a list of API calls, as plain frozen data. Pure.

Nothing here talks to AWS. `apply` carries the plan out, `format_plan` prints it for `--dry-run`.
Values known only once an earlier call has run (a role ARN, a queue URL) are `Ref`s to the name
that call `produces`; `Fmt` and `Json` build strings out of them.

Every resource is named `lambdaprobe-<run id>-<role>` and tagged `lambdaprobe:run=<run id>` where
the API takes tags, so `cleanup` can find leftovers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from lambdaprobe.aws.bundle import HANDLER, RELAY_HANDLER, function_zip
from lambdaprobe.aws.options import CREATED_TAG, RUN_TAG, AwsOptions
from lambdaprobe.scenario import ALIAS_NAME, Scenario, SqsSourceSpec, StreamSourceSpec

ASYNC_KINDS = frozenset({"async", "sns", "eventbridge", "destination"})
PROBE = "probe"
PROVISIONED_READY_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class Ref:
    """The value an earlier call produced under `name`."""

    name: str


@dataclass(frozen=True)
class Fmt:
    """A string with `{name}` fields filled from produced values."""

    template: str


@dataclass(frozen=True)
class Json:
    """A JSON document (as a string) whose Refs and Fmts are resolved first."""

    value: Any


@dataclass(frozen=True)
class Poll:
    """Repeat the call until the value at `path` is one of `ready` (a state to wait for)."""

    path: str
    ready: tuple[str, ...]
    failed: tuple[str, ...] = ()
    timeout_s: float = 300.0
    interval_s: float = 2.0
    message: str = ""


@dataclass(frozen=True)
class ApiCall:
    """One API call of the plan.

    produces   the name later calls use (through Ref/Fmt) for the value at `output` in the response
    teardown   the call that undoes this one (None when deleting a parent removes it too)
    poll       repeat until a state is reached (used for reads that wait: READY, Enabled, ACTIVE)
    mutating   False for reads, which a dry run or a fault-injection test may tell apart
    note       shown in the dry run (e.g. what a resource costs)
    """

    service: str
    operation: str
    params: dict[str, Any] = field(default_factory=dict)
    produces: str | None = None
    output: str | None = None
    teardown: ApiCall | None = None
    poll: Poll | None = None
    mutating: bool = True
    note: str = ""


WatchKind = Literal["dead_letter", "on_success", "on_failure"]
WatchShape = Literal["sqs", "sns", "eventbridge", "lambda"]


@dataclass(frozen=True)
class Watch:
    """A queue the collector drains: what lands there, under which label, in which envelope."""

    queue_url: str  # produces-name of the queue URL
    observe: WatchKind
    label: str  # e.g. "sqs:lambdaprobe-lp1a2b3c-dlq", as the simulator labels its targets
    shape: WatchShape
    request_in_record: bool = True  # False for stream failure records, which carry no data


def partition(region: str | None) -> str:
    if region and region.startswith("cn-"):
        return "aws-cn"
    if region and region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def function_timeout_s(scenario: Scenario) -> int:
    """Lambda takes whole seconds (1..900)."""
    return max(1, min(900, math.ceil(scenario.function.timeout_s)))


def is_async(scenario: Scenario) -> bool:
    return scenario.source.kind in ASYNC_KINDS or (
        scenario.source.kind == "sync" and scenario.stimulus.mode == "async"
    )


class _Planner:
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
        tags = {RUN_TAG: self.o.run_id}
        if self.o.created_at is not None:
            tags[CREATED_TAG] = str(self.o.created_at)
        return tags

    def tag_list(self) -> list[dict[str, str]]:
        return [{"Key": k, "Value": v} for k, v in self.tag_dict().items()]

    def pattern(self, service: str, resource: str) -> str:
        """An ARN pattern covering this run's resources only (least privilege, no account needed)."""
        return f"arn:{self.p}:{service}:*:*:{resource}"

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
        params: dict[str, Any] = {
            "FunctionName": self.name(role),
            "Runtime": self.o.runtime,
            "Role": Ref("role_arn"),
            "Handler": handler,
            "Code": {"ZipFile": function_zip()},
            "Timeout": timeout_s,
            "MemorySize": self.s.function.memory_mb,
            "Environment": {"Variables": env},
            # Text: the collector parses REPORT and timeout lines as text, whatever the account default
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{self.name(role)}"},
            "Tags": self.tag_dict(),
        }
        if dead_letter is not None:
            params["DeadLetterConfig"] = {"TargetArn": dead_letter}
        params.update(extra or {})
        self.add(
            ApiCall(
                "lambda",
                "CreateFunction",
                params,
                produces=f"{role}_arn",
                output="FunctionArn",
                teardown=ApiCall("lambda", "DeleteFunction", {"FunctionName": self.name(role)}),
            )
        )
        self.add(
            ApiCall(
                "lambda",
                "GetFunctionConfiguration",
                {"FunctionName": self.name(role)},
                poll=Poll("State", ("Active",), ("Failed",), message=f"waiting for {self.name(role)} Active"),
                mutating=False,
            )
        )

    # -- the scenario ------------------------------------------------------------------------
    def build(self) -> None:
        s = self.s
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
                    "PolicyDocument": json.dumps(self.policy(), sort_keys=True),
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

    def dead_letter_queue(self) -> Any:
        kind = self.s.async_config.dlq
        if kind is None:
            return None
        label = f"{kind}:{self.name('dlq')}"
        if kind == "sqs":
            self.queue("dlq")
            self.watches.append(Watch("dlq_url", "dead_letter", label, "sqs"))
            return Ref("dlq_arn")
        obs = self.observed_topic("dlq")
        self.watches.append(Watch(f"{obs}_url", "dead_letter", label, "sns"))
        return Ref("dlq_arn")

    def destination(self, on: WatchKind, kind: str | None) -> Any:
        if kind is None:
            return None
        role = "on-success" if on == "on_success" else "on-failure"
        label = f"{kind}:{self.name(role)}"
        if kind == "sqs":
            self.queue(role)
            self.watches.append(Watch(f"{role}_url", on, label, "sqs"))
            return Ref(f"{role}_arn")
        if kind == "sns":
            obs = self.observed_topic(role)
            self.watches.append(Watch(f"{obs}_url", on, label, "sns"))
            return Ref(f"{role}_arn")
        if kind == "eventbridge":
            obs = self.queue(f"{role}-obs")
            self.bus(role)
            self.rule(role, {"source": ["lambda"]}, Ref(f"{obs}_arn"))
            self.allow_send(obs, "events.amazonaws.com", f"{role}_rule_arn")
            self.watches.append(Watch(f"{obs}_url", on, label, "eventbridge"))
            return Ref(f"{role}_bus_arn")
        # lambda: a relay function whose own on-success destination is a queue of this run
        obs = self.queue(f"{role}-obs")
        self.watches.append(Watch(f"{obs}_url", on, label, "lambda"))
        return Fmt("{" + role + "_arn}")

    def relay_functions(self) -> None:
        """Functions that exist only to pass records on: Lambda destinations and the upstream."""
        cfg = self.s.async_config
        for on, kind in (("on_success", cfg.on_success), ("on_failure", cfg.on_failure)):
            if kind != "lambda":
                continue
            role = "on-success" if on == "on_success" else "on-failure"
            self.function(role, RELAY_HANDLER, 10, {})
            self.add(
                ApiCall(
                    "lambda",
                    "PutFunctionEventInvokeConfig",
                    {
                        "FunctionName": self.name(role),
                        "MaximumRetryAttempts": 0,
                        "DestinationConfig": {"OnSuccess": {"Destination": Ref(f"{role}-obs_arn")}},
                    },
                )
            )

    def policy(self) -> dict[str, Any]:
        s, run = self.s, self.o.run_id
        mine = f"lambdaprobe-{run}-*"
        statements: list[dict[str, Any]] = [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [self.pattern("logs", f"log-group:/aws/lambda/{mine}:*")],
            }
        ]
        sends_to = {s.async_config.dlq, s.async_config.on_success, s.async_config.on_failure}
        if s.source.stream is not None:
            sends_to.add(s.source.stream.on_failure)
        if "sqs" in sends_to or "lambda" in sends_to:
            statements.append(
                {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [self.pattern("sqs", mine)]}
            )
        if "sns" in sends_to:
            statements.append(
                {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [self.pattern("sns", mine)]}
            )
        if "eventbridge" in sends_to:
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": ["events:PutEvents"],
                    "Resource": [self.pattern("events", f"event-bus/{mine}")],
                }
            )
        if "lambda" in sends_to or s.source.kind == "destination":
            # a Lambda destination, or the upstream function handing its record to the probe
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": ["lambda:InvokeFunction"],
                    "Resource": [self.pattern("lambda", f"function:{mine}")],
                }
            )
        kind = s.source.kind
        if kind in ("sqs", "sqs-fifo"):
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": [
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                        "sqs:ChangeMessageVisibility",
                    ],
                    "Resource": [self.pattern("sqs", mine)],
                }
            )
        if kind == "kinesis":
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": [
                        "kinesis:DescribeStream",
                        "kinesis:DescribeStreamSummary",
                        "kinesis:GetRecords",
                        "kinesis:GetShardIterator",
                        "kinesis:ListShards",
                        "kinesis:SubscribeToShard",
                    ],
                    "Resource": [self.pattern("kinesis", f"stream/{mine}")],
                }
            )
        if kind == "dynamodb":
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": [
                        "dynamodb:DescribeStream",
                        "dynamodb:GetRecords",
                        "dynamodb:GetShardIterator",
                    ],
                    "Resource": [self.pattern("dynamodb", f"table/{mine}/stream/*")],
                }
            )
            # ListStreams takes no resource: the mapping's role check needs it account-wide
            statements.append({"Effect": "Allow", "Action": ["dynamodb:ListStreams"], "Resource": ["*"]})
        return {"Version": "2012-10-17", "Statement": statements}

    def versions(self) -> None:
        name = self.name(PROBE)
        self.add(
            ApiCall(
                "lambda",
                "PublishVersion",
                {"FunctionName": name, "Description": "lambdaprobe"},
                produces="version",
                output="Version",
            )
        )
        self.add(
            ApiCall(
                "lambda",
                "GetFunctionConfiguration",
                {"FunctionName": name, "Qualifier": Ref("version")},
                poll=Poll("State", ("Active",), ("Failed",), message="waiting for version 1 Active"),
                mutating=False,
            )
        )
        self.add(
            ApiCall(
                "lambda",
                "CreateAlias",
                {"FunctionName": name, "Name": ALIAS_NAME, "FunctionVersion": Ref("version")},
            )
        )

    def concurrency(self) -> None:
        name, conc = self.name(PROBE), self.s.concurrency
        if conc.reserved is not None:
            self.add(
                ApiCall(
                    "lambda",
                    "PutFunctionConcurrency",
                    {"FunctionName": name, "ReservedConcurrentExecutions": conc.reserved},
                )
            )
        qualifier = self.s.provisioned_qualifier
        if qualifier is None:
            return
        self.add(
            ApiCall(
                "lambda",
                "PutProvisionedConcurrencyConfig",
                {
                    "FunctionName": name,
                    "Qualifier": qualifier,
                    "ProvisionedConcurrentExecutions": conc.provisioned,
                },
                teardown=ApiCall(
                    "lambda",
                    "DeleteProvisionedConcurrencyConfig",
                    {"FunctionName": name, "Qualifier": qualifier},
                ),
                note=(
                    f"provisioned concurrency is billed per environment-second while it exists "
                    f"({conc.provisioned} x {self.s.function.memory_mb} MB, from READY until teardown)"
                ),
            )
        )
        self.add(
            ApiCall(
                "lambda",
                "GetProvisionedConcurrencyConfig",
                {"FunctionName": name, "Qualifier": qualifier},
                poll=Poll(
                    "Status",
                    ("READY",),
                    ("FAILED",),
                    timeout_s=PROVISIONED_READY_TIMEOUT_S,
                    interval_s=5.0,
                    message=(
                        f"waiting for provisioned concurrency ({conc.provisioned}) READY on {qualifier} "
                        f"(usually 1-3 min; {conc.provisioned} x {self.s.function.memory_mb} MB is billed "
                        "from READY until teardown)"
                    ),
                ),
                mutating=False,
            )
        )

    def event_invoke_config(self, role: str, qualifier: str, destinations: dict[str, Any]) -> None:
        cfg = self.s.async_config
        params: dict[str, Any] = {
            "FunctionName": self.name(role),
            "Qualifier": qualifier,
            "MaximumRetryAttempts": cfg.max_retry_attempts,
            "MaximumEventAgeInSeconds": cfg.max_event_age_s,
        }
        dest: dict[str, Any] = {}
        if destinations["on_success"] is not None:
            dest["OnSuccess"] = {"Destination": destinations["on_success"]}
        if destinations["on_failure"] is not None:
            dest["OnFailure"] = {"Destination": destinations["on_failure"]}
        if dest:
            params["DestinationConfig"] = dest
        self.add(ApiCall("lambda", "PutFunctionEventInvokeConfig", params))

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
