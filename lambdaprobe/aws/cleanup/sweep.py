"""Find and delete what earlier runs left behind (an interrupted teardown, a killed process).

A resource qualifies only if its name starts with `lambdaprobe-` AND it carries the tag
`lambdaprobe:run`; resources that take no tags (event source mappings, rule targets,
subscriptions) qualify through the tagged resource they belong to. Nothing is deleted before
`confirm` has seen the list and said yes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from lambdaprobe.aws.cleanup.features import feature_finders  # vpc, efs, kms, signing
from lambdaprobe.aws.cleanup.leftovers import Leftover, Step, created_at, pages, tags_from_list
from lambdaprobe.aws.client import BOTO_ERRORS, AwsClient, is_not_found, one_line, to_aws_error
from lambdaprobe.aws.options import NAME_PREFIX, RUN_TAG, AwsOptions
from lambdaprobe.errors import InputError


@dataclass
class CleanupResult:
    found: list[Leftover] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([smhd]?)\s*$")
_UNIT_S = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str, option: str = "--older-than") -> float:
    """`90`, `90s`, `30m`, `2h`, `1d` -> seconds. Raises InputError naming `option`."""
    match = _DURATION.match(text)
    if match is None:
        raise InputError(option, f"{text!r} is not a duration (e.g. 90s, 30m, 2h, 1d)")
    return float(match.group(1)) * _UNIT_S[match.group(2)]


class Finder:
    def __init__(self, client: AwsClient) -> None:
        self.client = client

    def _safe(self, fn: Callable[[], list[Leftover]]) -> list[Leftover]:
        try:
            return fn()
        except BOTO_ERRORS as exc:
            if is_not_found(exc):
                return []
            raise

    def all(self) -> list[Leftover]:
        found: list[Leftover] = []
        for finder in (
            self.rest_apis,
            self.functions,
            self.orphan_mappings,
            self.event_buses,
            self.topics,
            self.queues,
            self.streams,
            self.tables,
            self.log_groups,
            self.roles,
        ):
            found.extend(self._safe(finder))
        for feature_finder in feature_finders(self.client):
            found.extend(self._safe(feature_finder))
        return found

    def rest_apis(self) -> list[Leftover]:
        """API Gateway REST APIs in front of a probe (abort --caller apigateway)."""
        c, out = self.client, []
        for api in pages(c, "apigateway", "GetRestApis", {"limit": 500}, "items", "position", "position"):
            name, tags = str(api.get("name", "")), api.get("tags") or {}
            if not name.startswith(NAME_PREFIX) or RUN_TAG not in tags:
                continue
            out.append(
                Leftover(
                    "api gateway rest api",
                    name,
                    tags[RUN_TAG],
                    created_at(tags, api.get("createdDate")),
                    (("apigateway", "DeleteRestApi", {"restApiId": api["id"]}),),
                )
            )
        return out

    def functions(self) -> list[Leftover]:
        c, out = self.client, []
        for fn in pages(c, "lambda", "ListFunctions", {}, "Functions", "Marker", "NextMarker"):
            name = fn["FunctionName"]
            if not name.startswith(NAME_PREFIX):
                continue
            tags = c.call("lambda", "ListTags", {"Resource": fn["FunctionArn"]}).get("Tags", {})
            if RUN_TAG not in tags:
                continue
            steps: list[Step] = []
            for m in pages(
                c,
                "lambda",
                "ListEventSourceMappings",
                {"FunctionName": name},
                "EventSourceMappings",
                "Marker",
                "NextMarker",
            ):
                steps.append(("lambda", "DeleteEventSourceMapping", {"UUID": m["UUID"]}))
            try:
                configs = pages(
                    c,
                    "lambda",
                    "ListProvisionedConcurrencyConfigs",
                    {"FunctionName": name},
                    "ProvisionedConcurrencyConfigs",
                    "Marker",
                    "NextMarker",
                )
            except BOTO_ERRORS:
                configs = []  # not every endpoint implements it; deleting the function removes them
            for pc in configs:
                qualifier = str(pc.get("FunctionArn", "")).rsplit(":", 1)[-1]
                steps.append(
                    (
                        "lambda",
                        "DeleteProvisionedConcurrencyConfig",
                        {"FunctionName": name, "Qualifier": qualifier},
                    )
                )
            steps.append(("lambda", "DeleteFunction", {"FunctionName": name}))
            out.append(Leftover("lambda function", name, tags[RUN_TAG], created_at(tags, None), tuple(steps)))
        return out

    def orphan_mappings(self) -> list[Leftover]:
        """Mappings whose function is gone (they outlive it); found through their own tags."""
        c, out = self.client, []
        functions = {
            f["FunctionArn"]
            for f in pages(c, "lambda", "ListFunctions", {}, "Functions", "Marker", "NextMarker")
        }
        for m in pages(
            c, "lambda", "ListEventSourceMappings", {}, "EventSourceMappings", "Marker", "NextMarker"
        ):
            fn_arn = str(m.get("FunctionArn", ""))
            name = fn_arn.split(":function:", 1)[-1].split(":", 1)[0]
            unqualified = fn_arn.split(":function:", 1)[0] + ":function:" + name
            if (
                not name.startswith(NAME_PREFIX)
                or unqualified in functions
                or "EventSourceMappingArn" not in m
            ):
                continue
            try:
                tags = c.call("lambda", "ListTags", {"Resource": m["EventSourceMappingArn"]}).get("Tags", {})
            except BOTO_ERRORS:
                continue
            if RUN_TAG in tags:
                out.append(
                    Leftover(
                        "event source mapping",
                        m["UUID"],
                        tags[RUN_TAG],
                        created_at(tags),
                        (("lambda", "DeleteEventSourceMapping", {"UUID": m["UUID"]}),),
                    )
                )
        return out

    def roles(self) -> list[Leftover]:
        c, out = self.client, []
        for role in pages(c, "iam", "ListRoles", {}, "Roles", "Marker", "Marker"):
            name = role["RoleName"]
            if not name.startswith(NAME_PREFIX):
                continue
            tags = tags_from_list(c.call("iam", "ListRoleTags", {"RoleName": name}).get("Tags"))
            if RUN_TAG not in tags:
                continue
            steps: list[Step] = []
            for policy in c.call("iam", "ListRolePolicies", {"RoleName": name}).get("PolicyNames", []):
                steps.append(("iam", "DeleteRolePolicy", {"RoleName": name, "PolicyName": policy}))
            attached = c.call("iam", "ListAttachedRolePolicies", {"RoleName": name}).get(
                "AttachedPolicies", []
            )
            for policy in attached:
                steps.append(
                    ("iam", "DetachRolePolicy", {"RoleName": name, "PolicyArn": policy["PolicyArn"]})
                )
            steps.append(("iam", "DeleteRole", {"RoleName": name}))
            out.append(
                Leftover(
                    "iam role", name, tags[RUN_TAG], created_at(tags, role.get("CreateDate")), tuple(steps)
                )
            )
        return out

    def queues(self) -> list[Leftover]:
        c, out = self.client, []
        urls = c.call("sqs", "ListQueues", {"QueueNamePrefix": NAME_PREFIX}).get("QueueUrls", [])
        for url in urls:
            name = url.rsplit("/", 1)[-1]
            if not name.startswith(NAME_PREFIX):
                continue
            tags = c.call("sqs", "ListQueueTags", {"QueueUrl": url}).get("Tags", {})
            if RUN_TAG not in tags:
                continue
            attrs = c.call(
                "sqs", "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["CreatedTimestamp"]}
            )
            created = created_at(tags, attrs.get("Attributes", {}).get("CreatedTimestamp"))
            out.append(
                Leftover(
                    "sqs queue", name, tags[RUN_TAG], created, (("sqs", "DeleteQueue", {"QueueUrl": url}),)
                )
            )
        return out

    def topics(self) -> list[Leftover]:
        c, out = self.client, []
        for topic in pages(c, "sns", "ListTopics", {}, "Topics", "NextToken", "NextToken"):
            arn = topic["TopicArn"]
            name = arn.rsplit(":", 1)[-1]
            if not name.startswith(NAME_PREFIX):
                continue
            tags = tags_from_list(c.call("sns", "ListTagsForResource", {"ResourceArn": arn}).get("Tags"))
            if RUN_TAG not in tags:
                continue
            steps: list[Step] = [
                ("sns", "Unsubscribe", {"SubscriptionArn": s["SubscriptionArn"]})
                for s in c.call("sns", "ListSubscriptionsByTopic", {"TopicArn": arn}).get("Subscriptions", [])
                if str(s.get("SubscriptionArn", "")).startswith("arn:")
            ]
            steps.append(("sns", "DeleteTopic", {"TopicArn": arn}))
            out.append(Leftover("sns topic", name, tags[RUN_TAG], created_at(tags), tuple(steps)))
        return out

    def event_buses(self) -> list[Leftover]:
        c, out = self.client, []
        buses = c.call("events", "ListEventBuses", {"NamePrefix": NAME_PREFIX}).get("EventBuses", [])
        for bus in buses:
            name = bus["Name"]
            if not name.startswith(NAME_PREFIX):
                continue
            tags = tags_from_list(
                c.call("events", "ListTagsForResource", {"ResourceARN": bus["Arn"]}).get("Tags")
            )
            if RUN_TAG not in tags:
                continue
            steps: list[Step] = []
            for rule in c.call("events", "ListRules", {"EventBusName": name}).get("Rules", []):
                targets = c.call("events", "ListTargetsByRule", {"Rule": rule["Name"], "EventBusName": name})
                ids = [t["Id"] for t in targets.get("Targets", [])]
                if ids:
                    steps.append(
                        ("events", "RemoveTargets", {"Rule": rule["Name"], "EventBusName": name, "Ids": ids})
                    )
                steps.append(("events", "DeleteRule", {"Name": rule["Name"], "EventBusName": name}))
            steps.append(("events", "DeleteEventBus", {"Name": name}))
            out.append(
                Leftover(
                    "eventbridge bus",
                    name,
                    tags[RUN_TAG],
                    created_at(tags, bus.get("CreationTime")),
                    tuple(steps),
                )
            )
        return out

    def streams(self) -> list[Leftover]:
        c, out = self.client, []
        for name in c.call("kinesis", "ListStreams", {}).get("StreamNames", []):
            if not name.startswith(NAME_PREFIX):
                continue
            tags = tags_from_list(c.call("kinesis", "ListTagsForStream", {"StreamName": name}).get("Tags"))
            if RUN_TAG not in tags:
                continue
            out.append(
                Leftover(
                    "kinesis stream",
                    name,
                    tags[RUN_TAG],
                    created_at(tags),
                    (("kinesis", "DeleteStream", {"StreamName": name, "EnforceConsumerDeletion": True}),),
                )
            )
        return out

    def tables(self) -> list[Leftover]:
        c, out = self.client, []
        for name in pages(
            c, "dynamodb", "ListTables", {}, "TableNames", "ExclusiveStartTableName", "LastEvaluatedTableName"
        ):
            if not name.startswith(NAME_PREFIX):
                continue
            table = c.call("dynamodb", "DescribeTable", {"TableName": name})["Table"]
            tags = tags_from_list(
                c.call("dynamodb", "ListTagsOfResource", {"ResourceArn": table["TableArn"]}).get("Tags")
            )
            if RUN_TAG not in tags:
                continue
            out.append(
                Leftover(
                    "dynamodb table",
                    name,
                    tags[RUN_TAG],
                    created_at(tags, table.get("CreationDateTime")),
                    (("dynamodb", "DeleteTable", {"TableName": name}),),
                )
            )
        return out

    def log_groups(self) -> list[Leftover]:
        c, out = self.client, []
        for prefix in (f"/aws/lambda/{NAME_PREFIX}",):
            groups = pages(
                c,
                "logs",
                "DescribeLogGroups",
                {"logGroupNamePrefix": prefix},
                "logGroups",
                "nextToken",
                "nextToken",
            )
            for group in groups:
                name = group["logGroupName"]
                tags = c.call("logs", "ListTagsLogGroup", {"logGroupName": name}).get("tags", {})
                if RUN_TAG not in tags:
                    continue
                out.append(
                    Leftover(
                        "log group",
                        name,
                        tags[RUN_TAG],
                        created_at(tags, group.get("creationTime")),
                        (("logs", "DeleteLogGroup", {"logGroupName": name}),),
                    )
                )
        return out


def find_leftovers(
    client: AwsClient, older_than_s: float | None = None, now: float | None = None
) -> list[Leftover]:
    """Every qualifying resource, oldest run first; with `older_than_s`, only those at least that old
    (a resource whose age cannot be told is left alone)."""
    found = Finder(client).all()
    if older_than_s is not None:
        now = time.time() if now is None else now
        found = [f for f in found if f.created is not None and now - f.created >= older_than_s]
    return found


def cleanup(
    options: AwsOptions,
    confirm: Callable[[list[str]], bool],
    older_than_s: float | None = None,
    progress: Callable[[str], None] | None = None,
    client: AwsClient | None = None,
) -> CleanupResult:
    """List leftovers, ask `confirm` with their descriptions, delete them if it says yes.

    Raises AwsError when listing fails. Deletion failures are collected in `failed`, not raised:
    the rest is still deleted.
    """
    say = progress or (lambda _: None)
    client = client or AwsClient(options)
    result = CleanupResult()
    say("looking for lambdaprobe leftovers")
    try:
        result.found = find_leftovers(client, older_than_s)
    except BOTO_ERRORS as exc:
        raise to_aws_error(exc, "listing leftovers") from exc
    if not result.found or not confirm([f.describe() for f in result.found]):
        return result
    for leftover in result.found:
        ok = True
        for service, operation, params in leftover.steps:
            try:
                client.call(service, operation, params)
            except BOTO_ERRORS as exc:
                if not is_not_found(exc):
                    ok = False
                    result.failed.append(one_line(exc, f"{leftover.describe()}: {service}.{operation}"))
        if ok:
            say(f"deleted {leftover.describe()}")
            result.deleted.append(leftover.describe())
    return result
