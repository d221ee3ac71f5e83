"""The AWS-only probes against moto's server on 127.0.0.1: deploy, trials, teardown leave nothing behind.

moto lacks Lambda's code signing configs (CreateCodeSigningConfig, DeleteCodeSigningConfig) and does
not verify signatures at CreateFunction: those calls go to a botocore Stubber whose responses must
all be consumed. Everything else (EC2 network, EFS, KMS, signer profiles, IAM, Lambda) is moto.
"""

from __future__ import annotations

import base64
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from lambdaprobe.aws.client import AwsClient
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.planner import build_plan
from lambdaprobe.aws.run.apply import Deployment, Executor
from lambdaprobe.aws.run.features import PatientClient, run_trials
from lambdaprobe.scenario import Scenario
from lambdaprobe.scenarios import features as probe
from tests.functional.aws_helpers import clients, inventory
from tests.functional.test_aws_deploy import no_sleep, warm_client

STUBBED = {
    "CreateCodeSigningConfig": "create_code_signing_config",
    "DeleteCodeSigningConfig": "delete_code_signing_config",
}
CSC_ARN = "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0"


def opts(endpoint: str, run_id: str) -> AwsOptions:
    return AwsOptions(region="us-east-1", endpoint_url=endpoint, run_id=run_id, poll_s=0.05)


class CodeSigningStubbed(AwsClient):
    """Code signing configs, signing jobs and (under Enforce) the unsigned CreateFunction are stubbed."""

    def __init__(self, o: AwsOptions, stubbed: Any, signer: Any, refuse_unsigned: bool) -> None:
        super().__init__(o, sleep=no_sleep)
        self.stubbed = stubbed
        self.signer = signer
        self.refuse_unsigned = refuse_unsigned

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any]
        if operation in ("StartSigningJob", "DescribeSigningJob"):
            method = "start_signing_job" if operation == "StartSigningJob" else "describe_signing_job"
            result = getattr(self.signer, method)(**params)
            return result
        unsigned = operation == "CreateFunction" and str(params.get("FunctionName")).endswith("-unsigned")
        if operation in STUBBED or (self.refuse_unsigned and unsigned):
            result = getattr(self.stubbed, STUBBED.get(operation, "create_function"))(**params)
            return result
        return super().call(service, operation, params)


class Recording(AwsClient):
    def __init__(self, o: AwsOptions) -> None:
        super().__init__(o, sleep=no_sleep)
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self.sent.append((operation, params))
        return super().call(service, operation, params)


def stubbed_lambda(service: str = "lambda") -> Any:
    return boto3.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1").client(
        service, endpoint_url="http://127.0.0.1:9"
    )


def deploy(o: AwsOptions, scenario: Scenario, client: AwsClient | None = None) -> tuple[Executor, Deployment]:
    messages: list[str] = []
    base = warm_client(o, client)
    executor = Executor(PatientClient(base, messages.append), messages.append)
    deployment = executor.apply(build_plan(scenario, o).calls)
    return executor, deployment


def test_vpc_network_is_created_attached_and_deleted(moto_endpoint: str) -> None:
    o = opts(moto_endpoint, "lpfvpc00")
    executor, deployment = deploy(o, probe.vpc(subnets=[], security_groups=[], host=None, port=53, seed=0))
    deployed = inventory(moto_endpoint, "lpfvpc00")
    assert deployed["vpcs"] and deployed["subnets"] and deployed["security groups"] and deployed["functions"]
    config = clients(moto_endpoint)["lambda"].get_function_configuration(FunctionName="lambdaprobe-lpfvpc00-probe")
    assert config["VpcConfig"]["SubnetIds"] == [deployment.outputs["subnet_id"]]
    assert executor.teardown(deployment) == [] and deployment.already_gone == []
    assert inventory(moto_endpoint, "lpfvpc00") == {}


def test_teardown_waits_for_lingering_enis_before_deleting_the_network(moto_endpoint: str) -> None:
    o = opts(moto_endpoint, "lpfeni00")
    executor, deployment = deploy(o, probe.vpc(subnets=[], security_groups=[], host=None, port=53, seed=0))
    ec2 = boto3.Session(region_name="us-east-1").client("ec2", endpoint_url=moto_endpoint)
    # What Lambda leaves behind for a while after DeleteFunction: an ENI in the subnet and group.
    eni = ec2.create_network_interface(
        SubnetId=deployment.outputs["subnet_id"], Groups=[deployment.outputs["sg_id"]], Description="AWS Lambda VPC ENI"
    )["NetworkInterface"]["NetworkInterfaceId"]
    messages: list[str] = []
    waited: list[float] = []

    def lambda_releases_it(seconds: float) -> None:
        waited.append(seconds)
        ec2.delete_network_interface(NetworkInterfaceId=eni)

    patient = PatientClient(warm_client(o, AwsClient(o, sleep=lambda_releases_it)), messages.append)
    executor = Executor(patient, messages.append)
    assert executor.teardown(deployment) == []
    assert waited and any("to be released" in m for m in messages)
    assert inventory(moto_endpoint, "lpfeni00") == {}


def test_efs_file_system_mount_target_and_access_point_are_deleted(moto_endpoint: str) -> None:
    o = opts(moto_endpoint, "lpfefs00")
    recorder = Recording(o)
    executor, deployment = deploy(o, probe.efs(subnets=[], security_groups=[], mount_target=True, seed=0), recorder)
    deployed = inventory(moto_endpoint, "lpfefs00")
    assert deployed["file systems"] and deployed["mount targets"] and deployed["access points"]
    # moto accepts FileSystemConfigs but does not keep it: check what was sent, resolved
    config = next(p for op, p in recorder.sent if op == "CreateFunction")
    assert config["FileSystemConfigs"] == [
        {"Arn": deployment.outputs["access_point_arn"], "LocalMountPath": "/mnt/probe"}
    ]
    assert executor.teardown(deployment) == [] and deployment.already_gone == []
    assert inventory(moto_endpoint, "lpfefs00") == {}


def test_efs_without_a_mount_target_records_what_lambda_did(moto_endpoint: str) -> None:
    o = opts(moto_endpoint, "lpfefs01")
    scenario = probe.efs(subnets=[], security_groups=[], mount_target=False, seed=0)
    executor, deployment = deploy(o, scenario)
    assert "mount targets" not in inventory(moto_endpoint, "lpfefs01")
    notes = run_trials(warm_client(o), scenario, o, deployment, lambda _: None)
    # moto accepts the function (AWS may refuse it); its invoke cannot run here either way
    (note,) = notes
    assert note.startswith("finding: lambda.CreateFunction lambdaprobe-lpfefs01-no-mount-target: ")
    assert executor.teardown(deployment) == []
    assert inventory(moto_endpoint, "lpfefs01") == {}


@pytest.mark.parametrize("policy", ["Enforce", "Warn"])
def test_code_signing_outcome_is_a_finding_and_nothing_is_left(moto_endpoint: str, policy: str) -> None:
    run_id = f"lpfcs{policy[0].lower()}00"
    o = opts(moto_endpoint, run_id)
    scenario = probe.code_signing(policy=policy, seed=0)
    lam, signer = stubbed_lambda(), stubbed_lambda("signer")
    bucket, signed_key = f"lambdaprobe-{run_id}-artifacts", "signed/0123-probe.zip"
    with Stubber(lam) as stubber, Stubber(signer) as signing:
        signing.add_response(
            "start_signing_job",
            {"jobId": "job-1"},
            {
                "source": {"s3": {"bucketName": bucket, "key": "unsigned/probe.zip", "version": ANY}},
                "destination": {"s3": {"bucketName": bucket, "prefix": "signed/"}},
                "profileName": f"lambdaprobe_{run_id}_signer",
            },
        )
        for status in ("InProgress", "Succeeded"):
            signing.add_response(
                "describe_signing_job",
                {"jobId": "job-1", "status": status, "signedObject": {"s3": {"bucketName": bucket, "key": signed_key}}},
                {"jobId": "job-1"},
            )
        stubber.add_response(
            "create_code_signing_config",
            {
                "CodeSigningConfig": {
                    "CodeSigningConfigId": "csc-0123456789abcdef0",
                    "CodeSigningConfigArn": CSC_ARN,
                    "AllowedPublishers": {"SigningProfileVersionArns": ["arn:aws:signer:x"]},
                    "CodeSigningPolicies": {"UntrustedArtifactOnDeployment": policy},
                    "LastModified": "2026-01-01T00:00:00Z",
                }
            },
            {
                "Description": f"lambdaprobe-{run_id}-code-signing",
                "AllowedPublishers": {"SigningProfileVersionArns": [ANY]},
                "CodeSigningPolicies": {"UntrustedArtifactOnDeployment": policy},
                "Tags": ANY,
            },
        )
        if policy == "Enforce":
            stubber.add_client_error(
                "create_function",
                service_error_code="CodeVerificationFailedException",
                service_message="Lambda cannot deploy the function. The function or layer might be signed "
                "using a signature that the client is not configured to accept.",
                http_status_code=400,
            )
        stubber.add_response("delete_code_signing_config", {}, {"CodeSigningConfigArn": CSC_ARN})
        client = CodeSigningStubbed(o, lam, signer, refuse_unsigned=policy == "Enforce")
        executor, deployment = deploy(o, scenario, client)
        assert inventory(moto_endpoint, run_id)["signer profiles"] == [f"lambdaprobe_{run_id}_signer"]
        # what Signer would have written: the signed zip, beside the unsigned one
        s3 = boto3.Session(region_name="us-east-1").client("s3", endpoint_url=moto_endpoint)
        zipped = s3.get_object(Bucket=bucket, Key="unsigned/probe.zip")["Body"].read()
        s3.put_object(Bucket=bucket, Key=signed_key, Body=zipped)
        unsigned, signed = run_trials(warm_client(o, client), scenario, o, deployment, lambda _: None)
        if policy == "Enforce":
            assert "refused: CodeVerificationFailedException" in unsigned
        else:
            assert "-unsigned: created" in unsigned
            assert f"lambdaprobe-{run_id}-unsigned" in inventory(moto_endpoint, run_id)["functions"]
        assert "-signed: created" in signed
        assert inventory(moto_endpoint, run_id)["buckets"] == [bucket]
        assert executor.teardown(deployment) == []  # the versioned bucket is emptied first
        stubber.assert_no_pending_responses()
        signing.assert_no_pending_responses()
    assert inventory(moto_endpoint, run_id) == {}  # the profile is cancelled, which is as gone as Signer allows


@pytest.mark.parametrize("permission", [True, False])
def test_env_encryption_key_and_encrypted_variable(moto_endpoint: str, permission: bool) -> None:
    run_id = f"lpfkms{int(permission)}0"
    o = opts(moto_endpoint, run_id)
    recorder = Recording(o)
    executor, deployment = deploy(o, probe.env_encryption(decrypt_permission=permission, seed=0), recorder)
    name = f"lambdaprobe-{run_id}-probe"
    sent = next(p for op, p in recorder.sent if op == "CreateFunction")
    assert sent["KMSKeyArn"] == deployment.outputs["key_arn"]  # moto does not echo it back
    config = clients(moto_endpoint)["lambda"].get_function_configuration(FunctionName=name)
    kms = boto3.Session(region_name="us-east-1").client("kms", endpoint_url=moto_endpoint)
    secret = config["Environment"]["Variables"]["LAMBDAPROBE_SECRET"]
    plain = kms.decrypt(CiphertextBlob=base64.b64decode(secret), EncryptionContext={"LambdaFunctionName": name})
    assert plain["Plaintext"] == f"lambdaprobe secret for run {run_id}".encode()
    policies = clients(moto_endpoint)["iam"].list_role_policies(RoleName=f"lambdaprobe-{run_id}-role")["PolicyNames"]
    assert (f"lambdaprobe-{run_id}-feature-policy" in policies) == permission
    assert inventory(moto_endpoint, run_id)["kms keys"] == [f"lambdaprobe-{run_id}-key"]
    assert executor.teardown(deployment) == []
    key = kms.describe_key(KeyId=deployment.outputs["key_arn"])["KeyMetadata"]
    assert key["KeyState"] == "PendingDeletion"
    assert inventory(moto_endpoint, run_id) == {}


def test_a_whole_vpc_run_turns_the_function_lines_into_findings(moto_endpoint: str) -> None:
    """AwsTarget.run with the hooks: patient teardown, the feature lines read back as findings.

    moto cannot run the function: the test plays in what it would log (start, feature, end, REPORT).
    """
    import dataclasses
    import json
    import time

    from lambdaprobe.analysis import analyse
    from lambdaprobe.aws.target import AwsTarget

    run_id = "lpfrun00"
    built = probe.vpc(subnets=[], security_groups=[], host=None, port=53, seed=0)
    scenario = dataclasses.replace(built, stimulus=dataclasses.replace(built.stimulus, interval_s=0.05))
    o = AwsOptions(region="us-east-1", endpoint_url=moto_endpoint, run_id=run_id, poll_s=0.05, deadline_s=20)
    target = AwsTarget(o, client=warm_client(o))

    def play_in() -> None:
        logs = clients(moto_endpoint)["logs"]
        group, now = f"/aws/lambda/lambdaprobe-{run_id}-probe", time.time()
        for i, (request, cold) in enumerate((("r01", True), ("r02", False))):
            aws_id, t = f"00000000-0000-0000-0000-00000000000{i}", now + i
            base = {"request": request, "aws_request_id": aws_id, "attempt": 1, "cold": cold,
                    "init_type": "on-demand", "init_s": 0.41 if cold else 0.0}
            feature = {"feature": "vpc", "ok": True, "host": "10.90.0.2", "port": 53, "connect_ms": 3.2 + i}
            events = [
                {"lambdaprobe": "start", "t": t, "outcome": None, **base},
                {"lambdaprobe": "feature", "t": t + 0.01, **base, **feature},
                {"lambdaprobe": "end", "t": t + 0.02, "outcome": "success", "error": None, **base},
            ]
            stream = f"2026/01/01/[$LATEST]{i:04d}"
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
            report = (f"REPORT RequestId: {aws_id}\tDuration: 20.00 ms\tBilled Duration: 20 ms\tMemory Size: 128 MB\t"
                      "Max Memory Used: 40 MB\t" + ("Init Duration: 410.00 ms\t" if cold else ""))
            logs.put_log_events(
                logGroupName=group,
                logStreamName=stream,
                logEvents=[{"timestamp": int(e["t"] * 1000), "message": json.dumps(e)} for e in events]
                + [{"timestamp": int((t + 0.03) * 1000), "message": report}],
            )

    def progress(message: str) -> None:
        if message.startswith("collecting"):
            play_in()

    target.progress = progress
    obs = target.run(scenario)
    assert "finding: TCP connect to 10.90.0.2:53 took 3.2 ms (cold call)" in obs.notes
    assert "finding: TCP connect to 10.90.0.2:53 took 4.2 ms (warm call)" in obs.notes
    assert any("not built: launching an EC2 host" in n for n in obs.notes)
    report = analyse(scenario, obs)
    assert probe.findings(report)[0].text.startswith("first call in the VPC cold, init 410 ms")
    assert inventory(moto_endpoint, run_id) == {}


def test_cleanup_finds_and_deletes_a_killed_runs_network_file_system_and_key(moto_endpoint: str) -> None:
    """A run killed before teardown: `cleanup` finds its VPC, EFS and KMS key by name and tag.

    (Signer profiles and code signing configs have finders too, but moto cannot list either.)
    """
    from lambdaprobe.aws.cleanup.sweep import cleanup

    for run_id, scenario in (
        ("lpfdea00", probe.efs(subnets=[], security_groups=[], mount_target=True, seed=0)),
        ("lpfdea01", probe.env_encryption(decrypt_permission=True, seed=0)),
    ):
        deploy(opts(moto_endpoint, run_id), scenario)  # and never torn down
    # code-signing's versioned artifact bucket, as a killed run leaves it
    s3 = boto3.Session(region_name="us-east-1").client("s3", endpoint_url=moto_endpoint)
    s3.create_bucket(Bucket="lambdaprobe-lpfdea02-artifacts")
    s3.put_bucket_tagging(
        Bucket="lambdaprobe-lpfdea02-artifacts", Tagging={"TagSet": [{"Key": "lambdaprobe:run", "Value": "lpfdea02"}]}
    )
    s3.put_bucket_versioning(Bucket="lambdaprobe-lpfdea02-artifacts", VersioningConfiguration={"Status": "Enabled"})
    for _ in range(2):
        s3.put_object(Bucket="lambdaprobe-lpfdea02-artifacts", Key="unsigned/probe.zip", Body=b"zip")
    left = {**inventory(moto_endpoint, "lpfdea00"), **inventory(moto_endpoint, "lpfdea01")}
    assert {"vpcs", "file systems", "kms keys", "functions"} <= set(left)
    o = opts(moto_endpoint, "lpfclean")
    seen: list[str] = []

    def confirm(found: list[str]) -> bool:
        seen.extend(found)
        return True

    result = cleanup(o, confirm, client=warm_client(o))
    assert result.failed == []
    assert any(s.startswith("vpc lambdaprobe-lpfdea00-vpc") for s in seen)
    assert any(s.startswith("efs file system lambdaprobe-lpfdea00-efs") for s in seen)
    assert any(s.startswith("kms key lambdaprobe-lpfdea01-key") for s in seen)
    assert "s3 bucket lambdaprobe-lpfdea02-artifacts (run lpfdea02)" in seen
    assert all(inventory(moto_endpoint, run) == {} for run in ("lpfdea00", "lpfdea01", "lpfdea02"))
