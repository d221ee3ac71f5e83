"""The boto3 wrapper: which errors are retried, without sleeping, and how errors read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.stub import Stubber

from lambdaprobe.aws.client import (
    AwsClient,
    describe_driver,
    driver_config,
    is_not_found,
    is_transient,
    one_line,
)
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.scenario import SdkConfig


@pytest.fixture()
def stubbed() -> Iterator[tuple[AwsClient, Stubber, list[float]]]:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    sleeps: list[float] = []
    client = AwsClient(
        AwsOptions(region="us-east-1", endpoint_url="http://127.0.0.1:9"),
        sleep=sleeps.append,
        session=session,
    )
    lam = client.client("lambda")
    with Stubber(lam) as stubber:
        yield client, stubber, sleeps
        stubber.assert_no_pending_responses()


def test_role_not_yet_assumable_is_retried_without_sleeping(
    stubbed: tuple[AwsClient, Stubber, list[float]],
) -> None:
    client, stubber, sleeps = stubbed
    message = "The role defined for the function cannot be assumed by Lambda."
    for _ in range(2):
        stubber.add_client_error("get_function", "InvalidParameterValueException", message, 400)
    stubber.add_response("get_function", {"Configuration": {"FunctionName": "f"}}, {"FunctionName": "f"})
    heard: list[str] = []
    client.retry_listener = heard.append
    result = client.call("lambda", "GetFunction", {"FunctionName": "f"})
    assert result["Configuration"]["FunctionName"] == "f"
    assert len(sleeps) == 2 and all(s <= 10 for s in sleeps)
    assert "cannot be assumed" in heard[0]


def test_throttling_is_retried_until_attempts_run_out(
    stubbed: tuple[AwsClient, Stubber, list[float]],
) -> None:
    client, stubber, sleeps = stubbed
    client.attempts = 3
    for _ in range(3):
        stubber.add_client_error("get_function", "TooManyRequestsException", "Rate exceeded", 429)
    with pytest.raises(botocore.exceptions.ClientError):
        client.call("lambda", "GetFunction", {"FunctionName": "f"})
    assert len(sleeps) == 2


def test_a_real_refusal_is_not_retried(stubbed: tuple[AwsClient, Stubber, list[float]]) -> None:
    client, stubber, sleeps = stubbed
    stubber.add_client_error("get_function", "AccessDeniedException", "not allowed", 403)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        client.call("lambda", "GetFunction", {"FunctionName": "f"})
    assert sleeps == []
    assert (
        one_line(info.value, "lambda.GetFunction") == "lambda.GetFunction: AccessDeniedException: not allowed"
    )


def client_error(code: str, message: str = "m", status: int = 400) -> botocore.exceptions.ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return botocore.exceptions.ClientError(response, "Op")


def test_error_classification_and_one_line_messages() -> None:
    assert is_transient(client_error("ResourceConflictException", "An update is in progress for resource"))
    assert not is_transient(client_error("ResourceConflictException", "Function already exist"))
    assert is_not_found(client_error("ResourceNotFoundException"))
    assert is_not_found(client_error("NoSuchEntity"))
    assert not is_not_found(client_error("AccessDenied"))
    assert "no AWS credentials" in one_line(botocore.exceptions.NoCredentialsError())
    assert "cannot reach" in one_line(
        botocore.exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:9")
    )
    assert "\n" not in one_line(client_error("X", "line1\nline2"))


def test_driver_config_is_explicit_and_reported() -> None:
    cfg: Any = driver_config(SdkConfig(retry_mode="off", read_timeout_s=5, connect_timeout_s=2), 50)
    assert cfg.retries == {"mode": "legacy", "total_max_attempts": 1}
    assert (cfg.read_timeout, cfg.connect_timeout, cfg.max_pool_connections) == (5, 2, 50)
    legacy: Any = driver_config(SdkConfig(retry_mode="legacy"), 1)
    assert legacy.retries == {"mode": "legacy", "total_max_attempts": 5}
    text = describe_driver(SdkConfig(retry_mode="standard"), 3)
    assert "standard (3 attempts per call)" in text and "read timeout 60 s" in text


def test_older_than_durations() -> None:
    from lambdaprobe.aws.cleanup.sweep import parse_duration
    from lambdaprobe.errors import InputError

    assert parse_duration("2h") == 7200 and parse_duration("90") == 90 and parse_duration("1.5d") == 129600
    with pytest.raises(InputError, match="--older-than"):
        parse_duration("two hours")


def test_a_response_without_the_expected_field_is_an_aws_error() -> None:
    from lambdaprobe.aws.plan.records import ApiCall
    from lambdaprobe.aws.run.apply import Executor
    from lambdaprobe.errors import AwsError

    class Answers:
        sleep = staticmethod(lambda s: None)

        def __init__(self) -> None:
            self.calls: list[str] = []

        def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
            self.calls.append(operation)
            return {}

    client = Answers()
    calls = [
        ApiCall(
            "sqs",
            "CreateQueue",
            {"QueueName": "q"},
            teardown=ApiCall("sqs", "DeleteQueue", {"QueueUrl": "u"}),
        ),
        ApiCall("iam", "CreateRole", {"RoleName": "r"}, produces="role_arn", output="Role.Arn"),
    ]
    deleted = r"\(the 1 resource created was deleted\)"
    with pytest.raises(AwsError, match=r"iam.CreateRole: the response has no Role.Arn " + deleted):
        Executor(client).apply(calls)  # type: ignore[arg-type]
    assert client.calls == ["CreateQueue", "CreateRole", "DeleteQueue"]
