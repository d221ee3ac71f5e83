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


def test_on_aws_a_shape_sets_each_send_time_of_the_open_loop() -> None:
    from lambdaprobe.aws.run.schedule import open_loop

    now = [100.0]

    def clock() -> float:
        return now[0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    offsets: list[float] = []
    open_loop(5, 1.0, lambda i, t, due: offsets.append(round(t, 9)) or due, clock=clock, sleep=sleep,
              max_workers=1, times=[0.0, 0.0, 0.25, 3.0, 3.5])
    assert sorted(offsets) == [0.0, 0.0, 0.25, 3.0, 3.5]


def test_an_aws_dry_run_takes_a_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["concurrency", "--target", "aws", "--arrivals", "burst:5@1", "--dry-run", "--region", "us-east-1"])
    assert code == 0, capsys.readouterr().err


def test_retry_replays_a_burst_through_sqs(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["retry", "--source", "sqs", "--fail", "never", "--arrivals", "burst:25@3", "--output", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["summary"]["requests"] == 25 == data["summary"]["succeeded"]
    assert {r["sent_s"] for r in data["requests"]} == {3.0}
