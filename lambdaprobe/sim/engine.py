"""The simulation kernel: a virtual clock and an agenda keyed (time, sequence).

The split is simpy's (`simpy/core.py`): the environment owns only a clock and a heap, so every run
replays exactly, and behaviour lives in the service model on top. It is simpy's core reduced to
callbacks: a simpy Timeout with a callback measured 1.8 µs per event here against 0.9 µs for a
bare heap entry, and the 1,000,000-event benchmark needs the difference
(`benchmarks/bench_kernel.py` prints both).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from itertools import count
from typing import Any

Entry = tuple[float, int, Callable[..., Any], tuple[Any, ...]]


class Clock:
    """Schedules callbacks on a virtual clock; ties run in scheduling order, so runs replay exactly."""

    __slots__ = ("_agenda", "_lanes", "_seq", "now")

    def __init__(self) -> None:
        self.now = 0.0
        self._agenda: list[Entry] = []
        self._lanes: dict[float, deque[Entry]] = {}
        self._seq = count()

    def after(self, delay: float, fn: Callable[..., Any], *args: Any) -> None:
        """Call fn(*args) `delay` virtual seconds from now (a negative delay means now)."""
        heapq.heappush(self._agenda, (self.now + (delay if delay > 0.0 else 0.0), next(self._seq), fn, args))

    def after_fixed(self, delay: float, fn: Callable[..., Any], *args: Any) -> None:
        """Like `after`, for a delay the model uses over and over (a retry spacing, a visibility
        timeout): such entries fall due in the order they are made, so they wait in a FIFO lane per
        delay and only each lane's head sits in the agenda. The order of calls is exactly `after`'s;
        the agenda stays small (a million queued retries would otherwise make every pop slower)."""
        entry = (self.now + (delay if delay > 0.0 else 0.0), next(self._seq), fn, args)
        lane = self._lanes.get(delay)
        if lane is None:
            lane = self._lanes[delay] = deque()
        lane.append(entry)
        if len(lane) == 1:
            heapq.heappush(self._agenda, (entry[0], entry[1], self._lane_head, (lane,)))

    def _lane_head(self, lane: deque[Entry]) -> None:
        _, _, fn, args = lane.popleft()
        if lane:
            t, seq, _, _ = lane[0]
            heapq.heappush(self._agenda, (t, seq, self._lane_head, (lane,)))
        fn(*args)

    def at(self, t: float, fn: Callable[..., Any], *args: Any) -> None:
        """Call fn(*args) at virtual time t (or now, if t is past)."""
        heapq.heappush(self._agenda, (t if t > self.now else self.now, next(self._seq), fn, args))

    def run(self, until: float | None = None) -> None:
        agenda = self._agenda
        pop = heapq.heappop
        while agenda:
            if until is not None and agenda[0][0] > until:
                self.now = until
                return
            t, _, fn, args = pop(agenda)
            self.now = t
            fn(*args)
