"""The concurrency series against a brute-force count of executions in flight."""

from hypothesis import given
from hypothesis import strategies as st

from lambdaprobe.analysis import concurrency_series
from lambdaprobe.observation import Attempt

times = st.integers(0, 40).map(lambda n: n / 4)  # coarse, so starts and ends often coincide


@given(st.lists(st.tuples(times, times), max_size=40))
def test_series_matches_a_brute_force_count(pairs: list[tuple[float, float]]) -> None:
    runs = [
        Attempt(f"r{i}", 1, min(a, b), max(a, b) + 0.25, "success", f"x{i}") for i, (a, b) in enumerate(pairs)
    ]
    series = concurrency_series(runs)

    def in_flight(t: float) -> int:
        return sum(1 for r in runs if r.start <= t < r.end)  # an execution ending at t has freed its slot

    previous = 0
    for t, level in series:
        assert level == in_flight(t)
        assert level != previous  # only changes are listed
        previous = level
    assert [t for t, _ in series] == sorted({t for t, _ in series})
    changes = sorted({r.start for r in runs} | {r.end for r in runs})
    assert all(in_flight(t) == dict(series).get(t, in_flight(t)) for t in changes)
    assert (series[-1][1] if series else 0) == 0
