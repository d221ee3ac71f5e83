"""The geometry the timeline and the concurrency chart share, so their columns line up.

Both views call `frame_for` with the same report, width and row limit and get the same gutter and
time axis. The axis is computed from every request in one pass (cheap at 100,000 requests); only
the gutter looks at the rows that will be shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from lambdaprobe.report import Report

FINAL_W = len("dead_lettered")
ID_MAX_W = 12
MIN_BAR_W = 10
# Label spacing: wide enough that "1200s" labels never touch.
MIN_TICK_COLS = 10
# Tick steps in seconds that read as round numbers of seconds and minutes.
_STEPS = (
    0.001,
    0.002,
    0.005,
    0.01,
    0.02,
    0.05,
    0.1,
    0.2,
    0.5,
    1,
    2,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    10800,
    21600,
    43200,
    86400,
)


@dataclass(frozen=True)
class Frame:
    id_w: int
    att_w: int
    cold_w: int
    width: int  # cells of the time axis
    span_s: float  # the time at the last cell

    @property
    def gutter(self) -> int:
        """Characters left of the time axis: id, final, attempts, cold, and their separators."""
        return self.id_w + 1 + FINAL_W + 1 + self.att_w + 1 + self.cold_w + 1

    def col(self, t: float) -> int:
        """The cell holding time t; the last event of the run lands on the last cell."""
        c = int(t * (self.width - 1) / self.span_s)
        return min(self.width - 1, max(0, c))

    def ticks(self) -> list[tuple[int, int, str]]:
        """(tick cell, label cell, label) at a round step.

        A label that would run off the end is pulled left to end on the last cell, so the final
        tick is named too; it is dropped only if that would make it touch the previous label.
        """
        step = tick_step(self.span_s, self.width)
        out: list[tuple[int, int, str]] = []
        free = 0
        k = 0
        while k * step <= self.span_s + 1e-9:
            t = k * step
            label = tick_label(t, step)
            c = self.col(t)
            at = min(c, self.width - len(label))
            if at >= free:
                out.append((c, at, label))
                free = at + len(label) + 1
            k += 1
        return out

    def axis_labels(self) -> Text:
        cells = [" "] * self.width
        for _, at, label in self.ticks():
            cells[at : at + len(label)] = label
        return Text("".join(cells), style="dim")

    def axis_rule(self, tick: str) -> Text:
        cells = ["─"] * self.width
        for c, _, _ in self.ticks():
            cells[c] = tick
        return Text("".join(cells), style="dim")


def tick_step(span_s: float, width: int) -> float:
    per_col = span_s / max(1, width - 1)
    for step in _STEPS:
        if step / per_col >= MIN_TICK_COLS:
            return float(step)
    step = float(_STEPS[-1])
    while step / per_col < MIN_TICK_COLS:
        step *= 2
    return step


def time_extent(report: Report) -> float:
    """The last moment anything happened: an attempt ended, a caller was answered, a record landed."""
    t = 0.0
    extent = getattr(report.requests, "time_extent", None)  # a large run's columns answer at once
    requests = () if extent is not None else report.requests
    if extent is not None:
        t = extent()
    for r in requests:
        t = max(t, r.sent_s)
        for a in r.attempts:
            t = max(t, a.end_s)
        if r.client is not None:
            t = max(t, r.sent_s + r.client.latency_s)
    for d in report.dead_letters:
        t = max(t, d.t)
    for rec in report.destinations:
        t = max(t, rec.t)
    if report.concurrency:
        t = max(t, report.concurrency[-1][0])
    return t


def frame_for(report: Report, total_width: int, max_rows: int) -> Frame:
    shown = report.requests[:max_rows]
    id_w = min(ID_MAX_W, max((len(r.id) for r in shown), default=2))
    id_w = max(id_w, 2)
    att_w = max(3, max((len(str(len(r.attempts))) for r in shown), default=1))
    cold_w = len("cold")
    probe = Frame(id_w, att_w, cold_w, MIN_BAR_W, 1.0)
    width = max(MIN_BAR_W, total_width - probe.gutter)
    # A run where nothing took time (one throttled call) still needs a non-zero axis.
    span = time_extent(report) or 1.0
    return Frame(id_w, att_w, cold_w, width, span)


def tick_label(t: float, step: float) -> str:
    """Seconds on short axes; minutes or hours once the steps are whole minutes or hours."""
    if step >= 3600 and step % 3600 == 0:
        return f"{round(t / 3600)}h"
    if step >= 600 and step % 60 == 0:
        return f"{round(t / 60)}m"
    return f"{round(t)}s" if step >= 1 else f"{round(t, 6):g}s"
