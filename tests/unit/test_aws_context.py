"""Where a run goes, settled before anything is created: endpoint, region, credentials, and whether the
account's concurrency can take what the run reserves (GetAccountSettings, through botocore's Stubber)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from lambdaprobe.aws.context import check_concurrency, check_endpoint, resolve
from lambdaprobe.aws.cost import estimate
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.errors import ExitStatus, InputError
from lambdaprobe.scenarios import concurrency, features


@pytest.fixture(autouse=True)
def no_aws_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def settings(limit: int, unreserved: int) -> dict[str, object]:
    return {"AccountLimit": {"ConcurrentExecutions": limit, "UnreservedConcurrentExecutions": unreserved}}


def lambda_client() -> object:
    return boto3.client("lambda", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")


@pytest.mark.parametrize(
    ("url", "ok"),
    [("http://127.0.0.1:4566", True), ("https://lambda.eu-west-1.amazonaws.com", True), ("notaurl", False),
     ("ftp://127.0.0.1", False), ("http://", False), ("http://127.0.0.1:99999", False), ("127.0.0.1:4566", False)],
)
def test_an_endpoint_is_an_http_url_with_a_host(url: str, ok: bool) -> None:
    if ok:
        check_endpoint(url)
    else:
        with pytest.raises(InputError, match="--endpoint-url"):
            check_endpoint(url)


def test_aws_region_is_honoured_and_an_explicit_region_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    assert resolve(AwsOptions(), need_account=False).region == "eu-central-1"
    assert resolve(AwsOptions(region="sa-east-1"), need_account=False).region == "sa-east-1"
    monkeypatch.delenv("AWS_REGION")
    assert resolve(AwsOptions(), need_account=False).region == "us-west-2"


def test_a_dry_run_needs_no_credentials_but_a_run_does() -> None:
    where = resolve(AwsOptions(region="eu-west-1"), need_account=False)
    assert (where.account, where.credentials) == (None, False)
    assert "account:  unknown (no credentials found)" in where.lines()
    with pytest.raises(InputError) as err:
        resolve(AwsOptions(region="eu-west-1"), need_account=True)
    assert err.value.status == ExitStatus.USAGE and "no AWS credentials found" in str(err.value)


def test_reserved_concurrency_that_would_starve_the_unreserved_pool_is_refused_before_deploying() -> None:
    client = lambda_client()
    scenario = concurrency.build(reserved=20, provisioned=10)
    with Stubber(client) as stub:  # type: ignore[arg-type]
        stub.add_response("get_account_settings", settings(10, 10))
        with pytest.raises(InputError) as err:
            check_concurrency(client, scenario)
        stub.assert_no_pending_responses()
    message = str(err.value)
    assert message.startswith("--reserved: 20 would leave the account's unreserved concurrency below its minimum")
    assert "account limit 10, unreserved now 10" in message and "L-B99A9384" in message
    assert err.value.status == ExitStatus.USAGE


def test_provisioned_alone_is_checked_and_a_roomy_account_passes() -> None:
    client = lambda_client()
    with Stubber(client) as stub:  # type: ignore[arg-type]
        stub.add_response("get_account_settings", settings(1000, 150))
        with pytest.raises(InputError, match=r"^--provisioned: 60 would leave .* allowed here: 0\.\.50"):
            check_concurrency(client, concurrency.build(provisioned=60))
        stub.add_response("get_account_settings", settings(1000, 1000))
        assert check_concurrency(client, concurrency.build(reserved=20, provisioned=10)) is None


def test_no_call_when_nothing_is_reserved_and_a_refused_read_is_said_not_fatal() -> None:
    client = lambda_client()
    with Stubber(client) as stub:  # type: ignore[arg-type]
        assert check_concurrency(client, concurrency.build()) is None  # no response queued: no call made
        stub.add_client_error("get_account_settings", "AccessDeniedException", "not allowed")
        skipped = check_concurrency(client, concurrency.build(reserved=5))
    assert skipped is not None and skipped.startswith("concurrency check skipped: lambda.GetAccountSettings")


def test_the_cost_names_what_is_billed_and_says_negligible_otherwise() -> None:
    (line,) = estimate(concurrency.build(reserved=20, provisioned=10), 60.0)
    assert line.startswith("provisioned concurrency 10 x 128 MB for about 6 min: under $0.01")
    (big,) = estimate(concurrency.build(reserved=900, provisioned=900, duration=600), 3600.0)
    assert big.startswith("provisioned concurrency 900 x 128 MB for about 65 min: about $1.83")
    assert estimate(concurrency.build(), 60.0) == ["negligible: pay-per-request charges only, under $0.01"]
    (kms,) = estimate(features.env_encryption(decrypt_permission=True, seed=0), 60.0)
    assert kms.startswith("a KMS key: $1/month")
    vpc = estimate(features.vpc(subnets=[], security_groups=[], host=None, port=53, seed=0), 60.0)
    assert vpc == ["a VPC, a subnet and a security group: no charge (no NAT gateway, no EC2 host is created)"]
    efs = estimate(features.efs(subnets=[], security_groups=[], mount_target=True, seed=0), 60.0)
    assert len(efs) == 2 and efs[1].startswith("an EFS file system")
