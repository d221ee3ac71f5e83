"""Helpers for the runnable benchmarks: medians of repeated runs, peak memory."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def command_seconds(argv: list[str], runs: int) -> tuple[float, list[float]]:
    def once() -> None:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)

    once()  # warm the file cache; not counted
    return median_seconds(once, runs)


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def verdict(name: str, value: float, target: float, unit: str) -> bool:
    ok = value <= target
    print(f"{name}: {value:.3f} {unit} (target <= {target:g} {unit}) {'OK' if ok else 'MISSED'}")
    sys.stdout.flush()
    return ok
