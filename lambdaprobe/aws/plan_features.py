"""The AWS-only probes' part of the deploy plan: network, EFS, code signing, KMS. Pure data.

`plan_feature` is called by the planner (`plan._Planner.build`) before the probe function is
created: it adds the feature's resources (each create with its teardown) and returns what the
function needs (VpcConfig, FileSystemConfigs, KMSKeyArn, environment). `trials` are calls whose
refusal is the answer rather than a failure (CreateFunction of unsigned code under Enforce, of a
function whose file system has no mount target): `feature_run.run_trials` records their outcome.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lambdaprobe.aws.bundle import HANDLER, function_zip
from lambdaprobe.aws.options import CREATED_TAG, RUN_TAG, AwsOptions
from lambdaprobe.aws.plan import PROBE, ApiCall, Fmt, Json, Poll, Ref
from lambdaprobe.aws.plan_signed import can_sign, plan_signed_artifact, signed_code
from lambdaprobe.function.features import MOUNT_PATH
from lambdaprobe.probes.features import SUBNET_CIDR, VPC_CIDR
from lambdaprobe.scenario import FeatureSpec, Scenario

if TYPE_CHECKING:
    from lambdaprobe.aws.plan import _Planner

SIGNING_PLATFORM = "AWSLambda-SHA384-ECDSA"
KMS_PENDING_WINDOW_DAYS = 7  # the minimum KMS allows (7..30): a key cannot be deleted sooner
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


class B64(Fmt):
    """The bytes an earlier call produced (a KMS ciphertext), base64-encoded into a string.

    A Fmt whose template names the value, so the dry run shows `<name>`; `apply.resolve` encodes it.
    """

    def __init__(self, name: str) -> None:
        super().__init__("{" + name + "}")

    @property
    def name(self) -> str:
        return self.template[1:-1]


@dataclass(frozen=True)
class FeaturePlan:
    """What the probe function needs from the feature's resources."""

    function_params: dict[str, Any] = field(default_factory=dict)
    env: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Trial:
    """A call whose refusal is an observation: `expect` says what AWS documents for it."""

    call: ApiCall
    expect: str
    invoke_if_created: bool = False
    role: str = ""  # the function's role in its name, lambdaprobe-<run id>-<role>


def secret_plaintext(options: AwsOptions) -> str:
    return f"lambdaprobe secret for run {options.run_id}"


def signer_profile_name(options: AwsOptions) -> str:
    # Signer profile names allow letters, digits and underscores only (no hyphens).
    return options.name("signer").replace("-", "_")


def plan_feature(p: _Planner) -> FeaturePlan:
    """Add the feature's resources to the plan; return the function's share. Nothing without one."""
    feature = p.s.feature
    if feature is None:
        return FeaturePlan()
    config: dict[str, Any] = {"kind": feature.kind}
    params: dict[str, Any] = {}
    env: dict[str, Any] = {}
    statements: list[dict[str, Any]] = []
    if feature.kind in ("vpc", "efs"):
        # Before the network, so that it is deleted after it: Lambda deletes the function's ENIs
        # with the execution role's permissions, which must outlive the wait for them.
        _role_policy(p, "vpc-access-policy", [{"Effect": "Allow", "Action": VPC_ACCESS_ACTIONS, "Resource": ["*"]}])
        params["VpcConfig"] = _network(p, feature)
    if feature.kind == "vpc":
        config.update(host=feature.host, port=feature.port)
    elif feature.kind == "efs":
        statements.append(_file_system(p, feature))
        config["path"] = MOUNT_PATH
        if feature.mount_target:
            params["FileSystemConfigs"] = [{"Arn": Ref("access_point_arn"), "LocalMountPath": MOUNT_PATH}]
    elif feature.kind == "code-signing":
        _code_signing(p, feature)
    else:
        statements.extend(_kms(p, feature))
        params["KMSKeyArn"] = Ref("key_arn")
        env["LAMBDAPROBE_SECRET"] = B64("secret_ciphertext")
        config["sha256"] = hashlib.sha256(secret_plaintext(p.o).encode()).hexdigest()
    if not (feature.kind == "efs" and not feature.mount_target):  # nothing mounted: the trial asks instead
        env["LAMBDAPROBE_FEATURE"] = json.dumps(config, sort_keys=True)
    if statements:
        _role_policy(p, "feature-policy", statements)
    for trial in trials(p.s, p.o):  # each trial function logs into a group of the run's own
        p.log_group(trial.role)
    return FeaturePlan(params, env)


def _tag_specs(p: _Planner, resource_type: str, role: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": "Name", "Value": p.name(role)}, *p.tag_list()]}]


def _network(p: _Planner, feature: FeatureSpec) -> dict[str, Any]:
    """The function's VpcConfig: the given subnets and groups, or a minimal VPC of the run's own."""
    if feature.subnets:
        return {"SubnetIds": list(feature.subnets), "SecurityGroupIds": list(feature.security_groups)}
    # Teardown of the subnet and group waits until no network interface is left in them
    # (`feature_run.EniPatientClient`): Lambda's ENIs linger after DeleteFunction, for many minutes.
    p.add(
        ApiCall(
            "ec2",
            "CreateVpc",
            {"CidrBlock": VPC_CIDR, "TagSpecifications": _tag_specs(p, "vpc", "vpc")},
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
            {"VpcId": Ref("vpc_id"), "CidrBlock": SUBNET_CIDR, "TagSpecifications": _tag_specs(p, "subnet", "subnet")},
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
                "TagSpecifications": _tag_specs(p, "security-group", "sg"),
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


def _file_system(p: _Planner, feature: FeatureSpec) -> dict[str, Any]:
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


def _code_signing(p: _Planner, feature: FeatureSpec) -> None:
    name = signer_profile_name(p.o)
    p.add(
        ApiCall(
            "signer",
            "PutSigningProfile",
            {
                "profileName": name,
                "platformId": SIGNING_PLATFORM,
                "signatureValidityPeriod": {"value": 1, "type": "DAYS"},
                "tags": p.tag_dict(),
            },
            produces="signing_profile_version_arn",
            output="profileVersionArn",
            # Signer cannot delete a profile: cancelled, it stays listed as Canceled (and free).
            teardown=ApiCall("signer", "CancelSigningProfile", {"profileName": name}),
        )
    )
    p.add(
        ApiCall(
            "lambda",
            "CreateCodeSigningConfig",
            {
                "Description": p.name("code-signing"),
                "AllowedPublishers": {"SigningProfileVersionArns": [Ref("signing_profile_version_arn")]},
                "CodeSigningPolicies": {"UntrustedArtifactOnDeployment": feature.policy},
                "Tags": p.tag_dict(),
            },
            produces="code_signing_config_arn",
            output="CodeSigningConfig.CodeSigningConfigArn",
            teardown=ApiCall(
                "lambda", "DeleteCodeSigningConfig", {"CodeSigningConfigArn": Ref("code_signing_config_arn")}
            ),
        )
    )
    if can_sign(p.o):
        plan_signed_artifact(p, name)


def _kms(p: _Planner, feature: FeatureSpec) -> list[dict[str, Any]]:
    p.add(
        ApiCall(
            "kms",
            "CreateKey",
            {
                "Description": p.name("key"),
                "KeyUsage": "ENCRYPT_DECRYPT",
                "Tags": [{"TagKey": k, "TagValue": v} for k, v in p.tag_dict().items()],
            },
            produces="key_id",
            output="KeyMetadata.KeyId",
            # by id: AWS takes an id or an ARN here, moto an id only
            teardown=ApiCall(
                "kms", "ScheduleKeyDeletion", {"KeyId": Ref("key_id"), "PendingWindowInDays": KMS_PENDING_WINDOW_DAYS}
            ),
            note=(
                f"a KMS key is billed monthly, prorated, while it exists; teardown schedules its deletion "
                f"in {KMS_PENDING_WINDOW_DAYS} days, the minimum KMS allows"
            ),
        )
    )
    p.add(
        ApiCall(
            "kms",
            "DescribeKey",
            {"KeyId": Ref("key_id")},
            produces="key_arn",
            output="KeyMetadata.Arn",
            mutating=False,
        )
    )
    # Encrypted here, as the console's encryption helper does, with the context it uses.
    p.add(
        ApiCall(
            "kms",
            "Encrypt",
            {
                "KeyId": Ref("key_id"),
                "Plaintext": secret_plaintext(p.o),
                "EncryptionContext": {"LambdaFunctionName": p.name(PROBE)},
            },
            produces="secret_ciphertext",
            output="CiphertextBlob",
        )
    )
    if not feature.decrypt_permission:
        return []
    return [{"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [Ref("key_arn")]}]


def _role_policy(p: _Planner, name: str, statements: list[dict[str, Any]]) -> None:
    role, policy = p.name("role"), p.name(name)
    p.add(
        ApiCall(
            "iam",
            "PutRolePolicy",
            {
                "RoleName": role,
                "PolicyName": policy,
                "PolicyDocument": Json({"Version": "2012-10-17", "Statement": statements}),
            },
            teardown=ApiCall("iam", "DeleteRolePolicy", {"RoleName": role, "PolicyName": policy}),
        )
    )


def trials(scenario: Scenario, options: AwsOptions) -> list[Trial]:
    """Calls made after the deploy whose outcome, refusal included, is the probe's answer."""
    feature = scenario.feature
    if feature is None:
        return []
    if feature.kind == "code-signing":
        expect = (
            "Enforce: CreateFunction refused with CodeVerificationFailedException"
            if feature.policy == "Enforce"
            else "Warn: created, with a warning in CloudTrail and CloudWatch"
        )
        signing = {"CodeSigningConfigArn": Ref("code_signing_config_arn")}
        call = _trial_function(options, "unsigned", signing, scenario, {"kind": "code-signing"})
        out = [Trial(call, expect, role="unsigned")]
        if can_sign(options):
            signed = {**signing, "Code": signed_code(options)}
            call = _trial_function(options, "signed", signed, scenario, {"kind": "code-signing"})
            out.append(Trial(call, "created: signed by the profile the config allows", role="signed"))
        return out
    if feature.kind == "efs" and not feature.mount_target:
        subnet: Any = feature.subnets[0] if feature.subnets else Ref("subnet_id")
        groups: list[Any] = list(feature.security_groups) if feature.subnets else [Ref("sg_id")]
        extra: dict[str, Any] = {
            "VpcConfig": {"SubnetIds": [subnet], "SecurityGroupIds": groups},
            "FileSystemConfigs": [{"Arn": Ref("access_point_arn"), "LocalMountPath": MOUNT_PATH}],
        }
        call = _trial_function(options, "no-mount-target", extra, scenario, {"kind": "efs", "path": MOUNT_PATH})
        expect = "refused at CreateFunction, or EFSMountConnectivityException on invoke"
        return [Trial(call, expect, invoke_if_created=True, role="no-mount-target")]
    return []


def _trial_function(
    options: AwsOptions, role: str, extra: dict[str, Any], scenario: Scenario, config: dict[str, Any]
) -> ApiCall:
    tags = {RUN_TAG: options.run_id}
    if options.created_at is not None:
        tags[CREATED_TAG] = str(options.created_at)
    params: dict[str, Any] = {
        "FunctionName": options.name(role),
        "Runtime": options.runtime,
        "Role": Ref("role_arn"),
        "Handler": HANDLER,
        "Code": {"ZipFile": function_zip()},
        "Timeout": 30,
        "MemorySize": scenario.function.memory_mb,
        "Environment": {"Variables": {"LAMBDAPROBE_FEATURE": json.dumps(config, sort_keys=True)}},
        # Its own group, created by the plan: not the probe's (the collector reads that one), and
        # not one Lambda would create untagged (cleanup could not find it).
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{options.name(role)}"},
        "Tags": tags,
        **extra,
    }
    return ApiCall(
        "lambda",
        "CreateFunction",
        params,
        produces=f"{role}_arn",
        output="FunctionArn",
        teardown=ApiCall("lambda", "DeleteFunction", {"FunctionName": options.name(role)}),
    )
