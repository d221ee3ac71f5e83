"""[init.outside-timeout] [sdk.retry-modes]: init versus the function timeout, and where "sync retries" come from."""

import pytest

from lambdaprobe.scenario import SdkConfig
from tests.helpers import direct, simulate, spans


def test_init_up_to_10s_is_not_counted_in_the_timeout() -> None:
    # [init.outside-timeout] a 3 s-timeout function with a 5 s init and a 2.5 s handler succeeds
    report = simulate(direct(duration=2.5, init=5.0, timeout=3.0))
    attempt = report.requests[0].attempts[0]
    assert (attempt.outcome, attempt.cold, attempt.init_s) == ("success", True, 5.0)
    assert attempt.end_s == pytest.approx(7.5)
    assert report.requests[0].client is not None and report.requests[0].client.latency_s == pytest.approx(7.5)


def test_handler_longer_than_timeout_times_out_after_init() -> None:
    report = simulate(direct(duration=4.0, init=5.0, timeout=3.0))
    assert spans(report) == [(0.0, 8.0, "timeout")]
    assert report.requests[0].client is not None and report.requests[0].client.error == "Unhandled"


def test_init_over_10s_is_retried_inside_the_invoke_and_counted_against_the_timeout() -> None:
    # [init.suppressed] suppressed init: 10 s cut, then init (12 s) + handler (1 s) against a 3 s timeout
    report = simulate(direct(duration=1.0, init=12.0, timeout=3.0))
    assert spans(report) == [(0.0, 13.0, "timeout")]
    report = simulate(direct(duration=1.0, init=12.0, timeout=20.0))
    assert spans(report) == [(0.0, 23.0, "success")]


def test_lambda_never_retries_a_sync_invoke() -> None:
    report = simulate(direct(duration=1.0, fail="always"))
    assert spans(report) == [(0.0, 1.0, "error")]
    client = report.requests[0].client
    assert client is not None and (client.status, client.error) == (200, "Unhandled")


@pytest.mark.parametrize(("mode", "executions"), [("off", 1), ("standard", 3), ("legacy", 5)])
def test_read_timeout_shorter_than_the_function_runs_it_once_per_sdk_attempt(mode: str, executions: int) -> None:
    # [sdk.resend-after-read-timeout] the SDK resends after its read timeout; every send runs the function
    sdk = SdkConfig(retry_mode=mode, read_timeout_s=10.0)  # type: ignore[arg-type]
    report = simulate(direct(duration=30.0, timeout=60.0, sdk=sdk))
    request = report.requests[0]
    assert len(request.attempts) == executions
    assert all(a.outcome == "success" for a in request.attempts)  # each ran to completion, unread
    assert request.client is not None and request.client.error == "ReadTimeoutError"
    assert request.final == "failed"
    gaps = [b.start_s - a.start_s for a, b in zip(request.attempts, request.attempts[1:], strict=False)]
    assert all(g >= 10.0 for g in gaps)  # each resend after a full read timeout plus backoff


def test_sdk_retries_are_seeded() -> None:
    sdk = SdkConfig(retry_mode="legacy", read_timeout_s=5.0)
    one = simulate(direct(duration=30.0, timeout=60.0, sdk=sdk, seed=7))
    two = simulate(direct(duration=30.0, timeout=60.0, sdk=sdk, seed=7))
    other = simulate(direct(duration=30.0, timeout=60.0, sdk=sdk, seed=8))
    assert one.to_json() == two.to_json()
    assert spans(one) != spans(other)


def test_apigateway_answers_504_at_29s_and_the_function_runs_on() -> None:
    # [apigateway.integration-timeout] the gateway gives up at its integration timeout; only the
    # function timeout stops the function
    sdk = SdkConfig(read_timeout_s=29.0, caller="apigateway", retry_mode="legacy")
    report = simulate(direct(duration=40.0, timeout=45.0, sdk=sdk))
    request = report.requests[0]
    assert request.client is not None
    assert (request.client.status, request.client.error, request.client.latency_s) == (
        504, "Endpoint request timed out", 29.0)
    assert spans(report) == [(0.0, 40.0, "success")]  # one execution: the gateway never retries
    assert request.final == "failed"
