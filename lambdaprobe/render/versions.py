"""Which version ran, over time: shown when a run executed more than one version (a deployment)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from lambdaprobe.render.frame import frame_for, tick_step
from lambdaprobe.report import Report

BAR_WIDTH = 20


def _starts(report: Report) -> list[tuple[float, str | None]]:
    """Every attempt's start and version (a large run's columns give them without request views)."""
    fields = getattr(report.requests, "attempt_fields", None)
    if fields is not None:
        return list(fields("start", "version"))
    return [(a.start_s, a.version) for r in report.requests for a in r.attempts]


def executed_versions(report: Report, starts: list[tuple[float, str | None]] | None = None) -> list[str]:
    return sorted({v for _, v in (_starts(report) if starts is None else starts) if v is not None})


def versions_table(report: Report, *, buckets: int = 12) -> Table | None:
    """Invocations per version in equal time windows, with the newest version's share as a bar."""
    fields = getattr(report.requests, "attempt_fields", None)
    if fields is not None and len({v for (v,) in fields("version")} - {None}) < 2:
        return None  # a large run's one version, seen without listing its attempts
    starts = _starts(report)
    versions = executed_versions(report, starts)
    if len(versions) < 2:
        return None
    span = max(t for t, _ in starts) or 1.0
    step = tick_step(span, buckets * 8)  # a round window: 30 s, 60 s, 120 s ...
    counts: Counter[tuple[int, str | None]] = Counter((int(t // step), v) for t, v in starts)
    newest = versions[-1]
    table = Table(title="Executed versions over time", title_justify="left", box=None, pad_edge=False)
    table.add_column("window", justify="right", no_wrap=True)
    for v in versions:
        table.add_column(f"v{v}", justify="right")
    table.add_column(f"share of v{newest}", no_wrap=True)
    for window in range(int(span // step) + 1):
        row = [counts[(window, v)] for v in versions]
        total = sum(row) or 1
        share = row[-1] / total
        filled = round(share * BAR_WIDTH)
        bar = Text("█" * filled, style="green") + Text("·" * (BAR_WIDTH - filled), style="dim")
        bar.append(f" {share:4.0%}")
        table.add_row(f"{window * step:g}–{(window + 1) * step:g}s", *map(str, row), bar)
    return table


SHADES = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class VersionStrip:
    """Which version ran each call, on the timeline's axis: one row per version, each column as full
    as that version's share of the calls that started in it (a deployment's answer at a glance)."""

    report: Report
    max_rows: int = 40

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        frame = frame_for(self.report, options.max_width, self.max_rows)
        versions = executed_versions(self.report)
        per_column: list[Counter[str | None]] = [Counter() for _ in range(frame.width)]
        for r in self.report.requests:
            for a in r.attempts:
                per_column[frame.col(a.start_s)][a.version] += 1
        calls = sum(sum(c.values()) for c in per_column)
        title = f"Which version ran each call ({calls:,}; column height: that version's share)"
        yield Text(title, style="bold")
        yield Text(" " * frame.gutter).append_text(frame.axis_labels())
        yield Text(" " * frame.gutter).append_text(frame.axis_rule("┬"))
        for i, version in enumerate(versions):
            cells = "".join(
                SHADES[round(8 * c[version] / total)] if (total := sum(c.values())) else " " for c in per_column
            )
            share = sum(c[version] for c in per_column) / (calls or 1)
            label = f"version {version} {share:4.0%}"
            yield Text.assemble((f"{label:>{frame.gutter - 2}} ▕", "dim"), (cells, STYLES[i % len(STYLES)]))


STYLES = ("blue", "green", "magenta")


def version_strip(report: Report, *, max_rows: int = 40) -> VersionStrip | None:
    return VersionStrip(report, max_rows) if len(executed_versions(report)) > 1 else None
