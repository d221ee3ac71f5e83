"""Pictures a practitioner would not question: the chart's scale follows the data, a deployment shows
which version ran, overlapping executions get their own lines, narrow terminals break nothing."""

from __future__ import annotations

from rich.console import Console, RenderableType

from lambdaprobe.analysis import analyse
from lambdaprobe.render import render_report
from lambdaprobe.render.chart import concurrency_chart
from lambdaprobe.render.timeline import LEGEND, legend, timeline
from lambdaprobe.report import Report
from lambdaprobe.scenarios import abort, concurrency, deploy_preference, invoke
from lambdaprobe.sim.target import SimTarget


def run(scenario: object) -> Report:
    return analyse(scenario, SimTarget().run(scenario))  # type: ignore[arg-type]


def text(renderable: RenderableType, width: int = 80) -> list[str]:
    console = Console(record=True, width=width, color_system=None)
    console.print(renderable)
    return [line.rstrip() for line in console.export_text().splitlines()]


def chart_rows(report: Report) -> list[str]:
    return [line for line in text(concurrency_chart(report)) if "▕" in line]


def test_the_chart_has_one_row_per_level_up_to_five() -> None:
    assert len(chart_rows(run(invoke.build()))) == 1  # a maximum of 1 is one row, not a 5-row block
    assert len(chart_rows(run(concurrency.build(reserved=2, count=4, duration=5)))) == 2
    assert len(chart_rows(run(concurrency.build(count=20)))) == 5


def test_short_calls_are_drawn_by_how_busy_they_keep_a_column() -> None:
    report = run(deploy_preference.build())  # 0.1 s calls, one a second, on a 7-minute axis
    rows = chart_rows(report)
    assert "mean in flight" in rows[-1]
    bars = rows[-1].split("▕", 1)[1]
    assert "█" not in bars and set(bars) <= set(" ▁▂▃")  # about 10 % busy, not 100 %


def test_a_deployment_shows_which_version_ran_instead_of_identical_rows() -> None:
    report = run(deploy_preference.build())
    console = Console(record=True, width=80, color_system=None)
    render_report(report, console)
    out = console.export_text()
    assert "Which version ran each call (420;" in out
    assert "version 1 " in out and "version 2 " in out
    assert "  final  " not in out  # the per-request rows only with --verbose
    console = Console(record=True, width=80, color_system=None)
    render_report(report, console, verbose=True)
    assert "  final  " in console.export_text()


def test_overlapping_executions_of_one_request_are_drawn_on_their_own_lines() -> None:
    report = run(abort.build(caller="sdk", read_timeout=10, sdk_retries="legacy", duration=30))
    lines = text(timeline(report, detail=False))
    r01 = next(i for i, line in enumerate(lines) if line.startswith("r01"))
    lanes = [line for line in lines[r01 + 1 :] if "└ overlapping" in line]
    assert len(lanes) == 2  # 5 executions, at most 3 at once
    starts = [line.index("░") for line in [lines[r01], *lanes]]
    assert starts == sorted(starts) and len(set(starts)) == 3


def test_the_legend_wraps_between_items_only() -> None:
    for width in (40, 60, 80):
        lines = text(legend(), width)
        joined = "  ".join(lines)
        for glyph, _, label in LEGEND:
            assert f"{glyph} {label}" in joined, (width, lines)
        assert all(len(line) <= width for line in lines)


def test_attempt_numbers_stay_aligned_past_nine() -> None:
    report = run(invoke.build(mode="async", fail="always", count=1))
    from lambdaprobe.render.timeline import attempt_line

    attempt = report.requests[0].attempts[0]
    assert attempt_line(attempt, 12, 2).plain.startswith("#1  ")
