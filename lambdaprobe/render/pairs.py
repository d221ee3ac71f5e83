"""A failed event's two messages, paired: what its DLQ got (the original event, with attributes) beside
what its on-failure destination got (the invocation record). Side by side when the terminal is wide
enough for both, one above the other otherwise, so no id or ARN is broken across lines."""

from __future__ import annotations

import json
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lambdaprobe.observation import DeadLetter, DestinationRecord
from lambdaprobe.render.tables import attribute_value
from lambdaprobe.report import Report

SIDE_BY_SIDE_MIN = 120  # columns: two JSON documents with ARNs, unbroken


@dataclass(frozen=True)
class Pair:
    request: str
    dead_letter: DeadLetter
    record: DestinationRecord


def pairs(report: Report) -> list[Pair]:
    """Each request whose failure reached both a DLQ and an on-failure destination."""
    records = {r.request_id: r for r in report.destinations if r.kind == "on_failure" and r.request_id}
    return [
        Pair(d.request_id, d, records[d.request_id])
        for d in report.dead_letters
        if d.request_id and d.request_id in records
    ]


def _dlq_side(d: DeadLetter) -> Text:
    text = Text(f"DLQ {d.queue} at {d.t:.1f}s\n", style="bold")
    text.append("the original event, as sent:\n", style="dim")
    text.append(json.dumps(d.body, indent=2, default=str))
    text.append("\nwith message attributes:\n", style="dim")
    for key, value in d.attributes.items():
        text.append(f"  {key} = {attribute_value(value)}\n")
    return text


def _record_side(r: DestinationRecord) -> Text:
    text = Text(f"on-failure {r.target} at {r.t:.1f}s\n", style="bold")
    text.append("the invocation record (event, error, count):\n", style="dim")
    text.append(json.dumps(r.record, indent=2, default=str))
    return text


def print_pairs(report: Report, console: Console) -> None:
    """Side by side on a wide terminal; otherwise one above the other, soft-wrapped, so the terminal
    folds a long ARN for display and a copy of it stays whole."""
    found = pairs(report)
    console.print(Text(f"DLQ message and destination record, paired ({len(found):,})", style="bold"))
    for pair in found:
        console.print(Text(f"{pair.request}: one failure, two messages", style="bold cyan"))
        if console.width >= SIDE_BY_SIDE_MIN:
            table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=False)
            table.add_column(overflow="fold", ratio=1)
            table.add_column(overflow="fold", ratio=1)
            table.add_row(_dlq_side(pair.dead_letter), _record_side(pair.record))
            console.print(table)
        else:
            console.print(_dlq_side(pair.dead_letter), soft_wrap=True)
            console.print(_record_side(pair.record), soft_wrap=True)
