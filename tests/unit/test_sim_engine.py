"""The clock's lanes are an optimisation only: calls must come in exactly the order of a plain
(time, scheduling order) agenda, whatever mix of `at`, `after`, `after_fixed` and `at_in_lane`."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from itertools import count

from hypothesis import given
from hypothesis import strategies as st

from lambdaprobe.sim.engine import Clock

quarters = st.integers(0, 12).map(lambda n: n / 4)  # coarse, so due times often tie


@dataclass
class Op:
    kind: str  # at | after | fixed | lane
    value: float  # a time for at/lane, a delay for after/fixed
    key: float  # the lane (lane only)
    then: list[Op] = field(default_factory=list)  # scheduled by this op's callback when it runs


kinds = st.sampled_from(["at", "after", "fixed", "lane"])
keys = st.sampled_from([0.5, 1.0])
ops = st.recursive(
    st.builds(Op, kinds, quarters, keys, st.just([])),
    lambda children: st.builds(Op, kinds, quarters, keys, st.lists(children, max_size=4)),
    max_leaves=40,
)


class Reference:
    """The specification: one heap keyed (due time, scheduling order)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.agenda: list[tuple[float, int, Op, str]] = []
        self.seq = count()

    def schedule(self, op: Op, label: str) -> None:
        due = self.now + max(op.value, 0.0) if op.kind in ("after", "fixed") else max(op.value, self.now)
        heapq.heappush(self.agenda, (due, next(self.seq), op, label))

    def run(self, until: float | None, log: list[tuple[str, float]]) -> None:
        while self.agenda and (until is None or self.agenda[0][0] <= until):
            self.now, _, op, label = heapq.heappop(self.agenda)
            log.append((label, self.now))
            for i, child in enumerate(op.then):
                self.schedule(child, f"{label}.{i}")
        if until is not None and self.agenda:
            self.now = until


def run_clock(program: list[Op], until: float | None) -> tuple[list[tuple[str, float]], float]:
    clock = Clock()
    log: list[tuple[str, float]] = []

    def schedule(op: Op, label: str) -> None:
        if op.kind == "at":
            clock.at(op.value, fire, op, label)
        elif op.kind == "after":
            clock.after(op.value, fire, op, label)
        elif op.kind == "fixed":
            clock.after_fixed(op.value, fire, op, label)
        else:
            clock.at_in_lane(op.value, op.key, fire, op, label)

    def fire(op: Op, label: str) -> None:
        log.append((label, clock.now))
        for i, child in enumerate(op.then):
            schedule(child, f"{label}.{i}")

    for i, op in enumerate(program):
        schedule(op, str(i))
    clock.run(until)
    return log, clock.now


def run_reference(program: list[Op], until: float | None) -> tuple[list[tuple[str, float]], float]:
    ref = Reference()
    log: list[tuple[str, float]] = []
    for i, op in enumerate(program):
        ref.schedule(op, str(i))
    ref.run(until, log)
    return log, ref.now


@given(st.lists(ops, min_size=1, max_size=8))
def test_calls_come_in_due_time_then_scheduling_order(program: list[Op]) -> None:
    assert run_clock(program, None) == run_reference(program, None)


@given(st.lists(ops, min_size=1, max_size=8), quarters)
def test_run_until_stops_at_the_horizon_in_the_same_order(program: list[Op], until: float) -> None:
    assert run_clock(program, until) == run_reference(program, until)


def test_a_lane_entry_due_before_the_lane_tail_still_runs_first() -> None:
    clock = Clock()
    seen: list[str] = []
    clock.at_in_lane(2.0, 1.0, seen.append, "late")
    clock.at_in_lane(1.0, 1.0, seen.append, "early")  # out of lane order: must not wait behind "late"
    clock.run()
    assert seen == ["early", "late"]
