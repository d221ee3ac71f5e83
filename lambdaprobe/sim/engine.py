"""The simulation kernel: a virtual clock and an ordered agenda, on simpy.

Behaviour lives in the service model, not here. Callbacks are attached to simpy timeouts directly
rather than run as generator processes: the model's hot paths (one event per attempt start and
end) then cost one heap entry each, which the 1,000,000-event benchmark needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy


class Clock:
    """Schedules callbacks on a virtual clock; same inputs, same order, every run."""

    def __init__(self) -> None:
        self._env = simpy.Environment()

    @property
    def now(self) -> float:
        return float(self._env.now)

    def after(self, delay: float, fn: Callable[..., Any], *args: Any) -> None:
        """Call fn(*args) `delay` virtual seconds from now (ties run in scheduling order)."""
        event = self._env.timeout(max(delay, 0.0))
        event.callbacks.append(lambda _ev: fn(*args))

    def at(self, t: float, fn: Callable[..., Any], *args: Any) -> None:
        self.after(t - self.now, fn, *args)

    def run(self, until: float | None = None) -> None:
        self._env.run(until=until)
