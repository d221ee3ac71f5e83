"""`lambdaprobe sweep`: the grid, its goals, and the same grid from every executor."""

from __future__ import annotations

import json

import pytest

from lambdaprobe.cli import main

SWEEP = ["sweep", "concurrency", "--reserved", "4:16:6", "--provisioned", "0,2", "--duration", "1.5",
         "--count", "60", "--arrivals", "poisson:4+burst:8@5", "--seed", "3", "--output", "json"]


def grid(capsys: pytest.CaptureFixture[str], *extra: str) -> dict:  # type: ignore[type-arg]
    code = main([*SWEEP, *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_the_grid_has_every_point_and_marks_the_cheapest_meeting_the_goal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = grid(capsys, "--executor", "serial", "--goal", "throttled=0")
    points = data["points"]
    assert [(p["reserved"], p["provisioned"]) for p in points] == [(4, 0), (4, 2), (10, 0), (10, 2), (16, 0), (16, 2)]
    assert data["axes"] == {"reserved": [4, 10, 16], "provisioned": [0, 2]}
    throttled = [p["throttled"] for p in points]
    assert throttled[0] >= throttled[2] >= throttled[4]  # more reserved, fewer throttles
    assert all(p["requests"] == 68 for p in points)
    meeting = [i for i, p in enumerate(points) if p["throttled"] == 0]
    assert data["cheapest"] == min(meeting, key=lambda i: points[i]["cost_month"])
    assert points[data["cheapest"]]["meets_goals"]
    assert data["prices"]["source"].startswith("https://aws.amazon.com/lambda/pricing")


def test_a_process_pool_gives_the_serial_grid(capsys: pytest.CaptureFixture[str]) -> None:
    assert grid(capsys, "--executor", "local", "--workers", "2") == grid(capsys, "--executor", "serial")


def test_another_seed_gives_another_grid(capsys: pytest.CaptureFixture[str]) -> None:
    one = grid(capsys, "--executor", "serial")
    SWEEP[SWEEP.index("--seed") + 1] = "4"
    try:
        assert grid(capsys, "--executor", "serial")["points"] != one["points"]
    finally:
        SWEEP[SWEEP.index("--seed") + 1] = "3"


def test_dask_on_a_loopback_cluster_gives_the_same_grid(capsys: pytest.CaptureFixture[str]) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        host="127.0.0.1", protocol="tcp", n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        port = cluster.scheduler_address.rsplit(":", 1)[1]
        on_dask = grid(capsys, "--executor", f"dask://127.0.0.1:{port}")
    assert on_dask == grid(capsys, "--executor", "serial")


def test_an_invalid_point_is_a_row_saying_why(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sweep", "concurrency", "--reserved", "1", "--provisioned", "0,2", "--count", "3",
                 "--executor", "serial"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "not valid: --provisioned: 2 exceeds --reserved 1" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["sweep", "vpc"], "PROBE"),
        (["sweep", "concurrency", "--reserved", "9:1"], "--reserved"),
        (["sweep", "concurrency", "--bogus", "1"], "--bogus"),
        (["sweep", "concurrency", "--target", "aws"], "--target"),
        (["sweep", "concurrency", "--goal", "speed<1"], "--goal"),
        (["sweep", "concurrency", "--region", "mars-1"], "--region"),
        (["sweep", "concurrency", "--executor", "dask://nohost"], "--executor"),
        (["sweep", "concurrency", "--mode", "later", "--reserved", "1,2"], "--mode"),
    ],
)
def test_bad_sweeps_are_one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], words: str) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert words in err and err.count("\n") == 1


def test_a_sweep_on_a_terminal_shows_progress_to_the_last_point(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    from contextlib import contextmanager

    from lambdaprobe.render import progress

    steps: list[float] = []

    @contextmanager
    def recording(label: str, total: float):  # type: ignore[no-untyped-def]
        steps.append(total)
        yield steps.append

    monkeypatch.setattr(progress, "bar", recording)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    grid(capsys, "--executor", "serial")
    assert steps[0] == 6 and steps[1:] == [1] * 6


def test_summary_only_json_has_the_counts_and_no_detail(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["concurrency", "--reserved", "1", "--provisioned", "1", "--summary-only", "--output", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["summary"]["throttled"] == 19
    assert "requests" not in data and data["omitted"] == ["requests", "concurrency"]
