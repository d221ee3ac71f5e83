"""Planning the API Gateway front and the second version, and the alias shifter (no network)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import botocore.client
import pytest

from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.plan.callers import stage_url
from lambdaprobe.aws.plan.records import ApiCall
from lambdaprobe.aws.plan.show import format_plan, resources
from lambdaprobe.aws.planner import build_plan
from lambdaprobe.aws.run.apply import resolve
from lambdaprobe.aws.run.shift import Shifter, routing
from lambdaprobe.aws.target import AwsTarget
from lambdaprobe.scenario import DeploymentSpec, Scenario
from lambdaprobe.scenarios import abort, deploy_preference

OPTIONS = AwsOptions(region="eu-west-1", run_id="lp0c0a11", created_at=1_790_000_000)


def gateway(read_timeout: float | None = None) -> Scenario:
    return abort.build(
        caller="apigateway", duration=40, timeout=None, read_timeout=read_timeout, sdk_retries=None, init=0.3, seed=0
    )


def shifting(fails: bool = True, rollback: bool = True) -> Scenario:
    return deploy_preference.build(
        preference="Linear10PercentEvery1Minute", rollback_on_error=rollback, new_version_fails=fails, rate=1,
        minutes=None, duration=0.1, init=0.3, seed=0,
    )


def ops(calls: Sequence[ApiCall]) -> list[str]:
    return [f"{c.service}.{c.operation}" for c in calls]


def test_api_gateway_front_with_its_teardown() -> None:
    calls = build_plan(gateway(), OPTIONS).calls
    names = ops(calls)
    front = names[names.index("apigateway.CreateRestApi") :]
    assert front == [
        "apigateway.CreateRestApi",
        "apigateway.GetRestApi",
        "apigateway.CreateResource",
        "apigateway.PutMethod",
        "apigateway.PutIntegration",
        "lambda.AddPermission",
        "apigateway.CreateDeployment",
    ]
    assert names.index("lambda.CreateAlias") < names.index("apigateway.CreateRestApi")
    by_op = {c.operation: c for c in calls}
    integration = by_op["PutIntegration"].params
    assert (integration["type"], integration["integrationHttpMethod"], integration["timeoutInMillis"]) == (
        "AWS_PROXY", "POST", 29000,
    )
    fn = "arn:aws:lambda:eu-west-1:1:function:f"
    uri = resolve(integration["uri"], {"probe_arn": fn})
    assert uri == f"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{fn}:live/invocations"
    permission = by_op["AddPermission"].params
    assert (permission["Principal"], permission["Qualifier"]) == ("apigateway.amazonaws.com", "live")
    assert by_op["PutMethod"].params["authorizationType"] == "AWS_IAM"  # only signed calls get through
    source = resolve(permission["SourceArn"], {"api_id": "a1", "account": "123456789012"})
    assert source == "arn:aws:execute-api:eu-west-1:123456789012:a1/*/POST/probe"
    assert by_op["CreateRestApi"].params["tags"] == {
        "lambdaprobe:run": "lp0c0a11", "lambdaprobe:created": "1790000000", "lambdaprobe:expires": "1790000900"
    }
    teardown = [f"{c.teardown.service}.{c.teardown.operation}" for c in reversed(calls) if c.teardown]
    assert teardown[:2] == ["lambda.RemovePermission", "apigateway.DeleteRestApi"]
    assert "api gateway rest api lambdaprobe-lp0c0a11-api" in resources(calls)


@pytest.mark.parametrize(("wait", "millis"), [(10, 10000), (0.05, 50), (45, 45000)])
def test_the_integration_timeout_follows_the_read_timeout(wait: float, millis: int) -> None:
    # [apigateway.timeout-range] 50 ms..29 s, and above 29 s as asked (AWS decides, by the account's quota)
    (put,) = [c for c in build_plan(gateway(wait), OPTIONS).calls if c.operation == "PutIntegration"]
    assert put.params["timeoutInMillis"] == millis


def test_without_a_region_the_plan_shows_where_it_goes() -> None:
    text = format_plan(build_plan(gateway(), AwsOptions(run_id="lp0c0a12")).calls)
    assert "arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<probe_arn>:live/invocations" in text


def test_stage_urls() -> None:
    assert stage_url("a1", "eu-west-1", None) == "https://a1.execute-api.eu-west-1.amazonaws.com/lp/probe"
    assert stage_url("a1", "us-east-1", "http://127.0.0.1:4566/") == (
        "http://127.0.0.1:4566/restapis/a1/lp/_user_request_/probe"
    )


def test_two_versions_each_with_its_own_directive() -> None:
    calls = build_plan(shifting(), OPTIONS).calls
    names = ops(calls)
    assert names.count("lambda.PublishVersion") == 2
    first, second = (i for i, n in enumerate(names) if n == "lambda.PublishVersion")
    assert first < names.index("lambda.CreateAlias") < names.index("lambda.UpdateFunctionConfiguration") < second
    create = next(c for c in calls if c.operation == "CreateFunction")
    update = next(c for c in calls if c.operation == "UpdateFunctionConfiguration")
    old = json.loads(create.params["Environment"]["Variables"]["LAMBDAPROBE_DIRECTIVE"])
    new = json.loads(update.params["Environment"]["Variables"]["LAMBDAPROBE_DIRECTIVE"])
    assert (old["fail"], new["fail"]) == ("never", "always")
    assert next(c for c in calls if c.operation == "CreateAlias").params["Name"] == "live"
    assert calls[names.index("lambda.PublishVersion", second)].produces == "new_version"
    assert not any(c.service in ("codedeploy", "apigateway") for c in calls)  # alias routing, directly
    assert json.loads(
        next(c for c in build_plan(shifting(fails=False), OPTIONS).calls
             if c.operation == "UpdateFunctionConfiguration")
        .params["Environment"]["Variables"]["LAMBDAPROBE_DIRECTIVE"]
    )["fail"] == "never"


def test_dry_run_makes_no_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a dry run made an API call")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)
    target = AwsTarget(AwsOptions(run_id="lpdry001", dry_run=True))
    assert "apigateway.CreateRestApi" in target.plan_only(gateway())
    assert "lambda.UpdateFunctionConfiguration" in target.plan_only(shifting())
    assert target.confirmation(gateway()) and target.confirmation(shifting())


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        assert (service, operation) == ("lambda", "UpdateAlias")
        self.calls.append(params)
        return {}


def weights(calls: list[dict[str, Any]]) -> list[tuple[str, dict[str, float]]]:
    return [(c["FunctionVersion"], c["RoutingConfig"]["AdditionalVersionWeights"]) for c in calls]


def test_alias_routing_parameters() -> None:
    assert routing(0.1, "1", "2") == {"FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.1}}}
    assert routing(1.0, "1", "2") == {"FunctionVersion": "2", "RoutingConfig": {"AdditionalVersionWeights": {}}}
    assert routing(0.0, "1", "2") == {"FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {}}}


def test_the_shifter_follows_the_schedule_on_its_clock() -> None:
    client = Recorder()
    shifter = Shifter(client, "fn", DeploymentSpec(preference="Linear10PercentEvery1Minute"))
    assert shifter.steps[:2] == [(0.0, 0.1), (60.0, 0.2)]  # the simulator's schedule
    shifter.steps = [(0.0, 0.1), (0.02, 0.5), (0.04, 1.0)]  # the same steps, minutes made milliseconds
    shifter.prepare()
    assert weights(client.calls) == [("1", {"2": 0.1})]  # in place before the first call
    shifter.begin(time.monotonic())
    deadline = time.monotonic() + 2
    while not shifter.completed and time.monotonic() < deadline:
        time.sleep(0.01)
    shifter.stop()
    assert weights(client.calls) == [("1", {"2": 0.1}), ("1", {"2": 0.5}), ("2", {})]
    assert all(c["FunctionName"] == "fn" and c["Name"] == "live" for c in client.calls)
    shifter.answered("2", "Unhandled")  # after completion nothing rolls back
    assert len(client.calls) == 3 and len(shifter.notes) == 3


def test_a_version_2_error_rolls_back_at_once_and_stops_the_shift() -> None:
    client = Recorder()
    shifter = Shifter(client, "fn", DeploymentSpec(preference="Canary10Percent5Minutes", rollback_on_error=True))
    shifter.prepare()
    shifter.begin(time.monotonic())
    shifter.answered("1", None)
    shifter.answered("2", None)  # version 2 succeeded: nothing to do
    shifter.answered("2", "Unhandled")
    shifter.answered("2", "Unhandled")  # once is enough
    shifter.stop()
    assert weights(client.calls) == [("1", {"2": 0.1}), ("1", {})]
    assert shifter.rolled_back and "rolled back to version 1" in shifter.notes[-1]


def test_without_rollback_errors_do_not_stop_the_shift() -> None:
    client = Recorder()
    shifter = Shifter(client, "fn", DeploymentSpec(preference="AllAtOnce"))
    shifter.prepare()
    shifter.answered("2", "Unhandled")
    assert weights(client.calls) == [("2", {})] and not shifter.rolled_back
