"""The worked cases (20 sync calls, one a second, 20 s each) and the pool rules
([concurrency.provisioned-spillover] [concurrency.reserved])."""

from collections import Counter

import pytest

from lambdaprobe.scenario import ConcurrencySpec
from lambdaprobe.sim.pools import ACCOUNT_LIMIT, RESERVED_LIMIT, SCALING_LIMIT
from tests.helpers import direct, simulate


def worked(conc: ConcurrencySpec, mode: str = "sync"):
    return simulate(direct(mode=mode, count=20, interval=1.0, duration=20.0, init=0.5, concurrency=conc))


def test_no_limits_climbs_to_20_with_20_cold_starts() -> None:
    s = worked(ConcurrencySpec()).summary
    assert (s.succeeded, s.throttled, s.cold_starts, s.max_concurrency) == (20, 0, 20, 20)


def test_reserved_1_provisioned_1_runs_one_warm_and_throttles_19() -> None:
    report = worked(ConcurrencySpec(reserved=1, provisioned=1))
    s = report.summary
    assert (s.succeeded, s.throttled, s.cold_starts) == (1, 19, 0)
    first = report.requests[0]
    assert first.final == "succeeded" and not first.attempts[0].cold
    reasons = {r.client.reason for r in report.requests[1:] if r.client}
    assert reasons == {RESERVED_LIMIT}
    assert all(r.client and r.client.status == 429 and not r.attempts for r in report.requests[1:])


def test_reserved_20_provisioned_10_spills_10_over_to_on_demand_with_cold_starts() -> None:
    report = worked(ConcurrencySpec(reserved=20, provisioned=10))
    s = report.summary
    assert (s.succeeded, s.throttled, s.cold_starts, s.max_concurrency) == (20, 0, 10, 20)
    cold = [r.id for r in report.requests if r.attempts[0].cold]
    assert cold == [f"r{i:02d}" for i in range(11, 21)]  # the first 10 found provisioned envs free


def test_latest_is_throttled_when_provisioned_adds_up_to_reserved() -> None:
    s = worked(ConcurrencySpec(reserved=1, provisioned=1, qualifier="latest")).summary
    assert (s.succeeded, s.throttled, s.attempts) == (0, 20, 0)


def test_async_is_never_throttled_at_the_api_and_runs_one_after_another() -> None:
    report = worked(ConcurrencySpec(reserved=1), mode="async")
    s = report.summary
    assert (s.succeeded, s.throttled, s.max_concurrency) == (20, 0, 1)
    assert s.throttle_events > 19  # internal requeues, counted as events only
    assert all(r.client and r.client.status == 202 for r in report.requests)
    starts = sorted(r.attempts[0].start_s for r in report.requests)
    ends = sorted(r.attempts[0].end_s for r in report.requests)
    assert all(start >= end for start, end in zip(starts[1:], ends[:-1], strict=False))  # never two at once


def test_account_pool_throttles_unreserved_functions() -> None:
    conc = ConcurrencySpec(account_limit=10, min_unreserved=0)
    report = simulate(direct(count=15, interval=0.0, duration=5.0, concurrency=conc))
    assert report.summary.succeeded == 10 and report.summary.throttled == 5
    assert {r.client.reason for r in report.requests if r.final == "throttled" and r.client} == {ACCOUNT_LIMIT}


def test_scaling_rate_allows_1000_new_environments_at_once() -> None:
    conc = ConcurrencySpec(account_limit=5000, min_unreserved=100)
    # 1200 calls at t=0: 1000 new environments start, the scaling rate throttles the other 200.
    report = simulate(direct(count=1200, interval=0.0, duration=30.0, concurrency=conc))
    s = report.summary
    assert (s.succeeded, s.throttled, s.cold_starts) == (1000, 200, 1000)
    assert Counter(r.client.reason for r in report.requests if r.final == "throttled" and r.client) == {
        SCALING_LIMIT: 200
    }


def test_warm_environment_is_reused_without_a_cold_start() -> None:
    report = simulate(direct(count=3, interval=5.0, duration=1.0, init=0.5))
    assert [r.attempts[0].cold for r in report.requests] == [True, False, False]
    assert report.summary.cold_starts == 1


@pytest.mark.parametrize("reserved", [0, 3])
def test_reserved_caps_sync_concurrency(reserved: int) -> None:
    report = simulate(direct(count=6, interval=0.0, duration=2.0, concurrency=ConcurrencySpec(reserved=reserved)))
    assert report.summary.max_concurrency == reserved
    assert report.summary.throttled == 6 - reserved
