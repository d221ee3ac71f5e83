"""`--fail` per request: one poison message among good ones, on both targets' stimulus."""

import json
import re

import pytest

from lambdaprobe.aws.client import AwsClient
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.run.drive import Driver
from lambdaprobe.errors import InputError
from lambdaprobe.scenarios import invoke, retry
from lambdaprobe.scenarios.common import fail_directives
from tests.helpers import simulate
from tests.plan_refs import run_plan


def fails(fail: str, count: int) -> tuple[str, list[tuple[int, str]]]:
    default, overrides = fail_directives(fail, count, 1.0, 0.0)
    return default.fail, [(i, d.fail) for i, d in overrides]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("always", ("always", [])),
        ("first:2", ("first:2", [])),
        ("r03:always", ("never", [(2, "always")])),
        ("r3:first:1", ("never", [(2, "first:1")])),
        ("always,r01:never", ("always", [(0, "never")])),
        ("2:always, 4:first:2", ("never", [(1, "always"), (3, "first:2")])),
    ],
)
def test_fail_specs(spec: str, expected: tuple[str, list[tuple[int, str]]]) -> None:
    assert fails(spec, 5) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("r06:always", "'r06:always' names request 6 of 5; allowed: 1..5"),
        ("always,never", "'always,never' has 2 defaults; allowed: one bare SPEC at most"),
        ("r02:sometimes", "'r02:sometimes' is not allowed"),
        ("r02:always,2:never", "'2:never': request 2 is named twice"),
    ],
)
def test_bad_fail_specs_name_the_option(spec: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(f"--fail: {message}")):
        fail_directives(spec, 5, 1.0, 0.0)


def test_one_poison_message_in_an_sqs_batch_with_partial_batch_responses() -> None:
    scenario = retry.build(retry.RetryOptions(
        source="sqs", count=5, interval=0.0, fail="r03:always", report_batch_item_failures=True, max_receive_count=3,
    ))
    report = simulate(scenario)
    finals = {r.id: (r.final, len(r.attempts)) for r in report.requests}
    assert finals == {
        "r01": ("succeeded", 1), "r02": ("succeeded", 1), "r03": ("dead_lettered", 3), "r04": ("succeeded", 1),
        "r05": ("succeeded", 1),
    }


def test_bisection_isolates_the_poison_record() -> None:
    scenario = retry.build(retry.RetryOptions(
        source="kinesis", count=8, interval=0.0, duration=1.0, fail="r03:always", bisect=True, max_retry_attempts=1,
        on_failure="sqs",
    ))
    report = simulate(scenario)
    finals = {r.id: r.final for r in report.requests}
    assert finals.pop("r03") == "failed"
    assert set(finals.values()) == {"succeeded"}
    (record,) = [d.record for d in report.destinations]
    assert record["KinesisBatchInfo"]["batchSize"] == 1  # only the poison record is discarded


def test_direct_invokes_take_their_own_directive() -> None:
    report = simulate(invoke.build(mode="sync", duration=0.1, fail="2:always", init=0.0, timeout=None, count=3,
                                   interval=1.0, seed=0))
    assert [r.attempts[0].outcome for r in report.requests] == ["success", "error", "success"]
    report = simulate(invoke.build(mode="async", duration=0.1, fail="2:always", init=0.0, timeout=None, count=3,
                                   interval=1.0, seed=0))
    assert [len(r.attempts) for r in report.requests] == [1, 3, 1]  # r02 retried twice by Lambda


def test_the_aws_driver_sends_each_request_its_own_directive() -> None:
    scenario = invoke.build(mode="sync", duration=0.1, fail="r02:always", init=0.0, timeout=None, count=3,
                            interval=1.0, seed=0)
    driver = Driver(AwsClient(AwsOptions(region="us-east-1")), scenario, run_plan("f"), {})
    assert [json.loads(driver.payload(rid))["lambdaprobe"]["fail"] for rid in ("r01", "r02", "r03")] == [
        "never", "always", "never"]


@pytest.mark.parametrize("size", [400, 5000, 6 * 1024 * 1024 + 1])
def test_the_aws_driver_pads_each_event_to_the_payload_size(size: int) -> None:
    # [invoke.payload-limits] --payload-size on --target aws: the event is exactly that many bytes
    scenario = invoke.build(mode="sync", duration=0.1, fail="never", init=0.0, timeout=None, count=1,
                            interval=1.0, seed=0, payload_size=size)
    driver = Driver(AwsClient(AwsOptions(region="us-east-1")), scenario, run_plan("f"), {})
    body = driver.payload("r01")
    assert len(body) == size and json.loads(body)["request"] == "r01"


def test_an_async_invoke_refused_as_too_large_is_not_waited_for() -> None:
    from lambdaprobe.aws.sources.expect import outstanding
    from lambdaprobe.observation import ClientResult, Observations, Sent

    scenario = invoke.build(mode="async", duration=0.1, fail="never", init=0.0, timeout=None, count=2,
                            interval=1.0, seed=0, payload_size=2 * 1024 * 1024)
    obs = Observations("aws", sent=[Sent("r01", 0.0), Sent("r02", 1.0)],
                       client_results=[ClientResult("r01", 0.0, 413, 0.1, "RequestEntityTooLargeException"),
                                       ClientResult("r02", 1.0, 202, 0.1)])
    missing, _ = outstanding(scenario, obs)
    assert [m.split(":")[0] for m in missing] == ["r02"]
