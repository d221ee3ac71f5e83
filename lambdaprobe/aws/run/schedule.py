"""The open-loop schedule: call i leaves at t0 + i * interval whatever earlier calls are doing.

A slow or hung function must not delay the next call, or a concurrency probe measures the driver
instead of Lambda. A scheduler thread hands each call to a pool with one worker per call in flight;
the lag (actual minus scheduled send time) is measured for every call and reported.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

MAX_WORKERS = 1000
LEAD_S = 0.05  # the first call is due this far after the pool is ready
# A call is handed to its worker this long before it is due: the worker builds and signs the
# request, then holds it until the due instant, so preparation time is not lag.
PREPARE_S = 0.03
# Hundreds of threads parse responses while the next call is due: with CPython's default 5 ms
# GIL switch interval a due call can wait several intervals for its turn. A shorter interval
# trades a little throughput for punctuality, which is what an open-loop schedule needs.
SWITCH_INTERVAL_S = 0.0005
# send(i, t, due): call i, scheduled at t seconds after the first, to leave at monotonic `due`.
# Returns the monotonic instant its request went on the wire (None: when it was called).
Sender = Callable[[int, float, float], float | None]


def hold_until(due: float, clock: Callable[[], float] = time.monotonic) -> float:
    """Sleep until `due` (no-op if it has passed); returns the instant it let go."""
    delay = due - clock()
    if delay > 0:
        time.sleep(delay)
    return clock()


@dataclass
class Schedule:
    """What the open-loop scheduler measured."""

    t0_wall: float = 0.0
    lags: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        if not self.lags:
            return 0.0
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def open_loop(
    count: int,
    interval_s: float,
    send: Sender,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    max_workers: int | None = None,
    times: Sequence[float] | None = None,
) -> Schedule:
    """Call `send(i, t, due)` for i in 0..count-1, each due at t0 + i * interval_s (or t0 + times[i],
    a traffic shape's sorted send times).

    Each call reaches its worker PREPARE_S early; the sender holds it until `due` (at the last
    moment it can: after signing) and returns when it went on the wire. The lag (wire minus due)
    is measured for every call. Returns when every call has returned. `send` should not raise
    (errors are observations); if it does, the error is kept in `Schedule.errors`.
    """
    workers = max(1, min(max_workers or count, MAX_WORKERS))
    schedule = Schedule()
    lags: list[float] = [0.0] * count
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lambdaprobe-drive")
    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        # Start the workers before the clock starts, so no call pays for a thread's creation.
        ready = threading.Barrier(workers + 1)
        for _ in range(workers):
            pool.submit(ready.wait)
        ready.wait()
        t0 = clock() + LEAD_S + PREPARE_S
        schedule.t0_wall = time.time() + (t0 - clock())

        def worker(i: int, due: float) -> None:
            try:
                wire = send(i, due - t0, due)
            except Exception as exc:  # a bug must not vanish inside a future
                schedule.errors.append(" ".join(f"call {i + 1}: {type(exc).__name__}: {exc}".split())[:300])
                return
            lags[i] = (wire if wire is not None else clock()) - due

        for i in range(count):
            due = t0 + (i * interval_s if times is None else times[i])
            delay = due - PREPARE_S - clock()
            if delay > 0:
                sleep(delay)
            pool.submit(worker, i, due)
        pool.shutdown(wait=True)
    except BaseException:
        # Ctrl-C: drop the calls not yet sent instead of sending the rest of the schedule
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        sys.setswitchinterval(switch)
    schedule.lags = lags
    return schedule
