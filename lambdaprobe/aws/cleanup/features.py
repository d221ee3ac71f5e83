"""`lambdaprobe cleanup` for the AWS-only probes' resources: VPCs, EFS, KMS keys, signing, buckets.

Same rule as `cleanup`: a name starting with `lambdaprobe-` (signer: `lambdaprobe_`) AND the tag
`lambdaprobe:run`. A VPC whose subnet still holds Lambda's ENIs refuses deletion for a while after
the function is gone: cleanup then reports it as failed, and a later cleanup deletes it.
"""

from __future__ import annotations

from collections.abc import Callable

from lambdaprobe.aws.cleanup.leftovers import Leftover, Step, created_at, pages, tags_from_list
from lambdaprobe.aws.client import BOTO_ERRORS, AwsClient
from lambdaprobe.aws.options import NAME_PREFIX, RUN_TAG
from lambdaprobe.aws.plan.features import KMS_PENDING_WINDOW_DAYS

SIGNER_PREFIX = NAME_PREFIX.replace("-", "_")


def feature_finders(client: AwsClient) -> list[Callable[[], list[Leftover]]]:
    """Finders in deletion order: what uses the network before the network."""
    return [
        lambda: code_signing_configs(client),
        lambda: signer_profiles(client),
        lambda: buckets(client),
        lambda: kms_keys(client),
        lambda: file_systems(client),
        lambda: vpcs(client),
    ]


def code_signing_configs(c: AwsClient) -> list[Leftover]:
    out = []
    configs = pages(c, "lambda", "ListCodeSigningConfigs", {}, "CodeSigningConfigs", "Marker", "NextMarker")
    for config in configs:
        name, arn = str(config.get("Description", "")), config["CodeSigningConfigArn"]
        if not name.startswith(NAME_PREFIX):
            continue
        tags = c.call("lambda", "ListTags", {"Resource": arn}).get("Tags", {})
        if RUN_TAG in tags:
            steps: tuple[Step, ...] = (("lambda", "DeleteCodeSigningConfig", {"CodeSigningConfigArn": arn}),)
            out.append(Leftover("code signing config", name, tags[RUN_TAG], created_at(tags), steps))
    return out


def signer_profiles(c: AwsClient) -> list[Leftover]:
    out = []
    for profile in pages(c, "signer", "ListSigningProfiles", {}, "profiles", "nextToken", "nextToken"):
        name = profile["profileName"]
        tags = profile.get("tags", {})
        if name.startswith(SIGNER_PREFIX) and RUN_TAG in tags and profile.get("status") == "Active":
            steps: tuple[Step, ...] = (("signer", "CancelSigningProfile", {"profileName": name}),)
            out.append(Leftover("signer profile", name, tags[RUN_TAG], created_at(tags), steps))
    return out


def kms_keys(c: AwsClient) -> list[Leftover]:
    out = []
    for key in pages(c, "kms", "ListKeys", {}, "Keys", "Marker", "NextMarker"):
        meta = c.call("kms", "DescribeKey", {"KeyId": key["KeyId"]})["KeyMetadata"]
        name = str(meta.get("Description", ""))
        if not name.startswith(NAME_PREFIX) or meta.get("KeyState") == "PendingDeletion":
            continue
        raw = c.call("kms", "ListResourceTags", {"KeyId": key["KeyId"]}).get("Tags", [])
        tags = {t["TagKey"]: t["TagValue"] for t in raw}
        if RUN_TAG in tags:
            step: Step = (
                "kms",
                "ScheduleKeyDeletion",
                {"KeyId": key["KeyId"], "PendingWindowInDays": KMS_PENDING_WINDOW_DAYS},
            )
            out.append(Leftover("kms key", name, tags[RUN_TAG], created_at(tags, meta.get("CreationDate")), (step,)))
    return out


def file_systems(c: AwsClient) -> list[Leftover]:
    out = []
    for fs in pages(c, "efs", "DescribeFileSystems", {}, "FileSystems", "Marker", "NextMarker"):
        name, fs_id = str(fs.get("CreationToken", "")), fs["FileSystemId"]
        tags = tags_from_list(fs.get("Tags"))
        if not name.startswith(NAME_PREFIX) or RUN_TAG not in tags:
            continue
        steps: list[Step] = [
            ("efs", "DeleteAccessPoint", {"AccessPointId": a["AccessPointId"]})
            for a in c.call("efs", "DescribeAccessPoints", {"FileSystemId": fs_id}).get("AccessPoints", [])
        ]
        steps += [
            ("efs", "DeleteMountTarget", {"MountTargetId": m["MountTargetId"]})
            for m in c.call("efs", "DescribeMountTargets", {"FileSystemId": fs_id}).get("MountTargets", [])
        ]
        steps.append(("efs", "DeleteFileSystem", {"FileSystemId": fs_id}))
        created = created_at(tags, fs.get("CreationTime"))
        out.append(Leftover("efs file system", name, tags[RUN_TAG], created, tuple(steps)))
    return out


def vpcs(c: AwsClient) -> list[Leftover]:
    out = []
    found = c.call("ec2", "DescribeVpcs", {"Filters": [{"Name": "tag-key", "Values": [RUN_TAG]}]}).get("Vpcs", [])
    for vpc in found:
        tags = tags_from_list(vpc.get("Tags"))
        name, vpc_id = tags.get("Name", ""), vpc["VpcId"]
        if not name.startswith(NAME_PREFIX) or RUN_TAG not in tags:
            continue
        in_vpc = {"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]}
        groups = c.call("ec2", "DescribeSecurityGroups", in_vpc).get("SecurityGroups", [])
        subnets = c.call("ec2", "DescribeSubnets", in_vpc).get("Subnets", [])
        steps: list[Step] = [
            ("ec2", "DeleteSecurityGroup", {"GroupId": g["GroupId"]}) for g in groups if g["GroupName"] != "default"
        ]
        steps += [("ec2", "DeleteSubnet", {"SubnetId": s["SubnetId"]}) for s in subnets]
        steps.append(("ec2", "DeleteVpc", {"VpcId": vpc_id}))
        out.append(Leftover("vpc", name, tags[RUN_TAG], created_at(tags), tuple(steps)))
    return out


def buckets(c: AwsClient) -> list[Leftover]:
    """code-signing's artifact buckets: every object version is deleted, then the bucket."""
    out = []
    for bucket in c.call("s3", "ListBuckets", {}).get("Buckets", []):
        name = bucket["Name"]
        if not name.startswith(NAME_PREFIX):
            continue
        try:
            tags = tags_from_list(c.call("s3", "GetBucketTagging", {"Bucket": name}).get("TagSet"))
        except BOTO_ERRORS:  # NoSuchTagSet: not one of ours
            continue
        if RUN_TAG not in tags:
            continue
        versions = c.call("s3", "ListObjectVersions", {"Bucket": name})
        steps: list[Step] = [
            ("s3", "DeleteObject", {"Bucket": name, "Key": v["Key"], "VersionId": v["VersionId"]})
            for v in versions.get("Versions", []) + versions.get("DeleteMarkers", [])
        ]
        steps.append(("s3", "DeleteBucket", {"Bucket": name}))
        created = created_at(tags, bucket.get("CreationDate"))
        out.append(Leftover("s3 bucket", name, tags[RUN_TAG], created, tuple(steps)))
    return out
