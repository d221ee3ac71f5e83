"""Traffic shapes (`--arrivals`): the times they make, bad files, and replays equal to explicit traffic."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaprobe import arrivals
from lambdaprobe.errors import InputError
from lambdaprobe.scenarios import concurrency
from tests.helpers import simulate


def build(arrivals_spec: str, *, reserved: int = 3, duration: float = 1.7, count: int = 20, interval: float = 1.0,
          seed: int = 0) -> concurrency.Scenario:
    return concurrency.build(
        reserved=reserved, provisioned=0, qualifier="alias", count=count, interval=interval, duration=duration,
        mode="sync", init=0.3, timeout=None, seed=seed, arrivals=arrivals_spec,
    )


def write(tmp_path: Path, text: str, name: str = "traffic.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_even_is_the_interval_schedule() -> None:
    assert list(arrivals.times("even", 4, 0.5, 0)) == [0.0, 0.5, 1.0, 1.5]
    assert build("even").stimulus.times is None


def test_poisson_is_seeded_sorted_and_near_its_rate() -> None:
    a = arrivals.times("poisson:50", 5000, 1.0, 7)
    assert list(a) == list(arrivals.times("poisson:50", 5000, 1.0, 7))
    assert list(a) != list(arrivals.times("poisson:50", 5000, 1.0, 8))
    assert all(x <= y for x, y in pairwise(a))
    rate = (len(a) - 1) / a[-1]
    assert 45 < rate < 55


def test_bursts_join_a_base_shape_in_time_order() -> None:
    t = arrivals.times("even+burst:3@2.5+burst:2@0", 4, 1.0, 0)
    assert list(t) == [0.0, 0.0, 0.0, 1.0, 2.0, 2.5, 2.5, 2.5, 3.0]


def test_a_burst_beyond_reserved_is_throttled_by_the_excess() -> None:
    report = simulate(build("burst:10@5", reserved=4, duration=3.0))
    assert report.summary.requests == 10
    assert report.summary.throttled == 6
    assert {r.sent_s for r in report.requests} == {5.0}


def test_a_seed_gives_the_same_report_and_another_seed_another() -> None:
    one = simulate(build("poisson:3", seed=1, count=200)).summary
    assert one == simulate(build("poisson:3", seed=1, count=200)).summary
    assert simulate(build("poisson:3", seed=2, count=200)).summary != one


def test_per_minute_counts_with_a_header_and_iso_times(tmp_path: Path) -> None:
    path = write(tmp_path, "Timestamp,Invocations\n2026-01-01T00:00:00Z,3\n2026-01-01T00:01:00Z,0\n"
                           "2026-01-01T00:02:00Z,2\n")
    assert list(arrivals.read_file(path)) == [0.0, 20.0, 40.0, 120.0, 150.0]


def test_timestamps_replay_relative_to_the_first(tmp_path: Path) -> None:
    path = write(tmp_path, "# epoch seconds\n1700000000\n1700000000\n1700000002.5\n")
    assert list(arrivals.read_file(path)) == [0.0, 0.0, 2.5]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("0\n2\n1\n", 3, "earlier than the row before"),
        ("time,count\n0,5\n60,5\n30,5\n", 4, "not after the row before"),
        ("0,1\n1,-4\n", 2, "count -4"),
        ("-3\n", 1, "negative"),
        ("0\nsoon\n", 2, "not a number of seconds"),
        ("t,c\n0,1\n1,many\n", 3, "count 'many' is not a number"),
        ("0,1.5\n", 1, "whole number"),
        ("", 1, "empty"),
        ("# only a comment\n\n", 1, "empty"),
        ("0,1\n1\n", 2, "columns"),
    ],
)
def test_bad_traffic_files_name_the_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        build(f"file:{path}")
    assert err.value.option == "--arrivals"
    assert f"line {line}:" in str(err.value)
    assert words in str(err.value)


def test_all_zero_counts_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="every count is 0"):
        arrivals.read_file(write(tmp_path, "0,0\n60,0\n"))
    with pytest.raises(InputError, match="cannot be read"):
        arrivals.read_file(str(tmp_path / "absent.csv"))


@pytest.mark.parametrize("spec", ["poison:3", "burst:3", "burst:0@1", "poisson:-1", "poisson:x", "even:2", "file:"])
def test_bad_shapes_are_input_errors(spec: str) -> None:
    with pytest.raises(InputError, match="--arrivals"):
        arrivals.parse(spec)


def test_constant_counts_replay_exactly_as_the_interval_schedule(tmp_path: Path) -> None:
    path = write(tmp_path, "".join(f"{k},10\n" for k in range(30)))
    replay = simulate(build(f"file:{path}", reserved=7, duration=0.85, count=300, interval=0.1))
    even = simulate(build("even", reserved=7, duration=0.85, count=300, interval=0.1))
    assert [r.sent_s for r in replay.requests] == [r.sent_s for r in even.requests]
    assert replay.summary == even.summary
    assert replay.summary.throttled > 0


@settings(max_examples=25, deadline=None)
@given(
    counts=st.lists(st.integers(0, 12), min_size=2, max_size=40).filter(any),  # 2 rows: a period
    reserved=st.integers(1, 6),
    duration=st.sampled_from([0.37, 1.3, 2.9]),
)
def test_a_counts_replay_throttles_as_the_same_requests_sent_one_by_one(
    tmp_path_factory: pytest.TempPathFactory, counts: list[int], reserved: int, duration: float
) -> None:
    folder = tmp_path_factory.mktemp("replay")
    per_second = write(folder, "time,count\n" + "".join(f"{k},{n}\n" for k, n in enumerate(counts)))
    # The same traffic written out as one timestamp per request, each period's requests evenly spread.
    explicit = [k + j / n for k, n in enumerate(counts) for j in range(n)]
    one_by_one = write(folder, "".join(f"{t!r}\n" for t in explicit), "explicit.csv")
    replay = simulate(build(f"file:{per_second}", reserved=reserved, duration=duration))
    sent = simulate(build(f"file:{one_by_one}", reserved=reserved, duration=duration))
    assert replay.summary.requests == sum(counts)
    assert replay.summary.throttled == sent.summary.throttled
    assert replay.summary == sent.summary


def test_epoch_timestamps_replay_as_the_same_offsets_written_from_zero(tmp_path: Path) -> None:
    offsets = [round(k * 0.1, 1) for k in range(40)]
    epoch = write(tmp_path, "".join(f"{1700000000 + t:.1f}\n" for t in offsets), "epoch.csv")
    zero = write(tmp_path, "".join(f"{t}\n" for t in offsets), "zero.csv")
    assert list(arrivals.read_file(epoch)) == list(arrivals.read_file(zero)) == offsets


def test_explicit_times_of_an_even_schedule_replay_it_exactly(tmp_path: Path) -> None:
    # the times of --count 50 --interval 0.1, written out the way Python prints them
    path = write(tmp_path, "".join(f"{k * 0.1!r}\n" for k in range(50)))
    replay = simulate(build(f"file:{path}", reserved=4, duration=0.5, count=50, interval=0.1))
    even = simulate(build("even", reserved=4, duration=0.5, count=50, interval=0.1))
    assert replay.summary == even.summary
    assert replay.summary.throttled > 0
