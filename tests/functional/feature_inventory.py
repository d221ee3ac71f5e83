"""The AWS-only probes' resources in an inventory: VPCs, subnets, groups, EFS, KMS keys, signer profiles.

A KMS key pending deletion and a cancelled signer profile count as gone: neither can be deleted
sooner (KMS waits at least 7 days; Signer only cancels).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3


@cache
def _clients(endpoint: str) -> dict[str, Any]:
    session = boto3.Session(region_name="us-east-1")
    return {s: session.client(s, endpoint_url=endpoint) for s in ("ec2", "efs", "kms", "s3")}


def _name(tags: list[dict[str, str]] | None) -> str:
    return next((t["Value"] for t in tags or [] if t["Key"] == "Name"), "")


def feature_inventory(endpoint: str, needle: str) -> dict[str, list[str]]:
    c = _clients(endpoint)
    found: dict[str, list[str]] = {}
    found["vpcs"] = [_name(v.get("Tags")) for v in c["ec2"].describe_vpcs()["Vpcs"]]
    found["subnets"] = [_name(s.get("Tags")) for s in c["ec2"].describe_subnets()["Subnets"]]
    found["security groups"] = [g["GroupName"] for g in c["ec2"].describe_security_groups()["SecurityGroups"]]
    systems = c["efs"].describe_file_systems()["FileSystems"]
    found["file systems"] = [f["CreationToken"] for f in systems]
    found["mount targets"] = [
        f"{f['CreationToken']}:{m['MountTargetId']}"
        for f in systems
        for m in c["efs"].describe_mount_targets(FileSystemId=f["FileSystemId"])["MountTargets"]
    ]
    found["access points"] = [
        str(a.get("ClientToken", "")) for a in c["efs"].describe_access_points()["AccessPoints"]
    ]
    keys = [c["kms"].describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in c["kms"].list_keys()["Keys"]]
    found["kms keys"] = [k.get("Description", "") for k in keys if k["KeyState"] != "PendingDeletion"]
    found["signer profiles"] = _active_signer_profiles()
    found["buckets"] = [b["Name"] for b in c["s3"].list_buckets().get("Buckets", [])]
    return {kind: [n for n in names if needle in n] for kind, names in found.items() if any(needle in n for n in names)}


def _active_signer_profiles() -> list[str]:
    """moto has no ListSigningProfiles (nor a 404 for an unknown name): read its state in-process."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.signer.models import signer_backends

    profiles = signer_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].signing_profiles
    return [name for name, profile in profiles.items() if profile.status == "Active"]
