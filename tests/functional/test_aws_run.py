"""Whole runs against moto: a deadline with nothing observed, Ctrl-C, provisioned concurrency (Stubber)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from lambdaprobe.aws.client import AwsClient
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.planner import build_plan
from lambdaprobe.aws.run.apply import Executor
from lambdaprobe.aws.target import AwsTarget
from lambdaprobe.errors import AwsError, ObservationTimeout
from lambdaprobe.scenario import ConcurrencySpec
from tests.functional.aws_helpers import inventory, scenario
from tests.functional.test_aws_deploy import no_sleep, warm_client


def opts(endpoint: str, run_id: str, **kw: Any) -> AwsOptions:
    return AwsOptions(region="us-east-1", endpoint_url=endpoint, run_id=run_id, poll_s=0.05, **kw)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_no_observations_end_at_the_deadline_with_partial_report(moto_endpoint: str, kind: str) -> None:
    run_id = f"lpdl{kind[:2]}00"
    o = opts(moto_endpoint, run_id, deadline_s=0.3)
    messages: list[str] = []
    target = AwsTarget(o, progress=messages.append, client=warm_client(o))
    with pytest.raises(ObservationTimeout) as info:
        target.run(scenario(kind, count=2))
    assert isinstance(info.value, ObservationTimeout)
    obs = info.value.observations
    assert obs.complete is False and len(obs.missing) == 2
    assert [s.request_id for s in obs.sent] == ["r01", "r02"]
    # moto answers the invokes (it cannot run them): the callers' results are still observed
    assert {c.status for c in obs.client_results} == ({200} if kind == "sync" else {202})
    assert "still missing" in str(info.value) and "\n" not in str(info.value)
    assert any("driver lag" in n for n in obs.notes)
    assert any(m.startswith("collecting") for m in messages) and messages[-1].endswith("nothing left behind")
    assert inventory(moto_endpoint, run_id) == {}


def test_ctrl_c_during_collection_tears_down_and_reraises(moto_endpoint: str) -> None:
    o = opts(moto_endpoint, "lpint000", deadline_s=30)
    armed: list[bool] = []

    def progress(message: str) -> None:
        if message.startswith("collecting"):
            armed.append(True)

    def sleep(seconds: float) -> None:
        if armed:
            raise KeyboardInterrupt

    target = AwsTarget(o, progress=progress, client=warm_client(o), sleep=sleep)
    with pytest.raises(KeyboardInterrupt):
        target.run(scenario("async", count=1))
    assert armed and inventory(moto_endpoint, "lpint000") == {}


def test_ctrl_c_during_deploy_rolls_back(moto_endpoint: str) -> None:
    o = opts(moto_endpoint, "lpint001")

    class Interrupting(AwsClient):
        def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
            if operation == "PublishVersion":
                raise KeyboardInterrupt
            return super().call(service, operation, params)

    with pytest.raises(KeyboardInterrupt):
        Executor(warm_client(o, Interrupting(o, sleep=no_sleep))).apply(build_plan(scenario("sqs"), o).calls)
    assert inventory(moto_endpoint, "lpint001") == {}


PC_OPERATIONS = {
    "PutProvisionedConcurrencyConfig",
    "GetProvisionedConcurrencyConfig",
    "DeleteProvisionedConcurrencyConfig",
}


class ProvisionedStubbed(AwsClient):
    """moto has no provisioned-concurrency API: those calls go to a stubbed client, the rest to moto."""

    def __init__(self, o: AwsOptions, stubbed: Any) -> None:
        super().__init__(o, sleep=no_sleep)
        self.stubbed = stubbed

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if operation in PC_OPERATIONS:
            method = getattr(
                self.stubbed,
                {
                    "PutProvisionedConcurrencyConfig": "put_provisioned_concurrency_config",
                    "GetProvisionedConcurrencyConfig": "get_provisioned_concurrency_config",
                    "DeleteProvisionedConcurrencyConfig": "delete_provisioned_concurrency_config",
                }[operation],
            )
            result: dict[str, Any] = method(**params)
            return result
        return super().call(service, operation, params)


def stubbed_lambda() -> Any:
    return boto3.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1").client(
        "lambda", endpoint_url="http://127.0.0.1:9"
    )


def test_provisioned_concurrency_waits_for_ready_and_is_deleted(moto_endpoint: str) -> None:
    o = opts(moto_endpoint, "lpprov00")
    sc = scenario("sync", concurrency=ConcurrencySpec(reserved=2, provisioned=1))
    fn, key = (
        "lambdaprobe-lpprov00-probe",
        {"FunctionName": "lambdaprobe-lpprov00-probe", "Qualifier": "live"},
    )
    lam = stubbed_lambda()
    messages: list[str] = []
    with Stubber(lam) as stubber:
        stubber.add_response(
            "put_provisioned_concurrency_config",
            {"RequestedProvisionedConcurrentExecutions": 1, "Status": "IN_PROGRESS"},
            {**key, "ProvisionedConcurrentExecutions": 1},
        )
        for status in ("IN_PROGRESS", "IN_PROGRESS", "READY"):
            stubber.add_response(
                "get_provisioned_concurrency_config",
                {"RequestedProvisionedConcurrentExecutions": 1, "Status": status},
                key,
            )
        stubber.add_response("delete_provisioned_concurrency_config", {}, key)
        executor = Executor(warm_client(o, ProvisionedStubbed(o, lam)), messages.append)
        deployment = executor.apply(build_plan(sc, o).calls)
        assert any("provisioned concurrency (1) READY" in m for m in messages)
        assert executor.teardown(deployment) == []
        stubber.assert_no_pending_responses()
    assert fn and inventory(moto_endpoint, "lpprov00") == {}


def test_provisioned_concurrency_failed_rolls_back(moto_endpoint: str) -> None:
    o = opts(moto_endpoint, "lpprov01")
    sc = scenario("sync", concurrency=ConcurrencySpec(reserved=2, provisioned=1))
    key = {"FunctionName": "lambdaprobe-lpprov01-probe", "Qualifier": "live"}
    lam = stubbed_lambda()
    with Stubber(lam) as stubber:
        stubber.add_response(
            "put_provisioned_concurrency_config",
            {"Status": "IN_PROGRESS"},
            {**key, "ProvisionedConcurrentExecutions": 1},
        )
        stubber.add_response(
            "get_provisioned_concurrency_config",
            {"Status": "FAILED", "StatusReason": "not enough unreserved concurrency"},
            key,
        )
        stubber.add_response("delete_provisioned_concurrency_config", {}, key)
        with pytest.raises(AwsError, match="FAILED: not enough unreserved concurrency"):
            Executor(warm_client(o, ProvisionedStubbed(o, lam))).apply(build_plan(sc, o).calls)
        stubber.assert_no_pending_responses()
    assert inventory(moto_endpoint, "lpprov01") == {}


SOURCES = ["sqs", "sqs-fifo", "sns", "eventbridge", "kinesis", "dynamodb", "destination"]


@pytest.mark.parametrize("kind", SOURCES)
def test_every_source_is_driven_and_torn_down(moto_endpoint: str, kind: str) -> None:
    """moto runs nothing (its own pollers and rule matching even fail some sends with a 500 page):
    the run must end in AwsError or at its deadline, and leave nothing behind either way."""
    run_id = f"lpsrc{SOURCES.index(kind)}00"
    o = opts(moto_endpoint, run_id, deadline_s=0.2)
    with pytest.raises((ObservationTimeout, AwsError)) as info:
        AwsTarget(o, client=warm_client(o)).run(scenario(kind, count=2))
    if isinstance(info.value, ObservationTimeout):
        sent = info.value.observations.sent
        assert [s.request_id for s in sent] == ["r01", "r02"]
        assert {s.kind for s in sent} == {
            "invoke" if kind == "destination" else "record" if kind in ("kinesis", "dynamodb") else "message"
        }
    else:
        # moto fails the send when it tries to run a poller or match a rule itself
        assert kind in ("sqs", "sqs-fifo", "kinesis", "sns", "eventbridge")
        assert str(info.value).startswith("sending the stimulus failed") and "\n" not in str(info.value)
    assert inventory(moto_endpoint, run_id) == {}


def test_missing_credentials_is_one_aws_error_line(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    o = opts(moto_endpoint, "lpnocred0")
    with pytest.raises(AwsError) as info:
        AwsTarget(o, sleep=no_sleep).run(scenario("sync"))
    assert str(info.value).startswith("sts.GetCallerIdentity: no AWS credentials found")
    assert "\n" not in str(info.value) and info.value.status == 3


def test_unreachable_endpoint_is_one_aws_error_line(moto_endpoint: str) -> None:
    from botocore.config import Config

    from tests.functional.conftest import free_port

    o = opts(f"http://127.0.0.1:{free_port()}", "lpnoconn0")
    once = AwsClient(o, sleep=no_sleep, config=Config(retries={"total_max_attempts": 1}, connect_timeout=1))
    with pytest.raises(AwsError) as info:
        AwsTarget(o, client=once).run(scenario("sync"))
    assert "cannot reach the AWS endpoint" in str(info.value) and "\n" not in str(info.value)


def test_the_plan_confirmed_is_the_plan_applied(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import lambdaprobe.aws.target as target_module

    built: list[Any] = []

    def counting(*args: Any) -> Any:
        built.append(build_plan(*args))
        return built[-1]

    monkeypatch.setattr(target_module, "build_plan", counting)
    o = opts(moto_endpoint, "lpone000", deadline_s=0.2)
    target = AwsTarget(o, client=warm_client(o))
    sc = scenario("sync", count=1)
    lines = target.confirmation(sc)
    with pytest.raises(ObservationTimeout):
        target.run(sc)
    assert len(built) == 1  # one plan: what was confirmed was applied, with the same tags
    (role,) = [c for c in built[0].calls if c.operation == "CreateRole"]
    assert "lambdaprobe:created" in {tag["Key"] for tag in role.params["Tags"]}  # the run's, not a second plan's
    assert "lambda function lambdaprobe-lpone000-probe" in lines
    assert inventory(moto_endpoint, "lpone000") == {}
