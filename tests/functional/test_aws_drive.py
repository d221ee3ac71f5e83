"""The driver: open-loop schedule, and what callers got back (status, FunctionError, throttle Reason)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from lambdaprobe.aws.client import AwsClient
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.run.drive import Driver
from lambdaprobe.aws.run.schedule import hold_until, open_loop
from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import Observations
from lambdaprobe.scenario import FunctionSpec, Scenario, SdkConfig, SourceSpec, Stimulus
from tests.functional.conftest import DUMMY_ENV
from tests.functional.fake_lambda import FakeLambdaServer
from tests.plan_refs import run_plan


@pytest.fixture()
def fake_lambda(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLambdaServer]:
    for k, v in DUMMY_ENV.items():
        monkeypatch.setenv(k, v)
    server = FakeLambdaServer(delay_s=0.3).start()
    yield server
    server.shutdown()
    server.server_close()


def test_open_loop_does_not_wait_for_slow_calls() -> None:
    starts: list[float] = []
    lock = threading.Lock()

    def send(i: int, t: float, due: float) -> float:
        left = hold_until(due)
        with lock:
            starts.append(t + (left - due))
        time.sleep(0.3)  # each call is far slower than the interval
        return left

    schedule = open_loop(20, 0.01, send)
    assert len(starts) == 20
    assert max(starts) < 1.0  # the last call left on time (0.19 s), not after 19 slow calls (5.7 s)
    assert schedule.percentile(99) < 0.1
    assert schedule.t0_wall > 0


def run_driver(
    server: FakeLambdaServer, function: str, mode: str = "sync", count: int = 3, payload_bytes: int | None = None
) -> Observations:
    scenario = Scenario(
        probe="concurrency",
        function=FunctionSpec(directive=Directive(duration_s=0.3)),
        stimulus=Stimulus(count=count, interval_s=0.02, mode=mode, payload_bytes=payload_bytes),  # type: ignore[arg-type]
        source=SourceSpec(kind="sync"),
        sdk=SdkConfig(retry_mode="off", read_timeout_s=5),
    )
    client = AwsClient(AwsOptions(region="us-east-1", endpoint_url=server.endpoint))
    obs = Observations("aws")
    Driver(client, scenario, run_plan(function), {}).run(obs)
    return obs


def test_sync_invokes_record_status_function_error_and_settled(fake_lambda: FakeLambdaServer) -> None:
    obs = run_driver(fake_lambda, "lambdaprobe-lpdrv000-probe-fail")
    assert [s.request_id for s in obs.sent] == ["r01", "r02", "r03"]
    assert {c.status for c in obs.client_results} == {200}
    assert {c.error for c in obs.client_results} == {"Unhandled"}
    assert all(0.25 < c.latency_s < 2 for c in obs.client_results)
    assert {s.final for s in obs.settled} == {"failed"}
    assert any("botocore retries off" in n and "read timeout 5 s" in n for n in obs.notes)
    # the three calls overlapped: each was sent before the previous one was answered
    assert obs.sent[-1].t < obs.client_results[0].t


def test_throttle_reason_comes_from_the_error_body(fake_lambda: FakeLambdaServer) -> None:
    obs = run_driver(fake_lambda, "lambdaprobe-lpdrv000-throttle")
    assert {(c.status, c.error, c.reason) for c in obs.client_results} == {
        (429, "TooManyRequestsException", "ReservedFunctionConcurrentInvocationLimitExceeded")
    }
    # [throttle.error] the body's message and Type are kept beside the Reason
    assert {(c.message, c.error_type) for c in obs.client_results} == {("Rate Exceeded.", "User")}
    assert {t.reason for t in obs.throttles} == {"ReservedFunctionConcurrentInvocationLimitExceeded"}
    assert {s.final for s in obs.settled} == {"throttled"}


def test_async_invokes_get_202_and_no_final_state(fake_lambda: FakeLambdaServer) -> None:
    obs = run_driver(fake_lambda, "lambdaprobe-lpdrv000-probe", mode="async", count=2)
    assert {c.status for c in obs.client_results} == {202}
    assert obs.settled == []


@pytest.mark.parametrize(("mode", "size"), [("sync", 6 * 1024 * 1024 + 1), ("async", 1024 * 1024 + 1)])
def test_an_oversized_payload_is_a_413_observation(fake_lambda: FakeLambdaServer, mode: str, size: int) -> None:
    # [invoke.payload-limits] the driver pads each event to --payload-size; the 413 is recorded, the call failed
    obs = run_driver(fake_lambda, "lambdaprobe-lpdrv000-probe", mode=mode, count=2, payload_bytes=size)
    assert {(c.status, c.error) for c in obs.client_results} == {(413, "RequestEntityTooLargeException")}
    assert all(c.message and "Request must be smaller than" in c.message for c in obs.client_results)
    assert {s.final for s in obs.settled} == {"failed"}


def test_a_payload_within_the_limit_is_padded_to_its_size(fake_lambda: FakeLambdaServer) -> None:
    obs = run_driver(fake_lambda, "lambdaprobe-lpdrv000-probe", count=1, payload_bytes=5000)
    assert {c.status for c in obs.client_results} == {200}
