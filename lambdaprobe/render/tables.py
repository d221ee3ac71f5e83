"""The header, summary counts, dead letters, destination records and notes."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

from rich.console import Console, ConsoleOptions, OverflowMethod, RenderableType, RenderResult
from rich.padding import Padding
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


# Flags whose "off" form is the one worth printing (the option's default is on).
NEGATIVE_FLAGS = {"mount_target": "--no-mount-target", "decrypt_permission": "--without-decrypt-permission"}


def flags(params: dict[str, Any]) -> list[str]:
    """The run's parameters as flags that can be pasted back (`--max-retry-attempts 2`)."""
    out: list[str] = []
    for key, value in params.items():
        name = "--" + key.replace("_", "-")
        if value is None or value == "created":
            continue  # not given (or made by the run): the default applies again
        if isinstance(value, bool):
            if value and key not in NEGATIVE_FLAGS:
                out.append(name)
            elif not value and key in NEGATIVE_FLAGS:
                out.append(NEGATIVE_FLAGS[key])
            continue
        text = compact_json(value) if not isinstance(value, str) else value
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        out.append(f"{name} {shlex.quote(text)}")
    return out


def header(report: Report) -> Text:
    """`lambdaprobe PROBE --target T --flag value ...`: the command line that repeats this run."""
    text = Text()
    text.append("lambdaprobe ", style="bold")
    text.append(report.probe, style="bold cyan")
    text.append(f" --target {report.target}", style="bold")
    for flag in flags(report.params):
        text.append(" ")
        text.append(flag, style="dim")
    return text


def answer_block(report: Report) -> Table | None:
    """The probe's answer: 1 to 4 plain lines, each with the ids of the rules behind it."""
    if not report.findings:
        return None
    table = Table.grid(padding=(0, 1))
    table.title, table.title_justify, table.title_style = "Answer", "left", "bold"
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for finding in report.findings:
        line = Text(finding.text)
        if finding.rules:
            line.append(f"  [{', '.join(finding.rules)}]", style="dim")
        table.add_row("  •", line)
    return table


def summary_table(report: Report) -> Table:
    table = _titled("Summary")
    table.show_header = False
    table.add_column("count", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)  # a number is never cut to "1…"
    table.add_column("meaning", style="dim")
    counted = getattr(report.requests, "attempt_count", None)  # a large run's columns count at once
    tries = counted() if counted is not None else sum(len(r.attempts) for r in report.requests)
    for field, label, meaning in SUMMARY_ROWS:
        value: int = getattr(report.summary, field)
        if field == "attempts" and tries != value:
            # batches: one execution served several requests, and each request's row counts it
            meaning = f"handler executions; a batch counts once, the rows' {tries:,} count each request's tries"
        table.add_row(label, f"{value:,}", f"({meaning})" if meaning else "")
    return table


def attribute_value(value: Any) -> str:
    """An SQS (`StringValue`) or SNS (`Value`) message attribute's value, or the value as given."""
    if isinstance(value, dict):
        for key in ("StringValue", "Value", "stringValue"):
            if key in value:
                return str(value[key])
    return compact_json(value)


def _attribute_parts(attributes: dict[str, Any]) -> list[str]:
    parts = []
    for key in ("RequestID", "ErrorCode", "ErrorMessage"):
        if key in attributes:
            value = attribute_value(attributes[key])
            if key == "ErrorMessage":
                value = json.dumps(shorten(value, ERROR_MESSAGE_MAX))
            parts.append(f"{key}={value}")
    first = ("RequestID", "ErrorCode", "ErrorMessage")
    parts.extend(f"{k}={attribute_value(v)}" for k, v in attributes.items() if k not in first)
    return parts


@dataclass(frozen=True)
class DeadLetters:
    """Dead letters as lines, not a table: the queue name, the body, and one attribute a line, so a
    narrow terminal never folds a queue name or an id in the middle. `full` prints each body whole."""

    report: Report
    full: bool = False

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(f"Dead letters ({len(self.report.dead_letters):,})", style="bold")
        for d in self.report.dead_letters:
            head = Text(f"{d.t:.1f}s  ")
            head.append(d.queue)
            if d.request_id:
                head.append(f"  ← {d.request_id}", style="dim")
            yield head
            if self.full:
                body = Text(json.dumps(d.body, indent=2, default=str))
            else:
                body = Text(shorten(compact_json(d.body), max(20, options.max_width - 4)), no_wrap=True)
            yield Padding(body, (0, 0, 0, 2))
            for part in _attribute_parts(d.attributes):
                overflow: OverflowMethod = "fold" if self.full else "ellipsis"
                yield Text(f"  {part}", style="dim", no_wrap=not self.full, overflow=overflow)


def dead_letters_table(report: Report, *, full: bool = False) -> DeadLetters:
    """The dead letters (kept under this name for callers); see DeadLetters."""
    return DeadLetters(report, full)


@dataclass(frozen=True)
class DestinationRecords:
    """Destination records as lines: where and when, the condition and count, then the record
    (shortened to the line, or whole with `full`). Nothing is squeezed into columns."""

    report: Report
    full: bool = False

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(f"Destination records ({len(self.report.destinations):,})", style="bold")
        for rec in self.report.destinations:
            ctx = rec.record.get("requestContext", {}) if isinstance(rec.record, dict) else {}
            head = Text(f"{rec.t:.1f}s  {rec.kind} → ")
            head.append(rec.target)
            if rec.request_id:
                head.append(f"  ← {rec.request_id}", style="dim")
            yield head
            yield Text(
                f"  condition {ctx.get('condition', '?')}, approximateInvokeCount "
                f"{ctx.get('approximateInvokeCount', '?')}",
                style="dim",
            )
            if self.full:
                yield Padding(Text(json.dumps(rec.record, indent=2, default=str)), (0, 0, 0, 2))
            else:
                width = max(20, options.max_width - 2)
                yield Text("  " + shorten(compact_json(rec.record), min(RECORD_MAX, width)), no_wrap=True)


def destinations_table(report: Report, *, full: bool = False) -> RenderableType:
    """The destination records (kept under this name for callers); see DestinationRecords."""
    return DestinationRecords(report, full)


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
