"""The probe handler behind API Gateway (proxy event in, proxy response out), and the events the
driver sends while traffic shifts (no directive: each version follows its environment)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from lambdaprobe.aws.client import AwsClient
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.run.drive import Driver
from lambdaprobe.function import handler as probe
from lambdaprobe.scenarios import deploy_preference
from tests.plan_refs import run_plan
from tests.unit.test_aws_handler import Context


@pytest.fixture(autouse=True)
def fresh_module_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(probe, "_state", {"invocations": 0})
    monkeypatch.setattr(probe, "_attempts", {})
    monkeypatch.setattr("lambdaprobe.function.handler.time.sleep", lambda s: None)
    monkeypatch.delenv("LAMBDAPROBE_DIRECTIVE", raising=False)
    yield


def proxy_event(body: dict[str, object]) -> dict[str, object]:
    return {
        "resource": "/probe",
        "path": "/probe",
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json"},
        "requestContext": {"stage": "lp", "requestId": "gw-1"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def test_an_api_gateway_event_carries_the_request_in_its_body(capsys: pytest.CaptureFixture[str]) -> None:
    result = probe.handler(proxy_event({"request": "r01", "lambdaprobe": {"duration_s": 0}}), Context("aws-1"))
    assert result["statusCode"] == 200 and json.loads(result["body"]) == {"ok": True, "request": "r01"}
    start = json.loads(capsys.readouterr().out.splitlines()[0])
    assert (start["request"], start["aws_request_id"]) == ("r01", "aws-1")


def test_a_failing_directive_behind_api_gateway_still_raises() -> None:
    with pytest.raises(probe.ProbeError):
        probe.handler(proxy_event({"request": "r01", "lambdaprobe": {"fail": "always"}}), Context("aws-2"))


def test_events_carry_no_directive_while_traffic_shifts(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = deploy_preference.build(
        preference="AllAtOnce", rollback_on_error=False, new_version_fails=True, rate=1, minutes=1,
        duration=0.1, init=0.3, seed=0,
    )
    driver = Driver(AwsClient(AwsOptions(region="us-east-1")), sc, run_plan("f"), {})
    event = json.loads(driver.payload("r01"))
    assert event == {"request": "r01"}
    monkeypatch.setenv("LAMBDAPROBE_DIRECTIVE", json.dumps({"duration_s": 0, "fail": "always"}))
    with pytest.raises(probe.ProbeError):  # version 2's environment decides
        probe.handler(event, Context("aws-3"))
