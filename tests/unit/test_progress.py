"""Progress on stderr: only on a terminal, only for runs long enough, and it reaches the end."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from lambdaprobe import runner
from lambdaprobe.render import progress
from lambdaprobe.scenarios import concurrency
from lambdaprobe.sim.target import SimTarget


def scenario(count: int) -> concurrency.Scenario:
    return concurrency.build(reserved=5, provisioned=0, qualifier="alias", count=count, interval=0.0001,
                             duration=0.05, mode="sync", init=0.0, timeout=None, seed=0)


@pytest.fixture
def bars(monkeypatch: pytest.MonkeyPatch) -> list[list[float]]:
    made: list[list[float]] = []

    @contextmanager
    def recording(label: str, total: float) -> Iterator[Callable[[float], None]]:
        steps: list[float] = []
        made.append(steps)
        yield steps.append

    monkeypatch.setattr(progress, "bar", recording)
    return made


def test_a_large_run_on_a_terminal_shows_its_progress_to_the_end(
    monkeypatch: pytest.MonkeyPatch, bars: list[list[float]]
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    sc = scenario(runner.PROGRESS_FROM_REQUESTS)
    target = SimTarget()
    with runner._progress(sc, target):
        target.run(sc)
    assert len(bars) == 1 and len(bars[0]) > 1
    assert sum(bars[0]) == 1000  # the whole virtual span, in steps
    assert target.progress is None


def test_no_bar_off_a_terminal_or_for_a_small_run(monkeypatch: pytest.MonkeyPatch, bars: list[list[float]]) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    with runner._progress(scenario(runner.PROGRESS_FROM_REQUESTS), SimTarget()):
        pass
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with runner._progress(scenario(50), SimTarget()):
        pass
    assert bars == []
