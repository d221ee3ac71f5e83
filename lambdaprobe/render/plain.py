"""Text from outside (AWS, a function, a report file) made safe to print: plain, one line, inert.

Rich would read `[bold]` or `[link=...]` in such text as markup, and a terminal would obey an ESC
sequence (retitle the window, clear the screen). Everything rendered from those sources goes
through `plain` (a str to print) or `text` (a rich Text, never parsed as markup).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from rich.text import Text

from lambdaprobe.nesting import TOO_DEEP, bounded, too_deep
from lambdaprobe.observation import DeadLetter, DestinationRecord
from lambdaprobe.report import AttemptView, ClientView, Report, RequestView

# C0 and C1 controls, DEL; tab and newline are handled by the caller's choice of `keep`
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    return {"\t": " ", "\n": "\n"}.get(ch, f"\\x{ord(ch):02x}")


def plain(value: object, *, newlines: bool = False) -> str:
    """`value` as text with every control character shown as `\\xNN` (newlines kept if asked)."""
    text = str(value)
    if not newlines:
        text = text.replace("\n", "\\n")
    return _CONTROL.sub(_escape, text)


def text(value: object, style: str = "", *, newlines: bool = False) -> Text:
    """`value` as a rich Text: printed as it is, never read as markup."""
    return Text(plain(value, newlines=newlines), style=style)


def _clean(value: Any, newlines: bool = False) -> Any:
    """Every string in `value` (keys too, at any depth) made plain; other values as they are."""
    if isinstance(value, str):
        return plain(value, newlines=newlines) if _CONTROL.search(value) else value
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _opt(value: str | None) -> str | None:
    return None if value is None else _clean(value)


def _request(r: RequestView) -> RequestView:
    client = r.client
    safe_client = None
    if client is not None:
        safe_client = ClientView(
            client.status,
            _opt(client.error),
            _opt(client.reason),
            client.latency_s,
            _opt(client.message),
            _opt(client.error_type),
        )
    attempts = [
        AttemptView(
            a.n,
            a.start_s,
            a.end_s,
            a.outcome,
            a.cold,
            a.init_s,
            _opt(a.error),
            a.receive_count,
            a.billed_ms,
            _opt(a.version),
        )
        for a in r.attempts
    ]
    return RequestView(_clean(r.id), r.sent_s, r.final, safe_client, attempts, r.throttles)


def _attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """Message attributes, or one placeholder attribute in their place when they nest too deep."""
    return {"attributes": TOO_DEEP} if too_deep(attributes) else attributes


def safe_report(report: Report, max_rows: int) -> Report:
    """The report with every string it got from outside made plain (`plain`), for a terminal.

    Requests past `max_rows` are not shown in a table, so they are passed as they are (a report of a
    million requests is not copied). Markup needs no escaping here: the report's console reads none.
    """
    # A large simulator run's views are made when read and hold only the model's own text: they are
    # left lazy (cleaning them would make a million views); reports from files and AWS are lists.
    requests: Sequence[RequestView] = report.requests
    if isinstance(requests, list):
        requests = [_request(r) for r in requests[:max_rows]] + requests[max_rows:]
    return dataclasses.replace(
        report,
        probe=_clean(report.probe),
        target=_clean(report.target),
        params=_clean(bounded(report.params)),
        requests=requests,
        dead_letters=[
            DeadLetter(
                d.t,
                _clean(d.queue),
                _clean(bounded(d.body), True),
                _clean(_attributes(d.attributes)),
                _opt(d.request_id),
            )
            for d in report.dead_letters
        ],
        destinations=[
            DestinationRecord(d.t, d.kind, _clean(d.target), _clean(bounded(d.record), True), _opt(d.request_id))
            for d in report.destinations
        ],
        notes=[_clean(n) for n in report.notes],
        # an answer can quote what a function or AWS said (an error message, a feature's result)
        findings=[dataclasses.replace(f, text=_clean(f.text)) for f in report.findings],
        missing=[_clean(m) for m in report.missing],
        leftovers=[_clean(m) for m in report.leftovers],
        rules=[_clean(r) for r in report.rules],
    )
