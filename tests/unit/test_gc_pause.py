"""The collector pause: switched off inside, restored after, and large leftovers frozen."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from lambdaprobe.gc_pause import no_cycle_collection


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_the_collector_is_off_inside_and_back_on_after() -> None:
    assert gc.isenabled()
    with no_cycle_collection():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with no_cycle_collection():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_large_leftover_is_frozen_and_a_small_one_is_not() -> None:
    with no_cycle_collection(freeze_at=10_000):
        small = [[i] for i in range(1_000)]
    assert gc.get_freeze_count() == 0
    with no_cycle_collection(freeze_at=10_000):
        large = [[i] for i in range(20_000)]
    assert gc.get_freeze_count() >= len(large)
    assert small and large


def test_the_collector_is_restored_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), no_cycle_collection():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_the_core_leaves_the_collector_alone_and_the_runner_pauses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from lambdaprobe.analysis import analyse
    from lambdaprobe.scenarios import concurrency
    from lambdaprobe.sim.target import SimTarget

    calls: list[str] = []
    real_disable = gc.disable
    monkeypatch.setattr(gc, "disable", lambda: (calls.append("disable"), real_disable())[1])
    sc = concurrency.build(reserved=1, provisioned=1, qualifier="alias", count=20, interval=1.0,
                           duration=20.0, mode="sync", init=0.3, timeout=None, seed=0)
    assert analyse(sc, SimTarget().run(sc)).summary.throttled == 19
    assert calls == []  # the simulator and the analysis: no process-wide switch
    from lambdaprobe.cli import main

    assert main(["concurrency", "--reserved", "1", "--provisioned", "1", "--output", "json"]) == 0
    assert calls  # the runner, at the edge
    assert gc.isenabled()
