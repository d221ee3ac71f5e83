"""Whole runs under faults, through the CLI: a teardown that fails, a hung endpoint, throttled and
failing stimulus sends, hostile error text, nothing observed, and SIGTERM to the process."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import lambdaprobe.aws.target
from lambdaprobe.aws import client as aws_client
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.target import AwsTarget
from lambdaprobe.cli import main
from lambdaprobe.errors import AwsError
from tests.functional.aws_helpers import clients, inventory, scenario
from tests.functional.conftest import DUMMY_ENV
from tests.functional.faults import Faults, canned, operation_of
from tests.functional.test_aws_deploy import no_sleep


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def inject(monkeypatch: pytest.MonkeyPatch, hooks: dict[str, Any], made: list[Faults]) -> None:
    """The CLI's runs get a client with `hooks` on every service client (kept in `made`)."""

    def factory(options: AwsOptions, **_: Any) -> Faults:
        made.append(Faults(options, hooks))
        return made[-1]

    monkeypatch.setattr(lambdaprobe.aws.target, "AwsClient", factory)


@pytest.fixture()
def unhook() -> Iterator[list[Faults]]:
    made: list[Faults] = []
    yield made
    for client in made:
        client.remove_hooks()


def run_id_of(report: dict[str, Any]) -> str:
    return next(n.split()[2].rstrip(":") for n in report["notes"] if n.startswith("aws run "))


def test_a_teardown_that_fails_names_the_leftover_exits_5_and_cleanup_run_finishes_it(
    capsys: pytest.CaptureFixture[str],
    moto_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    private_state_dir: Path,
    unhook: list[Faults],
) -> None:
    def refuse_delete_table(event_name: str = "", **_: Any) -> Any:
        if operation_of(event_name) == "DeleteTable":
            return canned(500, b'{"__type": "InternalServerError", "message": "injected"}')
        return None

    inject(monkeypatch, {"before-send": refuse_delete_table}, unhook)
    status, out, err = run(
        capsys,
        "retry",
        "--source",
        "dynamodb",
        "--target",
        "aws",
        "--yes",
        "--endpoint-url",
        moto_endpoint,
        "--region",
        "us-east-1",
        "--deadline",
        "0.2",
        "--output",
        "json",
    )
    report = json.loads(out)  # the partial report is still printed
    run_id = run_id_of(report)
    assert status == 5, err
    assert report["leftovers"] == [f"dynamodb.DeleteTable lambdaprobe-{run_id}-source"]
    assert report["complete"] is False
    last = err.strip().splitlines()[-1]
    assert last.startswith("lambdaprobe: error: ") and f"dynamodb.DeleteTable lambdaprobe-{run_id}-source" in last
    assert f"lambdaprobe cleanup --target aws --run {run_id}" in last
    assert inventory(moto_endpoint, run_id) == {"tables": [f"lambdaprobe-{run_id}-source"]}
    journal = json.loads((private_state_dir / "runs" / f"{run_id}.json").read_text())
    assert journal["lease_until"] == 0 and [e["call"] for e in journal["entries"]] == ["dynamodb.CreateTable"]
    # the cleanup command the message names finishes the job, and forgets the run
    unhook[0].remove_hooks()
    status, out, err = run(
        capsys,
        "cleanup",
        "--target",
        "aws",
        "--yes",
        "--run",
        run_id,
        "--endpoint-url",
        moto_endpoint,
        "--region",
        "us-east-1",
    )
    assert status == 0, err
    assert out.startswith("found 1, deleted 1, failed 0")
    assert inventory(moto_endpoint, run_id) == {}
    assert not (private_state_dir / "runs" / f"{run_id}.json").exists()


@pytest.fixture()
def hung_endpoint() -> Iterator[str]:
    """Accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    for conn in held:
        conn.close()
    server.close()


def test_a_hung_endpoint_costs_the_deadline_not_minutes(hung_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in DUMMY_ENV.items():
        monkeypatch.setenv(k, v)
    o = AwsOptions(region="us-east-1", endpoint_url=hung_endpoint, run_id="lp800001", deadline_s=2.0)
    started = time.monotonic()
    with pytest.raises(AwsError, match="Read timeout"):
        AwsTarget(o, sleep=no_sleep).run(scenario("sqs"))
    # one 2 s read for the first call (not 4 x 60 s), then nothing to tear down; the rest is start-up
    assert time.monotonic() - started < 6.0


@pytest.mark.parametrize(
    ("deadline", "attempts", "read"),
    [(None, 2, 60.0), (0.5, 1, 2.0), (3.0, 1, 3.0), (9.0, 1, 9.0), (30.0, 2, 15.0), (600.0, 2, 60.0)],
)
def test_control_timeouts_follow_the_deadline(deadline: float | None, attempts: int, read: float) -> None:
    cfg = aws_client.control_config(deadline)
    assert cfg.read_timeout == read and cfg.retries == {"mode": "standard", "total_max_attempts": attempts}
    assert cfg.connect_timeout == min(10.0, read)
    if deadline is not None and deadline >= 2.0:  # a hung call never waits longer than the deadline
        assert attempts * read <= deadline


def _sqs_send_failing(times: int) -> Any:
    left = [times]

    def hook(event_name: str = "", **_: Any) -> Any:
        if operation_of(event_name) == "SendMessage" and left[0] != 0:
            left[0] -= 1
            return canned(500, b'{"__type": "InternalError", "message": "injected"}')
        return None

    return hook


def test_a_throttled_or_failed_send_is_retried_and_said(moto_endpoint: str, unhook: list[Faults]) -> None:
    o = AwsOptions(region="us-east-1", endpoint_url=moto_endpoint, run_id="lp800002", deadline_s=0.2, poll_s=0.02)
    client = Faults(o, {"before-send": _sqs_send_failing(2)})
    unhook.append(client)
    with pytest.raises(Exception) as info:  # moto runs nothing: the run ends incomplete
        AwsTarget(o, client=client, sleep=no_sleep).run(scenario("sqs", count=2))
    obs = info.value.observations  # type: ignore[attr-defined]
    assert [s.request_id for s in obs.sent] == ["r01", "r02"]
    assert any(n.startswith("2 stimulus send(s) retried after a throttle or a server error") for n in obs.notes)
    assert inventory(moto_endpoint, "lp800002") == {}


def test_a_send_that_keeps_failing_tears_down_and_prints_the_partial_report(
    capsys: pytest.CaptureFixture[str], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, unhook: list[Faults]
) -> None:
    inject(monkeypatch, {"before-send": _sqs_send_failing(-1)}, unhook)
    status, out, err = run(
        capsys,
        "retry",
        "--source",
        "sqs",
        "--target",
        "aws",
        "--yes",
        "--endpoint-url",
        moto_endpoint,
        "--region",
        "us-east-1",
        "--count",
        "2",
        "--interval",
        "0.01",
        "--output",
        "json",
    )
    assert status == 3, err
    report = json.loads(out)
    assert report["complete"] is False and report["summary"]["requests"] == 0
    assert any("sending the stimulus failed" in m for m in report["missing"])
    assert re.search(r"sending the stimulus failed: send r0[12]: InternalError: injected", err)
    assert inventory(moto_endpoint, run_id_of(report)) == {}


def test_hostile_error_text_from_aws_is_printed_plain(
    capsys: pytest.CaptureFixture[str], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, unhook: list[Faults]
) -> None:
    message = "\u001b]0;pwned\u0007 denied [/bold] [link=http://evil.invalid]here[/link]"

    def deny(event_name: str = "", **_: Any) -> Any:
        if operation_of(event_name) == "CreateLogGroup":
            body = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
            return canned(400, body, "application/x-amz-json-1.1")
        return None

    inject(monkeypatch, {"before-send": deny}, unhook)
    status, out, err = run(
        capsys, "invoke", "--target", "aws", "--yes", "--endpoint-url", moto_endpoint, "--region", "us-east-1"
    )
    assert (status, out) == (3, "")
    assert "\x1b" not in err and "\x07" not in err and "Traceback" not in err
    assert "denied [/bold] [link=http://evil.invalid]here[/link]" in err and "\\x1b]0;pwned\\x07" in err


@pytest.mark.parametrize(
    ("argv", "finding"),
    [
        (["concurrency", "--count", "3", "--interval", "0.01", "--duration", "0.1"], False),
        (["retry", "--source", "dynamodb"], True),
        (["abort", "--caller", "sdk", "--duration", "1", "--read-timeout", "5", "--sdk-retries", "off"], True),
    ],
)
def test_on_moto_where_nothing_runs_nothing_is_reported_as_done(
    capsys: pytest.CaptureFixture[str], moto_endpoint: str, argv: list[str], finding: bool
) -> None:
    status, out, err = run(
        capsys,
        *argv,
        "--target",
        "aws",
        "--yes",
        "--endpoint-url",
        moto_endpoint,
        "--region",
        "us-east-1",
        "--deadline",
        "0.2",
        "--output",
        "json",
    )
    report = json.loads(out)
    assert status == 4, err
    assert report["complete"] is False and report["summary"]["succeeded"] == 0
    assert all(r["final"] == "pending" for r in report["requests"])
    assert all("no execution" in m or "attempt" in m or "executions" in m for m in report["missing"])
    if finding:  # the probe's finding is not stated from nothing
        assert report["findings"] and all(f["text"].startswith("missing:") for f in report["findings"])
    assert inventory(moto_endpoint, run_id_of(report)) == {}


def test_sigterm_to_the_process_tears_down_reports_and_exits_143(moto_endpoint: str, tmp_path: Path) -> None:
    env = {**os.environ, **DUMMY_ENV, "LAMBDAPROBE_STATE_DIR": str(tmp_path / "state")}
    env.pop("AWS_PROFILE", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from lambdaprobe.cli import main; sys.exit(main())",
            "retry",
            "--source",
            "sqs",
            "--target",
            "aws",
            "--yes",
            "--endpoint-url",
            moto_endpoint,
            "--region",
            "us-east-1",
            "--deadline",
            "60",
            "--output",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stderr is not None
    lines: list[str] = []
    for line in proc.stderr:
        lines.append(line)
        if "collecting observations" in line:
            proc.send_signal(signal.SIGTERM)
            break
    out, rest = proc.communicate(timeout=60)
    err = "".join(lines) + rest
    assert proc.returncode == 143, err
    report = json.loads(out)
    run_id = run_id_of(report)
    assert report["complete"] is False and "interrupted by SIGTERM before every observation was in" in report["missing"]
    assert f"run {run_id} torn down: nothing left behind" in err
    assert err.strip().splitlines()[-1] == "lambdaprobe: interrupted by SIGTERM; everything the run created was deleted"
    assert inventory(moto_endpoint, run_id) == {}
    assert clients(moto_endpoint)["sqs"].list_queues().get("QueueUrls", []) == [] or not any(
        run_id in u for u in clients(moto_endpoint)["sqs"].list_queues().get("QueueUrls", [])
    )
