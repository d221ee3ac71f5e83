"""Traffic shifting by CodeDeploy preference, and the alarm-driven rollback."""

from collections import Counter

import pytest

from lambdaprobe.codedeploy import schedule
from lambdaprobe.scenarios import deploy_preference
from tests.helpers import simulate


def build(**kw: object):
    options: dict[str, object] = dict(
        preference="Canary10Percent5Minutes", rollback_on_error=False, new_version_fails=False, rate=10.0,
        minutes=None, duration=0.1, init=0.0, seed=0,
    )
    options.update(kw)
    return deploy_preference.build(**options)  # type: ignore[arg-type]


def per_minute(report) -> Counter:  # type: ignore[no-untyped-def,type-arg]
    return Counter((int(a.start_s // 60), a.version) for r in report.requests for a in r.attempts)


def test_schedules_of_the_predefined_configurations() -> None:
    assert schedule("Canary10Percent5Minutes") == [(0.0, 0.1), (300.0, 1.0)]
    assert schedule("Linear10PercentEvery2Minutes")[:3] == [(0.0, 0.1), (120.0, 0.2), (240.0, 0.3)]
    assert schedule("Linear10PercentEvery2Minutes")[-1] == (1080.0, 1.0)
    assert schedule("AllAtOnce") == [(0.0, 1.0)]
    with pytest.raises(ValueError):
        schedule("Canary50Percent")


def test_canary_sends_about_10_percent_then_all() -> None:
    counts = per_minute(simulate(build()))
    for minute in range(5):
        share = counts[(minute, "2")] / 600
        assert 0.05 < share < 0.15, (minute, share)
    assert counts[(5, "1")] == 0 and counts[(5, "2")] == 600


def test_linear_grows_by_10_percent_a_minute() -> None:
    counts = per_minute(simulate(build(preference="Linear10PercentEvery1Minute")))
    shares = [counts[(m, "2")] / 600 for m in range(10)]
    assert all(abs(share - 0.1 * (m + 1)) < 0.07 for m, share in enumerate(shares)), shares


def test_errors_in_the_new_version_roll_back_at_the_end_of_the_alarm_period() -> None:
    report = simulate(build(new_version_fails=True, rollback_on_error=True))
    new_runs = [a for r in report.requests for a in r.attempts if a.version == "2"]
    assert new_runs and all(a.outcome == "error" for a in new_runs)
    assert max(a.start_s for a in new_runs) < 60.0  # rolled back when the first period closed
    assert report.summary.failed == len(new_runs)


def test_without_rollback_the_failing_version_takes_all_traffic() -> None:
    report = simulate(build(new_version_fails=True))
    assert per_minute(report)[(6, "1")] == 0


def test_bad_preference_is_refused() -> None:
    from lambdaprobe.errors import InputError

    with pytest.raises(InputError, match="--preference: 'Canary' is not allowed"):
        build(preference="Canary")
