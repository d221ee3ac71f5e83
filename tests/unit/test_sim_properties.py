"""Properties over random scenarios: limits hold, every request ends once, records come last, replay."""

from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaprobe.observation import FINAL_STATES
from lambdaprobe.scenario import AsyncConfig, ConcurrencySpec, SdkConfig
from lambdaprobe.sim.target import SimTarget
from tests.helpers import direct, simulate

concurrency = st.builds(
    lambda reserved, provisioned, qualifier: ConcurrencySpec(
        reserved=reserved, provisioned=min(provisioned, reserved if reserved is not None else provisioned),
        qualifier=qualifier,
    ),
    st.one_of(st.none(), st.integers(0, 8)),
    st.integers(0, 4),
    st.sampled_from(["alias", "latest", "version"]),
)
scenarios = st.builds(
    lambda mode, count, interval, duration, fail, init, timeout, conc, retries, age, dlq, sdk, seed: direct(
        mode=mode, count=count, interval=interval, duration=duration, fail=fail, init=init, timeout=timeout,
        concurrency=conc, async_config=AsyncConfig(max_retry_attempts=retries, max_event_age_s=age, dlq=dlq,
                                                   on_failure="sqs", on_success="sqs"),
        sdk=SdkConfig(retry_mode=sdk, read_timeout_s=5.0), seed=seed,
    ),
    st.sampled_from(["sync", "async"]),
    st.integers(1, 25),
    st.sampled_from([0.0, 0.5, 1.0, 7.0]),
    st.sampled_from([0.1, 2.0, 6.0, 20.0]),
    st.sampled_from(["never", "always", "first:1", "first:2"]),
    st.sampled_from([0.0, 0.3, 11.0]),
    st.sampled_from([3.0, 10.0, 30.0]),
    concurrency,
    st.integers(0, 2),
    st.sampled_from([60, 300, 21600]),
    st.sampled_from([None, "sqs"]),
    st.sampled_from(["off", "legacy", "standard"]),
    st.integers(0, 3),
)


def limit(conc: ConcurrencySpec) -> int:
    if conc.reserved is not None:
        return conc.reserved
    return conc.account_limit


@settings(max_examples=120, deadline=None)
@given(scenarios)
def test_in_flight_executions_never_exceed_the_applicable_limit(scenario) -> None:  # type: ignore[no-untyped-def]
    report = simulate(scenario)
    assert report.summary.max_concurrency <= limit(scenario.concurrency)
    if scenario.concurrency.qualifier == "latest" and scenario.concurrency.reserved is not None:
        # $LATEST can use only the on-demand part of reserved concurrency
        assert report.summary.max_concurrency <= scenario.concurrency.reserved - scenario.concurrency.provisioned


@settings(max_examples=120, deadline=None)
@given(scenarios)
def test_every_request_ends_exactly_once_in_one_final_state(scenario) -> None:  # type: ignore[no-untyped-def]
    observations = SimTarget().run(scenario)
    settled = [s.request_id for s in observations.settled]
    assert sorted(settled) == sorted(s.request_id for s in observations.sent)
    report = simulate(scenario)
    assert all(r.final in FINAL_STATES and r.final != "pending" for r in report.requests)
    s = report.summary
    assert s.succeeded + s.failed + s.throttled == s.requests


@settings(max_examples=120, deadline=None)
@given(scenarios)
def test_async_dead_letters_and_destinations_come_only_after_the_last_attempt(scenario) -> None:  # type: ignore[no-untyped-def]
    report = simulate(scenario)
    by_id = {r.id: r for r in report.requests}
    observations = SimTarget().run(scenario)
    for record in [*observations.dead_letters, *observations.destinations]:
        assert record.request_id is not None
        request = by_id[record.request_id]
        last_end = max((a.end_s for a in request.attempts), default=request.sent_s)
        assert record.t >= last_end
    for request in report.requests:
        if request.final == "dead_lettered":
            assert scenario.async_config.dlq is not None


@settings(max_examples=40, deadline=None)
@given(scenarios)
def test_the_same_seed_gives_the_same_report(scenario) -> None:  # type: ignore[no-untyped-def]
    assert simulate(scenario).to_json() == simulate(scenario).to_json()


fast_sync = st.builds(
    lambda reserved, provisioned, count, interval, duration, sdk, seed: direct(
        count=count, interval=interval, duration=duration,
        concurrency=ConcurrencySpec(reserved=reserved, provisioned=min(provisioned, reserved or provisioned)),
        sdk=SdkConfig(retry_mode=sdk), seed=seed,
    ),
    st.one_of(st.none(), st.integers(1, 3)),
    st.integers(0, 2),
    st.integers(1, 150),
    st.sampled_from([0.0, 0.005, 0.02, 0.07]),
    st.sampled_from([0.001, 0.05, 0.3]),
    st.sampled_from(["off", "standard"]),
    st.integers(0, 3),
)


@settings(max_examples=60, deadline=None)
@given(fast_sync)
def test_sync_invokes_never_exceed_the_requests_per_second_quota(scenario) -> None:  # type: ignore[no-untyped-def]
    # [concurrency.requests-per-second] 10 x available concurrency, plus 10 x provisioned on its qualifier
    conc = scenario.concurrency
    quota = 10 * limit(conc) + 10 * conc.provisioned
    observations = SimTarget().run(scenario)
    starts = sorted(a.start for a in observations.attempts)
    lo = 0
    for hi, t in enumerate(starts):
        while starts[lo] <= t - 1.0:
            lo += 1
        assert hi - lo + 1 <= quota
    assert sorted(s.request_id for s in observations.settled) == sorted(s.request_id for s in observations.sent)
