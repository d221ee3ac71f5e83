"""Why the simulator's kernel is a bare heap rather than simpy: cost per scheduled event.

Schedules 1,000 chains of 1,000 callbacks each (1,000,000 events, an agenda of ~1,000 entries, as in
a busy run) on simpy (Timeout + callback, its cheapest path) and on lambdaprobe's Clock.
Run: python benchmarks/bench_kernel.py
"""

from __future__ import annotations

import statistics
import time
from typing import cast

import simpy

from lambdaprobe.sim.engine import Clock

CHAINS, LINKS = 1000, 1000


def on_clock() -> float:
    clock = Clock()

    def link(i: int, k: int) -> None:
        if k:
            clock.after(1.0 + i * 1e-6, link, i, k - 1)

    for i in range(CHAINS):
        clock.after(i * 0.01, link, i, LINKS - 1)
    start = time.perf_counter()
    clock.run()
    return time.perf_counter() - start


def on_simpy() -> float:
    env = simpy.Environment()

    def link(event: simpy.Timeout) -> None:
        i, k = cast(tuple[int, int], event.value)
        if k:
            env.timeout(1.0 + i * 1e-6, (i, k - 1)).callbacks.append(link)

    for i in range(CHAINS):
        env.timeout(i * 0.01, (i, LINKS - 1)).callbacks.append(link)
    start = time.perf_counter()
    env.run()
    return time.perf_counter() - start


def main() -> None:
    events = CHAINS * LINKS
    ours = statistics.median(on_clock() for _ in range(3))
    theirs = statistics.median(on_simpy() for _ in range(3))
    print(f"lambdaprobe Clock: {ours / events * 1e6:.2f} µs/event ({ours:.2f} s for {events:,})")
    print(f"simpy Timeout+callback: {theirs / events * 1e6:.2f} µs/event ({theirs:.2f} s)")
    print(f"ratio: simpy costs {theirs / ours:.1f}x per event")


if __name__ == "__main__":
    main()
