"""The open-loop schedule: call i leaves at t0 + i * interval whatever earlier calls are doing.

A slow or hung function must not delay the next call, or a concurrency probe measures the driver
instead of Lambda. A scheduler thread hands each call to a pool with one worker per call in flight;
the lag (actual minus scheduled send time) is measured for every call and reported.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
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


def hold_until(due: float, clock: Callable[[], float] = time.monotonic, stop: threading.Event | None = None) -> float:
    """Sleep until `due` (no-op if it has passed, cut short by `stop`); returns the instant it let go."""
    delay = due - clock()
    if delay > 0:
        if stop is not None:
            stop.wait(delay)
        else:
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
    stop: threading.Event | None = None,
    times: Sequence[float] | None = None,
) -> Schedule:
    """Call `send(i, t, due)` for i in 0..count-1, each due at t0 + i * interval_s.

    Each call reaches its worker PREPARE_S early; the sender holds it until `due` (at the last
    moment it can: after signing) and returns when it went on the wire. The lag (wire minus due)
    is measured for every call. Returns when every call has returned. `send` should not raise
    (errors are observations); if it does, the error is kept in `Schedule.errors`.

    Interrupted (Ctrl-C, SIGTERM: an exception in this thread), it sets `stop`, sends nothing more
    and returns at once: the workers are daemon threads that end after their call in flight, and
    nothing waits for them (a Barrier or an executor's join could hang the process for ever).
    """
    workers = max(1, min(max_workers or count, MAX_WORKERS))
    stop = stop if stop is not None else threading.Event()
    schedule = Schedule()
    lags: list[float] = [0.0] * count
    tasks: queue.SimpleQueue[tuple[int, float] | None] = queue.SimpleQueue()
    started = threading.Semaphore(0)
    t0 = 0.0

    def worker(i: int, due: float) -> None:
        try:
            wire = send(i, due - t0, due)
        except Exception as exc:  # a bug must not vanish inside a thread
            schedule.errors.append(" ".join(f"call {i + 1}: {type(exc).__name__}: {exc}".split())[:300])
            return
        lags[i] = (wire if wire is not None else clock()) - due

    def loop() -> None:
        started.release()
        while True:
            task = tasks.get()
            if task is None or stop.is_set():
                return
            worker(*task)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    threads = [threading.Thread(target=loop, name=f"lambdaprobe-drive-{k}", daemon=True) for k in range(workers)]
    try:
        # Start the workers before the clock starts, so no call pays for a thread's creation.
        for thread in threads:
            thread.start()
        for _ in threads:
            started.acquire()
        t0 = clock() + LEAD_S + PREPARE_S
        schedule.t0_wall = time.time() + (t0 - clock())
        for i in range(count):
            due = t0 + (i * interval_s if times is None else times[i])  # times: an --arrivals shape
            delay = due - PREPARE_S - clock()
            if delay > 0:
                sleep(delay)
            if stop.is_set():
                break
            tasks.put((i, due))
        for _ in threads:
            tasks.put(None)
        for thread in threads:
            while thread.is_alive() and not stop.is_set():
                thread.join(0.1)
        if stop.is_set():
            # stopped by a signal whose own exception was lost (Python drops one raised while it
            # runs a finalizer): end as interrupted all the same
            raise KeyboardInterrupt("the stimulus was stopped")
    except BaseException:
        stop.set()  # the calls not yet sent are dropped; the ones in flight end on their own
        raise
    finally:
        sys.setswitchinterval(switch)
    schedule.lags = lags
    return schedule
