"""Creates whose answer never arrived: did they create something, and how is it deleted?

A create interrupted mid-call (a second Ctrl-C, a read timeout, a 5xx after the server acted) may
have created its resource. Every resource of a run has a deterministic name, so the executor records
the intent (the call and the resource's identity) before the call and, if no answer came, looks the
resource up by that identity and deletes what it finds.

`produced` returns what the create would have answered (its `output`: a URL, an ARN, an id) for
every resource found (none: nothing was created); the teardown is resolved from it as after a create.
Creates whose teardown needs nothing from the answer (a role, a function, a table: deleted by name)
need no lookup: their delete is tried, and "not found" means nothing was created.
"""

from __future__ import annotations

from typing import Any

import botocore.exceptions

from lambdaprobe.aws.client import ApiCaller, error_code, is_not_found
from lambdaprobe.aws.pages import items

# the parameters that identify what each lookup-needing create makes
IDENTITY: dict[str, tuple[str, ...]] = {
    "sqs.CreateQueue": ("QueueName",),
    "sns.CreateTopic": ("Name",),
    "sns.Subscribe": ("TopicArn", "Protocol", "Endpoint"),
    "lambda.CreateEventSourceMapping": ("FunctionName", "EventSourceArn"),
    "lambda.CreateCodeSigningConfig": ("Description",),
    "apigateway.CreateRestApi": ("name",),
    "ec2.CreateVpc": ("TagSpecifications",),
    "ec2.CreateSubnet": ("VpcId", "TagSpecifications"),
    "ec2.CreateSecurityGroup": ("VpcId", "GroupName"),
    "efs.CreateFileSystem": ("CreationToken",),
    "efs.CreateMountTarget": ("FileSystemId", "SubnetId"),
    "efs.CreateAccessPoint": ("FileSystemId", "ClientToken"),
    "kms.CreateKey": ("Description",),
}
# A refusal with one of these codes still means the resource exists: names are unique to the run,
# so "already exists" is our own create, answered before (a botocore resend after a lost answer).
EXISTS_CODES = frozenset(
    {
        "EntityAlreadyExists",
        "ResourceConflictException",
        "ResourceInUseException",
        "ResourceAlreadyExistsException",
        "AlreadyExistsException",
        "QueueAlreadyExists",
        "QueueNameExists",
        "BucketAlreadyOwnedByYou",
        "ConflictException",
        "FileSystemAlreadyExists",
        "InvalidGroup.Duplicate",
    }
)


# failures before the request left this machine (no credentials, no connection): nothing was made
NEVER_SENT: tuple[type[BaseException], ...] = (
    botocore.exceptions.NoCredentialsError,
    botocore.exceptions.PartialCredentialsError,
    botocore.exceptions.NoRegionError,
    botocore.exceptions.ProfileNotFound,
    botocore.exceptions.ParamValidationError,
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectTimeoutError,
)


def identity(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters that identify the created resource (JSON-ready, for the run journal)."""
    keys = IDENTITY.get(f"{service}.{operation}", ())
    return {k: params[k] for k in keys if k in params}


def not_created(exc: BaseException) -> bool:
    """Whether a failed create certainly made nothing: AWS answered, and refused."""
    if isinstance(exc, NEVER_SENT):
        return True
    if not isinstance(exc, botocore.exceptions.ClientError):
        return False  # no answer (interrupt, read timeout, reset): it may have been created
    if error_code(exc) in EXISTS_CODES:
        return False
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    return 400 <= status < 500


def _name_tag(specs: list[dict[str, Any]]) -> str:
    for spec in specs or []:
        for tag in spec.get("Tags", []):
            if tag.get("Key") == "Name":
                return str(tag.get("Value"))
    return ""


def produced(client: ApiCaller, service: str, operation: str, ident: dict[str, Any]) -> list[Any]:
    """What the create produced, for each resource it may have made (empty: it made none)."""
    try:
        return _lookup(client, f"{service}.{operation}", ident)
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc) or error_code(exc) in ("NoSuchEntity", "FileSystemNotFound"):
            return []
        raise


def _lookup(c: ApiCaller, op: str, ident: dict[str, Any]) -> list[Any]:
    if op == "sqs.CreateQueue":
        return [c.call("sqs", "GetQueueUrl", {"QueueName": ident["QueueName"]})["QueueUrl"]]
    if op == "sns.CreateTopic":
        topics = items(c, "sns", "ListTopics", {}, "Topics", "NextToken", "NextToken")
        suffix = ":" + str(ident["Name"])
        return [t["TopicArn"] for t in topics if str(t.get("TopicArn", "")).endswith(suffix)]
    if op == "sns.Subscribe":
        by_topic = {"TopicArn": ident["TopicArn"]}
        subs = items(c, "sns", "ListSubscriptionsByTopic", by_topic, "Subscriptions", "NextToken", "NextToken")
        return [
            s["SubscriptionArn"]
            for s in subs
            if s.get("Endpoint") == ident["Endpoint"] and str(s.get("SubscriptionArn", "")).startswith("arn:")
        ]
    if op == "lambda.CreateEventSourceMapping":
        params = {"FunctionName": ident["FunctionName"], "EventSourceArn": ident["EventSourceArn"]}
        found = items(c, "lambda", "ListEventSourceMappings", params, "EventSourceMappings", "Marker", "NextMarker")
        return [m["UUID"] for m in found]
    if op == "lambda.CreateCodeSigningConfig":
        configs = items(c, "lambda", "ListCodeSigningConfigs", {}, "CodeSigningConfigs", "Marker", "NextMarker")
        return [
            x["CodeSigningConfigArn"] for x in configs if x.get("Description") == ident["Description"]
        ]
    if op == "apigateway.CreateRestApi":
        apis = items(c, "apigateway", "GetRestApis", {"limit": 500}, "items", "position", "position")
        return [a["id"] for a in apis if a.get("name") == ident["name"]]
    if op in ("ec2.CreateVpc", "ec2.CreateSubnet", "ec2.CreateSecurityGroup"):
        return _ec2(c, op, ident)
    if op == "efs.CreateFileSystem":
        found = c.call("efs", "DescribeFileSystems", {"CreationToken": ident["CreationToken"]}).get("FileSystems", [])
        return [f["FileSystemId"] for f in found]
    if op == "efs.CreateMountTarget":
        found = c.call("efs", "DescribeMountTargets", {"FileSystemId": ident["FileSystemId"]}).get("MountTargets", [])
        return [m["MountTargetId"] for m in found if m.get("SubnetId") == ident.get("SubnetId")]
    if op == "efs.CreateAccessPoint":
        found = c.call("efs", "DescribeAccessPoints", {"FileSystemId": ident["FileSystemId"]}).get("AccessPoints", [])
        return [a["AccessPointId"] for a in found if a.get("ClientToken") == ident["ClientToken"]]
    if op == "kms.CreateKey":
        out = []
        for key in items(c, "kms", "ListKeys", {}, "Keys", "Marker", "NextMarker"):
            meta = c.call("kms", "DescribeKey", {"KeyId": key["KeyId"]})["KeyMetadata"]
            if meta.get("Description") == ident["Description"] and meta.get("KeyState") != "PendingDeletion":
                out.append(key["KeyId"])
        return out
    raise KeyError(op)


def _ec2(c: ApiCaller, op: str, ident: dict[str, Any]) -> list[Any]:
    if op == "ec2.CreateSecurityGroup":
        filters = [
            {"Name": "vpc-id", "Values": [ident["VpcId"]]},
            {"Name": "group-name", "Values": [ident["GroupName"]]},
        ]
        groups = c.call("ec2", "DescribeSecurityGroups", {"Filters": filters}).get("SecurityGroups", [])
        return [g["GroupId"] for g in groups]
    filters = [{"Name": "tag:Name", "Values": [_name_tag(ident.get("TagSpecifications", []))]}]
    if op == "ec2.CreateVpc":
        return [v["VpcId"] for v in c.call("ec2", "DescribeVpcs", {"Filters": filters}).get("Vpcs", [])]
    filters.append({"Name": "vpc-id", "Values": [ident["VpcId"]]})
    subnets = c.call("ec2", "DescribeSubnets", {"Filters": filters}).get("Subnets", [])
    return [s["SubnetId"] for s in subnets]


def needs_lookup(service: str, operation: str) -> bool:
    return f"{service}.{operation}" in IDENTITY
