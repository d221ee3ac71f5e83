"""The AWS-only probes' part of the deploy plan: network, EFS, code signing, KMS. Pure data.

`plan_feature` is called by the planner (`lambdaprobe.aws.planner`) before the probe function is
created: it adds the feature's resources (each create with its teardown) and returns what the
function needs (VpcConfig, FileSystemConfigs, KMSKeyArn, environment). `trials` are calls whose
refusal is the answer rather than a failure (CreateFunction of unsigned code under Enforce, of a
function whose file system has no mount target): `run.features.run_trials` records their outcome.
The network and EFS calls are in `vpc`, code-signing's signed artifact in `signed`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.plan.blocks import PROBE, PlanBuilder, create_function
from lambdaprobe.aws.plan.bundle import HANDLER
from lambdaprobe.aws.plan.records import B64, ApiCall, Json, Ref
from lambdaprobe.aws.plan.signed import can_sign, plan_signed_artifact, signed_code
from lambdaprobe.aws.plan.vpc import VPC_ACCESS_ACTIONS, file_system, network
from lambdaprobe.function.features import MOUNT_PATH
from lambdaprobe.scenario import FeatureSpec, Scenario

SIGNING_PLATFORM = "AWSLambda-SHA384-ECDSA"
KMS_PENDING_WINDOW_DAYS = 7  # the minimum KMS allows (7..30): a key cannot be deleted sooner


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


def plan_feature(p: PlanBuilder) -> FeaturePlan:
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
        params["VpcConfig"] = network(p, feature)
    if feature.kind == "vpc":
        config.update(host=feature.host, port=feature.port)
    elif feature.kind == "efs":
        statements.append(file_system(p, feature))
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


def _code_signing(p: PlanBuilder, feature: FeatureSpec) -> None:
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


def _kms(p: PlanBuilder, feature: FeatureSpec) -> list[dict[str, Any]]:
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


def _role_policy(p: PlanBuilder, name: str, statements: list[dict[str, Any]]) -> None:
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
    # A trial function has its own log group (not the probe's, which the collector reads).
    env = {"LAMBDAPROBE_FEATURE": json.dumps(config, sort_keys=True)}
    return create_function(options, scenario, role, HANDLER, 30, env, extra=extra)
