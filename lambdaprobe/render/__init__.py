"""Terminal rendering of a Report: pure renderables per view, and `render_report`, which prints them.

rich is imported here and in the CLI only; the core never sees it.
"""

from __future__ import annotations

from dataclasses import replace

from rich.console import Console

from lambdaprobe.render.chart import concurrency_chart
from lambdaprobe.render.pairs import pairs, print_pairs
from lambdaprobe.render.rules import relied_on
from lambdaprobe.render.tables import (
    answer_block,
    dead_letters_table,
    destinations_table,
    header,
    incomplete_warning,
    notes_list,
    summary_table,
)
from lambdaprobe.render.timeline import timeline
from lambdaprobe.render.versions import version_strip, versions_table
from lambdaprobe.report import Report

__all__ = ["render_answer", "render_report"]


def render_answer(report: Report, console: Console) -> None:
    """Only the answer (`--quiet`); a report without findings says where to look instead."""
    answer = answer_block(report)
    if answer is None:
        console.print("Answer: this probe states no finding; see the full report.", markup=False)
    else:
        console.print(answer)
    warning = incomplete_warning(report)
    if warning is not None:
        console.print(warning)


def render_report(
    report: Report, console: Console, *, max_rows: int = 40, full_records: bool = False, verbose: bool = False,
    summary_only: bool = False,
) -> None:
    """Print the report for a person: header, the answer, timeline, concurrency, counts, records, notes.

    `verbose` prints every shown request's attempts line by line (by default only for 3 requests or fewer).
    `summary_only` leaves out the per-request pictures (timeline, version strip, chart).
    """
    # soft-wrapped: the terminal folds it, so a copy pastes back as one command line
    console.print(header(report), soft_wrap=True)
    answer = answer_block(report)
    if answer is not None:
        console.print()
        console.print(answer)
    console.print()
    # A summary-only report read back from a file has counts but no request detail to draw.
    if not summary_only and not (report.summary.requests and not report.requests):
        strip = version_strip(report, max_rows=max_rows)
        if strip is not None:
            # a deployment: which version ran is the picture; the per-request rows only with --verbose
            console.print(strip)
            console.print()
        if strip is None or verbose:
            console.print(timeline(report, max_rows=max_rows, detail=True if verbose else None))
            console.print()
        console.print(concurrency_chart(report, max_rows=max_rows))
        console.print()
    console.print(summary_table(report))
    versions = versions_table(report)
    if versions is not None:
        console.print()
        console.print(versions)
    together = pairs(report)
    if together:
        # a DLQ message and a destination record of the same failure are shown side by side, whole
        console.print()
        print_pairs(report, console)
        shown_dead = {id(p.dead_letter) for p in together}
        shown_records = {id(p.record) for p in together}
        report = replace(
            report,
            dead_letters=[d for d in report.dead_letters if id(d) not in shown_dead],
            destinations=[d for d in report.destinations if id(d) not in shown_records],
        )
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
