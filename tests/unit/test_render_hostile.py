"""Hostile strings in every rendered field of a report: no markup is interpreted, no escape reaches
the terminal (checked on a console that does emit colours, so rich's own codes are there)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambdaprobe.cli import main
from lambdaprobe.render.plain import plain

HOSTILE = "\x1b]0;pwned\x07[bold red]X[/bold][link=http://evil.invalid]click[/link]\x1b[2J\x9b31m"
PAYLOADS = ("\x1b]0;", "\x1b[2J", "\x07", "\x1b]8;", "\x9b")  # title, clear, bell, hyperlink, CSI


def hostile_report() -> dict[str, Any]:
    h = HOSTILE
    return {
        "schema": "lambdaprobe.report/1",
        "probe": h,
        "target": h,
        "params": {h: h, "nested": [h, {h: h}]},
        "summary": dict.fromkeys(
            (
                "requests",
                "succeeded",
                "failed",
                "throttled",
                "throttle_events",
                "attempts",
                "cold_starts",
                "max_concurrency",
                "dead_lettered",
                "destination_records",
            ),
            1,
        ),
        "requests": [
            {
                "id": h,
                "sent_s": 0.0,
                "final": "dead_lettered",
                "throttles": 1,
                "client": {"status": 429, "error": h, "reason": h, "latency_s": 0.1, "message": h, "type": h},
                "attempts": [
                    {
                        "n": 1,
                        "start_s": 0.0,
                        "end_s": 1.0,
                        "outcome": "error",
                        "cold": True,
                        "init_s": 0.1,
                        "error": h,
                        "receive_count": 1,
                        "billed_ms": 5,
                        "version": h,
                    },
                ],
            }
        ],
        "dead_letters": [
            {
                "t_s": 1.0,
                "queue": h,
                "body": {h: h},
                "attributes": {"ErrorMessage": {"StringValue": h}, h: h},
                "request": h,
            }
        ],
        "destinations": [
            {
                "t_s": 1.0,
                "kind": "on_failure",
                "target": h,
                "record": {"requestContext": {"condition": h, "approximateInvokeCount": h}},
                "request": h,
            }
        ],
        "concurrency": [[0.0, 1], [1.0, 0]],
        "notes": [h],
        "findings": [{"text": h, "rules": []}],
        "rules": [{"id": h, "kind": "documented", "text": h, "sources": [h]}],
        "complete": False,
        "missing": [h],
        "leftovers": [h],
    }


@pytest.mark.parametrize("max_rows", ["1", "40"])
def test_a_hostile_report_renders_as_plain_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, max_rows: str
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # a terminal: rich writes its own escapes
    monkeypatch.setenv("COLUMNS", "200")
    path = tmp_path / "h.json"
    path.write_text(json.dumps(hostile_report()))
    status = main(["report", str(path), "--max-rows", max_rows])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "\x1b[" in out  # the console does colour: the check below is meaningful
    for payload in PAYLOADS:
        assert payload not in out, f"{payload!r} reached the terminal"
    assert "[bold red]X[/bold]" in out and "[link=http://evil.invalid]" in out  # shown, not interpreted
    assert "\\x1b]0;pwned\\x07" in out  # the escape is visible as text


def test_plain_escapes_every_control_character_and_keeps_text() -> None:
    assert plain("a\x1b[2Jb\x00c\x7fd\x9be\tf") == "a\\x1b[2Jb\\x00c\\x7fd\\x9be f"
    assert plain("one\ntwo") == "one\\ntwo" and plain("one\ntwo", newlines=True) == "one\ntwo"
    assert plain("[bold]ünïcode ✓[/bold]") == "[bold]ünïcode ✓[/bold]"
