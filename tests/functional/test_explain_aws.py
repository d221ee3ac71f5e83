"""`lambdaprobe explain --function NAME --target aws` against moto's server on loopback: a function, queues
with and without a sound redrive policy, mappings and an event invoke config are created in moto, then
explained. moto has no ListProvisionedConcurrencyConfigs or GetAccountSettings: those two calls are
answered by a botocore Stubber. Every call explain makes is recorded: all of them read."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from lambdaprobe.aws.client import AwsClient
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.cli import main
from lambdaprobe.explain import account
from tests.functional.aws_helpers import clients

STUBBED = {"ListProvisionedConcurrencyConfigs", "GetAccountSettings"}
READ_ONLY_PREFIXES = ("Get", "List", "Describe")


class Recording(AwsClient):
    """The real client for what moto has; the stubbed lambda client for its gaps; every operation recorded."""

    def __init__(
        self, options: AwsOptions, stubbed: Any, calls: list[str], extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(options, sleep=lambda _: None)
        self.stubbed, self.calls, self.extra = stubbed, calls, extra or {}

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(f"{service}:{operation}")
        if operation in STUBBED:
            method = {
                "ListProvisionedConcurrencyConfigs": "list_provisioned_concurrency_configs",
                "GetAccountSettings": "get_account_settings",
            }[operation]
            result: dict[str, Any] = getattr(self.stubbed, method)(**params)
            return result
        answer = super().call(service, operation, params)
        return {**answer, **self.extra.get(operation, {})}  # fields moto does not keep (a function's DLQ)


def stubbed_lambda() -> Any:
    return boto3.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1").client(
        "lambda", endpoint_url="http://127.0.0.1:9"
    )


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return None\n")
    return buf.getvalue()


def make_function(c: dict[str, Any], name: str, timeout: int) -> str:
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    )
    role = c["iam"].create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    fn = c["lambda"].create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": zip_bytes()},
        Timeout=timeout,
    )
    return str(fn["FunctionArn"])


def make_queue(c: dict[str, Any], name: str, visibility: int, receives: int | None) -> str:
    attributes = {"VisibilityTimeout": str(visibility)}
    if receives is not None:
        dlq = c["sqs"].create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
        dlq_arn = c["sqs"].get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(receives)})
    url = c["sqs"].create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return str(c["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def explain(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    endpoint: str,
    name: str,
    provisioned: list[dict[str, Any]],
    limit: int,
    unreserved: int,
    extra: dict[str, Any] | None = None,
) -> tuple[int, dict[str, Any], list[str]]:
    calls: list[str] = []
    lam = stubbed_lambda()
    stubber = Stubber(lam)
    stubber.add_response(
        "list_provisioned_concurrency_configs", {"ProvisionedConcurrencyConfigs": provisioned}, {"FunctionName": name}
    )
    stubber.add_response(
        "get_account_settings",
        {"AccountLimit": {"ConcurrentExecutions": limit, "UnreservedConcurrentExecutions": unreserved}},
        {},
    )
    stubber.activate()
    monkeypatch.setattr(
        account,
        "client_for",
        lambda region, profile, endpoint_url: Recording(
            AwsOptions(region=region, profile=profile, endpoint_url=endpoint_url), lam, calls, extra
        ),
    )
    status = main(
        [
            "explain",
            "--function",
            name,
            "--target",
            "aws",
            "--endpoint-url",
            endpoint,
            "--region",
            "us-east-1",
            "--output",
            "json",
        ]
    )
    out, err = capsys.readouterr()
    stubber.assert_no_pending_responses()
    assert status == 0, err
    return status, json.loads(out), calls


def test_a_misconfigured_function_in_moto(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> None:
    c = clients(moto_endpoint)
    fn_arn = make_function(c, "explain-orders", timeout=30)
    queue_arn = make_queue(c, "explain-orders-q", visibility=60, receives=1)
    c["lambda"].create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName="explain-orders", BatchSize=5, ScalingConfig={"MaximumConcurrency": 10}
    )
    c["kinesis"].create_stream(StreamName="explain-clicks", ShardCount=1)
    stream_arn = c["kinesis"].describe_stream_summary(StreamName="explain-clicks")["StreamDescriptionSummary"][
        "StreamARN"
    ]
    c["lambda"].create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName="explain-orders", StartingPosition="LATEST"
    )
    c["lambda"].put_function_event_invoke_config(
        FunctionName="explain-orders", MaximumRetryAttempts=2, MaximumEventAgeInSeconds=100
    )
    c["lambda"].put_function_concurrency(FunctionName="explain-orders", ReservedConcurrentExecutions=5)
    c["lambda"].add_permission(
        FunctionName="explain-orders",
        StatementId="orders-topic",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
    )
    live = {"FunctionArn": f"{fn_arn}:live", "RequestedProvisionedConcurrentExecutions": 2}
    _, data, calls = explain(capsys, monkeypatch, moto_endpoint, "explain-orders", [live], limit=10, unreserved=5)

    assert {(f["id"], f["severity"]) for f in data["findings"]} == {
        ("explain.sqs-visibility-timeout", "warning"),  # 60 s < 6 x 30 s
        ("explain.sqs-max-receive-count-1", "warning"),
        ("explain.stream-retry-forever", "error"),  # the mapping's defaults
        ("explain.async-event-age-short", "warning"),  # 100 s < 2 x 30 s + 180 s
        ("explain.async-no-failure-destination", "error"),
        ("explain.reserved-exceeds-unreserved-minimum", "error"),  # 5 of an account of 10
        ("explain.reserved-below-sqs-max-concurrency", "warning"),  # 5 < 10
    }
    by_id = {f["id"]: f for f in data["findings"]}
    assert by_id["explain.sqs-visibility-timeout"]["location"]["arn"] == queue_arn
    assert by_id["explain.async-event-age-short"]["location"]["arn"].startswith(fn_arn)
    [fn] = data["functions"]
    config = fn["configuration"]
    assert (config["timeout_s"], config["reserved"]) == (30, 5)
    assert [(t["kind"], t["via"]) for t in config["triggers"]] == [
        ("async", "sns.amazonaws.com (policy statement orders-topic)")
    ]
    assert config["provisioned"][0]["qualifier"] == "live" and config["provisioned"][0]["amount"] == 2
    ways = {j["way"]: j for j in fn["journeys"]}
    assert set(ways) == {"async", "async-burst", "sqs", "sqs-burst", "kinesis"}
    sqs = ways["sqs"]["report"]["requests"][0]
    assert (sqs["final"], [a["start_s"] for a in sqs["attempts"]]) == ("dead_lettered", [0.0])  # one receive
    assert ways["async"]["report"]["requests"][0]["final"] == "expired"  # the age ends it before retry 2
    assert data["account"]["limit"] == 10 and data["account"]["from_account"] is True
    assert set(data["permissions"]) == set(account.PERMISSIONS)
    assert calls and all(c.split(":", 1)[1].startswith(READ_ONLY_PREFIXES) for c in calls), calls
    assert {c.split(":", 1)[1] for c in calls} <= {p.split(":", 1)[1] for p in account.PERMISSIONS}


def test_a_sound_function_in_moto_has_no_finding(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> None:
    c = clients(moto_endpoint)
    fn_arn = make_function(c, "explain-sound", timeout=10)
    queue_arn = make_queue(c, "explain-sound-q", visibility=60, receives=5)
    # created by ARN, explained by name: the mapping is found either way
    c["lambda"].create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=fn_arn)
    _, data, _ = explain(capsys, monkeypatch, moto_endpoint, "explain-sound", [], limit=1000, unreserved=1000)
    assert data["findings"] == []
    [fn] = data["functions"]
    [journey, burst] = fn["journeys"]
    assert burst["way"] == "sqs-burst" and burst["report"]["summary"]["succeeded"] == 100
    assert journey["way"] == "sqs" and journey["report"]["requests"][0]["final"] == "dead_lettered"
    assert "runs 5 times" in journey["answer"]


def test_a_missing_function_is_an_aws_error_exit_3(capsys: pytest.CaptureFixture[str], moto_endpoint: str) -> None:
    status = main(
        [
            "explain",
            "--function",
            "explain-nobody",
            "--target",
            "aws",
            "--endpoint-url",
            moto_endpoint,
            "--region",
            "us-east-1",
        ]
    )
    out, err = capsys.readouterr()
    assert (status, out) == (3, "")
    assert "GetFunctionConfiguration" in err and len(err.strip().splitlines()) == 1


def test_a_qualifier_reads_the_alias_and_its_mappings(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> None:
    c = clients(moto_endpoint)
    fn_arn = make_function(c, "explain-alias", timeout=5)
    version = c["lambda"].publish_version(FunctionName="explain-alias")["Version"]
    c["lambda"].create_alias(FunctionName="explain-alias", Name="live", FunctionVersion=version)
    queue_arn = make_queue(c, "explain-alias-q", visibility=30, receives=3)
    c["lambda"].create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=f"{fn_arn}:live")
    calls: list[str] = []
    lam = stubbed_lambda()
    with Stubber(lam) as stubber:
        stubber.add_response(
            "list_provisioned_concurrency_configs",
            {
                "ProvisionedConcurrencyConfigs": [
                    {"FunctionArn": f"{fn_arn}:live", "RequestedProvisionedConcurrentExecutions": 1}
                ]
            },
            {"FunctionName": "explain-alias"},
        )
        stubber.add_response(
            "get_account_settings",
            {"AccountLimit": {"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 1000}},
            {},
        )
        monkeypatch.setattr(
            account,
            "client_for",
            lambda region, profile, endpoint_url: Recording(
                AwsOptions(region=region, profile=profile, endpoint_url=endpoint_url), lam, calls
            ),
        )
        status = main(
            [
                "explain",
                "--function",
                "explain-alias",
                "--qualifier",
                "live",
                "--target",
                "aws",
                "--endpoint-url",
                moto_endpoint,
                "--region",
                "us-east-1",
                "--output",
                "json",
            ]
        )
        out, err = capsys.readouterr()
        stubber.assert_no_pending_responses()
    assert status == 0, err
    data = json.loads(out)
    [fn] = data["functions"]
    assert fn["configuration"]["qualifier"] == "live"
    assert [m["queue"]["name"] for m in fn["configuration"]["sqs"]] == ["explain-alias-q"]
    assert {f["id"] for f in data["findings"]} == set()  # 30 s = 6 x 5 s; maxReceiveCount 3


def test_an_endpoint_without_the_provisioned_and_account_apis(
    capsys: pytest.CaptureFixture[str], moto_endpoint: str
) -> None:
    """moto answers a bare 404 for the two APIs it lacks: explain goes on, says so, and still finds."""
    c = clients(moto_endpoint)
    make_function(c, "explain-plain", timeout=30)
    queue_arn = make_queue(c, "explain-plain-q", visibility=30, receives=None)
    c["lambda"].create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="explain-plain")
    status = main(
        [
            "explain",
            "--function",
            "explain-plain",
            "--target",
            "aws",
            "--endpoint-url",
            moto_endpoint,
            "--region",
            "us-east-1",
            "--output",
            "json",
        ]
    )
    out, err = capsys.readouterr()
    assert status == 0, err
    data = json.loads(out)
    assert {u["key"] for u in data["unresolved"]} == {"ListProvisionedConcurrencyConfigs", "GetAccountSettings"}
    assert data["account"]["from_account"] is False
    assert {f["id"] for f in data["findings"]} == {"explain.sqs-visibility-timeout", "explain.sqs-no-redrive"}


def test_a_dlq_only_sqs_uses_and_a_dynamodb_stream_in_moto(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> None:
    c = clients(moto_endpoint)
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    role = c["iam"].create_role(RoleName="explain-dlq-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    dlq_arn = make_queue(c, "explain-fn-dlq", visibility=30, receives=None)
    c["lambda"].create_function(
        FunctionName="explain-dlq",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": zip_bytes()},
        Timeout=10,
        DeadLetterConfig={"TargetArn": dlq_arn},
    )
    queue_arn = make_queue(c, "explain-dlq-src", visibility=60, receives=5)
    c["lambda"].create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="explain-dlq")
    # moto keeps no DeadLetterConfig: the answer gets the one AWS would give
    dead_letter = {"GetFunctionConfiguration": {"DeadLetterConfig": {"TargetArn": dlq_arn}}}
    _, data, _ = explain(capsys, monkeypatch, moto_endpoint, "explain-dlq", [], 1000, 1000, dead_letter)
    [finding] = data["findings"]
    assert (finding["id"], finding["location"]["arn"]) == (
        "explain.dlq-on-sqs-only-function",
        "arn:aws:lambda:us-east-1:123456789012:function:explain-dlq",
    )
    assert [j["way"] for j in data["functions"][0]["journeys"]] == ["sqs", "sqs-burst"]

    make_function(c, "explain-projector", timeout=5)
    table = c["dynamodb"].create_table(
        TableName="explain-orders",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    c["lambda"].create_event_source_mapping(
        EventSourceArn=table["TableDescription"]["LatestStreamArn"],
        FunctionName="explain-projector",
        StartingPosition="LATEST",
    )
    _, data, _ = explain(capsys, monkeypatch, moto_endpoint, "explain-projector", [], limit=1000, unreserved=1000)
    assert [f["id"] for f in data["findings"]] == ["explain.stream-retry-forever"]
    [journey] = data["functions"][0]["journeys"]
    assert journey["way"] == "dynamodb" and journey["report"]["requests"][0]["final"] == "expired"  # after 24 h
