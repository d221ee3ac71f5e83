"""Rendering of real reports from the simulator: positions on the time axis, markers, truncation."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import time

import pytest
from rich.console import Console, RenderableType

from lambdaprobe.analysis import analyse
from lambdaprobe.function.directive import Directive
from lambdaprobe.render import render_report
from lambdaprobe.render.chart import concurrency_chart
from lambdaprobe.render.json_out import format as json_format
from lambdaprobe.render.tables import dead_letters_table, destinations_table, summary_table
from lambdaprobe.render.timeline import timeline
from lambdaprobe.report import AttemptView, ClientView, Report, RequestView, Summary
from lambdaprobe.scenario import (
    AsyncConfig,
    ConcurrencySpec,
    FunctionSpec,
    Scenario,
    SourceSpec,
    Stimulus,
)
from lambdaprobe.sim.target import SimTarget

WIDTH = 120
BAR_CHARS = "░▓█▒"


def run(sc: Scenario) -> Report:
    return analyse(sc, SimTarget().run(sc))


@pytest.fixture(scope="module")
def retry() -> Report:
    return run(
        Scenario(
            probe="retry",
            function=FunctionSpec(
                timeout_s=60, directive=Directive(duration_s=30, fail="always", init_s=0.3)
            ),
            stimulus=Stimulus(count=1, mode="async"),
            source=SourceSpec(kind="async"),
            async_config=AsyncConfig(dlq="sqs", on_failure="sqs"),
            params=(("source", "async"), ("fail", "always"), ("duration", 30)),
        )
    )


def concurrency_scenario(count: int = 20, **conc: int) -> Scenario:
    return Scenario(
        probe="concurrency",
        function=FunctionSpec(timeout_s=60, directive=Directive(duration_s=20)),
        stimulus=Stimulus(count=count, interval_s=1, mode="sync"),
        concurrency=ConcurrencySpec(**conc),  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def throttled() -> Report:
    return run(concurrency_scenario(reserved=1, provisioned=1))


@pytest.fixture(scope="module")
def unlimited() -> Report:
    return run(concurrency_scenario())


def text_of(renderable: RenderableType, width: int = WIDTH) -> str:
    console = Console(record=True, width=width, color_system=None)
    console.print(renderable)
    return console.export_text()


def report_text(report: Report, width: int = WIDTH, **kw: object) -> str:
    console = Console(record=True, width=width, color_system=None)
    render_report(report, console, **kw)  # type: ignore[arg-type]
    return console.export_text()


def tick_columns(rule_line: str, tick: str) -> list[int]:
    return [i for i, ch in enumerate(rule_line) if ch == tick]


def axis(lines: list[str]) -> tuple[list[int], list[str]]:
    """Tick columns from the ┬ rule and the labels above them, in line order."""
    cols = tick_columns(lines[1], "┬")
    labels = lines[0][cols[0] :].split()
    return cols, labels


def segments(row: str, chars: str) -> list[tuple[int, int]]:
    """(first, last) columns of each run of `chars` in a row."""
    return [(m.start(), m.end() - 1) for m in re.finditer(f"[{chars}]+", row)]


def expected_col(cols: list[int], labels: list[str], t: float) -> float:
    # From the first and last tick: the axis's scale as a reader would measure it.
    t_last = float(labels[len(cols) - 1].rstrip("s"))
    return cols[0] + t * (cols[-1] - cols[0]) / t_last


def test_retry_attempts_are_bars_at_their_times(retry: Report) -> None:
    lines = text_of(timeline(retry)).splitlines()
    cols, labels = axis(lines)
    assert labels[0] == "0s"
    row = next(line for line in lines if line.startswith("r01"))
    bars = segments(row, BAR_CHARS)
    assert len(bars) == 3
    for (first, last), (start, end) in zip(bars, [(0, 30.3), (90.3, 120.3), (240.3, 270.3)], strict=True):
        assert abs(first - expected_col(cols, labels, start)) <= 1
        assert abs(last + 1 - expected_col(cols, labels, end)) <= 1
    # The cold start's init is drawn before the run; the retries ran warm.
    assert row[bars[0][0]] == "░"
    assert "░" not in row[bars[1][0] :]
    # Waiting between attempts is visible, and the dead letter is marked after the last attempt.
    assert set(row[bars[0][1] + 1 : bars[1][0]]) == {"·"}
    assert row[bars[2][1] + 1] == "D"


def test_ticks_are_round_and_spaced(retry: Report, unlimited: Report) -> None:
    for report in (retry, unlimited):
        for width in (80, 100, 140):
            cols, labels = axis(text_of(timeline(report), width).splitlines())
            values = [float(label.rstrip("s")) for label in labels]
            step = values[1] - values[0]
            assert step in (1, 2, 5, 10, 15, 30, 60, 120)
            assert values == [i * step for i in range(len(values))]
            assert min(b - a for a, b in itertools.pairwise(cols)) >= 8
            end = max(max(r.sent_s, *(a.end_s for a in r.attempts)) for r in report.requests)
            assert 0 <= end - values[-1] < 2 * step


def test_sync_throttles_are_marked_at_sent_time(throttled: Report) -> None:
    lines = text_of(timeline(throttled)).splitlines()
    cols, labels = axis(lines)
    rows = {line.split()[0]: line for line in lines if re.match(r"r\d\d ", line)}
    assert len(rows) == 20
    assert "✕" not in rows["r01"]
    for req in throttled.requests[1:]:
        row = rows[req.id]
        assert req.final == "throttled"
        assert row.count("✕") == 1
        assert abs(row.index("✕") - expected_col(cols, labels, req.sent_s)) <= 1
        assert not segments(row, BAR_CHARS)


def test_rows_are_truncated_with_a_count_of_the_rest() -> None:
    report = run(concurrency_scenario(count=100, reserved=5))
    lines = text_of(timeline(report, max_rows=10)).splitlines()
    assert len([line for line in lines if re.match(r"r\d+ ", line)]) == 10
    assert "… 90 more requests (--output json lists them all)" in lines


def big_report(n: int) -> Report:
    requests = [
        RequestView(
            id=f"r{i:06d}",
            sent_s=i * 0.01,
            final="succeeded",
            client=ClientView(200, None, None, 0.2),
            attempts=[AttemptView(1, i * 0.01, i * 0.01 + 0.2, "success", i == 0, 0.1, None, None)],
        )
        for i in range(n)
    ]
    return Report(
        probe="concurrency",
        target="sim",
        params={},
        summary=Summary(requests=n, succeeded=n, attempts=n, max_concurrency=20),
        requests=requests,
        dead_letters=[],
        destinations=[],
        concurrency=[(i * 0.01, 20) for i in range(n)] + [(n * 0.01 + 0.2, 0)],
        notes=[],
    )


def test_a_hundred_thousand_requests_render_only_the_shown_rows() -> None:
    report = big_report(100_000)
    started = time.perf_counter()
    text = report_text(report)
    assert time.perf_counter() - started < 10
    assert "… 99,960 more requests (--output json lists them all)" in text
    assert len(re.findall(r"^r\d{6} ", text, flags=re.M)) == 40
    # The axis covers all requests, not only the shown ones.
    assert "1000s" in text.splitlines()[2] or "960s" in text.splitlines()[2]


def test_short_attempts_on_a_long_axis_stay_visible() -> None:
    short = AttemptView(1, 10.0, 10.1, "error", False, 0.0, "boom", None)
    long_ = AttemptView(1, 0.0, 21600.0, "timeout", True, 2.0, None, None)
    report = dataclasses.replace(
        big_report(0),
        requests=[
            RequestView("a1", 10.0, "failed", None, [short]),
            RequestView("a2", 0.0, "failed", None, [long_]),
        ],
    )
    rows = [line for line in text_of(timeline(report)).splitlines() if line.startswith("a")]
    bars = segments(rows[0], BAR_CHARS)
    assert len(bars) == 1 and bars[0][0] == bars[0][1]
    assert rows[0][bars[0][0]] == "▓"
    # A cold start whose init is far shorter than a cell still shows its init.
    assert re.search("░▒+", rows[1])


def test_json_is_one_object_equal_to_the_contract(retry: Report) -> None:
    out = json_format(retry)
    assert out.endswith("}\n")
    assert json.loads(out) == retry.to_json()
    assert json.loads(out)["schema"] == "lambdaprobe.report/1"


def test_chart_max_label_is_the_summary_max(unlimited: Report, throttled: Report) -> None:
    for report in (unlimited, throttled):
        chart = text_of(concurrency_chart(report))
        labels = re.findall(r"max (\d+) at", chart)
        assert labels == [str(report.summary.max_concurrency)]
    assert unlimited.summary.max_concurrency == 20


def test_chart_shares_the_timeline_axis(unlimited: Report) -> None:
    lines = text_of(timeline(unlimited)).splitlines()
    chart = text_of(concurrency_chart(unlimited)).splitlines()
    rule = next(line for line in chart if "┴" in line)
    assert tick_columns(rule, "┴") == tick_columns(lines[1], "┬")
    # The peak (20 in flight at 19-20 s) is a full column where the timeline is busiest.
    top = chart[0]
    full = [i for i, ch in enumerate(top) if ch == "█"]
    cols, labels = axis(lines)
    assert full and all(abs(c - expected_col(cols, labels, 19.5)) <= 2 for c in full)


def test_detail_lines_show_attempts_and_retry_gaps(retry: Report) -> None:
    lines = [line.strip() for line in text_of(timeline(retry)).splitlines()]
    assert any(
        re.match(r"#1 +0\.0–30\.3s error +\(cold, init 0\.3s\) lambdaprobe: attempt 1", x) for x in lines
    )
    gaps = [x for x in lines if re.fullmatch(r"\+\d+\.\ds", x)]
    assert gaps == ["+60.0s", "+120.0s"]
    order = [
        next(i for i, x in enumerate(lines) if x.startswith(p))
        for p in ("#1", "+60.0s", "#2", "+120.0s", "#3")
    ]
    assert order == sorted(order)
    assert any(x.startswith("dead-lettered → sqs:lambdaprobe-sim-dlq at 270.3s") for x in lines)


def test_detail_is_automatic_only_for_a_few_requests(throttled: Report) -> None:
    assert "#1 " not in text_of(timeline(throttled))
    detailed = text_of(timeline(throttled, max_rows=2, detail=True))
    assert "#1 0.0–20.0s success" in detailed
    assert "→ 429 TooManyRequestsException (ReservedFunctionConcurrentInvocationLimitExceeded)" in detailed


def test_summary_labels_every_count(throttled: Report) -> None:
    text = text_of(summary_table(throttled))
    assert re.search(r"^throttled +19 +\(429 to the caller, never ran\)", text, flags=re.M)
    assert re.search(r"^succeeded +1 *$", text, flags=re.M)
    for field in dataclasses.fields(Summary):
        label = field.name.replace("_", " ").replace("dead lettered", "dead-lettered")
        value = getattr(throttled.summary, field.name)
        assert re.search(rf"^{label} +{value:,}\b", text, flags=re.M), field.name


def test_dead_letters_show_attributes_compactly(retry: Report) -> None:
    text = text_of(dead_letters_table(retry))
    request_id = retry.dead_letters[0].attributes["RequestID"]["StringValue"]
    assert f"\n  RequestID={request_id}\n  ErrorCode=200\n" in text  # one attribute a line: ids stay whole
    assert 'ErrorMessage="lambdaprobe: attempt 3 fails as directed (always)"' in text
    assert "270.3s" in text and "sqs:lambdaprobe-sim-dlq" in text


def test_destination_records_short_and_full(retry: Report) -> None:
    short = text_of(destinations_table(retry))
    assert "270.3s  on_failure → sqs:lambdaprobe-sim-on-failure  ← r01\n" in short
    assert "  condition RetriesExhausted, approximateInvokeCount 3\n" in short
    assert "responsePayload" not in short
    full = text_of(destinations_table(retry, full=True))
    assert '"approximateInvokeCount": 3' in full
    assert '"errorType": "ProbeError"' in full


def test_answer_comes_right_after_the_header_with_its_rule_ids() -> None:
    from lambdaprobe.report import Finding

    report = dataclasses.replace(
        run(concurrency_scenario(reserved=1, provisioned=1)),
        findings=[Finding("19 of 20 throttled", ("concurrency.reserved",)), Finding("plain")],
    )
    lines = [line.rstrip() for line in report_text(report).splitlines()]
    assert lines[2:5] == ["Answer", "  • 19 of 20 throttled  [concurrency.reserved]", "  • plain"]


def test_report_sections_in_order(retry: Report, throttled: Report) -> None:
    text = report_text(retry)
    marks = [
        "lambdaprobe retry --target sim --source async",
        "id  final",
        "max 1 at",
        "Summary",
        # the same failure's DLQ message and destination record, paired and whole
        "DLQ message and destination record, paired (1)",
        "r01: one failure, two messages",
        "DLQ sqs:lambdaprobe-sim-dlq at 270.3s",
        "on-failure sqs:lambdaprobe-sim-on-failure at 270.3s",
        '"approximateInvokeCount": 3',
        "Notes",
        "• assumption:",
    ]
    assert "Dead letters" not in text and "Destination records" not in text  # nothing left unpaired
    positions = [text.index(m) for m in marks]
    assert positions == sorted(positions)
    assert "incomplete" not in text
    plain = report_text(throttled)
    assert "Dead letters" not in plain and "Destination records" not in plain
    broken = report_text(dataclasses.replace(throttled, complete=False, missing=["cloudwatch logs"]))
    assert "incomplete" in broken and "cloudwatch logs" in broken
    assert broken.index("incomplete") > broken.index("Summary")
