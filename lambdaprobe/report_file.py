"""Saved reports on disk: `--save` writes them (0600, atomically), `report FILE` reads them back.

A report file is input like any other: it may be another program's JSON, truncated, hostile or huge.
`read_report` checks the size first, then every field's type and bounds, and refuses with one line
naming the field (exit 2). Nothing of a refused file is printed.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

from lambdaprobe.errors import InputError
from lambdaprobe.files import write_private
from lambdaprobe.nesting import MAX_DEPTH, too_deep
from lambdaprobe.observation import FINAL_STATES
from lambdaprobe.report import SCHEMA, Report, Summary

MAX_REPORT_BYTES = 64 * 1024 * 1024  # far above a 100,000-request report (about 40 MB)
MAX_TIME_S = 1e8  # about three years: any time in a report is well inside this
MAX_COUNT = 10**12
OUTCOMES = ("success", "error", "timeout")
DESTINATION_KINDS = ("on_success", "on_failure")


class Invalid(ValueError):
    """What is wrong with a report, at which field."""


def _refuse_constant(name: str) -> float:
    raise Invalid(f"{name} is not a number JSON allows")


def read_report(path: str) -> Report:
    """The report in `path`; InputError("FILE", one line) when it is not a readable, valid report."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputError("FILE", f"{path}: cannot read it ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(info.st_mode):  # a device or a pipe could be read for ever
        raise InputError("FILE", f"{path}: not a regular file")
    cap = MAX_REPORT_BYTES // 2**20
    too_big = f"is larger than a report can be (at most {cap} MB)"
    if info.st_size > MAX_REPORT_BYTES:
        raise InputError("FILE", f"{path}: {info.st_size / 2**20:.0f} MB {too_big}")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_REPORT_BYTES + 1)  # never more, even if the file grew meanwhile
        if len(raw) > MAX_REPORT_BYTES:
            raise InputError("FILE", f"{path} {too_big}")
        text = raw.decode("utf-8")
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise InputError("FILE", f"{path}: not a lambdaprobe report (JSON nested too deeply)") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("FILE", f"{path}: cannot read it ({exc})") from exc
    except (Invalid, ValueError) as exc:
        raise InputError("FILE", f"{path}: not JSON ({' '.join(str(exc).split())[:200]})") from exc
    try:
        validate(data)
        return Report.from_json(data)
    except Invalid as exc:
        raise InputError("FILE", f"{path}: not a readable lambdaprobe report: {exc}") from exc
    except RecursionError as exc:
        raise InputError("FILE", f"{path}: not a lambdaprobe report (nested too deeply)") from exc


def check_writable(path: str) -> None:
    """Refuse a `--save` path that cannot be written, before anything runs."""
    target = Path(path)
    if target.is_dir():
        raise InputError("--save", f"{path} is a directory; give a file name")
    parent = target.parent
    if not parent.is_dir():
        raise InputError("--save", f"{path}: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError("--save", f"{path}: the directory {parent} is not writable")
    if target.exists() and not os.access(target, os.W_OK):
        raise InputError("--save", f"{path} exists and is not writable")


def write_report(path: str, text: str) -> None:
    write_private(Path(path), text)


# -- validation ----------------------------------------------------------------------------------


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)[:40] if not isinstance(value, str) else repr(value[:40])
    return " ".join(text.split())


def _obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"{where} must be an object (got {type(value).__name__})")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid(f"{where} must be a list (got {type(value).__name__})")
    return value


def _str(value: Any, where: str, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise Invalid(f"{where} must be a string (got {_show(value)})")


def _int(value: Any, where: str, optional: bool = False, low: int = 0, high: int = MAX_COUNT) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"{where} must be a whole number {low}..{high} (got {_show(value)})")


def _time(value: Any, where: str, low: float = -MAX_TIME_S) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(f"{where} must be a number of seconds (got {_show(value)})")
    if not low <= value <= MAX_TIME_S:
        raise Invalid(f"{where} must be {low:g}..{MAX_TIME_S:g} seconds (got {_show(value)})")


def _shallow(value: Any, where: str) -> None:
    if too_deep(value):
        raise Invalid(f"{where} nests deeper than {MAX_DEPTH} levels")


def _bool(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        raise Invalid(f"{where} must be true or false (got {_show(value)})")


def _one_of(value: Any, where: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise Invalid(f"{where} must be one of {', '.join(allowed)} (got {_show(value)})")


def _keys(data: dict[str, Any], where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
    for key in required:
        if key not in data:
            raise Invalid(f"{where} has no {key!r}")
    for key in data:
        if key not in required and key not in optional:
            raise Invalid(f"{where} has an unknown field {_show(key)}")


def validate(data: Any) -> None:
    """Raise Invalid naming the first field that is not what a report holds."""
    top = _obj(data, "the document")
    if top.get("schema") != SCHEMA:
        raise Invalid(f"schema must be {SCHEMA!r} (got {_show(top.get('schema'))})")
    _keys(
        top,
        "the report",
        ("schema", "probe", "target", "params", "summary", "requests", "dead_letters", "destinations",
         "concurrency", "notes"),
        ("complete", "missing", "leftovers", "comparison", "rules", "findings"),
    )
    _str(top["probe"], "probe")
    _str(top["target"], "target")
    _shallow(_obj(top["params"], "params"), "params")
    summary = _obj(top["summary"], "summary")
    fields = tuple(Summary.__dataclass_fields__)
    _keys(summary, "summary", fields)
    for key in fields:
        _int(summary[key], f"summary.{key}")
    for i, request in enumerate(_list(top["requests"], "requests")):
        _request(request, f"requests[{i}]")
    for i, dead in enumerate(_list(top["dead_letters"], "dead_letters")):
        d = _obj(dead, f"dead_letters[{i}]")
        _keys(d, f"dead_letters[{i}]", ("t_s", "queue", "body", "attributes"), ("request",))
        _time(d["t_s"], f"dead_letters[{i}].t_s")
        _str(d["queue"], f"dead_letters[{i}].queue")
        _shallow(_obj(d["attributes"], f"dead_letters[{i}].attributes"), f"dead_letters[{i}].attributes")
        _shallow(d["body"], f"dead_letters[{i}].body")
        _str(d.get("request"), f"dead_letters[{i}].request", optional=True)
    for i, record in enumerate(_list(top["destinations"], "destinations")):
        r = _obj(record, f"destinations[{i}]")
        _keys(r, f"destinations[{i}]", ("t_s", "kind", "target", "record"), ("request",))
        _time(r["t_s"], f"destinations[{i}].t_s")
        _one_of(r["kind"], f"destinations[{i}].kind", DESTINATION_KINDS)
        _str(r["target"], f"destinations[{i}].target")
        _shallow(r["record"], f"destinations[{i}].record")
        _str(r.get("request"), f"destinations[{i}].request", optional=True)
    for i, point in enumerate(_list(top["concurrency"], "concurrency")):
        if not isinstance(point, list) or len(point) != 2:
            raise Invalid(f"concurrency[{i}] must be a [seconds, count] pair (got {_show(point)})")
        _time(point[0], f"concurrency[{i}][0]")
        _int(point[1], f"concurrency[{i}][1]")
    for key in ("notes", "missing", "leftovers"):
        for i, line in enumerate(_list(top.get(key, []), key)):
            _str(line, f"{key}[{i}]")
    _bool(top.get("complete", True), "complete")
    for i, finding in enumerate(_list(top.get("findings", []), "findings")):
        f = _obj(finding, f"findings[{i}]")
        _keys(f, f"findings[{i}]", ("text",), ("rules",))
        _str(f["text"], f"findings[{i}].text")
        for j, rule_id in enumerate(_list(f.get("rules", []), f"findings[{i}].rules")):
            _str(rule_id, f"findings[{i}].rules[{j}]")
    for i, rule in enumerate(_list(top.get("rules", []), "rules")):
        r = _obj(rule, f"rules[{i}]")
        _keys(r, f"rules[{i}]", ("id", "kind", "text"), ("sources",))
        for key in ("id", "kind", "text"):
            _str(r[key], f"rules[{i}].{key}")
        for j, source in enumerate(_list(r.get("sources", []), f"rules[{i}].sources")):
            _str(source, f"rules[{i}].sources[{j}]")


def _request(value: Any, where: str) -> None:
    r = _obj(value, where)
    _keys(r, where, ("id", "sent_s", "final", "client", "attempts"), ("throttles",))
    _str(r["id"], f"{where}.id")
    _time(r["sent_s"], f"{where}.sent_s")
    _one_of(r["final"], f"{where}.final", FINAL_STATES)
    _int(r.get("throttles", 0), f"{where}.throttles")
    if r["client"] is not None:
        c = _obj(r["client"], f"{where}.client")
        _keys(c, f"{where}.client", ("status", "error", "reason", "latency_s"), ("message", "type"))
        _int(c["status"], f"{where}.client.status", high=999)
        _str(c["error"], f"{where}.client.error", optional=True)
        _str(c["reason"], f"{where}.client.reason", optional=True)
        _time(c["latency_s"], f"{where}.client.latency_s", low=0.0)
        _str(c.get("message"), f"{where}.client.message", optional=True)
        _str(c.get("type"), f"{where}.client.type", optional=True)
    for j, attempt in enumerate(_list(r["attempts"], f"{where}.attempts")):
        at = f"{where}.attempts[{j}]"
        a = _obj(attempt, at)
        _keys(
            a,
            at,
            ("n", "start_s", "end_s", "outcome", "cold", "init_s", "error", "receive_count"),
            ("billed_ms", "version"),
        )
        _int(a["n"], f"{at}.n")
        _time(a["start_s"], f"{at}.start_s")
        _time(a["end_s"], f"{at}.end_s")
        _one_of(a["outcome"], f"{at}.outcome", OUTCOMES)
        _bool(a["cold"], f"{at}.cold")
        _time(a["init_s"], f"{at}.init_s", low=0.0)
        _str(a["error"], f"{at}.error", optional=True)
        _int(a["receive_count"], f"{at}.receive_count", optional=True)
        _int(a.get("billed_ms"), f"{at}.billed_ms", optional=True)
        _str(a.get("version"), f"{at}.version", optional=True)
