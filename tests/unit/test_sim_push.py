"""SNS and EventBridge on the simulator: asynchronous invokes, so Lambda's async retry policy applies
to function errors ([sns.async] [eventbridge.async] [async.retry-spacing])."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaprobe.function.directive import Directive
from lambdaprobe.scenario import AsyncConfig, SourceKind
from lambdaprobe.sim.sources import eventbridge, sns
from tests.unit.sim_sources_helpers import run, scenario

SLOW_FAIL = Directive(duration_s=30, fail="always", init_s=0.0)


@pytest.mark.parametrize("kind", ["sns", "eventbridge"])
def test_failing_function_runs_at_0_then_60_and_120_s_after_each_end(kind: SourceKind) -> None:
    r = run(scenario(kind, directive=SLOW_FAIL, timeout=40))
    assert r.starts("r01") == [0.0, 90.0, 240.0]
    assert r.ends("r01") == [30.0, 120.0, 270.0]
    assert r.final("r01") == "failed"
    # nobody waited on the async invoke: no client result
    assert r.request("r01").client is None
    assert r.report.summary.throttled == 0 and r.report.summary.throttle_events == 0


@pytest.mark.parametrize(("kind", "note"), [("sns", sns.NOTE), ("eventbridge", eventbridge.NOTE)])
def test_notes_say_the_source_delivery_retry_does_not_apply(kind: SourceKind, note: str) -> None:
    r = run(scenario(kind))
    assert note in r.report.notes
    assert "does not throttle async invokes" in note


def test_sns_event_reaches_the_dlq_and_destination_in_its_sns_envelope() -> None:
    config = AsyncConfig(max_retry_attempts=1, dlq="sqs", on_failure="sqs")
    r = run(scenario("sns", directive=SLOW_FAIL, timeout=40, async_config=config))
    assert r.starts("r01") == [0.0, 90.0]
    [dead] = r.report.dead_letters
    record = dead.body["Records"][0]
    assert record["EventSource"] == "aws:sns"
    assert record["Sns"]["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:lambdaprobe-sim-topic"
    assert json.loads(record["Sns"]["Message"]) == {"request": "r01", "lambdaprobe": SLOW_FAIL.to_event()}
    [dest] = r.report.destinations
    assert dest.record["requestPayload"] == dead.body
    assert dest.record["requestContext"]["approximateInvokeCount"] == 2
    assert r.final("r01") == "dead_lettered"


def test_eventbridge_event_carries_the_probe_message_as_detail() -> None:
    r = run(scenario("eventbridge", directive=SLOW_FAIL, timeout=40, async_config=AsyncConfig(dlq="sqs")))
    body = r.report.dead_letters[0].body
    assert body["source"] == "lambdaprobe" and body["detail-type"] == "lambdaprobe probe"
    assert body["detail"] == {"request": "r01", "lambdaprobe": SLOW_FAIL.to_event()}
    assert body["account"] == "123456789012" and body["region"] == "us-east-1"


@pytest.mark.parametrize("kind", ["sns", "eventbridge"])
def test_reserved_concurrency_throttles_queue_events_instead_of_refusing_them(kind: SourceKind) -> None:
    ok = Directive(duration_s=10, fail="never", init_s=0.0)
    r = run(scenario(kind, count=3, directive=ok, timeout=20, reserved=1))
    assert r.report.summary.succeeded == 3
    assert r.report.summary.throttled == 0  # internal requeues only
    assert r.report.summary.max_concurrency == 1


@settings(max_examples=30, deadline=None)
@given(
    kind=st.sampled_from(["sns", "eventbridge"]),
    count=st.integers(1, 10),
    fail=st.sampled_from(["never", "always", "first:1", "first:2"]),
    retries=st.integers(0, 2),
    dlq=st.booleans(),
    reserved=st.sampled_from([None, 0, 1]),
)
def test_every_event_ends_exactly_once(
    kind: SourceKind, count: int, fail: str, retries: int, dlq: bool, reserved: int | None
) -> None:
    config = AsyncConfig(max_retry_attempts=retries, dlq="sqs" if dlq else None)
    sc = scenario(kind, count=count, interval=1.0, directive=Directive(5.0, fail, 0.1), timeout=10,
                  async_config=config, reserved=reserved)  # fmt: skip
    r = run(sc)
    assert r.settled_once()
    for req in r.report.requests:
        assert len(req.attempts) <= retries + 1
        assert req.final in ("succeeded", "failed", "dead_lettered", "expired")
    assert run(sc).report.to_json() == r.report.to_json()


def test_sns_message_that_fails_once_succeeds_on_the_retry_a_minute_after() -> None:
    r = run(scenario("sns", count=2, interval=5.0, directive=Directive(10, "first:1", 0.0), timeout=20))
    assert r.starts("r01") == [0.0, 70.0] and r.starts("r02") == [5.0, 75.0]
    assert r.final("r01") == r.final("r02") == "succeeded"
