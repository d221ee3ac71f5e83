"""The CLI's contract with scripts, command by command: bad input is one line on stderr naming the
option, nothing on stdout, the documented exit status, no traceback, and no AWS call."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest

from lambdaprobe.cli import main
from lambdaprobe.errors import ExitStatus

USAGE = ExitStatus.USAGE
AWS = ["--target", "aws", "--yes"]
HERE = ["--region", "eu-west-1", "--endpoint-url", "http://127.0.0.1:9"]  # port 9 on loopback answers nothing

# (argv, exit status, a fragment of the one line on stderr)
BAD_INPUTS: list[tuple[list[str], int, str]] = [
    # non-finite numbers, on every probe that takes a float
    (["retry", "--duration", "nan"], USAGE, "--duration: nan is not allowed; allowed: a finite number"),
    (["retry", "--duration", "inf"], USAGE, "--duration: inf is not allowed"),
    (["concurrency", "--interval", "-inf"], USAGE, "--interval: -inf is not allowed"),
    (["invoke", "--timeout", "nan"], USAGE, "--timeout: nan is not allowed"),
    (["timeout", "--init", "inf"], USAGE, "--init: inf is not allowed"),
    (["abort", "--read-timeout", "nan"], USAGE, "--read-timeout: nan is not allowed"),
    (["deploy-preference", "--rate", "nan"], USAGE, "--rate: nan is not allowed"),
    (["destinations", "--duration", "NaN"], USAGE, "--duration: nan is not allowed"),
    (["invoke", *AWS, *HERE, "--deadline", "nan"], USAGE, "--deadline: nan is not allowed"),
    # ranges, shown in --help and checked from the same declaration
    (["retry", "--count", "0"], USAGE, "--count: 0 is out of range; allowed: 1..1000000"),
    (["concurrency", "--reserved", "-1"], USAGE, "--reserved: -1 is out of range; allowed: 0..900"),
    (["retry", "--source", "sqs", "--max-concurrency", "1"], USAGE, "--max-concurrency: 1 is out of range"),
    (["deploy-preference", "--minutes", "0.5"], USAGE, "--minutes: 0.5 is out of range; allowed: 1..120"),
    (["timeout", "--count", "101"], USAGE, "--count: 101 is out of range; allowed: 1..100"),
    (["concurrency", "--max-rows", "0"], USAGE, "--max-rows"),
    (["invoke", *AWS, *HERE, "--deadline", "0"], USAGE, "--deadline: 0 is out of range"),
    # choices: listed, any case accepted, anything else refused with the list
    (["retry", "--source", "kafka"], USAGE, "--source: 'kafka' is not allowed; allowed: sync, async, sqs"),
    (["retry", "--dlq", "s3"], USAGE, "--dlq: 's3' is not allowed; allowed: sqs, sns, none"),
    (["abort", "--caller", "alb"], USAGE, "--caller: 'alb' is not allowed; allowed: apigateway, sdk"),
    (["concurrency", "--qualifier", "$LATEST"], USAGE, "--qualifier: '$LATEST' is not allowed"),
    (["deploy-preference", "--preference", "Canary50"], USAGE, "--preference: 'Canary50' is not allowed"),
    (["code-signing", "--policy", "Audit"], USAGE, "--policy: 'Audit' is not allowed; allowed: Enforce, Warn"),
    (["invoke", "--output", "xml"], USAGE, "--output: 'xml' is not allowed; allowed: table, json"),
    (["invoke", "--target", "gcp"], USAGE, "--target: 'gcp' is not allowed; allowed: sim, aws"),
    (["explain", "--output", "xml"], USAGE, "--output: 'xml' is not allowed; allowed: table, json, sarif"),
    # options that do not apply, or that say the same thing twice
    (["retry", "--source", "sqs", "--dlq", "sns"], USAGE, "--dlq: applies only to --source async|sns|eventbridge"),
    (["retry", "--source", "async", "--bisect"], USAGE, "--bisect: applies only to --source kinesis|dynamodb"),
    (["retry", "--source", "sqs", "--count", "2", "--messages", "3"], USAGE, "--messages: the same option as --count"),
    (["deploy-preference", "--rate", "2", "--interval", "1"], USAGE, "--rate: the same as 1/--interval"),
    (["deploy-preference", "--minutes", "2", "--count", "5"], USAGE, "--minutes: --count already says how long"),
    (["abort", "--sdk-retries", "standard"], USAGE, "--sdk-retries: applies only to --caller sdk"),
    (["concurrency", "--reserved", "1", "--provisioned", "2"], USAGE, "--provisioned: 2 exceeds --reserved 1"),
    (["concurrency", "--endpoint-url", "http://127.0.0.1:9"], USAGE, "--endpoint-url: applies only to --target aws"),
    (["invoke", "--dry-run"], USAGE, "--dry-run: applies only to --target aws"),
    (["destinations", "--destination", "sqs"], USAGE, "No such option: --destination"),
    (["vpc", "--compare"], USAGE, "No such option: --compare"),
    (["invoke", "--quiet", "--verbose"], USAGE, "--verbose: --quiet prints only the answer; give one of the two"),
    # the probes only a real account can answer, asked of the simulator
    (["vpc"], USAGE, "vpc: needs --target aws"),
    (["env-encryption"], USAGE, "env-encryption: needs --target aws"),
    (["efs", *AWS, *HERE, "--subnet", "subnet-nope"], USAGE, "--subnet: 'subnet-nope' is not a subnet id"),
    # where a run would go: settled before the first call
    (["invoke", *AWS, "--endpoint-url", "notaurl", "--region", "eu-west-1"], USAGE,
     "--endpoint-url: 'notaurl' is not a URL"),
    (["invoke", *AWS, "--endpoint-url", "ftp://127.0.0.1:9", "--region", "eu-west-1"], USAGE, "is not a URL"),
    (["invoke", "--target", "aws", "--dry-run", "--endpoint-url", "http://:9"], USAGE, "is not a URL"),
    (["invoke", *AWS, "--endpoint-url", "http://127.0.0.1:9"], USAGE, "--region: no AWS region configured"),
    (["invoke", *AWS, *HERE[2:], "--region", "Mars 1"], USAGE, "--region: 'Mars 1' is not a region name"),
    (["invoke", *AWS, *HERE, "--profile", "nosuch"], USAGE, "--profile: 'nosuch': no such profile"),
    (["invoke", *AWS, *HERE], USAGE, "credentials: no AWS credentials found"),
    (["cleanup", "--target", "aws", "--endpoint-url", "notaurl"], USAGE, "--endpoint-url: 'notaurl' is not a URL"),
    (["cleanup", "--target", "aws", "--older-than", "soon"], USAGE, "--older-than"),
    (["cleanup"], USAGE, "--target: cleanup applies only to --target aws"),
    # files and expectations
    (["report", "/nonexistent/run.json"], USAGE, "FILE: /nonexistent/run.json: cannot read it"),
    (["invoke", "--expect", "colds=0"], USAGE, "--expect: unknown field 'colds'"),
    (["invoke", "--expect", "attempts"], USAGE, "--expect"),
    (["report"], USAGE, "Missing argument"),
    (["nosuchcommand"], USAGE, "No such command 'nosuchcommand'"),
    (["rules", "nosuch.rule"], USAGE, "RULE_ID: unknown rule 'nosuch.rule'"),
    (["explain"], USAGE, "--template: give --template FILE, or --function NAME --target aws"),
    (["explain", "--function", "orders"], USAGE, "--target: explain --function NAME reads a deployed function"),
    (["explain", "--template", "t.yaml", "--duration", "nan"], USAGE, "--duration: nan"),
    (["explain", "--template", "t.yaml", "--fail-on", "info"], USAGE,
     "--fail-on: 'info' is not allowed; allowed: none, warning, error"),
    (["explain", "--template", "/nonexistent/t.yaml"], USAGE, "--template: /nonexistent/t.yaml: cannot read it"),
    (["explain", "--template", "/nonexistent.yaml"], USAGE, "--template: /nonexistent.yaml: cannot read it"),
    (["explain", "--template", "x.yaml", "--fail-on", "bogus"], USAGE, "--fail-on: 'bogus' is not allowed"),
    (["rules", "--output", "xml"], USAGE, "--output: 'xml' is not allowed; allowed: table, json"),
    (["explain"], USAGE, "--template: give --template FILE, or --function NAME --target aws"),
    (["sweep", "concurrency", "--reserved", "9:1"], USAGE, "--reserved: '9:1': a range runs up"),
]


@pytest.fixture(autouse=True)
def no_aws_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No region, profile or credentials from this machine: each case states what it gives."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "LAMBDAPROBE_TARGET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(("argv", "status", "fragment"), BAD_INPUTS, ids=[" ".join(c[0]) for c in BAD_INPUTS])
def test_bad_input_is_one_line_on_stderr_and_nothing_on_stdout(
    capsys: pytest.CaptureFixture[str], argv: list[str], status: int, fragment: str
) -> None:
    got, out, err = run(capsys, *argv)
    assert got == status, err
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("lambdaprobe: error: "), err
    assert fragment in err
    assert "Traceback" not in err


def test_every_command_is_in_the_table() -> None:
    from lambdaprobe.cli import app

    commands = {c.name or "" for c in app.registered_commands}
    assert commands <= {argv[0] for argv, _, _ in BAD_INPUTS}


def test_sim_ignores_the_aws_only_switches_a_ci_job_sets(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "invoke", "--yes", "--region", "eu-west-1", "--profile", "ci", "--quiet")
    assert status == 0, err
    assert out.startswith("Answer\n")


def test_answering_no_is_its_own_exit_status(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> None:
    from tests.functional.aws_helpers import clients

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    before = clients(moto_endpoint)["lambda"].list_functions()["Functions"]
    status, out, err = run(capsys, "concurrency", "--provisioned", "5", "--target", "aws", "--region", "eu-west-1",
                           "--endpoint-url", moto_endpoint)
    assert (status, out) == (ExitStatus.DECLINED, "") == (6, "")
    assert err.splitlines()[-1] == "lambdaprobe: error: declined at the confirmation: nothing was created"
    assert "Traceback" not in err
    # the question said where (the account read from the endpoint), and what it costs
    assert "  account:  123456789012" in err and "  region:   eu-west-1" in err
    assert f"  endpoint: {moto_endpoint}" in err and "provisioned concurrency 5 x 128 MB" in err
    assert clients(moto_endpoint)["lambda"].list_functions()["Functions"] == before


def test_a_dry_run_prints_one_json_plan_and_saves_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "ap-south-2")  # AWS_REGION alone is enough, as for the AWS CLI
    saved = tmp_path / "plan.json"
    status, out, err = run(capsys, "retry", "--source", "sqs", "--target", "aws", "--dry-run", "--output", "json",
                           "--save", str(saved), "--endpoint-url", "http://127.0.0.1:9")
    assert status == 0, err
    plan = json.loads(out)
    assert plan["schema"] == "lambdaprobe.plan/1" and plan["probe"] == "retry"
    assert (plan["region"], plan["endpoint"], plan["account"]) == ("ap-south-2", "http://127.0.0.1:9", None)
    operations = [(c["service"], c["operation"]) for c in plan["deploy"]]
    assert ("sqs", "CreateQueue") in operations and ("lambda", "CreateEventSourceMapping") in operations
    assert ("sqs", "DeleteQueue") in [(c["service"], c["operation"]) for c in plan["teardown"]]
    assert plan["cost"] == ["negligible: pay-per-request charges only, under $0.01"]
    assert json.loads(saved.read_text()) == plan


def test_a_closed_stdout_ends_quietly(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    def closed(text: str) -> int:
        if text:  # as a pipe whose reader left: an empty write goes nowhere and succeeds
            raise BrokenPipeError(32, "Broken pipe")
        return 0

    monkeypatch.setattr(sys.stdout, "write", closed)
    status = main(["retry"])
    _, err = capsys.readouterr()
    assert status == ExitStatus.PIPE_CLOSED == 141
    assert err == ""


def test_report_rerenders_with_full_quiet_and_expect(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    saved = tmp_path / "run.json"
    assert run(capsys, "destinations", "--output", "json", "--save", str(saved))[0] == 0
    status, out, err = run(capsys, "report", str(saved), "--quiet", "--expect", "dead_lettered=1")
    assert status == 0, err
    assert out.startswith("Answer\n") and "Summary" not in out
    status, out, err = run(capsys, "report", str(saved), "--expect", "dead_lettered=0", "--output", "json")
    assert status == ExitStatus.EXPECTATION_FAILED
    assert json.loads(out)["findings"]
    assert err.strip() == "lambdaprobe: error: expected dead_lettered=0, got dead_lettered=1"


@pytest.mark.parametrize(
    "argv",
    [
        ["concurrency", "--reserved", "20", "--provisioned", "10"],
        ["retry", "--source", "sqs-fifo", "--messages", "5", "--fail", "first:2"],
        ["retry", "--source", "kinesis", "--bisect", "--on-failure", "sqs", "--max-retry-attempts", "2"],
        ["retry", "--source", "sync", "--sdk-retries", "standard"],
        ["abort", "--caller", "sdk", "--read-timeout", "10"],
        ["deploy-preference", "--rate", "2", "--minutes", "2", "--new-version-fails"],
        ["destinations", "--dlq", "sns", "--on-success", "eventbridge"],
        ["timeout", "--init", "12"],
        ["invoke", "--mode", "async", "--fail", "always"],
    ],
)
def test_the_header_is_a_command_line_that_repeats_the_run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    import shlex

    status, table, err = run(capsys, *argv)
    assert status == 0, err
    header = table.splitlines()[0]
    assert header.startswith(f"lambdaprobe {argv[0]} --target sim ")
    status, first, err = run(capsys, *argv, "--output", "json")
    status, again, err = run(capsys, *shlex.split(header)[1:], "--output", "json")
    assert status == 0, err
    assert json.loads(again)["params"] == json.loads(first)["params"]
    assert json.loads(again)["summary"] == json.loads(first)["summary"]


def test_every_number_option_shows_its_range_and_every_choice_its_values_in_help() -> None:
    import typer

    from lambdaprobe.cli import app

    group = typer.main.get_command(app)
    checked = 0
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        for param in command.params:
            annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
            kinds = {annotation, *typing.get_args(annotation)}
            help_text = getattr(param, "help", "") or ""
            if kinds & {int, float} and param.name not in ("seed",):
                checked += 1
                assert "Range:" in help_text or ".." in help_text or getattr(param, "min", None) is not None, (
                    name, param.name, help_text)
    assert checked >= 40


def test_a_report_saved_without_findings_gets_its_answer_when_rerendered(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    saved = tmp_path / "old.json"
    assert run(capsys, "concurrency", "--reserved", "1", "--provisioned", "1", "--output", "json",
               "--save", str(saved))[0] == 0
    data = json.loads(saved.read_text())
    del data["findings"]
    saved.write_text(json.dumps(data))
    status, out, err = run(capsys, "report", str(saved), "--quiet")
    assert status == 0, err
    assert out.startswith("Answer\n  • 19 of 20 throttled")
