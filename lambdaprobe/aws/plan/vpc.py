"""The network and file system of the `vpc` and `efs` probes, as plan calls. Pure data.

Without `--subnet` the run gets a minimal VPC of its own (no internet gateway, no NAT): one subnet,
one security group admitting the probe's port (NFS for EFS) from itself. EFS adds an encrypted file
system, a mount target in that subnet (unless `--no-mount-target`) and an access point.
"""

from __future__ import annotations

from typing import Any

from lambdaprobe.aws.plan.blocks import PlanBuilder
from lambdaprobe.aws.plan.records import ApiCall, Poll, Ref
from lambdaprobe.scenario import FeatureSpec
from lambdaprobe.scenarios.features import SUBNET_CIDR, VPC_CIDR

EFS_UID = 1000
NFS_PORT = 2049
# What AWSLambdaVPCAccessExecutionRole grants: Lambda creates and deletes the function's ENIs with
# the execution role. These EC2 actions take no resource-level restriction, hence "*".
VPC_ACCESS_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]


def tag_specs(p: PlanBuilder, resource_type: str, role: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": "Name", "Value": p.name(role)}, *p.tag_list()]}]


def network(p: PlanBuilder, feature: FeatureSpec) -> dict[str, Any]:
    """The function's VpcConfig: the given subnets and groups, or a minimal VPC of the run's own."""
    if feature.subnets:
        return {"SubnetIds": list(feature.subnets), "SecurityGroupIds": list(feature.security_groups)}
    # Teardown of the subnet and group waits until no network interface is left in them
    # (`run.features.PatientClient`): Lambda's ENIs linger after DeleteFunction, for many minutes.
    p.add(
        ApiCall(
            "ec2",
            "CreateVpc",
            {"CidrBlock": VPC_CIDR, "TagSpecifications": tag_specs(p, "vpc", "vpc")},
            produces="vpc_id",
            output="Vpc.VpcId",
            teardown=ApiCall("ec2", "DeleteVpc", {"VpcId": Ref("vpc_id")}),
            note="no internet gateway or NAT: the function reaches only the VPC",
        )
    )
    p.add(
        ApiCall(
            "ec2",
            "CreateSubnet",
            {"VpcId": Ref("vpc_id"), "CidrBlock": SUBNET_CIDR, "TagSpecifications": tag_specs(p, "subnet", "subnet")},
            produces="subnet_id",
            output="Subnet.SubnetId",
            teardown=ApiCall("ec2", "DeleteSubnet", {"SubnetId": Ref("subnet_id")}),
        )
    )
    p.add(
        ApiCall(
            "ec2",
            "CreateSecurityGroup",
            {
                "GroupName": p.name("sg"),
                "Description": "lambdaprobe run security group (deleted at teardown)",
                "VpcId": Ref("vpc_id"),
                "TagSpecifications": tag_specs(p, "security-group", "sg"),
            },
            produces="sg_id",
            output="GroupId",
            teardown=ApiCall("ec2", "DeleteSecurityGroup", {"GroupId": Ref("sg_id")}),
        )
    )
    port = NFS_PORT if feature.kind == "efs" else feature.port
    # From the group itself only: the function and the mount target (or a host) share it.
    p.add(
        ApiCall(
            "ec2",
            "AuthorizeSecurityGroupIngress",
            {
                "GroupId": Ref("sg_id"),
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": port,
                        "ToPort": port,
                        "UserIdGroupPairs": [{"GroupId": Ref("sg_id")}],
                    }
                ],
            },
        )
    )
    return {"SubnetIds": [Ref("subnet_id")], "SecurityGroupIds": [Ref("sg_id")]}


def file_system(p: PlanBuilder, feature: FeatureSpec) -> dict[str, Any]:
    """An encrypted EFS file system, its mount target, an access point; the role's EFS statement."""
    subnet: Any = feature.subnets[0] if feature.subnets else Ref("subnet_id")
    groups: list[Any] = list(feature.security_groups) if feature.subnets else [Ref("sg_id")]
    p.add(
        ApiCall(
            "efs",
            "CreateFileSystem",
            {
                "CreationToken": p.name("efs"),
                "PerformanceMode": "generalPurpose",
                "Encrypted": True,
                "Tags": [{"Key": "Name", "Value": p.name("efs")}, *p.tag_list()],
            },
            produces="fs_id",
            output="FileSystemId",
            teardown=ApiCall("efs", "DeleteFileSystem", {"FileSystemId": Ref("fs_id")}),
            note="EFS storage is billed per GB-month (the probe writes 4 KB and removes it)",
        )
    )
    p.add(
        ApiCall(
            "efs",
            "DescribeFileSystems",
            {"FileSystemId": Ref("fs_id")},
            produces="fs_arn",
            output="FileSystems.0.FileSystemArn",
            poll=Poll("FileSystems.0.LifeCycleState", ("available",), ("error",), message="waiting for EFS available"),
            mutating=False,
        )
    )
    if feature.mount_target:
        p.add(
            ApiCall(
                "efs",
                "CreateMountTarget",
                {"FileSystemId": Ref("fs_id"), "SubnetId": subnet, "SecurityGroups": groups},
                produces="mount_target_id",
                output="MountTargetId",
                # The file system's own teardown waits for the mount target to be gone
                # (DeleteMountTarget returns while it is still "deleting").
                teardown=ApiCall("efs", "DeleteMountTarget", {"MountTargetId": Ref("mount_target_id")}),
            )
        )
        # Lambda refuses FileSystemConfigs while a mount target is not yet available.
        p.add(
            ApiCall(
                "efs",
                "DescribeMountTargets",
                {"MountTargetId": Ref("mount_target_id")},
                poll=Poll(
                    "MountTargets.0.LifeCycleState",
                    ("available",),
                    ("error",),
                    timeout_s=600.0,
                    interval_s=5.0,
                    message="waiting for the EFS mount target available (usually 1-2 min)",
                ),
                mutating=False,
            )
        )
    p.add(
        ApiCall(
            "efs",
            "CreateAccessPoint",
            {
                "ClientToken": p.name("access-point"),
                "FileSystemId": Ref("fs_id"),
                "PosixUser": {"Uid": EFS_UID, "Gid": EFS_UID},
                "RootDirectory": {
                    "Path": "/lambdaprobe",
                    "CreationInfo": {"OwnerUid": EFS_UID, "OwnerGid": EFS_UID, "Permissions": "750"},
                },
                "Tags": [{"Key": "Name", "Value": p.name("access-point")}, *p.tag_list()],
            },
            produces="access_point_id",
            output="AccessPointId",
            teardown=ApiCall("efs", "DeleteAccessPoint", {"AccessPointId": Ref("access_point_id")}),
        )
    )
    p.add(
        ApiCall(
            "efs",
            "DescribeAccessPoints",
            {"AccessPointId": Ref("access_point_id")},
            produces="access_point_arn",
            output="AccessPoints.0.AccessPointArn",
            poll=Poll("AccessPoints.0.LifeCycleState", ("available",), ("error",), message="waiting for access point"),
            mutating=False,
        )
    )
    return {
        "Effect": "Allow",
        "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        "Resource": [Ref("fs_arn")],
    }
