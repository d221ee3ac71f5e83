"""The CLI runs what the AWS target used to refuse: SDK retry settings, an API Gateway caller,
traffic shifting (dry runs need no endpoint; one whole run against moto)."""

from __future__ import annotations

import json

import pytest

from lambdaprobe.cli import main
from tests.functional.aws_helpers import inventory

NOWHERE = ("--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["abort", "--caller", "sdk", "--read-timeout", "10", "--sdk-retries", "legacy", "--duration", "30"],
         "lambda.CreateAlias"),
        (["retry", "--source", "sync", "--sdk-retries", "standard"], "lambda.CreateFunction"),
        (["abort", "--caller", "apigateway", "--duration", "40"], "apigateway.PutIntegration"),
        (["deploy-preference", "--rollback-on-error", "--new-version-fails"], "lambda.UpdateFunctionConfiguration"),
        (["timeout", "--init", "12", "--duration", "1", "--timeout", "3"], "lambda.PublishVersion"),
    ],
)
def test_no_longer_refused(capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    status = main([*argv, "--target", "aws", "--dry-run", *NOWHERE])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "\nDeploy (" in out and expected in out and "not built" not in err


def test_an_sdk_run_states_its_botocore_config(capsys: pytest.CaptureFixture[str], moto_endpoint: str) -> None:
    # moto answers at once and runs nothing: the run ends at its deadline, partial report, nothing left
    status = main([
        "abort", "--caller", "sdk", "--read-timeout", "5", "--sdk-retries", "standard", "--duration", "1",
        "--target", "aws", "--yes", "--endpoint-url", moto_endpoint, "--region", "us-east-1",
        "--deadline", "1", "--output", "json",
    ])
    out, err = capsys.readouterr()
    assert status == 4, err
    report = json.loads(out)
    assert report["params"]["sdk_retries"] == "standard" and report["params"]["read_timeout"] == 5
    assert any("'mode': 'standard', 'total_max_attempts': 3" in n and "read_timeout=5" in n for n in report["notes"])
    (run_note,) = [n for n in report["notes"] if n.startswith("aws run ")]
    assert inventory(moto_endpoint, run_note.split()[2].rstrip(":")) == {}
