"""`report FILE` refuses what is not a report in one line (exit 2, nothing on stdout); `--save`
writes 0600 atomically, is checked before anything runs, and a late failure still prints the report."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from lambdaprobe import report_file
from lambdaprobe.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture()
def saved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    path = tmp_path / "run.json"
    status, _, err = run(capsys, "retry", "--source", "async", "--save", str(path), "--output", "json")
    assert status == 0, err
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    target: Any = data
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


DEEP: Any = 1
for _ in range(65):
    DEEP = [DEEP]

BAD_FIELDS = [
    ("requests.0.sent_s", "abc", "requests[0].sent_s must be a number of seconds"),
    ("requests.0.sent_s", 1e308, "requests[0].sent_s must be -1e+08..1e+08 seconds"),
    ("requests.0.attempts.0.end_s", True, "requests[0].attempts[0].end_s must be a number of seconds"),
    ("requests.0.final", "exploded", "requests[0].final must be one of"),
    ("params", ["a"], "params must be an object"),
    ("notes", [1, 2], "notes[0] must be a string"),
    ("summary.attempts", -1, "summary.attempts must be a whole number"),
    ("concurrency", [[0, 1, 2]], "concurrency[0] must be a [seconds, count] pair"),
    ("complete", "yes", "complete must be true or false"),
    ("dead_letters", {}, "dead_letters must be a list"),
    ("params", {"deep": DEEP}, "params nests deeper than 64 levels"),
]


@pytest.mark.parametrize(("field", "value", "says"), BAD_FIELDS)
def test_a_report_with_a_wrong_field_is_refused_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, saved: dict[str, Any], field: str, value: Any, says: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_set(saved, field, value)))
    status, out, err = run(capsys, "report", str(bad))
    assert (status, out) == (2, "")
    assert says in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"schema": "lambdaprobe.report/1", "probe": NaN}', "NaN is not a number JSON allows"),
        ("[1, 2, 3]", "the document must be an object"),
        ('{"hello": "world"}', "schema must be 'lambdaprobe.report/1'"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("{not json", "not JSON"),
    ],
)
def test_json_that_is_not_a_report_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, says: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    status, out, err = run(capsys, "report", str(bad))
    assert (status, out) == (2, "") and says in err and err.count("\n") == 1


def test_a_file_past_the_size_cap_is_refused_before_it_is_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.json"
    big.write_text(" " * 4096)
    monkeypatch.setattr(report_file, "MAX_REPORT_BYTES", 1024)
    monkeypatch.setattr("builtins.open", lambda *a, **k: pytest.fail("a file past the cap was opened"))
    status, out, err = run(capsys, "report", str(big))
    assert (status, out) == (2, "") and "larger than a report can be (at most 0 MB)" in err


def test_a_saved_report_is_private_and_reads_back(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    assert run(capsys, "concurrency", "--count", "3", "--save", str(path))[0] == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name != "run.json"]  # no temporary file left
    status, out, _ = run(capsys, "report", str(path), "--output", "json")
    assert status == 0 and json.loads(out)["summary"]["requests"] == 3


@pytest.mark.parametrize("where", ["missing-dir/run.json", "."])
def test_an_unwritable_save_path_is_refused_before_anything_runs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    import lambdaprobe.sim.target

    monkeypatch.setattr(lambdaprobe.sim.target.SimTarget, "run", lambda *a: pytest.fail("it ran"))
    status, out, err = run(capsys, "concurrency", "--save", str(tmp_path / where))
    assert (status, out) == (2, "") and err.startswith("lambdaprobe: error: --save: ")


def test_a_save_that_fails_at_the_end_still_prints_the_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(path: str, text: str) -> None:
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(report_file, "write_report", full_disk)
    status, out, err = run(
        capsys, "concurrency", "--count", "2", "--output", "json", "--save", str(tmp_path / "r.json")
    )
    assert status == 0 and json.loads(out)["summary"]["requests"] == 2
    assert f"could not save the report to {tmp_path / 'r.json'}" in err and "No space left" in err


def test_a_device_or_a_pipe_is_refused_without_reading(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        status, out, err = run(capsys, "report", path)
        assert (status, out) == (2, "") and f"{path}: not a regular file" in err
