"""Environment reset after a timeout, the requests-per-second quota, the account limit, environment
lifetime, and async throttling with a DLQ on the concurrency probe."""

import re
from collections import Counter

import pytest

from lambdaprobe.errors import InputError
from lambdaprobe.rules import RuleId
from lambdaprobe.scenario import ConcurrencySpec
from lambdaprobe.scenarios import concurrency, timeout
from lambdaprobe.sim.pools import RESERVED_RATE_LIMIT, SCALING_LIMIT
from lambdaprobe.sim.target import SimTarget
from tests.helpers import direct, simulate, spans


def test_after_a_timeout_the_next_call_in_that_environment_runs_init_again() -> None:
    # [environment.reset] call 1 times out; call 2 reuses the environment but runs init again (cold, billed)
    report = simulate(direct(count=3, interval=20.0, duration=5.0, timeout=3.0, init=0.5))
    first, second, third = (r.attempts[0] for r in report.requests)
    assert (first.outcome, second.outcome, third.outcome) == ("timeout", "timeout", "timeout")
    assert [a.cold for a in (first, second, third)] == [True, True, True]
    assert first.environment_id == second.environment_id == third.environment_id  # not a new environment
    assert second.init_s == 0.5 and second.billed_ms == 3500  # init billed on top of the 3 s timeout


def test_a_warm_environment_stays_warm_after_a_handler_error() -> None:
    # only a timeout (or a runtime exit) resets the environment, not an error the handler raises
    report = simulate(direct(count=2, interval=20.0, duration=1.0, fail="always", init=0.5))
    assert [r.attempts[0].cold for r in report.requests] == [True, False]


def test_suppressed_init_times_out_again_on_the_next_call() -> None:
    # `timeout --init 12 --duration 1 --timeout 3 --count 2`: both calls time out
    scenario = timeout.build(init=12.0, duration=1.0, timeout=3.0, count=2, seed=0)
    observations = SimTarget().run(scenario)
    report = simulate(scenario)
    assert [spans(report, i)[0][2] for i in range(2)] == ["timeout", "timeout"]
    second = report.requests[1].attempts[0]
    assert second.cold and second.init_s == 10.0
    assert second.end_s - second.start_s == pytest.approx(13.0)  # 10 s cut + 3 s timeout, as the first
    assert {RuleId.ENVIRONMENT_RESET, RuleId.ENVIRONMENT_RESET_INIT} <= observations.rules


def test_without_a_timeout_no_reset_rule_is_recorded() -> None:
    observations = SimTarget().run(direct(count=2, interval=5.0, duration=1.0))
    assert RuleId.ENVIRONMENT_RESET not in observations.rules


def test_short_frequent_sync_calls_hit_the_requests_per_second_quota() -> None:
    # `concurrency --reserved 1 --count 100 --interval 0.02 --duration 0.001 --init 0`: 50 calls/s
    # against 10 x reserved 1 = 10 per second
    scenario = concurrency.build(
        reserved=1, provisioned=0, qualifier="alias", count=100, interval=0.02, duration=0.001, mode="sync",
        init=0.0, timeout=None, seed=0,
    )
    observations = SimTarget().run(scenario)
    report = simulate(scenario)
    s = report.summary
    assert s.succeeded == 20 and s.throttled == 80  # 10 in each of the two seconds
    reasons = Counter(r.client.reason for r in report.requests if r.final == "throttled" and r.client)
    assert reasons == {RESERVED_RATE_LIMIT: 80}
    admitted = sorted(a.start_s for r in report.requests for a in r.attempts)
    for t in admitted:  # never more than 10 in any 1 s window
        assert sum(1 for u in admitted if t - 1.0 < u <= t) <= 10
    assert RuleId.CONCURRENCY_REQUESTS_PER_SECOND in observations.rules


def test_provisioned_qualifier_adds_its_own_rate() -> None:
    # reserved 2, provisioned 2 on the alias: 20/s on the alias first, then the function's 20/s
    conc = ConcurrencySpec(reserved=2, provisioned=2)
    report = simulate(direct(count=100, interval=0.01, duration=0.001, concurrency=conc))
    assert report.summary.succeeded == 40


def test_async_invokes_are_not_rate_limited_at_the_api() -> None:
    report = simulate(direct(mode="async", count=100, interval=0.01, duration=0.001,
                             concurrency=ConcurrencySpec(reserved=1)))
    assert report.summary.succeeded == 100


def test_a_call_refused_for_concurrency_uses_no_rate() -> None:
    # reserved 1, a 0.5 s call every 0.05 s: concurrency refuses most; those admitted stay below 10/s
    report = simulate(direct(count=40, interval=0.05, duration=0.5, concurrency=ConcurrencySpec(reserved=1)))
    reasons = Counter(r.client.reason for r in report.requests if r.final == "throttled" and r.client)
    assert set(reasons) == {"ReservedFunctionConcurrentInvocationLimitExceeded"}


def test_account_limit_above_1000_lets_the_scaling_rate_bind() -> None:
    scenario = concurrency.build(
        reserved=None, provisioned=0, qualifier="alias", count=2000, interval=0.0, duration=20.0, mode="sync",
        init=0.0, timeout=None, seed=0, account_limit=3000,
    )
    observations = SimTarget().run(scenario)
    report = simulate(scenario)
    assert (report.summary.succeeded, report.summary.throttled) == (1000, 1000)
    assert {r.client.reason for r in report.requests if r.final == "throttled" and r.client} == {SCALING_LIMIT}
    assert {RuleId.CONCURRENCY_SCALING_RATE, RuleId.CONCURRENCY_SCALING_REASON} <= observations.rules


def test_a_small_account_limit_throttles_at_the_account_pool() -> None:
    scenario = concurrency.build(
        reserved=None, provisioned=0, qualifier="alias", count=20, interval=0.0, duration=5.0, mode="sync",
        init=0.0, timeout=None, seed=0, account_limit=10,
    )
    assert simulate(scenario).summary.throttled == 10


@pytest.mark.parametrize(
    ("limit", "reserved", "message"),
    [(5, None, "5 is out of range; allowed: 10..100000"), (500, 401, "401 is out of range; allowed: 0..400"),
     (50, 1, "1 is out of range; allowed: 0..0")],
)
def test_account_limit_bounds_and_what_may_be_reserved(limit: int, reserved: int | None, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        concurrency.build(
            reserved=reserved, provisioned=0, qualifier="alias", count=1, interval=1.0, duration=1.0, mode="sync",
            init=0.0, timeout=None, seed=0, account_limit=limit,
        )


def test_environment_lifetime_recycles_an_idle_environment() -> None:
    def run(lifetime: float | None) -> list[bool]:
        scenario = concurrency.build(
            reserved=None, provisioned=0, qualifier="alias", count=4, interval=100.0, duration=1.0, mode="sync",
            init=0.5, timeout=None, seed=0, env_lifetime=150.0 if lifetime else None,
        )
        return [r.attempts[0].cold for r in simulate(scenario).requests]

    assert run(None) == [True, False, False, False]
    # created at 0 and at 200: the call at 200 finds the first too old, the one at 300 reuses the second
    assert run(150.0) == [True, False, True, False]


def test_environment_lifetime_never_touches_provisioned_environments() -> None:
    conc = ConcurrencySpec(reserved=None, provisioned=1, env_lifetime_s=10.0)
    report = simulate(direct(count=3, interval=100.0, duration=1.0, concurrency=conc))
    assert [r.attempts[0].cold for r in report.requests] == [False, False, False]


def test_async_mode_with_reserved_zero_sends_each_event_to_the_dlq_without_running_it() -> None:
    scenario = concurrency.build(
        reserved=0, provisioned=0, qualifier="alias", count=3, interval=1.0, duration=1.0, mode="async",
        init=0.0, timeout=None, seed=0, dlq="sqs", on_failure="sqs",
    )
    observations = SimTarget().run(scenario)
    assert len(observations.dead_letters) == 3 and len(observations.destinations) == 3
    assert not observations.attempts
    assert [d.t for d in observations.dead_letters] == [0.0, 1.0, 2.0]  # at once, no retries


def test_async_events_throttled_past_their_max_age_expire_to_the_dlq() -> None:
    scenario = concurrency.build(
        reserved=1, provisioned=0, qualifier="alias", count=3, interval=1.0, duration=100.0, mode="async",
        init=0.0, timeout=None, seed=0,
        dlq="sqs", on_failure="sqs", max_event_age=60,
    )
    observations = SimTarget().run(scenario)
    report = simulate(scenario)
    assert [r.final for r in report.requests] == ["succeeded", "dead_lettered", "dead_lettered"]
    assert [round(d.t, 6) for d in observations.dead_letters] == [61.0, 62.0]
    assert {d.record["requestContext"]["condition"] for d in observations.destinations} == {"EventAgeExceeded"}


def test_async_options_need_async_mode() -> None:
    with pytest.raises(InputError, match="--dlq: applies only to --mode async"):
        concurrency.build(
            reserved=1, provisioned=0, qualifier="alias", count=1, interval=1.0, duration=1.0, mode="sync",
            init=0.0, timeout=None, seed=0, dlq="sqs",
        )


@pytest.mark.parametrize("wait", [0.05, 29.0, 45.0])
def test_apigateway_integration_timeout_from_50_ms(wait: float) -> None:
    # [apigateway.timeout-range] 50 ms..29 s; above 29 s (a raised quota) accepted and said
    from lambdaprobe.scenarios import abort

    scenario = abort.build(caller="apigateway", duration=50.0, timeout=None, read_timeout=wait, sdk_retries=None,
                           init=0.0, seed=0)
    report = simulate(scenario)
    client = report.requests[0].client
    assert client is not None and (client.status, client.latency_s) == (504, pytest.approx(wait))
    said = any("above 29 s" in f.text for f in abort.findings(report))
    assert said == (wait > 29.0)


def test_apigateway_integration_timeout_below_50_ms_is_refused() -> None:
    from lambdaprobe.scenarios import abort

    with pytest.raises(InputError, match=re.escape("0.04 is out of range; allowed: 0.05..900")):
        abort.build(caller="apigateway", duration=1.0, timeout=None, read_timeout=0.04, sdk_retries=None,
                    init=0.0, seed=0)


@pytest.mark.parametrize(
    ("mode", "size", "refused"),
    [("sync", 6 * 1024 * 1024, False), ("sync", 6 * 1024 * 1024 + 1, True), ("async", 1024 * 1024, False),
     ("async", 1024 * 1024 + 1, True)],
)
def test_payload_over_the_invoke_limit_is_refused_with_413(mode: str, size: int, refused: bool) -> None:
    # [invoke.payload-limits] sync 6 MB, async 1 MB; over it: 413 as an observation, nothing runs
    from lambdaprobe.scenarios import invoke

    scenario = invoke.build(mode=mode, duration=0.1, fail="never", init=0.0, timeout=None, count=2, interval=1.0,
                            seed=0, payload_size=size)
    observations = SimTarget().run(scenario)
    report = simulate(scenario)
    clients = [r.client for r in report.requests]
    if refused:
        assert all(c is not None and (c.status, c.error) == (413, "RequestEntityTooLargeException") for c in clients)
        assert [r.final for r in report.requests] == ["failed", "failed"] and not observations.attempts
        assert RuleId.INVOKE_PAYLOAD_ERROR in observations.rules
    else:
        assert [r.final for r in report.requests] == ["succeeded", "succeeded"]
        assert RuleId.INVOKE_PAYLOAD_ERROR not in observations.rules
    assert RuleId.INVOKE_PAYLOAD_LIMITS in observations.rules


def test_the_timeout_probe_says_when_a_reset_made_the_next_call_cold() -> None:
    scenario = timeout.build(init=12.0, duration=1.0, timeout=3.0, count=2, seed=0)
    lines = timeout.findings(simulate(scenario))
    assert any("call 2 ran init again" in f.text and "ended in timeout" in f.text for f in lines)
    quiet = timeout.findings(simulate(timeout.build(init=5.0, duration=2.5, timeout=3.0, count=2, seed=0)))
    assert not any("ran init again" in f.text for f in quiet)


def test_without_reserved_concurrency_the_rate_follows_the_account_limit() -> None:
    # account limit 10: 100 sync invokes per second; 300 calls in 0.3 s, each 1 ms
    scenario = concurrency.build(
        reserved=None, provisioned=0, qualifier="alias", count=300, interval=0.001, duration=0.001, mode="sync",
        init=0.0, timeout=None, seed=0, account_limit=10,
    )
    observations = SimTarget().run(scenario)
    report = simulate(scenario)
    assert report.summary.succeeded == 100
    assert {r.client.reason for r in report.requests if r.final == "throttled" and r.client} == {
        "FunctionInvocationRateLimitExceeded"}
    assert RuleId.CONCURRENCY_RPS_REASON in observations.rules
    assert RuleId.CONCURRENCY_SCALING_REASON not in observations.rules  # same Reason, other rule


def test_a_crash_resets_the_environment_like_a_timeout() -> None:
    # [environment.reset] `--fail crash`: the runtime exits; the next call in that environment is cold
    from lambdaprobe.scenarios import invoke

    scenario = invoke.build(mode="sync", duration=0.1, fail="r02:crash", init=0.5, timeout=None, count=3,
                            interval=10.0, seed=0)
    observations = SimTarget().run(scenario)
    report = simulate(scenario)
    attempts = [r.attempts[0] for r in report.requests]
    assert [(a.outcome, a.cold) for a in attempts] == [("success", True), ("error", False), ("success", True)]
    assert attempts[1].error == "Runtime exited with error: exit status 1"
    assert {RuleId.ENVIRONMENT_RESET, RuleId.ENVIRONMENT_RESET_INIT} <= observations.rules


def test_a_crash_fails_the_whole_batch_even_with_partial_batch_responses() -> None:
    from lambdaprobe.scenarios import retry

    scenario = retry.build(retry.RetryOptions(
        source="sqs", count=3, interval=0.0, fail="r02:crash", report_batch_item_failures=True, max_receive_count=1,
    ))
    report = simulate(scenario)
    assert [r.attempts[0].outcome for r in report.requests] == ["error", "error", "error"]


def test_a_crashed_async_attempt_records_the_runtime_exit_payload() -> None:
    from lambdaprobe.scenarios import retry

    observations = SimTarget().run(retry.build(retry.RetryOptions(source="async", fail="crash", on_failure="sqs")))
    payload = observations.destinations[0].record["responsePayload"]
    assert payload["errorType"] == "Runtime.ExitError"
    assert payload["errorMessage"].endswith("Error: Runtime exited with error: exit status 1")
    assert [a.cold for a in observations.attempts] == [True, True, True]  # each retry re-inits


def test_a_provisioned_environment_reset_by_a_timeout_runs_init_in_the_next_call() -> None:
    conc = ConcurrencySpec(reserved=1, provisioned=1)
    scenario = direct(count=2, interval=20.0, duration=5.0, timeout=3.0, init=0.5, concurrency=conc)
    observations = SimTarget().run(scenario)
    first, second = (r.attempts[0] for r in simulate(scenario).requests)
    assert (first.cold, first.provisioned, second.cold, second.provisioned) == (False, True, True, True)
    assert second.billed_ms == 3500  # the re-init runs in the invocation, billed
    assert RuleId.ENVIRONMENT_RESET in observations.rules
