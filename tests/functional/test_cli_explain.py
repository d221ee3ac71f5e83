"""`lambdaprobe explain --template`: JSON and SARIF contracts, --fail-on, bad input, and journeys equal to
what `retry` / `concurrency` print for the same settings."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from lambdaprobe.cli import main

SAMPLES = Path(__file__).parent.parent / "explain_templates"
COMPARED = ("summary", "requests", "dead_letters", "destinations", "concurrency")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def explain_json(capsys: pytest.CaptureFixture[str], name: str, *extra: str) -> dict[str, Any]:
    status, out, err = run(capsys, "explain", "--template", str(SAMPLES / name), "--output", "json", *extra)
    assert status == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "name",
    [
        "clean.yaml",
        "sqs-max-receive-count-1.yaml",
        "async-no-failure-destination.yaml",
        "reserved-below-sqs-max-concurrency.yaml",
        "async-event-age-short.yaml",
    ],
)
def test_each_journey_equals_the_probe_it_names(capsys: pytest.CaptureFixture[str], name: str) -> None:
    data = explain_json(capsys, name)
    journeys = [j for f in data["functions"] for j in f["journeys"]]
    assert journeys and all(j["report"] is not None for j in journeys)
    # a journey with caveats ran a setting the probe takes no option for (a retention): it says so instead
    compared = [j for j in journeys if not j["caveats"]]
    assert compared  # every sample here has at least one journey the probe runs exactly
    for journey in compared:
        argv = shlex.split(journey["command"])[1:]
        status, out, err = run(capsys, *argv, "--output", "json")
        assert status == 0, err
        probe = json.loads(out)
        assert probe["params"] == journey["report"]["params"]
        for key in COMPARED:
            assert probe[key] == journey["report"][key], (journey["command"], key)


def test_clean_template_journeys_and_no_finding(capsys: pytest.CaptureFixture[str]) -> None:
    data = explain_json(capsys, "clean.yaml")
    assert data["schema"] == "lambdaprobe.explain/1" and data["findings"] == [] and data["unresolved"] == []
    [fn] = data["functions"]
    ways = {j["way"]: j for j in fn["journeys"]}
    assert set(ways) == {"async", "async-burst", "sqs", "sqs-burst", "kinesis", "sync-burst"}
    async_attempts = ways["async"]["report"]["requests"][0]["attempts"]
    assert [a["start_s"] for a in async_attempts] == [0.0, 90.3, 240.3]  # 30 s attempts, retries 1 and 2 min apart
    assert "on-failure destination FailedEvents (sqs)" in ways["async"]["answer"]
    assert ways["sqs"]["report"]["requests"][0]["final"] == "dead_lettered"
    assert len(ways["sqs"]["report"]["requests"][0]["attempts"]) == 5  # maxReceiveCount 5
    burst = ways["sync-burst"]["report"]["summary"]
    assert (burst["succeeded"], burst["throttled"], burst["cold_starts"]) == (50, 50, 45)  # 5 of 50 warm, provisioned
    assert all(j["rules"] for j in fn["journeys"])


def test_no_redrive_journey_is_dropped_at_retention(capsys: pytest.CaptureFixture[str]) -> None:
    data = explain_json(capsys, "sqs-no-redrive.yaml")
    [journey] = [j for j in data["functions"][0]["journeys"] if j["way"] == "sqs"]
    request = journey["report"]["requests"][0]
    assert request["final"] == "expired"
    assert request["attempts"][-1]["start_s"] < 86400 <= request["attempts"][-1]["start_s"] + 60
    assert len(request["attempts"]) == 86400 // 60  # received every visibility timeout until the 1-day retention
    assert "86400 s" in journey["caveats"][0]
    assert "dropped" in journey["answer"]


def test_json_findings_carry_id_severity_location_and_url(capsys: pytest.CaptureFixture[str]) -> None:
    data = explain_json(capsys, "sqs-visibility-below-timeout.yaml")
    [finding] = data["findings"]
    assert (finding["id"], finding["severity"], finding["function"]) == (
        "explain.sqs-visibility-timeout",
        "error",
        "Worker",
    )
    assert finding["location"] == {
        "resource": "Jobs",
        "file": str(SAMPLES / "sqs-visibility-below-timeout.yaml"),
        "line": 9,
        "arn": None,
    }
    assert finding["url"] == "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"
    [journey] = [j for j in data["functions"][0]["journeys"] if j["way"] == "sqs"]
    assert journey["report"] is None and "below the function timeout" in journey["not_run"]


def test_sarif_has_rules_and_results_on_template_lines(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(SAMPLES / "reserved-below-sqs-max-concurrency.yaml")
    status, out, _ = run(capsys, "explain", "--template", path, "--output", "sarif")
    assert status == 0
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    [run_] = sarif["runs"]
    rules = run_["tool"]["driver"]["rules"]
    [result] = run_["results"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "explain.reserved-below-sqs-max-concurrency"
    assert result["level"] == "warning"
    [location] = result["locations"]
    assert location["physicalLocation"]["artifactLocation"] == {"uri": Path(path).as_posix()}  # absolute: no base
    assert location["physicalLocation"]["region"] == {"startLine": 26}
    assert all(r["helpUri"].startswith("https://docs.aws.amazon.com/") for r in rules)


@pytest.mark.parametrize(
    ("name", "fail_on", "status"),
    [
        ("clean.yaml", "warning", 0),
        ("sqs-visibility-timeout.yaml", "warning", 1),
        ("sqs-visibility-timeout.yaml", "error", 0),
        ("sqs-no-redrive.yaml", "error", 1),
        ("sqs-no-redrive.yaml", "none", 0),
    ],
)
def test_fail_on(capsys: pytest.CaptureFixture[str], name: str, fail_on: str, status: int) -> None:
    code, out, err = run(capsys, "explain", "--template", str(SAMPLES / name), "--output", "json", "--fail-on", fail_on)
    assert code == status
    json.loads(out)  # the report is printed either way
    if status:
        assert err.startswith("lambdaprobe: error: --fail-on ") and len(err.strip().splitlines()) == 1


def test_param_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    data = explain_json(capsys, "unresolved.yaml")
    assert {u["key"] for u in data["unresolved"]} == {"WorkerTimeout", "IsProd"}
    assert data["functions"][0]["journeys"][0]["not_run"]
    data = explain_json(
        capsys, "unresolved.yaml", "--param", "WorkerTimeout=20", "--param", "Jobs.VisibilityTimeout=100"
    )
    assert data["unresolved"] == []
    assert {f["id"] for f in data["findings"]} == {"explain.sqs-visibility-timeout", "explain.sqs-no-redrive"}


def test_table_output_is_plain_text_with_answers_and_findings(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "explain", "--template", str(SAMPLES / "async-no-failure-destination.yaml"))
    assert status == 0
    text = " ".join(out.split())
    assert "Answer: runs 3 times (starting at 0, 90.3, 240.3 s; 90.3 s billed), then is dropped" in text
    assert "explain.async-no-failure-destination" in out and "\x1b[" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "--template: give --template FILE, or --function NAME --target aws"),
        (["--function", "f"], "--target: explain --function NAME reads a deployed function"),
        (["--template", "T", "--qualifier", "live"], "--qualifier: applies only to --function NAME --target aws"),
        (["--template", "T", "--param", "novalue"], "--param: 'novalue' is not allowed; allowed: KEY=VALUE"),
        (["--template", "T", "--duration", "nan"], "--duration: nan"),
        (["--template", "T", "--burst", "0"], "--burst: 0 is out of range; allowed: 1..100000"),
        (["--template", "missing.yaml"], "--template: missing.yaml: cannot read it"),
        (["--function", "f", "--target", "aws", "--param", "a=1"], "--param: applies only to --template"),
        (["--template", "T", "--output", "xml"], "--output"),
        (["--template", "T", "--fail-on", "info"], "--fail-on"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    argv = [str(SAMPLES / "clean.yaml") if a == "T" else a for a in argv]
    status, out, err = run(capsys, "explain", *argv)
    assert (status, out) == (2, "")
    assert len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err


def test_help_states_the_read_permissions(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "explain", "--help")
    assert status == 0
    text = " ".join(out.split())
    for action in (
        "lambda:GetFunctionConfiguration",
        "lambda:ListEventSourceMappings",
        "sqs:GetQueueAttributes",
        "lambda:GetAccountSettings",
    ):
        assert action in text
    from lambdaprobe.explain.account import PERMISSIONS

    assert all(p in text for p in PERMISSIONS)


def test_help_lists_every_finding_id() -> None:
    from lambdaprobe.commands.explain import EPILOG
    from lambdaprobe.explain.checks import CATALOGUE

    assert all(c.id in EPILOG for c in CATALOGUE)


def test_names_from_a_template_reach_the_terminal_as_plain_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Timeout: 10\n"
        '      DeadLetterConfig:\n        TargetArn: "arn:aws:sqs:us-east-1:1:[bold]q\\x1b]0;owned\\x07"\n'
    )
    status, out, _ = run(capsys, "explain", "--template", str(path))
    assert status == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "[bold]q\\x1b]0;owned\\x07" in out  # shown, escaped, and not taken as markup


def test_sarif_paths_relative_to_the_source_root(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(SAMPLES.parent)
    status, out, _ = run(capsys, "explain", "--template", "explain_templates/sqs-no-redrive.yaml", "--output", "sarif")
    assert status == 0
    [result] = json.loads(out)["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "explain_templates/sqs-no-redrive.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 4


def test_without_the_extra_explain_template_names_it_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_cfnlint(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("cfnlint"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_cfnlint)
    status, out, err = run(capsys, "explain", "--template", str(SAMPLES / "clean.yaml"))
    assert (status, out) == (2, "")
    assert err.strip() == (
        "lambdaprobe: error: explain --template needs the template reader: pip install 'lambdaprobe[explain]'"
    )


def test_a_template_ignores_the_aws_switches_a_ci_job_sets(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys,
        "explain",
        "--template",
        str(SAMPLES / "clean.json"),
        "--region",
        "eu-west-1",
        "--profile",
        "ci",
        "--output",
        "json",
    )
    assert status == 0, err
    assert json.loads(out)["findings"] == []
