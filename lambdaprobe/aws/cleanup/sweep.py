"""Find and delete what earlier runs left behind (an interrupted teardown, a killed process).

Only what is provably ours and abandoned is touched:
- a resource qualifies if its name starts with `lambdaprobe-<run id>-` AND it carries the tag
  `lambdaprobe:run=<run id>`, with a run id of the form lambdaprobe makes (`lp` + 6 hex digits);
  an S3 bucket, which takes its tags only after it exists, also qualifies through an abandoned run
  journal that names it (see `aws.run.journal`);
- children that take no tags (event source mappings, rule targets, subscriptions, inline policies)
  are deleted only when the run made them (named or wired to the run's own resources); a container
  holding anything else (a foreign subnet in the VPC, a foreign rule on the bus, a managed policy on
  the role) is left alone and reported as not deletable;
- a live run (its `lambdaprobe:expires` tag, renewed by the run, still ahead; or a live journal
  lease) is skipped unless asked for by `run_id`;
- a resource that cannot be read is skipped and reported; the rest goes on.
Nothing is deleted before `confirm` has seen the list and said yes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from lambdaprobe.aws.cleanup.features import feature_finders  # vpc, efs, kms, signing, buckets
from lambdaprobe.aws.cleanup.journal import journal_leftovers, live_journal_runs, remove_finished_journals
from lambdaprobe.aws.cleanup.leftovers import (
    Leftover,
    Step,
    blocked_by,
    created_at,
    expires_at,
    run_prefix,
    tags_from_list,
    valid_run_id,
)
from lambdaprobe.aws.client import BOTO_ERRORS, ApiCaller, AwsClient, is_not_found, one_line
from lambdaprobe.aws.options import NAME_PREFIX, RUN_TAG, AwsOptions
from lambdaprobe.aws.pages import LISTING_ERRORS, items
from lambdaprobe.errors import InputError


@dataclass
class CleanupResult:
    found: list[Leftover] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # live runs, too young: left alone by design
    blocked: list[str] = field(default_factory=list)  # holds what the run did not make: not deletable
    unreadable: list[str] = field(default_factory=list)  # could not be read: not judged, not touched


_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([smhd]?)\s*$")
_UNIT_S = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str, option: str = "--older-than") -> float:
    """`90`, `90s`, `30m`, `2h`, `1d` -> seconds. Raises InputError naming `option`."""
    match = _DURATION.match(text)
    if match is None:
        raise InputError(option, f"{text!r} is not a duration (e.g. 90s, 30m, 2h, 1d)")
    return float(match.group(1)) * _UNIT_S[match.group(2)]


class Finder:
    """Lists the leftovers of every kind; what it cannot read it skips and notes in `unreadable`."""

    def __init__(self, client: ApiCaller) -> None:
        self.client = client
        self.unreadable: list[str] = []

    def _safe(self, fn: Callable[[], list[Leftover]]) -> list[Leftover]:
        try:
            return fn()
        except LISTING_ERRORS as exc:
            if is_not_found(exc):
                return []
            self.unreadable.append(one_line(exc, "listing"))
            return []

    def each(self, kind: str, name: str, fn: Callable[[], Leftover | None]) -> Leftover | None:
        """Inspect one resource; one that cannot be read is skipped and noted, the rest goes on."""
        try:
            return fn()
        except LISTING_ERRORS as exc:
            if is_not_found(exc):
                return None  # gone while we looked
            self.unreadable.append(one_line(exc, f"{kind} {name}"))
            return None

    def owned(self, name: str, tags: dict[str, str]) -> str | None:
        """The run id if `name` and `tags` make the resource a run's own, else None."""
        run = tags.get(RUN_TAG, "")
        if valid_run_id(run) and name.startswith(run_prefix(run)):
            return run
        return None

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
        for feature_finder in feature_finders(self):
            found.extend(self._safe(feature_finder))
        return found

    def rest_apis(self) -> list[Leftover]:
        """API Gateway REST APIs in front of a probe (abort --caller apigateway)."""
        out = []
        for api in items(self.client, "apigateway", "GetRestApis", {"limit": 500}, "items", "position", "position"):
            name, tags = str(api.get("name", "")), api.get("tags") or {}
            run = self.owned(name, tags)
            if run is None:
                continue
            out.append(
                Leftover(
                    "api gateway rest api",
                    name,
                    run,
                    created_at(tags, api.get("createdDate")),
                    (("apigateway", "DeleteRestApi", {"restApiId": api["id"]}),),
                    expires_at(tags),
                )
            )
        return out

    def functions(self) -> list[Leftover]:
        out = []
        for fn in items(self.client, "lambda", "ListFunctions", {}, "Functions", "Marker", "NextMarker"):
            name = str(fn["FunctionName"])
            if name.startswith(NAME_PREFIX):
                found = self.each("lambda function", name, partial(self._function, fn))
                if found is not None:
                    out.append(found)
        return out

    def mappings_of(self, name: str) -> list[dict[str, Any]]:
        """Every event source mapping on the function, its versions and aliases (listing by the
        unqualified name misses mappings on a qualified ARN)."""
        c = self.client
        names = [name]
        for version in items(
            c, "lambda", "ListVersionsByFunction", {"FunctionName": name}, "Versions", "Marker", "NextMarker"
        ):
            if version.get("Version") != "$LATEST":
                names.append(str(version["FunctionArn"]))
        for alias in items(c, "lambda", "ListAliases", {"FunctionName": name}, "Aliases", "Marker", "NextMarker"):
            names.append(str(alias["AliasArn"]))
        seen: dict[str, dict[str, Any]] = {}
        for qualified in names:
            for m in items(
                c,
                "lambda",
                "ListEventSourceMappings",
                {"FunctionName": qualified},
                "EventSourceMappings",
                "Marker",
                "NextMarker",
            ):
                seen[str(m["UUID"])] = m
        return list(seen.values())

    def _function(self, fn: dict[str, Any]) -> Leftover | None:
        c, name = self.client, str(fn["FunctionName"])
        tags = c.call("lambda", "ListTags", {"Resource": fn["FunctionArn"]}).get("Tags", {})
        run = self.owned(name, tags)
        if run is None:
            return None
        steps: list[Step] = []
        foreign: list[str] = []
        mappings = self.mappings_of(name)
        for m in mappings:
            if run_prefix(run) in str(m.get("EventSourceArn", "")):
                steps.append(("lambda", "DeleteEventSourceMapping", {"UUID": m["UUID"]}))
            else:
                foreign.append(f"event source mapping {m['UUID']} from {m.get('EventSourceArn')}")
        try:
            configs = items(
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
                ("lambda", "DeleteProvisionedConcurrencyConfig", {"FunctionName": name, "Qualifier": qualifier})
            )
        steps.append(("lambda", "DeleteFunction", {"FunctionName": name}))
        verify = tuple(
            ("lambda", "GetEventSourceMapping", {"UUID": step[2]["UUID"]}) for step in steps if "UUID" in step[2]
        )
        return Leftover(
            "lambda function",
            name,
            run,
            created_at(tags, None),
            tuple(steps),
            expires_at(tags),
            blocked_by(foreign),
            verify,
        )

    def orphan_mappings(self) -> list[Leftover]:
        """Mappings whose function is gone (they outlive it); found through their own tags."""
        c, out = self.client, []
        functions = {
            f["FunctionArn"] for f in items(c, "lambda", "ListFunctions", {}, "Functions", "Marker", "NextMarker")
        }
        for m in items(c, "lambda", "ListEventSourceMappings", {}, "EventSourceMappings", "Marker", "NextMarker"):
            fn_arn = str(m.get("FunctionArn", ""))
            name = fn_arn.split(":function:", 1)[-1].split(":", 1)[0]
            unqualified = fn_arn.split(":function:", 1)[0] + ":function:" + name
            if not name.startswith(NAME_PREFIX) or unqualified in functions or "EventSourceMappingArn" not in m:
                continue

            def one(m: dict[str, Any] = m, name: str = name) -> Leftover | None:
                tags = c.call("lambda", "ListTags", {"Resource": m["EventSourceMappingArn"]}).get("Tags", {})
                run = self.owned(name, tags)
                if run is None:
                    return None
                step: Step = ("lambda", "DeleteEventSourceMapping", {"UUID": m["UUID"]})
                return Leftover("event source mapping", m["UUID"], run, created_at(tags), (step,), expires_at(tags))

            found = self.each("event source mapping", str(m["UUID"]), one)
            if found is not None:
                out.append(found)
        return out

    def roles(self) -> list[Leftover]:
        out = []
        for role in items(self.client, "iam", "ListRoles", {}, "Roles", "Marker", "Marker"):
            name = str(role["RoleName"])
            if name.startswith(NAME_PREFIX):
                found = self.each("iam role", name, partial(self._role, role))
                if found is not None:
                    out.append(found)
        return out

    def _role(self, role: dict[str, Any]) -> Leftover | None:
        c, name = self.client, str(role["RoleName"])
        tags = tags_from_list(c.call("iam", "ListRoleTags", {"RoleName": name}).get("Tags"))
        run = self.owned(name, tags)
        if run is None:
            return None
        steps: list[Step] = []
        foreign: list[str] = []
        policies = items(c, "iam", "ListRolePolicies", {"RoleName": name}, "PolicyNames", "Marker", "Marker")
        for policy in policies:
            if str(policy).startswith(run_prefix(run)):
                steps.append(("iam", "DeleteRolePolicy", {"RoleName": name, "PolicyName": policy}))
            else:
                foreign.append(f"inline policy {policy}")
        attached = items(
            c, "iam", "ListAttachedRolePolicies", {"RoleName": name}, "AttachedPolicies", "Marker", "Marker"
        )
        foreign += [f"attached policy {policy['PolicyArn']}" for policy in attached]  # lambdaprobe attaches none
        steps.append(("iam", "DeleteRole", {"RoleName": name}))
        created = created_at(tags, role.get("CreateDate"))
        return Leftover("iam role", name, run, created, tuple(steps), expires_at(tags), blocked_by(foreign))

    def queues(self) -> list[Leftover]:
        c, out = self.client, []
        urls = items(c, "sqs", "ListQueues", {"QueueNamePrefix": NAME_PREFIX}, "QueueUrls", "NextToken", "NextToken")
        for url in urls:
            name = str(url).rsplit("/", 1)[-1]
            if not name.startswith(NAME_PREFIX):
                continue

            def one(url: str = url, name: str = name) -> Leftover | None:
                tags = c.call("sqs", "ListQueueTags", {"QueueUrl": url}).get("Tags", {})
                run = self.owned(name, tags)
                if run is None:
                    return None
                attrs = c.call("sqs", "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["CreatedTimestamp"]})
                created = created_at(tags, attrs.get("Attributes", {}).get("CreatedTimestamp"))
                step: Step = ("sqs", "DeleteQueue", {"QueueUrl": url})
                return Leftover("sqs queue", name, run, created, (step,), expires_at(tags))

            found = self.each("sqs queue", name, one)
            if found is not None:
                out.append(found)
        return out

    def topics(self) -> list[Leftover]:
        c, out = self.client, []
        for topic in items(c, "sns", "ListTopics", {}, "Topics", "NextToken", "NextToken"):
            arn = str(topic["TopicArn"])
            name = arn.rsplit(":", 1)[-1]
            if not name.startswith(NAME_PREFIX):
                continue

            def one(arn: str = arn, name: str = name) -> Leftover | None:
                tags = tags_from_list(c.call("sns", "ListTagsForResource", {"ResourceArn": arn}).get("Tags"))
                run = self.owned(name, tags)
                if run is None:
                    return None
                steps: list[Step] = []
                foreign: list[str] = []
                subs = items(
                    c, "sns", "ListSubscriptionsByTopic", {"TopicArn": arn}, "Subscriptions", "NextToken", "NextToken"
                )
                for sub in subs:
                    sub_arn = str(sub.get("SubscriptionArn", ""))
                    if run_prefix(run) in str(sub.get("Endpoint", "")):
                        if sub_arn.startswith("arn:"):  # "PendingConfirmation" cannot be unsubscribed
                            steps.append(("sns", "Unsubscribe", {"SubscriptionArn": sub_arn}))
                    else:
                        # deleting the topic would delete this subscription of someone else's
                        foreign.append(f"subscription of {sub.get('Protocol')} {sub.get('Endpoint')}")
                steps.append(("sns", "DeleteTopic", {"TopicArn": arn}))
                return Leftover(
                    "sns topic", name, run, created_at(tags), tuple(steps), expires_at(tags), blocked_by(foreign)
                )

            found = self.each("sns topic", name, one)
            if found is not None:
                out.append(found)
        return out

    def event_buses(self) -> list[Leftover]:
        c, out = self.client, []
        buses = items(
            c, "events", "ListEventBuses", {"NamePrefix": NAME_PREFIX}, "EventBuses", "NextToken", "NextToken"
        )
        for bus in buses:
            name = str(bus["Name"])
            if name.startswith(NAME_PREFIX):
                found = self.each("eventbridge bus", name, partial(self._bus, bus))
                if found is not None:
                    out.append(found)
        return out

    def _bus(self, bus: dict[str, Any]) -> Leftover | None:
        c, name = self.client, str(bus["Name"])
        tags = tags_from_list(c.call("events", "ListTagsForResource", {"ResourceARN": bus["Arn"]}).get("Tags"))
        run = self.owned(name, tags)
        if run is None:
            return None
        steps: list[Step] = []
        foreign: list[str] = []
        for rule in items(c, "events", "ListRules", {"EventBusName": name}, "Rules", "NextToken", "NextToken"):
            rule_name = str(rule["Name"])
            if not rule_name.startswith(run_prefix(run)):
                foreign.append(f"rule {rule_name}")
                continue
            targets = items(
                c,
                "events",
                "ListTargetsByRule",
                {"Rule": rule_name, "EventBusName": name},
                "Targets",
                "NextToken",
                "NextToken",
            )
            ours = [t["Id"] for t in targets if t.get("Id") == "lambdaprobe"]
            foreign += [f"target {t['Id']} of rule {rule_name}" for t in targets if t.get("Id") != "lambdaprobe"]
            if ours:
                steps.append(("events", "RemoveTargets", {"Rule": rule_name, "EventBusName": name, "Ids": ours}))
            steps.append(("events", "DeleteRule", {"Name": rule_name, "EventBusName": name}))
        steps.append(("events", "DeleteEventBus", {"Name": name}))
        created = created_at(tags, bus.get("CreationTime"))
        return Leftover("eventbridge bus", name, run, created, tuple(steps), expires_at(tags), blocked_by(foreign))

    def streams(self) -> list[Leftover]:
        c, out = self.client, []
        names = items(c, "kinesis", "ListStreams", {}, "StreamNames", "NextToken", "NextToken")
        for name in names:
            if not str(name).startswith(NAME_PREFIX):
                continue

            def one(name: str = str(name)) -> Leftover | None:
                tags = tags_from_list(c.call("kinesis", "ListTagsForStream", {"StreamName": name}).get("Tags"))
                run = self.owned(name, tags)
                if run is None:
                    return None
                step: Step = ("kinesis", "DeleteStream", {"StreamName": name, "EnforceConsumerDeletion": True})
                return Leftover("kinesis stream", name, run, created_at(tags), (step,), expires_at(tags))

            found = self.each("kinesis stream", str(name), one)
            if found is not None:
                out.append(found)
        return out

    def tables(self) -> list[Leftover]:
        c, out = self.client, []
        names = items(
            c, "dynamodb", "ListTables", {}, "TableNames", "ExclusiveStartTableName", "LastEvaluatedTableName"
        )
        for name in names:
            if not str(name).startswith(NAME_PREFIX):
                continue

            def one(name: str = str(name)) -> Leftover | None:
                table = c.call("dynamodb", "DescribeTable", {"TableName": name})["Table"]
                tags = tags_from_list(
                    c.call("dynamodb", "ListTagsOfResource", {"ResourceArn": table["TableArn"]}).get("Tags")
                )
                run = self.owned(name, tags)
                if run is None:
                    return None
                created = created_at(tags, table.get("CreationDateTime"))
                step: Step = ("dynamodb", "DeleteTable", {"TableName": name})
                return Leftover("dynamodb table", name, run, created, (step,), expires_at(tags))

            found = self.each("dynamodb table", str(name), one)
            if found is not None:
                out.append(found)
        return out

    def log_groups(self) -> list[Leftover]:
        c, out = self.client, []
        prefix = f"/aws/lambda/{NAME_PREFIX}"
        groups = items(
            c, "logs", "DescribeLogGroups", {"logGroupNamePrefix": prefix}, "logGroups", "nextToken", "nextToken"
        )
        for group in groups:
            name = str(group["logGroupName"])

            def one(name: str = name, group: dict[str, Any] = group) -> Leftover | None:
                tags = c.call("logs", "ListTagsLogGroup", {"logGroupName": name}).get("tags", {})
                run = self.owned(name.removeprefix("/aws/lambda/"), tags)
                if run is None:
                    return None
                created = created_at(tags, group.get("creationTime"))
                step: Step = ("logs", "DeleteLogGroup", {"logGroupName": name})
                return Leftover("log group", name, run, created, (step,), expires_at(tags))

            found = self.each("log group", name, one)
            if found is not None:
                out.append(found)
        return out


@dataclass
class Selection:
    """What a cleanup may touch: leftovers to delete, and why the others are left."""

    chosen: list[Leftover] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def select(
    found: list[Leftover],
    *,
    older_than_s: float | None,
    run_id: str | None,
    now: float,
    live_runs: set[str] | None = None,
    dead_runs: set[str] | None = None,
) -> Selection:
    """Keep the leftovers of abandoned runs (or of `run_id` alone, live or not, whatever its age).

    A run is live while a resource's expiry tag or its journal's lease is ahead, unless its journal
    shows its process (on this machine) gone."""
    out = Selection()
    live = set(live_runs or ())
    live |= {f.run_id for f in found if f.expires is not None and f.expires > now}
    live -= set(dead_runs or ())
    for f in found:
        if run_id is not None:
            if f.run_id == run_id:
                out.chosen.append(f)
            continue
        if f.run_id in live:
            out.skipped.append(f"{f.describe()}: its run is live (pass --run {f.run_id} to delete it anyway)")
        elif older_than_s is not None and (f.created is None or now - f.created < older_than_s):
            age = "unknown" if f.created is None else f"{(now - f.created) / 60:.0f} min"
            out.skipped.append(f"{f.describe()}: younger than --older-than (age {age})")
        else:
            out.chosen.append(f)
    return out


def find_leftovers(
    client: ApiCaller, older_than_s: float | None = None, now: float | None = None, run_id: str | None = None
) -> list[Leftover]:
    """Every qualifying resource of abandoned runs; with `older_than_s`, only those at least that old
    (a resource whose age cannot be told is left alone); with `run_id`, that run's only."""
    now = time.time() if now is None else now
    found = Finder(client).all()
    return select(found, older_than_s=older_than_s, run_id=run_id, now=now).chosen


def cleanup(
    options: AwsOptions,
    confirm: Callable[[list[str]], bool],
    older_than_s: float | None = None,
    progress: Callable[[str], None] | None = None,
    client: AwsClient | None = None,
    *,
    run_id: str | None = None,
    dry_run: bool = False,
    now: float | None = None,
) -> CleanupResult:
    """List leftovers, ask `confirm` with their descriptions, delete them if it says yes.

    Nothing raises for one resource: what cannot be read, may not be deleted or belongs to a live
    run is in `skipped`; deletions that fail are in `failed`; the rest is still deleted.
    """
    if run_id is not None and not valid_run_id(run_id):
        raise InputError("--run", f"{run_id!r} is not a lambdaprobe run id; allowed: lp followed by 6 hex digits")
    say = progress or (lambda _: None)
    client = client or AwsClient(options)
    now = time.time() if now is None else now
    result = CleanupResult()
    say("looking for lambdaprobe leftovers")
    finder = Finder(client)
    found = finder.all()
    journaled, journal_notes = journal_leftovers(finder, options, found, now)
    found += journaled
    live_runs, dead_runs = live_journal_runs(options, now)
    selection = select(
        found, older_than_s=older_than_s, run_id=run_id, now=now, live_runs=live_runs, dead_runs=dead_runs
    )
    result.skipped = selection.skipped
    result.unreadable = [*finder.unreadable, *journal_notes]
    result.blocked = [f"{f.describe()}: not deletable: {f.blocked}" for f in selection.chosen if f.blocked]
    result.found = [f for f in selection.chosen if not f.blocked]
    # a container holding what the run did not make stays; what the run made in it goes
    result.found += [own_children(f) for f in selection.chosen if f.blocked and len(f.steps) > 1]
    if dry_run or not result.found or not confirm([f.describe() for f in result.found]):
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
        if ok and not _verified(client, leftover, result):
            ok = False
        if ok:
            say(f"deleted {leftover.describe()}")
            result.deleted.append(leftover.describe())
    remaining = {f.run_id for f in result.found if f.describe() not in result.deleted}
    left = [*result.skipped, *result.blocked]
    remaining |= {line.split("(run ", 1)[1].split(")", 1)[0] for line in left if "(run " in line}
    aws_unreadable = any(not line.startswith("run journal ") for line in result.unreadable)
    remove_finished_journals(options, remaining, aws_unreadable, now, run_id)
    return result


def own_children(container: Leftover) -> Leftover:
    """The run's own children of a container that is not deletable (every step but its delete)."""
    return replace(
        container,
        kind=f"what the run made in {container.kind}",
        steps=container.steps[:-1],
        blocked="",
    )


def _verified(client: ApiCaller, leftover: Leftover, result: CleanupResult) -> bool:
    """After deleting: each event source mapping is gone or going (AWS deletes them asynchronously)."""
    for service, operation, params in leftover.verify:
        try:
            state = client.call(service, operation, params).get("State")
        except BOTO_ERRORS as exc:
            if is_not_found(exc):
                continue
            result.failed.append(one_line(exc, f"{leftover.describe()}: checking {service}.{operation}"))
            return False
        if state != "Deleting":
            result.failed.append(f"{leftover.describe()}: event source mapping {params['UUID']} is still {state}")
            return False
    return True
