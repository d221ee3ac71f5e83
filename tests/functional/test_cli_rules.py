"""`lambdaprobe rules`: the registry as a table, as JSON, one rule whole, the assumptions only."""

import json

import pytest

from lambdaprobe.cli import main
from lambdaprobe.rules import RULES, RuleId


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["rules", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_json_lists_every_rule_with_an_https_source(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--output", "json")
    assert status == 0
    data = json.loads(out)
    assert [d["id"] for d in data] == [i.value for i in RULES]
    assert all(d["sources"] and all(s.startswith("https://") for s in d["sources"]) for d in data)
    assert {d["kind"] for d in data} == {"documented", "assumption"}
    assert all(d["measures"] for d in data if d["kind"] == "assumption")


def test_table_names_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys)
    assert status == 0
    flat = out.replace("\n", " ")
    for rid in (RuleId.ASYNC_RETRY_SPACING, RuleId.SQS_VISIBILITY_TIMEOUT, RuleId.CONCURRENCY_SCALING_REASON):
        assert rid.value in flat
    assert f"{len(RULES)} rules" in flat


def test_assumptions_only(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--assumptions", "--output", "json")
    assert status == 0
    ids = {d["id"] for d in json.loads(out)}
    assert ids == {r.id.value for r in RULES.values() if r.kind == "assumption"}
    assert "async.retry-spacing" not in ids and "async.throttle-backoff" in ids


def test_one_rule_with_sources_constants_and_probes(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "async.retry-spacing")
    assert status == 0
    assert "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html" in out.replace("\n", "")
    assert "spacing_s = 60.0" in out
    assert "retry" in out and "destinations" in out
    status, out, _ = run(capsys, "async.throttle-backoff", "--output", "json")
    data = json.loads(out)
    assert data["kind"] == "assumption" and data["measures"] and "concurrency" in data["probes"]


def test_unknown_id_is_a_one_line_error_with_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "async.retry-spacin")
    assert status == 2 and out == ""
    assert err.count("\n") == 1
    assert "RULE_ID" in err and "async.retry-spacing" in err


RUNS = [
    ["concurrency", "--reserved", "1", "--provisioned", "1"],
    ["concurrency", "--mode", "async", "--reserved", "0"],
    ["destinations"],
    ["invoke"],
    ["timeout", "--init", "12", "--duration", "1", "--timeout", "3"],
    ["deploy-preference", "--preference", "Linear10PercentEvery1Minute", "--new-version-fails", "--rollback-on-error"],
    ["abort", "--caller", "apigateway"],
    *(["retry", "--source", s] for s in ("sync", "async", "sqs", "sqs-fifo", "sns", "eventbridge", "kinesis",
                                         "dynamodb", "destination")),
]


@pytest.mark.parametrize("argv", RUNS, ids=" ".join)
def test_a_run_relies_only_on_rules_that_name_its_probe(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    # `lambdaprobe rules ID` says which probes rely on a rule: every run must agree with it
    assert main([*argv, "--output", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rules"], "a run relies on some rules"
    strangers = [r["id"] for r in data["rules"] if argv[0] not in RULES[RuleId(r["id"])].probes]
    assert strangers == []


@pytest.mark.parametrize("argv", RUNS, ids=" ".join)
def test_help_lists_every_assumption_a_run_relies_on(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert main([*argv, "--output", "json"]) == 0
    assumed = {r["id"] for r in json.loads(capsys.readouterr().out)["rules"] if r["kind"] == "assumption"}
    assert main([argv[0], "--help"]) == 0
    help_text = capsys.readouterr().out
    assert [rid for rid in sorted(assumed) if f"[{rid}]" not in help_text] == []
