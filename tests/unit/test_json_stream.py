"""The streamed JSON report is exactly the json module's text of `Report.to_json()`."""

from __future__ import annotations

import json

import pytest

from lambdaprobe.render import json_out
from lambdaprobe.report import Report
from lambdaprobe.scenarios import concurrency, destinations, retry
from tests.helpers import simulate


def reports() -> list[Report]:
    return [
        simulate(concurrency.build(reserved=2, provisioned=1, qualifier="alias", count=6, interval=0.5,
                                   duration=2.0, mode="sync", init=0.3, timeout=None, seed=0)),
        simulate(retry.build(retry.RetryOptions(source="async", dlq="sqs", on_failure="sqs", duration=1.0))),
        simulate(retry.build(retry.RetryOptions(source="sqs", count=12, fail="first:1", batch_size=4))),
        simulate(retry.build(retry.RetryOptions(source="sync", sdk_retries="legacy", read_timeout=1.0,
                                                duration=3.0, fail="never"))),
        simulate(destinations.build(dlq="sns", on_failure="eventbridge", max_retry_attempts=1, duration=0.5,
                                    init=0.3, seed=1)),
    ]


@pytest.mark.parametrize("report", reports(), ids=lambda r: f"{r.probe}-{r.params.get('source', '')}")
def test_streamed_text_is_the_json_modules(report: Report) -> None:
    assert json_out.format(report) == json.dumps(report.to_json(), indent=2) + "\n"


def test_an_empty_report_and_hostile_text() -> None:
    base = reports()[0]
    empty = Report(probe="p", target="sim", params={"x": "é\n\"\x1b"}, summary=base.summary, requests=[],
                   dead_letters=[], destinations=[], concurrency=[], notes=["a\tb"])
    assert json_out.format(empty) == json.dumps(empty.to_json(), indent=2) + "\n"


def test_summary_only_leaves_out_the_detail_and_reads_back() -> None:
    report = reports()[2]
    data = json.loads(json_out.format(report, summary_only=True))
    assert "requests" not in data and "concurrency" not in data
    assert data["omitted"] == ["requests", "concurrency"]
    assert data["summary"] == json.loads(json_out.format(report))["summary"]
    assert Report.from_json(data).summary == report.summary


def test_a_summary_only_report_reads_back_and_renders_its_counts_without_a_timeline() -> None:
    import io

    from rich.console import Console

    from lambdaprobe.render import render_report

    report = reports()[0]
    back = Report.from_json(json.loads(json_out.format(report, summary_only=True)))
    console = Console(file=io.StringIO(), width=100, color_system=None)
    render_report(back, console)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "no requests were sent" not in text
    assert "left out" in text and "Summary" in text
