"""`--arrivals` on the command line: a replay of the example file, and bad files as one-line exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambdaprobe.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "invocations-per-minute.csv"


def test_the_example_file_replays_every_counted_request(capsys: pytest.CaptureFixture[str]) -> None:
    counted = sum(int(line.split(",")[1]) for line in EXAMPLE.read_text().splitlines()[1:])
    code = main(["concurrency", "--reserved", "50", "--duration", "2", "--arrivals", f"file:{EXAMPLE}",
                 "--output", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["summary"]["requests"] == counted == data["params"]["count"]
    assert data["summary"]["throttled"] > 0  # the spike at minute 31 is more than 50 environments absorb
    assert data["params"]["arrivals"] == f"file:{EXAMPLE}"


@pytest.mark.parametrize("probe", [["concurrency"], ["retry", "--source", "sqs"], ["deploy-preference"]])
def test_an_unsorted_file_is_exit_2_naming_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, probe: list[str]
) -> None:
    bad = tmp_path / "t.csv"
    bad.write_text("time\n0\n5\n4\n")
    code = main([*probe, "--arrivals", f"file:{bad}"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "--arrivals" in err and "line 4" in err


def test_shapes_other_than_even_are_refused_on_aws_before_anything_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["concurrency", "--target", "aws", "--arrivals", "burst:5@1", "--yes"])
    assert code == 2
    assert "--arrivals" in capsys.readouterr().err


def test_retry_replays_a_burst_through_sqs(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["retry", "--source", "sqs", "--fail", "never", "--arrivals", "burst:25@3", "--output", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["summary"]["requests"] == 25 == data["summary"]["succeeded"]
    assert {r["sent_s"] for r in data["requests"]} == {3.0}
