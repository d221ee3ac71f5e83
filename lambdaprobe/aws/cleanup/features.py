"""`lambdaprobe cleanup` for the AWS-only probes' resources: VPCs, EFS, KMS keys, signing, buckets.

Same rules as `cleanup`: a name starting with `lambdaprobe-<run id>-` (signer: underscores) AND the
tag `lambdaprobe:run=<run id>`; children only when the run made them (a subnet or group of the VPC
without the run's tag makes the VPC not deletable). One resource that cannot be read (KMS
DescribeKey denied) is skipped and reported; the rest goes on. A VPC whose subnet still holds
Lambda's ENIs refuses deletion for a while after the function is gone: cleanup then reports it as
failed, and a later cleanup deletes it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from lambdaprobe.aws.cleanup.leftovers import (
    Inspector,
    Leftover,
    Step,
    blocked_by,
    created_at,
    expires_at,
    run_prefix,
    tags_from_list,
)
from lambdaprobe.aws.client import BOTO_ERRORS
from lambdaprobe.aws.options import NAME_PREFIX, RUN_TAG
from lambdaprobe.aws.pages import items
from lambdaprobe.aws.plan.features import KMS_PENDING_WINDOW_DAYS

SIGNER_PREFIX = NAME_PREFIX.replace("-", "_")


def feature_finders(finder: Inspector) -> list[Callable[[], list[Leftover]]]:
    """Finders in deletion order: what uses the network before the network."""
    return [
        lambda: code_signing_configs(finder),
        lambda: signer_profiles(finder),
        lambda: buckets(finder),
        lambda: kms_keys(finder),
        lambda: file_systems(finder),
        lambda: vpcs(finder),
    ]


def _keep(out: list[Leftover], found: Leftover | None) -> None:
    if found is not None:
        out.append(found)


def code_signing_configs(f: Inspector) -> list[Leftover]:
    c = f.client
    out: list[Leftover] = []
    configs = items(c, "lambda", "ListCodeSigningConfigs", {}, "CodeSigningConfigs", "Marker", "NextMarker")
    for config in configs:
        name, arn = str(config.get("Description", "")), str(config["CodeSigningConfigArn"])
        if not name.startswith(NAME_PREFIX):
            continue

        def one(name: str = name, arn: str = arn) -> Leftover | None:
            tags = c.call("lambda", "ListTags", {"Resource": arn}).get("Tags", {})
            run = f.owned(name, tags)
            if run is None:
                return None
            steps: tuple[Step, ...] = (("lambda", "DeleteCodeSigningConfig", {"CodeSigningConfigArn": arn}),)
            return Leftover("code signing config", name, run, created_at(tags), steps, expires_at(tags))

        _keep(out, f.each("code signing config", name, one))
    return out


def signer_profiles(f: Inspector) -> list[Leftover]:
    out: list[Leftover] = []
    for profile in items(f.client, "signer", "ListSigningProfiles", {}, "profiles", "nextToken", "nextToken"):
        name = str(profile["profileName"])
        tags = profile.get("tags") or {}
        run = f.owned(name.replace("_", "-"), tags) if name.startswith(SIGNER_PREFIX) else None
        if run is not None and profile.get("status") == "Active":
            steps: tuple[Step, ...] = (("signer", "CancelSigningProfile", {"profileName": name}),)
            out.append(Leftover("signer profile", name, run, created_at(tags), steps, expires_at(tags)))
    return out


def kms_keys(f: Inspector) -> list[Leftover]:
    c = f.client
    out: list[Leftover] = []
    for key in items(c, "kms", "ListKeys", {}, "Keys", "Marker", "NextMarker"):
        key_id = str(key["KeyId"])

        def one(key_id: str = key_id) -> Leftover | None:
            meta = c.call("kms", "DescribeKey", {"KeyId": key_id})["KeyMetadata"]
            name = str(meta.get("Description", ""))
            if not name.startswith(NAME_PREFIX) or meta.get("KeyState") == "PendingDeletion":
                return None
            raw = c.call("kms", "ListResourceTags", {"KeyId": key_id}).get("Tags", [])
            tags = {t["TagKey"]: t["TagValue"] for t in raw}
            run = f.owned(name, tags)
            if run is None:
                return None
            step: Step = (
                "kms",
                "ScheduleKeyDeletion",
                {"KeyId": key_id, "PendingWindowInDays": KMS_PENDING_WINDOW_DAYS},
            )
            created = created_at(tags, meta.get("CreationDate"))
            return Leftover("kms key", name, run, created, (step,), expires_at(tags))

        _keep(out, f.each("kms key", key_id, one))
    return out


def file_systems(f: Inspector) -> list[Leftover]:
    c = f.client
    out: list[Leftover] = []
    for fs in items(c, "efs", "DescribeFileSystems", {}, "FileSystems", "Marker", "NextMarker"):
        name, fs_id = str(fs.get("CreationToken", "")), str(fs["FileSystemId"])
        tags = tags_from_list(fs.get("Tags"))
        run = f.owned(name, tags)
        if run is None:
            continue

        def one(
            fs_id: str = fs_id, name: str = name, run: str = run, fs: dict[str, Any] = fs, tags: dict[str, str] = tags
        ) -> Leftover:
            points = c.call("efs", "DescribeAccessPoints", {"FileSystemId": fs_id}).get("AccessPoints", [])
            steps: list[Step] = []
            foreign: list[str] = []
            for a in points:
                if tags_from_list(a.get("Tags")).get(RUN_TAG) == run:
                    steps.append(("efs", "DeleteAccessPoint", {"AccessPointId": a["AccessPointId"]}))
                else:
                    foreign.append(f"access point {a['AccessPointId']}")
            # mount targets take no tags: the run's own file system holds only the run's
            steps += [
                ("efs", "DeleteMountTarget", {"MountTargetId": m["MountTargetId"]})
                for m in c.call("efs", "DescribeMountTargets", {"FileSystemId": fs_id}).get("MountTargets", [])
            ]
            steps.append(("efs", "DeleteFileSystem", {"FileSystemId": fs_id}))
            created = created_at(tags, fs.get("CreationTime"))
            return Leftover("efs file system", name, run, created, tuple(steps), expires_at(tags), blocked_by(foreign))

        _keep(out, f.each("efs file system", name, one))
    return out


def vpcs(f: Inspector) -> list[Leftover]:
    c = f.client
    out: list[Leftover] = []
    found = c.call("ec2", "DescribeVpcs", {"Filters": [{"Name": "tag-key", "Values": [RUN_TAG]}]}).get("Vpcs", [])
    for vpc in found:
        tags = tags_from_list(vpc.get("Tags"))
        name, vpc_id = tags.get("Name", ""), str(vpc["VpcId"])
        run = f.owned(name, tags)
        if run is None:
            continue

        def one(vpc_id: str = vpc_id, name: str = name, run: str = run, tags: dict[str, str] = tags) -> Leftover:
            in_vpc = {"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]}
            groups = c.call("ec2", "DescribeSecurityGroups", in_vpc).get("SecurityGroups", [])
            subnets = c.call("ec2", "DescribeSubnets", in_vpc).get("Subnets", [])
            steps: list[Step] = []
            foreign: list[str] = []
            for g in groups:
                if g.get("GroupName") == "default":
                    continue  # deleted with the VPC
                if _owned_child(g, run):
                    steps.append(("ec2", "DeleteSecurityGroup", {"GroupId": g["GroupId"]}))
                else:
                    foreign.append(f"security group {g['GroupId']}")
            for s in subnets:
                if _owned_child(s, run):
                    steps.append(("ec2", "DeleteSubnet", {"SubnetId": s["SubnetId"]}))
                else:
                    foreign.append(f"subnet {s['SubnetId']}")
            steps.append(("ec2", "DeleteVpc", {"VpcId": vpc_id}))
            return Leftover("vpc", name, run, created_at(tags), tuple(steps), expires_at(tags), blocked_by(foreign))

        _keep(out, f.each("vpc", name, one))
    return out


def _owned_child(resource: dict[str, Any], run: str) -> bool:
    tags = tags_from_list(resource.get("Tags"))
    return tags.get(RUN_TAG) == run and tags.get("Name", "").startswith(run_prefix(run))


def buckets(f: Inspector) -> list[Leftover]:
    """code-signing's artifact buckets: every object version is deleted, then the bucket."""
    c = f.client
    out: list[Leftover] = []
    for bucket in c.call("s3", "ListBuckets", {}).get("Buckets", []):
        name = str(bucket["Name"])
        if not name.startswith(NAME_PREFIX):
            continue
        try:
            tags = tags_from_list(c.call("s3", "GetBucketTagging", {"Bucket": name}).get("TagSet"))
        except BOTO_ERRORS:  # NoSuchTagSet: not tagged (a run journal may still name it)
            continue
        run = f.owned(name, tags)
        if run is None:
            continue
        created, expires = created_at(tags, bucket.get("CreationDate")), expires_at(tags)
        _keep(out, f.each("s3 bucket", name, partial(bucket_leftover, f, name, run, created, expires)))
    return out


def bucket_leftover(f: Inspector, name: str, run: str, created: float | None, expires: float | None) -> Leftover:
    versions = f.client.call("s3", "ListObjectVersions", {"Bucket": name})
    steps: list[Step] = [
        ("s3", "DeleteObject", {"Bucket": name, "Key": v["Key"], "VersionId": v["VersionId"]})
        for v in versions.get("Versions", []) + versions.get("DeleteMarkers", [])
    ]
    steps.append(("s3", "DeleteBucket", {"Bucket": name}))
    return Leftover("s3 bucket", name, run, created, tuple(steps), expires)
