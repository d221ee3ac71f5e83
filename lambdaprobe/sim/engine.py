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

# (time, seq, fn, args), or (time, seq, fn, args, lane key) for an entry queued in a lane.
Entry = tuple[Any, ...]


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
        self.at_in_lane(self.now + (delay if delay > 0.0 else 0.0), delay, fn, *args)

    def at_in_lane(self, t: float, key: float, fn: Callable[..., Any], *args: Any) -> None:
        """Like `at`, queued in the FIFO lane `key` (in practice the delay t - now, computed the same
        way each time, so that a later call never falls due earlier). Should one fall due before the
        lane's tail all the same, it goes straight to the agenda: the order is `at`'s either way."""
        if t < self.now:
            t = self.now
        # A lane entry carries its lane's key as a fifth element: `run` finds the next head by it
        # (the lane itself would make a reference cycle). Entries compare on (time, seq) only.
        entry = (t, next(self._seq), fn, args, key)
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = deque()
        elif lane and lane[-1][0] > t:
            heapq.heappush(self._agenda, entry[:4])
            return
        lane.append(entry)
        if len(lane) == 1:
            heapq.heappush(self._agenda, entry)

    def at(self, t: float, fn: Callable[..., Any], *args: Any) -> None:
        """Call fn(*args) at virtual time t (or now, if t is past)."""
        heapq.heappush(self._agenda, (t if t > self.now else self.now, next(self._seq), fn, args))

    def run(self, until: float | None = None, tick: Callable[[], Any] | None = None, every: int = 65536) -> None:
        """Run the agenda (up to `until`), calling `tick()` after every `every` events: the run's
        records are compacted and its progress shown there."""
        countdown = every if tick is not None else -1
        agenda = self._agenda
        lanes = self._lanes
        pop = heapq.heappop
        replace = heapq.heapreplace
        horizon = float("inf") if until is None else until
        while agenda:
            entry = agenda[0]
            t = entry[0]
            if t > horizon:
                self.now = horizon
                return
            if len(entry) == 5:  # a lane's head: its successor takes its place in one sift
                lane = lanes[entry[4]]
                lane.popleft()
                if lane:
                    replace(agenda, lane[0])
                else:
                    pop(agenda)
            else:
                pop(agenda)
            self.now = t
            entry[2](*entry[3])
            countdown -= 1
            if not countdown:
                tick()  # type: ignore[misc]  # countdown reaches 0 only with a tick
                countdown = every
