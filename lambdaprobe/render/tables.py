"""The header, summary counts, dead letters, destination records and notes."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lambdaprobe.report import Report

BODY_MAX = 60
RECORD_MAX = 70
ERROR_MESSAGE_MAX = 50

# What each count means, from the report contract (report.py), in the reader's words.
SUMMARY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("requests", "requests", "stimuli sent"),
    ("succeeded", "succeeded", ""),
    ("failed", "failed", "failed, dead-lettered or expired"),
    ("throttled", "throttled", "429 to the caller, never ran"),
    ("throttle_events", "throttle events", "every throttle decision, internal requeues included"),
    ("attempts", "attempts", "handler executions, timeouts and duplicates included"),
    ("cold_starts", "cold starts", "executions that started a new environment"),
    ("max_concurrency", "max concurrency", "most executions in flight at once"),
    ("dead_lettered", "dead-lettered", "messages seen in dead-letter queues"),
    ("destination_records", "destination records", "records seen at destinations"),
)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compact_json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), default=str)


def header(report: Report) -> Text:
    text = Text()
    text.append("lambdaprobe ", style="bold")
    text.append(report.probe, style="bold cyan")
    text.append(" on ", style="dim")
    text.append(report.target, style="bold")
    for key, value in report.params.items():
        text.append("  ")
        text.append(f"{key}=", style="dim")
        text.append(compact_json(value))
    return text


def summary_table(report: Report) -> Table:
    table = _titled("Summary")
    table.show_header = False
    table.add_column("count")
    table.add_column("n", justify="right")
    table.add_column("meaning", style="dim")
    for field, label, meaning in SUMMARY_ROWS:
        value: int = getattr(report.summary, field)
        table.add_row(label, f"{value:,}", f"({meaning})" if meaning else "")
    return table


def attribute_value(value: Any) -> str:
    """An SQS (`StringValue`) or SNS (`Value`) message attribute's value, or the value as given."""
    if isinstance(value, dict):
        for key in ("StringValue", "Value", "stringValue"):
            if key in value:
                return str(value[key])
    return compact_json(value)


def attributes_line(attributes: dict[str, Any]) -> str:
    parts = []
    for key in ("RequestID", "ErrorCode", "ErrorMessage"):
        if key in attributes:
            value = attribute_value(attributes[key])
            if key == "ErrorMessage":
                value = json.dumps(shorten(value, ERROR_MESSAGE_MAX))
            parts.append(f"{key}={value}")
    parts.extend(
        f"{k}={attribute_value(v)}"
        for k, v in attributes.items()
        if k not in ("RequestID", "ErrorCode", "ErrorMessage")
    )
    return " ".join(parts)


def dead_letters_table(report: Report, *, full: bool = False) -> Table:
    """Dead letters; `full` prints each body (the original event) whole."""
    table = _titled(f"Dead letters ({len(report.dead_letters):,})")
    table.add_column("t", justify="right", no_wrap=True)
    table.add_column("queue", no_wrap=True)
    table.add_column("body / attributes", overflow="fold")
    for d in report.dead_letters:
        table.add_row(
            f"{d.t:.1f}s",
            d.queue,
            Text(json.dumps(d.body, indent=2, default=str) if full else shorten(compact_json(d.body), BODY_MAX)).append(
                "\n" + attributes_line(d.attributes), style="dim"
            ),
        )
    return table


def destinations_table(report: Report, *, full: bool = False) -> RenderableType:
    """Destination records; `full` adds each record's whole JSON under the table."""
    rows = []
    for rec in report.destinations:
        ctx = rec.record.get("requestContext", {}) if isinstance(rec.record, dict) else {}
        rows.append(
            (
                f"{rec.t:.1f}s",
                rec.kind,
                rec.target,
                str(ctx.get("condition", "")),
                str(ctx.get("approximateInvokeCount", "")),
            )
        )
    table = _titled(f"Destination records ({len(report.destinations):,})")
    table.add_column("t", justify="right", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("target", no_wrap=True)
    table.add_column("condition", no_wrap=True)
    table.add_column("invokes", justify="right", no_wrap=True)
    if not full:
        # The only column rich may narrow first (wrapable), its text cut rather than wrapped.
        table.add_column("record")
    for rec, row in zip(report.destinations, rows, strict=True):
        if full:
            table.add_row(*row)
        else:
            record = Text(shorten(compact_json(rec.record), RECORD_MAX), no_wrap=True, overflow="ellipsis")
            table.add_row(*row, record)
    if not full:
        return table
    records = [
        Text.assemble(
            (f"#{i} {rec.kind} → {rec.target} at {rec.t:.1f}s\n", "bold"),
            json.dumps(rec.record, indent=2, default=str),
        )
        for i, rec in enumerate(report.destinations, 1)
    ]
    return Group(table, *records)


def _titled(title: str) -> Table:
    return Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=None,
        padding=(0, 2, 0, 0),
        header_style="bold dim",
    )


def notes_list(report: Report) -> Table:
    table = Table.grid(padding=(0, 1))
    table.title, table.title_justify, table.title_style = "Notes", "left", "bold"
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for note in report.notes:
        table.add_row("  •", Text(note))  # plain: notes cite rule ids in brackets, not markup
    return table


def incomplete_warning(report: Report) -> Text | None:
    if report.complete:
        return None
    missing = ", ".join(report.missing) if report.missing else "unknown"
    text = Text("⚠ incomplete: ", style="bold yellow")
    text.append(f"some observations were not collected ({missing}); counts may be low", style="yellow")
    return text
