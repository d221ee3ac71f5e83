"""Terminal rendering of a Report: pure renderables per view, and `render_report`, which prints them.

rich is imported here and in the CLI only; the core never sees it.
"""

from __future__ import annotations

from rich.console import Console

from lambdaprobe.render.chart import concurrency_chart
from lambdaprobe.render.rules import relied_on
from lambdaprobe.render.tables import (
    dead_letters_table,
    destinations_table,
    header,
    incomplete_warning,
    notes_list,
    summary_table,
)
from lambdaprobe.render.timeline import timeline
from lambdaprobe.render.versions import versions_table
from lambdaprobe.report import Report

__all__ = ["render_report"]


def render_report(
    report: Report, console: Console, *, max_rows: int = 40, full_records: bool = False, summary_only: bool = False
) -> None:
    """Print the report for a person: header, timeline, concurrency, counts, records, notes."""
    console.print(header(report))
    console.print()
    # A summary-only report read back from a file has counts but no request detail to draw.
    if not summary_only and not (report.summary.requests and not report.requests):
        console.print(timeline(report, max_rows=max_rows))
        console.print()
        console.print(concurrency_chart(report, max_rows=max_rows))
        console.print()
    console.print(summary_table(report))
    versions = versions_table(report)
    if versions is not None:
        console.print()
        console.print(versions)
    if report.dead_letters:
        console.print()
        console.print(dead_letters_table(report, full=full_records))
    if report.destinations:
        console.print()
        console.print(destinations_table(report, full=full_records))
    if report.notes:
        console.print()
        console.print(notes_list(report))
    relied = relied_on(report.rules)
    if relied is not None:
        console.print()
        console.print(relied)
    warning = incomplete_warning(report)
    if warning is not None:
        console.print()
        console.print(warning)
