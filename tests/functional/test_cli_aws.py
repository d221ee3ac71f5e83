"""The CLI on --target aws against moto's server on 127.0.0.1: dry run, confirmation, deadline, cleanup."""

import json

import pytest

from lambdaprobe.cli import main
from tests.functional.aws_helpers import clients, inventory


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_dry_run_prints_the_plan_and_needs_no_endpoint(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata lookup for credentials
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    # Port 9 on loopback answers nothing: the dry run still prints its plan, the account unknown.
    status, out, err = run(capsys, "retry", "--source", "sqs", "--target", "aws", "--dry-run",
                           "--endpoint-url", "http://127.0.0.1:9", "--region", "eu-west-1")
    assert status == 0, err
    assert out.startswith("Where (nothing is created by a dry run):\n  account:  unknown")
    assert "  region:   eu-west-1\n  endpoint: http://127.0.0.1:9\n" in out
    assert "\nDeploy (" in out
    assert "sqs.CreateQueue" in out and "lambda.CreateEventSourceMapping" in out
    assert "Teardown (" in out


def test_without_yes_and_without_a_terminal_nothing_is_created(
    capsys: pytest.CaptureFixture[str], moto_endpoint: str
) -> None:
    before = clients(moto_endpoint)["lambda"].list_functions()["Functions"]
    status, out, err = run(capsys, "invoke", "--target", "aws", "--endpoint-url", moto_endpoint)
    assert (status, out) == (2, "")
    assert "--yes: a run on --target aws creates billable resources" in err
    assert clients(moto_endpoint)["lambda"].list_functions()["Functions"] == before


def test_bad_input_on_aws_is_exit_2_before_any_call(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "concurrency", "--reserved", "950", "--target", "aws", "--yes",
                         "--endpoint-url", "http://127.0.0.1:9")
    assert status == 2 and "--reserved: 950 is out of range" in err


def test_an_unreachable_endpoint_is_exit_3_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "invoke", "--target", "aws", "--yes", "--endpoint-url", "http://127.0.0.1:9",
                           "--region", "us-east-1")
    assert status == 3
    assert out == ""
    assert err.strip().splitlines()[-1].startswith("lambdaprobe: error: ")
    assert "Traceback" not in err


def test_a_run_that_sees_nothing_ends_at_its_deadline_with_a_partial_report_and_no_leftovers(
    capsys: pytest.CaptureFixture[str], moto_endpoint: str
) -> None:
    status, out, err = run(capsys, "retry", "--source", "async", "--target", "aws", "--yes", "--endpoint-url",
                           moto_endpoint, "--deadline", "3", "--output", "json")
    assert status == 4, err
    report = json.loads(out)
    assert report["target"] == "aws" and report["complete"] is False and report["missing"]
    assert report["summary"]["requests"] == 1
    [run_id] = [n.split()[2].rstrip(":") for n in report["notes"] if n.startswith("aws run ")]
    assert inventory(moto_endpoint, f"lambdaprobe-{run_id}") == {}
    # nothing was observed, so the answer claims nothing: it says what is missing
    assert [f["text"][:8] for f in report["findings"]] == ["missing:"]
    # with --yes nobody is asked, but stderr says where the run went
    assert f"lambdaprobe: creating in account: 123456789012, region: us-east-1, endpoint: {moto_endpoint}" in err


def test_cleanup_deletes_tagged_leftovers_and_nothing_else(
    capsys: pytest.CaptureFixture[str], moto_endpoint: str
) -> None:
    sqs = clients(moto_endpoint)["sqs"]
    sqs.create_queue(QueueName="lambdaprobe-lpdead01-dlq", tags={"lambdaprobe:run": "lpdead01"})
    sqs.create_queue(QueueName="lambdaprobe-untagged-keep")
    sqs.create_queue(QueueName="someone-elses-queue", tags={"lambdaprobe:run": "lpdead01"})
    status, out, err = run(
        capsys, "cleanup", "--target", "aws", "--yes", "--older-than", "0", "--endpoint-url", moto_endpoint
    )
    assert status == 0, err
    assert "deleted 1" in out
    urls = sqs.list_queues().get("QueueUrls", [])
    assert not any(u.endswith("lambdaprobe-lpdead01-dlq") for u in urls)
    assert any(u.endswith("lambdaprobe-untagged-keep") for u in urls)
    assert any(u.endswith("someone-elses-queue") for u in urls)
    for url in urls:
        sqs.delete_queue(QueueUrl=url)


def test_cleanup_is_for_aws_only(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "cleanup")
    assert status == 2 and "--target: cleanup applies only to --target aws" in err
