"""The CLI in-process: the JSON contract, every exit status, one-line errors."""

import json
from pathlib import Path

import pytest

from lambdaprobe.cli import main
from lambdaprobe.report import SCHEMA


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def report(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    status, out, err = run(capsys, *argv, "--output", "json")
    assert status == 0, err
    return json.loads(out)  # exactly one JSON object, nothing else on stdout


def test_concurrency_json_is_the_report_contract(capsys: pytest.CaptureFixture[str]) -> None:
    data = report(capsys, "concurrency", "--reserved", "1", "--provisioned", "1")
    assert data["schema"] == SCHEMA
    assert (data["probe"], data["target"]) == ("concurrency", "sim")
    assert data["params"] == {
        "reserved": 1, "provisioned": 1, "qualifier": "alias", "count": 20, "interval": 1.0, "duration": 20.0,
        "mode": "sync", "init": 0.3, "timeout": 25.0, "seed": 0, "account_limit": 1000, "env_lifetime": None,
    }
    assert {k: data["summary"][k] for k in ("requests", "succeeded", "throttled", "cold_starts")} == {
        "requests": 20, "succeeded": 1, "throttled": 19, "cold_starts": 0,
    }
    throttled = data["requests"][1]
    assert throttled["final"] == "throttled" and throttled["attempts"] == []
    assert throttled["client"]["status"] == 429
    assert throttled["client"]["reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert data["concurrency"] == [[0.0, 1], [20.0, 0]]


def test_retry_async_json_has_the_timeline_dlq_and_destination(capsys: pytest.CaptureFixture[str]) -> None:
    data = report(capsys, "retry", "--source", "async", "--duration", "30", "--init", "0",
                  "--dlq", "sqs", "--on-failure", "sqs", "--max-retry-attempts", "1")
    [request] = data["requests"]
    assert [(a["start_s"], a["end_s"], a["outcome"]) for a in request["attempts"]] == [
        (0.0, 30.0, "error"), (90.0, 120.0, "error")]
    assert request["final"] == "dead_lettered"
    assert data["dead_letters"][0]["body"]["request"] == "r01"
    assert data["destinations"][0]["record"]["requestContext"]["approximateInvokeCount"] == 2
    assert any(note.startswith("assumption:") for note in data["notes"])


def test_expect_holds_exit_0_and_fails_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("concurrency", "--reserved", "1", "--provisioned", "1", "--output", "json")
    assert run(capsys, *args, "--expect", "throttled=19", "--expect", "cold_starts=0")[0] == 0
    status, out, err = run(capsys, *args, "--expect", "throttled<19", "--expect", "attempts>=1")
    assert status == 1
    assert json.loads(out)["summary"]["throttled"] == 19  # the report is still printed
    assert err.strip() == "lambdaprobe: error: expected throttled<19, got throttled=19"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["concurrency", "--reserved", "1", "--provisioned", "2"], "--provisioned: 2 exceeds --reserved 1"),
        (["concurrency", "--reserved", "901"], "--reserved: 901 is out of range; allowed: 0..900"),
        (["retry", "--max-retry-attempts", "3"], "--max-retry-attempts: 3 is out of range; allowed: 0..2"),
        (["retry", "--source", "nope"], "--source: 'nope' is not allowed; allowed: sync, async, sqs"),
        (["retry", "--source", "sqs", "--visibility-timeout", "5", "--duration", "10"],
         "--visibility-timeout: 5 s is below the function timeout"),
        (["retry", "--max-event-age", "59"], "--max-event-age: 59 is out of range; allowed: 60..21600"),
        (["retry", "--timeout", "901"], "--timeout: 901 is out of range; allowed: 1..900"),
        (["retry", "--source", "sync", "--dlq", "sqs"], "--dlq: applies only to --source"),
        (["invoke", "--mode", "later"], "--mode: 'later' is not allowed; allowed: sync, async"),
        (["concurrency", "--count", "many"], "Invalid value for '--count'"),
        (["concurrency", "--no-such-option"], "No such option: --no-such-option"),
        (["concurrency", "--expect", "colds=0"], "--expect: unknown field 'colds'"),
        (["concurrency", "--endpoint-url", "http://127.0.0.1:9"], "--endpoint-url: applies only to --target aws"),
        (["concurrency", "--account-limit", "5"], "--account-limit: 5 is out of range; allowed: 10..100000"),
        (["concurrency", "--account-limit", "500", "--reserved", "401"],
         "--reserved: 401 is out of range; allowed: 0..400"),
        (["concurrency", "--env-lifetime", "0"], "--env-lifetime: 0 is out of range; allowed: 1..86400"),
        (["concurrency", "--dlq", "sqs"], "--dlq: applies only to --mode async"),
        (["concurrency", "--account-limit", "3000", "--target", "aws", "--dry-run", "--region", "us-east-1"],
         "--account-limit: applies only to --target sim"),
        (["concurrency", "--env-lifetime", "60", "--target", "aws", "--dry-run", "--region", "us-east-1"],
         "--env-lifetime: applies only to --target sim"),
        (["retry", "--on-failure", "s3", "--target", "aws", "--dry-run", "--region", "us-east-1"],
         "--on-failure s3 on --target aws is not built yet"),
        (["retry", "--fail", "r09:always"], "--fail: 'r09:always' names request 9 of 1"),
        (["retry", "--source", "sqs", "--payload-size", "10"], "--payload-size: applies only to --source"),
        (["invoke", "--payload-size", "0"], "--payload-size: 0 is out of range; allowed: 1..16777216"),
        (["retry", "--source", "dynamodb", "--retention-hours", "48"],
         "--retention-hours: 48 is out of range; allowed: 24..24"),
        (["abort", "--read-timeout", "0.01"], "--read-timeout: 0.01 is out of range; allowed: 0.05..900"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("lambdaprobe: error: ")
    assert message in err
    assert "Traceback" not in err


def test_save_then_report_rerenders_the_same_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    saved = tmp_path / "run.json"
    status, out, _ = run(capsys, "retry", "--source", "async", "--output", "json", "--save", str(saved))
    assert status == 0
    assert json.loads(saved.read_text()) == json.loads(out)
    status, again, _ = run(capsys, "report", str(saved), "--output", "json")
    assert status == 0 and json.loads(again) == json.loads(out)


def test_report_of_a_file_that_is_not_a_report_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"schema": "other"}')
    status, _, err = run(capsys, "report", str(bad))
    assert status == 2 and "not a readable lambdaprobe report" in err


def test_target_from_the_environment(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDAPROBE_TARGET", "bogus")
    status, _, err = run(capsys, "invoke")
    assert status == 2 and "--target" in err


def test_timeout_probe_answers_its_question(capsys: pytest.CaptureFixture[str]) -> None:
    data = report(capsys, "timeout", "--init", "5", "--duration", "2.5", "--timeout", "3")
    [attempt] = data["requests"][0]["attempts"]
    assert (attempt["outcome"], attempt["cold"], attempt["init_s"], attempt["end_s"]) == ("success", True, 5.0, 7.5)
    assert attempt["billed_ms"] == 7500  # init billed for on-demand functions since 2025-08 [init.billed]
    assert data["findings"][0]["text"].startswith("init 5 s + handler 2.5 s against a 3 s timeout: the call succeeded")
    assert "init.outside-timeout" in data["findings"][0]["rules"]
    assert not any(n.startswith("finding") for n in data["notes"])
    data = report(capsys, "timeout", "--init", "12", "--duration", "1", "--timeout", "3")
    assert data["requests"][0]["attempts"][0]["outcome"] == "timeout"
    assert "suppressed init" in data["findings"][0]["text"]


def test_abort_by_sdk_read_timeout_runs_the_function_once_per_attempt(capsys: pytest.CaptureFixture[str]) -> None:
    data = report(capsys, "abort", "--caller", "sdk", "--read-timeout", "10", "--sdk-retries", "legacy",
                  "--duration", "30", "--expect", "attempts=5")
    assert data["requests"][0]["client"]["error"] == "ReadTimeoutError"
    assert data["summary"]["max_concurrency"] >= 2  # the abandoned executions overlap the retries
    status, _, err = run(capsys, "abort", "--caller", "apigateway", "--sdk-retries", "legacy")
    assert status == 2 and "--sdk-retries: applies only to --caller sdk" in err


def test_table_output_shows_timeline_counts_chart_and_notes(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "concurrency", "--reserved", "1", "--provisioned", "1")
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("lambdaprobe concurrency --target sim --reserved 1 --provisioned 1 --qualifier alias")
    assert lines[2] == "Answer" and lines[3].startswith("  • 19 of 20 throttled: 1 ran on provisioned concurrency")
    assert sum(1 for line in lines if line.startswith("r") and " throttled " in line and "✕" in line) == 19
    assert any(line.startswith("r01 succeeded") for line in lines)
    assert any("in flight" in line for line in lines)
    assert any(line.startswith("throttled") and " 19 " in line for line in lines)
    # every call ran on the provisioned environment or was throttled: no assumption, only documented rules
    assert "Notes" not in out and "Documented rules relied on" in out
    assert "concurrency.provisioned-spillover" in " ".join(out.split())
    status, out, err = run(capsys, "retry", "--source", "async")
    assert status == 0, err
    assert "Notes" in out and "assumption:" in out and "[async.poll-delay]" in " ".join(out.split())


def test_interrupt_is_exit_130(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from lambdaprobe.sim.target import SimTarget

    def interrupted(self: SimTarget, scenario: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(SimTarget, "run", interrupted)
    status, out, err = run(capsys, "invoke")
    assert (status, out) == (130, "")
    assert err.startswith("lambdaprobe: interrupted")


def test_help_lists_every_probe_with_its_whole_question(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--help")
    assert status == 0
    commands = out.split("Commands:")[1].strip().splitlines()
    names = [line.split()[0] for line in commands]
    for probe in ("concurrency", "retry", "destinations", "invoke", "timeout", "abort", "deploy-preference",
                  "vpc", "efs", "code-signing", "env-encryption", "cleanup", "report"):
        assert probe in names
    assert not any(line.rstrip().endswith("...") for line in commands)  # no question cut short


def test_retry_findings_say_who_retries(capsys: pytest.CaptureFixture[str]) -> None:
    sync = report(capsys, "retry", "--source", "sync")
    assert sync["findings"][0]["text"].startswith("r01 ran 1 time, starting at 0.0s, and ended failed:")
    assert "Lambda never retries a synchronous invoke" in sync["findings"][0]["text"]
    assert sync["findings"][0]["rules"][0] == "sync.no-retry"
    queued = report(capsys, "retry", "--source", "async", "--duration", "30", "--init", "0")
    assert queued["findings"][0]["text"].startswith("r01 ran 3 times, starting at 0.0s, 90.0s, 240.0s")
