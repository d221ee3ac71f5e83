"""The AWS-only probes' plans: the calls each feature needs, teardown in reverse, trials, notes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from lambdaprobe.aws.observe.feature_report import feature_notes, parse_feature_line
from lambdaprobe.aws.options import RUN_TAG, AwsOptions
from lambdaprobe.aws.plan.features import KMS_PENDING_WINDOW_DAYS, SIGNING_PLATFORM, trials
from lambdaprobe.aws.plan.records import B64, ApiCall, Json, Ref
from lambdaprobe.aws.plan.show import format_plan
from lambdaprobe.aws.planner import build_plan
from lambdaprobe.aws.run.apply import dig, resolve
from lambdaprobe.scenario import Scenario
from lambdaprobe.scenarios import features as probe

OPTIONS = AwsOptions(region="eu-west-1", run_id="lp0f0e0d", created_at=1_790_000_000)

SCENARIOS = {
    "vpc": probe.vpc(subnets=[], security_groups=[], host=None, port=53, seed=0),
    "vpc-given": probe.vpc(
        subnets=["subnet-0123456789abcdef0"], security_groups=["sg-0123abcd"], host="10.0.1.12", port=22, seed=0
    ),
    "efs": probe.efs(subnets=[], security_groups=[], mount_target=True, seed=0),
    "efs-no-mount": probe.efs(subnets=[], security_groups=[], mount_target=False, seed=0),
    "code-signing-enforce": probe.code_signing(policy="Enforce", seed=0),
    "code-signing-warn": probe.code_signing(policy="Warn", seed=0),
    "env-encryption": probe.env_encryption(decrypt_permission=True, seed=0),
    "env-encryption-denied": probe.env_encryption(decrypt_permission=False, seed=0),
}


def ops(calls: Sequence[ApiCall]) -> list[str]:
    return [f"{c.service}.{c.operation}" for c in calls]


def function(calls: Sequence[ApiCall]) -> dict[str, Any]:
    return next(c for c in calls if c.operation == "CreateFunction").params


def feature_policy(calls: Sequence[ApiCall], name: str = "feature-policy") -> dict[str, Any]:
    call = next(c for c in calls if c.operation == "PutRolePolicy" and c.params["PolicyName"].endswith(name))
    document = call.params["PolicyDocument"]
    assert isinstance(document, Json)
    return dict(document.value)


def test_vpc_creates_a_minimal_network_and_attaches_the_function() -> None:
    calls = build_plan(SCENARIOS["vpc"], OPTIONS).calls
    names = ops(calls)
    for op in ("ec2.CreateVpc", "ec2.CreateSubnet", "ec2.CreateSecurityGroup", "ec2.AuthorizeSecurityGroupIngress"):
        assert op in names
    assert names.index("ec2.CreateSecurityGroup") < names.index("lambda.CreateFunction")
    params = function(calls)
    assert params["VpcConfig"] == {"SubnetIds": [Ref("subnet_id")], "SecurityGroupIds": [Ref("sg_id")]}
    feature = json.loads(params["Environment"]["Variables"]["LAMBDAPROBE_FEATURE"])
    assert feature == {"kind": "vpc", "host": probe.RESOLVER_HOST, "port": 53}
    actions = feature_policy(calls, "vpc-access-policy")["Statement"][0]["Action"]
    assert {"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces"} <= set(actions)
    # Lambda deletes its ENIs with these permissions: they go after the network, not before
    teardown = format_plan(calls).split("Teardown (", 1)[1]
    assert teardown.index("ec2.DeleteVpc") < teardown.index("lambdaprobe-lp0f0e0d-vpc-access-policy")
    vpc = next(c for c in calls if c.operation == "CreateVpc")
    tags = vpc.params["TagSpecifications"][0]["Tags"]
    assert {"Key": RUN_TAG, "Value": OPTIONS.run_id} in tags
    assert {"Key": "Name", "Value": "lambdaprobe-lp0f0e0d-vpc"} in tags


def test_vpc_with_a_given_network_creates_none() -> None:
    calls = build_plan(SCENARIOS["vpc-given"], OPTIONS).calls
    assert not any(c.service == "ec2" for c in calls)
    assert function(calls)["VpcConfig"] == {
        "SubnetIds": ["subnet-0123456789abcdef0"],
        "SecurityGroupIds": ["sg-0123abcd"],
    }


def test_efs_waits_for_the_mount_target_and_mounts_the_access_point() -> None:
    calls = build_plan(SCENARIOS["efs"], OPTIONS).calls
    names = ops(calls)
    order = [
        "efs.CreateFileSystem",
        "efs.DescribeFileSystems",
        "efs.CreateMountTarget",
        "efs.DescribeMountTargets",
        "efs.CreateAccessPoint",
        "efs.DescribeAccessPoints",
        "lambda.CreateFunction",
    ]
    assert [n for n in names if n in order] == order
    wait = next(c for c in calls if c.operation == "DescribeMountTargets")
    assert wait.poll is not None and wait.poll.ready == ("available",)
    params = function(calls)
    assert params["FileSystemConfigs"] == [{"Arn": Ref("access_point_arn"), "LocalMountPath": "/mnt/probe"}]
    assert "VpcConfig" in params
    statements = feature_policy(calls)["Statement"]
    assert any("elasticfilesystem:ClientMount" in s["Action"] for s in statements)
    ingress = next(c for c in calls if c.operation == "AuthorizeSecurityGroupIngress")
    assert ingress.params["IpPermissions"][0]["FromPort"] == 2049
    assert trials(SCENARIOS["efs"], OPTIONS) == []


def test_efs_without_a_mount_target_tries_the_mount_as_a_trial() -> None:
    calls = build_plan(SCENARIOS["efs-no-mount"], OPTIONS).calls
    assert "efs.CreateMountTarget" not in ops(calls)
    assert "FileSystemConfigs" not in function(calls)  # the probe itself deploys; the trial asks the question
    (trial,) = trials(SCENARIOS["efs-no-mount"], OPTIONS)
    group = "/aws/lambda/lambdaprobe-lp0f0e0d-no-mount-target"
    assert trial.call.params["LoggingConfig"]["LogGroup"] == group
    assert any(c.operation == "CreateLogGroup" and c.params["logGroupName"] == group for c in calls)
    assert trial.call.operation == "CreateFunction" and trial.invoke_if_created
    assert trial.call.params["FileSystemConfigs"][0]["Arn"] == Ref("access_point_arn")
    name = "lambdaprobe-lp0f0e0d-no-mount-target"
    assert trial.call.teardown == ApiCall("lambda", "DeleteFunction", {"FunctionName": name})


@pytest.mark.parametrize("policy", ["Enforce", "Warn"])
def test_code_signing_config_carries_the_policy(policy: str) -> None:
    scenario = SCENARIOS[f"code-signing-{policy.lower()}"]
    calls = build_plan(scenario, OPTIONS).calls
    profile = next(c for c in calls if c.operation == "PutSigningProfile")
    assert profile.params["platformId"] == SIGNING_PLATFORM == "AWSLambda-SHA384-ECDSA"
    assert "-" not in profile.params["profileName"]  # Signer allows letters, digits, underscores
    config = next(c for c in calls if c.operation == "CreateCodeSigningConfig")
    assert config.params["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": policy}
    assert config.params["AllowedPublishers"] == {"SigningProfileVersionArns": [Ref("signing_profile_version_arn")]}
    trial, _signed = trials(scenario, OPTIONS)
    assert trial.call.params["CodeSigningConfigArn"] == Ref("code_signing_config_arn")
    assert ("CodeVerificationFailedException" in trial.expect) == (policy == "Enforce")


def test_env_encryption_sets_the_key_and_an_encrypted_variable() -> None:
    calls = build_plan(SCENARIOS["env-encryption"], OPTIONS).calls
    names = ops(calls)
    assert names.index("kms.CreateKey") < names.index("kms.Encrypt") < names.index("lambda.CreateFunction")
    key = next(c for c in calls if c.operation == "CreateKey")
    assert key.teardown == ApiCall(
        "kms", "ScheduleKeyDeletion", {"KeyId": Ref("key_id"), "PendingWindowInDays": KMS_PENDING_WINDOW_DAYS}
    )
    assert KMS_PENDING_WINDOW_DAYS == 7
    encrypt = next(c for c in calls if c.operation == "Encrypt")
    assert encrypt.params["EncryptionContext"] == {"LambdaFunctionName": "lambdaprobe-lp0f0e0d-probe"}
    params = function(calls)
    assert params["KMSKeyArn"] == Ref("key_arn")
    assert params["Environment"]["Variables"]["LAMBDAPROBE_SECRET"] == B64("secret_ciphertext")
    assert feature_policy(calls)["Statement"] == [
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [Ref("key_arn")]}
    ]


def test_without_decrypt_permission_the_role_gets_no_kms_statement() -> None:
    calls = build_plan(SCENARIOS["env-encryption-denied"], OPTIONS).calls
    assert not any(c.operation == "PutRolePolicy" and "feature" in c.params["PolicyName"] for c in calls)
    assert "KMSKeyArn" in function(calls)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_create_is_undone_in_reverse_order(name: str) -> None:
    calls = build_plan(SCENARIOS[name], OPTIONS).calls
    creates = [c for c in calls if c.operation.startswith(("Create", "Put")) and c.operation not in _NO_TEARDOWN]
    for call in creates:
        assert call.teardown is not None, f"{call.service}.{call.operation} has no teardown"
    text = format_plan(calls)
    teardown = text.split("Teardown (", 1)[1]
    undo = [c.teardown for c in reversed(calls) if c.teardown is not None]
    positions = [teardown.index(f"{u.service}.{u.operation} {_first_value(u)}") for u in undo]
    assert positions == sorted(positions)
    # what was created first goes last: the role after the function, the VPC after its subnet
    if "ec2.CreateVpc" in ops(calls):
        assert teardown.index("ec2.DeleteSubnet") < teardown.index("ec2.DeleteVpc")
        assert teardown.index("lambda.DeleteFunction") < teardown.index("ec2.DeleteSecurityGroup")
    if "efs.CreateMountTarget" in ops(calls):
        assert teardown.index("efs.DeleteMountTarget") < teardown.index("efs.DeleteFileSystem")


# Configuration puts that the resource's own deletion removes (no teardown of their own).
_NO_TEARDOWN = {
    "PutRetentionPolicy",
    "PutFunctionEventInvokeConfig",
    "PutFunctionConcurrency",
    "CreateAlias",
    "PutBucketTagging",
    "PutBucketVersioning",
    "PutObject",  # DeleteBucket's client empties the bucket first (every version)
}


def _first_value(call: ApiCall) -> str:
    return json.dumps({k: _plain(v) for k, v in sorted(call.params.items())}, separators=(", ", ": "))[:40]


def _plain(value: Any) -> Any:
    return f"<{value.name}>" if isinstance(value, Ref) else value


def test_b64_resolves_bytes_to_base64_and_dig_indexes_lists() -> None:
    assert resolve({"S": B64("blob")}, {"blob": b"\x00\xff"}) == {"S": "AP8="}
    assert dig({"FileSystems": [{"LifeCycleState": "available"}]}, "FileSystems.0.LifeCycleState") == "available"


def test_dry_run_shows_the_trials_after_the_plan() -> None:
    from lambdaprobe.aws.target import AwsTarget

    text = AwsTarget(OPTIONS).plan_only(SCENARIOS["code-signing-enforce"])
    assert "lambda.CreateCodeSigningConfig" in text and '"UntrustedArtifactOnDeployment": "Enforce"' in text
    assert text.index("Teardown (") < text.index("Trials (2;")
    assert "expected: Enforce: CreateFunction refused with CodeVerificationFailedException" in text


def test_feature_lines_become_findings() -> None:
    line = parse_feature_line(
        '{"lambdaprobe":"feature","feature":"vpc","ok":true,"host":"10.0.1.12","port":22,'
        '"connect_ms":3.2,"cold":true,"t":1}'
    )
    assert line is not None
    assert parse_feature_line('{"lambdaprobe":"start","request":"r01"}') is None
    assert parse_feature_line("REPORT RequestId: x") is None
    notes = feature_notes(SCENARIOS["vpc-given"], [line])
    assert notes[0] == "finding: TCP connect to 10.0.1.12:22 took 3.2 ms (cold call)"
    assert any("not built: launching an EC2 host" in n for n in notes)
    denied = {"feature": "env-encryption", "ok": False, "error_code": "AccessDeniedException", "error": "no", "t": 2}
    assert feature_notes(SCENARIOS["env-encryption-denied"], [denied]) == [
        "finding: kms:Decrypt in the function failed: AccessDeniedException: no (warm call)"
    ]
    assert feature_notes(SCENARIOS["code-signing-warn"], []) == []


def test_a_plan_without_a_feature_is_unchanged_by_the_hook() -> None:
    base = Scenario(probe="x", function=SCENARIOS["vpc"].function, stimulus=SCENARIOS["vpc"].stimulus)
    calls = build_plan(base, OPTIONS).calls
    assert not any(c.service in ("ec2", "efs", "kms", "signer") for c in calls)
    assert "LAMBDAPROBE_FEATURE" not in function(calls)["Environment"]["Variables"]
    assert trials(base, OPTIONS) == []


def test_the_signed_path_signs_the_zip_in_a_versioned_bucket_and_deploys_it() -> None:
    calls = build_plan(SCENARIOS["code-signing-enforce"], OPTIONS).calls
    names = ops(calls)
    order = ["s3.CreateBucket", "s3.PutBucketVersioning", "s3.PutObject", "signer.StartSigningJob",
             "signer.DescribeSigningJob"]
    assert [n for n in names if n in order] == order
    bucket = next(c for c in calls if c.operation == "CreateBucket")
    assert bucket.params["CreateBucketConfiguration"] == {"LocationConstraint": "eu-west-1"}
    assert bucket.teardown == ApiCall("s3", "DeleteBucket", {"Bucket": "lambdaprobe-lp0f0e0d-artifacts"})
    job = next(c for c in calls if c.operation == "StartSigningJob")
    assert job.params["source"]["s3"]["version"] == Ref("unsigned_version")
    unsigned, signed = trials(SCENARIOS["code-signing-enforce"], OPTIONS)
    assert signed.call.params["Code"] == {"S3Bucket": "lambdaprobe-lp0f0e0d-artifacts", "S3Key": Ref("signed_key")}
    assert signed.call.params["CodeSigningConfigArn"] == unsigned.call.params["CodeSigningConfigArn"]
    east = build_plan(SCENARIOS["code-signing-warn"], AwsOptions(region="us-east-1", run_id="lp0f0e0d")).calls
    assert "CreateBucketConfiguration" not in next(c for c in east if c.operation == "CreateBucket").params


def test_without_a_region_the_signed_path_is_left_out_and_said_so() -> None:
    no_region = AwsOptions(run_id="lp0f0e0d")
    calls = build_plan(SCENARIOS["code-signing-warn"], no_region).calls
    assert not any(c.service == "s3" or c.operation == "StartSigningJob" for c in calls)
    assert [t.role for t in trials(SCENARIOS["code-signing-warn"], no_region)] == ["unsigned"]
    notes = feature_notes(SCENARIOS["code-signing-warn"], [], signed=False)
    assert any("needs --region" in n and "only unsigned code was tried" in n for n in notes)
