"""Executions in flight over time, a few rows of block characters under the timeline's axis."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from lambdaprobe.render.frame import Frame, frame_for
from lambdaprobe.report import Report

BLOCKS = " ▁▂▃▄▅▆▇█"


def column_peaks(series: Sequence[tuple[float, int]], frame: Frame) -> list[int]:
    """The highest level reached within each cell, so a one-second spike on a long axis shows."""
    times = getattr(series, "times", None)
    if times is not None:
        return _column_peaks_arrays(times, series.levels, frame)  # type: ignore[attr-defined]
    peaks = [0] * frame.width
    for i, (t, level) in enumerate(series):
        if level <= 0:
            continue
        first = frame.col(t)
        last = frame.col(series[i + 1][0]) if i + 1 < len(series) else first
        # The level ends at the next change; that cell belongs to the next level unless it is
        # also the first one (a step shorter than a cell).
        stop = max(first + 1, last)
        for c in range(first, min(stop, frame.width)):
            peaks[c] = max(peaks[c], level)
    return peaks


def _column_peaks_arrays(times: Sequence[float], levels: Sequence[int], frame: Frame) -> list[int]:
    """`column_peaks` of a series held as sorted times and levels (millions of changes): a cell's
    peak is the highest level set within it or, when nothing changes there, the level carried in."""
    cell = [bisect.bisect_left(range(len(times)), c, key=lambda i: frame.col(times[i])) for c in range(frame.width)]
    cell.append(len(times))
    peaks = []
    for c in range(frame.width):
        lo, hi = cell[c], cell[c + 1]
        level = max(levels[lo:hi]) if hi > lo else (levels[lo - 1] if 0 < lo < len(times) else 0)
        peaks.append(max(level, 0))
    return peaks


def column_means(series: Sequence[tuple[float, int]], frame: Frame) -> list[float]:
    """The time-weighted mean level within each cell: calls much shorter than a cell fill it only
    as much as they keep it busy (peaks would draw 0.1 s calls once a second as a solid block)."""
    cell_s = frame.span_s / max(1, frame.width - 1)
    sums = [0.0] * frame.width
    for i, (t, level) in enumerate(series):
        if level <= 0 or i + 1 >= len(series):
            continue
        end = series[i + 1][0]
        start = t
        while start < end:
            c = min(frame.width - 1, int(start / cell_s))
            cell_end = (c + 1) * cell_s if c < frame.width - 1 else end
            stop = min(end, max(cell_end, start + 1e-12))
            sums[c] += level * (stop - start)
            start = stop
    return [v / cell_s for v in sums]


def typical_run_s(report: Report, sample: int = 1000) -> float:
    """The median execution length of (up to `sample` of) the run's attempts."""
    runs = sorted(
        a.end_s - a.start_s for r in report.requests[:sample] for a in r.attempts
    )
    return runs[len(runs) // 2] if runs else 0.0


def peak(series: Sequence[tuple[float, int]]) -> tuple[int, float]:
    """The maximum level and the first time it was reached."""
    levels = getattr(series, "levels", None)
    if levels is not None and len(levels):
        top = max(levels)
        return (top, series.times[levels.index(top)]) if top > 0 else (0, 0.0)  # type: ignore[attr-defined]
    best, when = 0, 0.0
    for t, level in series:
        if level > best:
            best, when = level, t
    return best, when


@dataclass(frozen=True)
class ConcurrencyChart:
    report: Report
    max_rows: int = 40  # only to share the timeline's gutter
    height: int = 5  # at most: a run that peaks at 2 gets 2 rows, one level a row

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        frame = frame_for(self.report, options.max_width, self.max_rows)
        series = self.report.concurrency
        top, when = peak(series)
        cell_s = frame.span_s / max(1, frame.width - 1)
        averaged = top > 0 and typical_run_s(self.report) < cell_s / 2
        # one row per level up to the height; a mean gets two rows at least, to show its fraction
        height = max(2 if averaged else 1, min(self.height, top))
        levels = column_means(series, frame) if averaged else [float(v) for v in column_peaks(series, frame)]
        eighths = [0 if v <= 0 else max(1, math.ceil(v * height * 8 / top)) for v in levels]
        what = "mean in flight" if averaged else "in flight"
        first = f"max {top} at {when:.1f}s" if top else "max 0"
        labels = {0: first, height - 1: what} if height > 1 else {0: f"{first} {what}"}
        for row in range(height):
            level_base = (height - 1 - row) * 8
            cells = "".join(BLOCKS[min(8, max(0, e - level_base))] for e in eighths)
            label = labels.get(row, "")
            yield Text.assemble((f"{label:>{frame.gutter - 2}} ▕", "dim"), (cells, "blue"))
        yield Text(" " * frame.gutter).append_text(frame.axis_rule("┴"))
        yield Text(" " * frame.gutter).append_text(frame.axis_labels())


def concurrency_chart(report: Report, *, max_rows: int = 40, height: int = 5) -> ConcurrencyChart:
    """The concurrency chart, aligned with `timeline(report, max_rows=max_rows)`."""
    return ConcurrencyChart(report, max_rows, height)
