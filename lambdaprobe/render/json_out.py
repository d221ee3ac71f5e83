"""The JSON form of a report: exactly one object, the CI contract (schema `lambdaprobe.report/1`).

Written as it is made: a million requests' report is never held as one string or one object tree.
The text is exactly `json.dumps(report.to_json(), indent=2)`'s; each request is formatted from a
fixed template, which is several times faster than the json module's indented encoder (pure Python).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from json.encoder import encode_basestring_ascii as _string
from typing import Any, TextIO

from lambdaprobe.report import AttemptLike, Report, RequestView, rounded

# Keys a summary-only report leaves out: per-request detail and the concurrency series (one point
# per change: millions at production scale).
OMITTED_WHEN_SUMMARY_ONLY = ("requests", "concurrency")


def format(report: Report, summary_only: bool = False) -> str:
    """The report as one JSON object and a newline, nothing else: what `--output json` prints."""
    buffer = io.StringIO()
    write(report, buffer.write, summary_only=summary_only)
    return buffer.getvalue()


def write(report: Report, out: Callable[[str], Any] | TextIO, *, summary_only: bool = False,
          progress: Callable[[int], None] | None = None) -> None:
    """Write the report's JSON through `out` (a file's `write`, or a file), request by request."""
    emit: Callable[[str], Any] = out.write if not callable(out) else out
    data = report.to_json(include_requests=False)
    if summary_only:
        data = {k: v for k, v in data.items() if k not in OMITTED_WHEN_SUMMARY_ONLY}
        data["omitted"] = list(OMITTED_WHEN_SUMMARY_ONLY)
    emit("{")
    first = True
    for key, value in data.items():
        emit(("\n  " if first else ",\n  ") + _string(key) + ": ")
        first = False
        emit(json.dumps(value, indent=2).replace("\n", "\n  "))
        if key == "summary" and not summary_only:  # where to_json puts them
            emit(',\n  "requests": ')
            _requests(report, emit, progress)
    emit("\n}\n")


def _requests(report: Report, emit: Callable[[str], Any], progress: Callable[[int], None] | None) -> None:
    if not len(report.requests):
        emit("[]")
        return
    emit("[")
    chunk: list[str] = []
    done = 0
    for r in report.requests:
        chunk.append(_request(r))
        if len(chunk) == 4096:  # a few hundred KB per write
            emit(("," if done else "") + ",".join(chunk))
            done += len(chunk)
            chunk = []
            if progress is not None:
                progress(done)
    if chunk:
        emit(("," if done else "") + ",".join(chunk))
    emit("\n  ]")


def _request(r: RequestView) -> str:
    c = r.client
    if c is None:
        client = "null"
    else:
        # Answers repeat (every 429 of a run reads the same): each distinct one is formatted once.
        key = (c.status, c.error, c.reason, c.latency_s, type(c.latency_s), c.message, c.error_type)
        client = _CLIENTS.get(key)  # type: ignore[assignment]
        if client is None:
            client = (
                "{\n        \"status\": " + _v(c.status) + ",\n        \"error\": " + _text(c.error)
                + ",\n        \"reason\": " + _text(c.reason) + ",\n        \"latency_s\": " + _time(c.latency_s)
                + ",\n        \"message\": " + _text(c.message) + ",\n        \"type\": " + _text(c.error_type)
                + "\n      }"
            )
            if len(_CLIENTS) < 4096:
                _CLIENTS[key] = client
    attempts = "[]" if not r.attempts else (
        "[\n        " + ",\n        ".join([_attempt(a) for a in r.attempts]) + "\n      ]"
    )
    return (
        "\n    {\n      \"id\": " + _v(r.id) + ",\n      \"sent_s\": " + _time(r.sent_s)
        + ",\n      \"final\": " + _text(r.final) + ",\n      \"client\": " + client
        + ",\n      \"attempts\": " + attempts + ",\n      \"throttles\": " + _v(r.throttles) + "\n    }"
    )


def _attempt(a: AttemptLike) -> str:
    return (
        "{\n          \"n\": " + _v(a.n) + ",\n          \"start_s\": " + _time(a.start_s)
        + ",\n          \"end_s\": " + _time(a.end_s) + ",\n          \"outcome\": " + _text(a.outcome)
        + ",\n          \"cold\": " + _v(a.cold) + ",\n          \"init_s\": " + _time(a.init_s)
        + ",\n          \"error\": " + _text(a.error) + ",\n          \"receive_count\": " + _v(a.receive_count)
        + ",\n          \"billed_ms\": " + _v(a.billed_ms) + ",\n          \"version\": " + _text(a.version)
        + "\n        }"
    )


_CLIENTS: dict[tuple[Any, ...], str] = {}
_TEXTS: dict[str, str] = {}  # the few strings a report repeats (finals, outcomes, reasons), encoded once


def _text(x: Any) -> str:
    """A string field (or null) as json.dumps writes it."""
    if type(x) is str:
        known = _TEXTS.get(x)
        if known is None:
            known = _string(x)
            if len(_TEXTS) < 4096:
                _TEXTS[x] = known
        return known
    return _v(x)


def _time(x: Any) -> str:
    """A time field, rounded as the report rounds it, as json.dumps writes it."""
    if type(x) is float and x - x == 0.0:  # finite
        return repr(round(x, 6))
    return _v(rounded(x))


def _v(x: Any) -> str:
    """One JSON value as json.dumps writes it."""
    if x is None:
        return "null"
    if x is True:
        return "true"
    if x is False:
        return "false"
    kind = type(x)
    if kind is str:
        return _string(x)
    if kind is float:
        if math.isfinite(x):
            return repr(x)
        return "NaN" if x != x else ("Infinity" if x > 0 else "-Infinity")
    if kind is int:
        return repr(x)
    return json.dumps(x, indent=2)
