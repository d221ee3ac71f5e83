"""Real probes on a real AWS account. Opt-in: `python -m pytest -m aws tests/aws`.

Needs credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and a region; creates
billable resources for a few minutes and deletes them. Skipped, with the reason, otherwise.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path

import pytest

from lambdaprobe.analysis import analyse
from lambdaprobe.aws.cleanup.sweep import find_leftovers
from lambdaprobe.aws.client import AwsClient
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.target import AwsTarget
from lambdaprobe.function.directive import Directive
from lambdaprobe.scenario import AsyncConfig, ConcurrencySpec, FunctionSpec, Scenario, SourceSpec, Stimulus

pytestmark = pytest.mark.aws


def credentials_reason() -> str | None:
    """Why the tier cannot run, judged from the environment and config files only.

    Deliberately no credential-provider chain: that may query an instance metadata endpoint,
    and nothing here may reach the network unless the tier really runs.
    """
    if os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY"):
        pass
    elif os.environ.get("AWS_PROFILE"):
        files = [
            Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")).expanduser(),
            Path(os.environ.get("AWS_CONFIG_FILE", "~/.aws/config")).expanduser(),
        ]
        if not any(f.exists() for f in files):
            return "AWS_PROFILE is set but no AWS config or credentials file exists"
    else:
        parser = configparser.ConfigParser()
        parser.read(Path("~/.aws/credentials").expanduser())
        if not parser.has_section("default"):
            return "no AWS credentials (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
    if os.environ.get("AWS_ACCESS_KEY_ID") == "testing":
        return "the credentials are the test suite's dummy ones"
    if not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")):
        return "no region (set AWS_REGION)"
    return None


REASON = credentials_reason()
skip_without_account = pytest.mark.skipif(REASON is not None, reason=f"real-account tier: {REASON}")


def options() -> AwsOptions:
    return AwsOptions(
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
        profile=os.environ.get("AWS_PROFILE"),
        yes=True,
        poll_s=5.0,
    )


@skip_without_account
def test_sync_cold_then_warm() -> None:
    sc = Scenario(
        probe="concurrency",
        function=FunctionSpec(directive=Directive(duration_s=0.5)),
        stimulus=Stimulus(count=2, interval_s=2.0),
        source=SourceSpec(kind="sync"),
    )
    o = options()
    report = analyse(sc, AwsTarget(o, progress=print).run(sc))
    assert report.summary.succeeded == 2 and report.summary.cold_starts >= 1
    assert [f for f in find_leftovers(AwsClient(o)) if f.run_id == o.run_id] == []


@skip_without_account
def test_async_retries_to_the_dlq() -> None:
    sc = Scenario(
        probe="retry",
        function=FunctionSpec(directive=Directive(duration_s=0.1, fail="always")),
        stimulus=Stimulus(count=1, mode="async"),
        source=SourceSpec(kind="async"),
        async_config=AsyncConfig(max_retry_attempts=1, dlq="sqs", on_failure="sqs"),
    )
    report = analyse(sc, AwsTarget(options(), progress=print).run(sc))
    assert report.summary.attempts == 2 and report.summary.dead_lettered == 1
    assert report.summary.destination_records == 1


@skip_without_account
def test_reserved_one_provisioned_one_throttles_the_rest() -> None:
    sc = Scenario(
        probe="concurrency",
        function=FunctionSpec(directive=Directive(duration_s=10)),
        stimulus=Stimulus(count=5, interval_s=1.0),
        source=SourceSpec(kind="sync"),
        concurrency=ConcurrencySpec(reserved=1, provisioned=1),
    )
    report = analyse(sc, AwsTarget(options(), progress=print).run(sc))
    assert report.summary.succeeded == 1 and report.summary.throttled == 4
