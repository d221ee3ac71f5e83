"""The driver's SDK settings: botocore retries and read timeout as the scenario says, and what the
caller saw when the function outlived the read timeout (a local slow endpoint on 127.0.0.1)."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import botocore.endpoint
import pytest

from lambdaprobe.aws.client import AwsClient
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.run.drive import Driver
from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import Observations
from lambdaprobe.scenario import FunctionSpec, Scenario, SdkConfig, SdkRetryMode, SourceSpec, Stimulus
from tests.functional.conftest import DUMMY_ENV
from tests.functional.fake_lambda import FakeLambdaServer
from tests.plan_refs import run_plan

READ_TIMEOUT_S = 0.2


@pytest.fixture()
def slow_lambda(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLambdaServer]:
    for k, v in DUMMY_ENV.items():
        monkeypatch.setenv(k, v)
    # botocore sleeps its backoff (up to seconds) between resends: the count is what is tested here
    monkeypatch.setattr(botocore.endpoint, "time", types.SimpleNamespace(sleep=lambda _: None))
    server = FakeLambdaServer(delay_s=READ_TIMEOUT_S + 0.3).start()
    yield server
    server.shutdown()
    server.server_close()


def drive(server: FakeLambdaServer, mode: SdkRetryMode, read_timeout: float) -> tuple[Observations, Driver, Any]:
    scenario = Scenario(
        probe="abort",
        function=FunctionSpec(directive=Directive(duration_s=1.0)),
        stimulus=Stimulus(count=1, mode="sync"),
        source=SourceSpec(kind="sync"),
        sdk=SdkConfig(retry_mode=mode, read_timeout_s=read_timeout),
    )
    client = AwsClient(AwsOptions(region="us-east-1", endpoint_url=server.endpoint))
    obs = Observations("aws")
    driver = Driver(client, scenario, run_plan("lambdaprobe-lpsdk000-probe"), {})
    driver.run(obs)
    (invoke,) = [c for key, c in client._clients.items() if key.startswith("lambda:")]
    return obs, driver, invoke


@pytest.mark.parametrize(("mode", "sends"), [("legacy", 5), ("standard", 3), ("off", 1)])
def test_a_read_timeout_is_resent_as_the_retry_mode_says(
    slow_lambda: FakeLambdaServer, mode: SdkRetryMode, sends: int
) -> None:
    obs, driver, invoke = drive(slow_lambda, mode, READ_TIMEOUT_S)
    config = invoke.meta.config
    assert config.retries["total_max_attempts"] == sends
    assert config.retries["mode"] == ("legacy" if mode == "off" else mode)
    assert config.read_timeout == READ_TIMEOUT_S
    assert len(slow_lambda.received) == sends
    (result,) = obs.client_results
    assert (result.status, result.error) == (0, "ReadTimeoutError")
    assert [s.final for s in obs.settled] == ["failed"]
    # every send reached the function: as many executions for the collector to wait for
    assert driver.ledger.ran == {"r01": sends}
    assert any(f"read timeout {READ_TIMEOUT_S:g} s" in n and "botocore retries" in n for n in obs.notes)


def test_an_answer_within_the_read_timeout_names_its_invocation(slow_lambda: FakeLambdaServer) -> None:
    obs, driver, _ = drive(slow_lambda, "legacy", 5.0)
    assert [(c.status, c.error) for c in obs.client_results] == [(200, None)]
    assert [s.final for s in obs.settled] == ["succeeded"]
    assert driver.ledger.ran == {"r01": 1} and list(driver.ledger.aws_ids.values()) == ["r01"]
