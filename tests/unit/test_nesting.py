"""Deep JSON from outside (a function's message, a report file) never overflows a renderer."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

from lambdaprobe.aws.observe.log_parse import parse_probe_line
from lambdaprobe.aws.observe.message_parse import dead_letter_from_message
from lambdaprobe.aws.plan.records import Watch
from lambdaprobe.nesting import MAX_DEPTH, TOO_DEEP, bounded, too_deep
from lambdaprobe.observation import DeadLetter, DestinationRecord
from lambdaprobe.render import render_report
from lambdaprobe.render.plain import safe_report
from lambdaprobe.report import Report, Summary


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value] if depth % 2 else {"k": value}
    return value


def test_depth_is_measured_without_recursion() -> None:
    assert not too_deep(nested(MAX_DEPTH)) and too_deep(nested(MAX_DEPTH + 1))
    assert too_deep(nested(100_000))  # far past the interpreter's recursion limit
    assert bounded(nested(3)) == nested(3) and bounded(nested(500)) == TOO_DEEP


def test_a_hostile_message_or_log_line_stays_text() -> None:
    deep = "[" * 5000 + "]" * 5000
    watch = Watch("dlq_url", "dead_letter", "sqs:x", "sqs")
    dead = dead_letter_from_message({"Body": deep, "MessageAttributes": {}}, watch, 0.0, 1.0)
    assert dead.body == deep  # kept as the text it was
    assert parse_probe_line('{"lambdaprobe": "start", "x": ' + deep + "}") is None


def test_a_report_holding_deep_values_renders_with_placeholders() -> None:
    report = Report(
        probe="retry",
        target="aws",
        params={},
        summary=Summary(),
        requests=[],
        dead_letters=[DeadLetter(1.0, "sqs:q", nested(900), {"a": nested(900)})],
        destinations=[DestinationRecord(1.0, "on_failure", "sqs:d", {"r": nested(900)})],
        concurrency=[],
        notes=[],
    )
    console = Console(record=True, width=120, markup=False)
    render_report(safe_report(report, 40), console, full_records=True)
    assert TOO_DEEP in console.export_text()
    json.dumps(safe_report(report, 40).dead_letters[0].body)  # nothing deep is left
