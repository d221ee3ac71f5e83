"""Async invoke retries, event age, throttle requeue, DLQ and destinations ([async.retry-spacing]
[async.throttle-requeue] [dlq.message] [destinations.record])."""

from lambdaprobe.scenario import AsyncConfig, ConcurrencySpec
from lambdaprobe.sim.async_invoke import THROTTLE_BACKOFF_MAX_S
from tests.helpers import direct, simulate, spans


def failing(duration: float = 30.0, **config: object):
    return direct(mode="async", duration=duration, fail="always", timeout=60.0,
                  async_config=AsyncConfig(**config))  # type: ignore[arg-type]


def test_a_30s_failing_function_runs_0_30_then_90_120_then_240_270() -> None:
    report = simulate(failing(dlq="sqs", on_failure="sqs"))
    assert spans(report) == [(0.0, 30.0, "error"), (90.0, 120.0, "error"), (240.0, 270.0, "error")]
    assert report.requests[0].final == "dead_lettered"
    assert report.requests[0].client is not None and report.requests[0].client.status == 202
    # the DLQ and the destination receive only after the last attempt, at the same moment [destinations.with-dlq]
    assert [d.t for d in report.dead_letters] == [270.0]
    assert [d.t for d in report.destinations] == [270.0]


def test_max_retry_attempts_limits_attempts() -> None:
    for retries in (0, 1, 2):
        report = simulate(failing(max_retry_attempts=retries))
        assert report.summary.attempts == retries + 1
        assert report.requests[0].final == "failed"


def test_first_n_failures_then_success_goes_to_on_success() -> None:
    report = simulate(direct(mode="async", duration=1.0, fail="first:1",
                             async_config=AsyncConfig(on_success="sqs", on_failure="sqs")))
    assert spans(report) == [(0.0, 1.0, "error"), (61.0, 62.0, "success")]
    [record] = report.destinations
    assert record.kind == "on_success"
    assert record.record["requestContext"]["condition"] == "Success"
    assert record.record["requestContext"]["approximateInvokeCount"] == 2
    assert "functionError" not in record.record["responseContext"]


def test_dlq_gets_the_original_event_and_the_destination_the_invocation_record() -> None:
    report = simulate(failing(duration=2.0, dlq="sqs", on_failure="sqs"))
    [dead] = report.dead_letters
    [dest] = report.destinations
    assert dead.body == {"request": "r01", "lambdaprobe": {"duration_s": 2.0, "fail": "always", "init_s": 0.0}}
    assert set(dead.attributes) == {"RequestID", "ErrorCode", "ErrorMessage"}
    assert dead.attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    record = dest.record
    assert set(record) == {"version", "timestamp", "requestContext", "requestPayload", "responseContext",
                           "responsePayload"}
    assert record["requestPayload"] == dead.body
    assert record["requestContext"]["requestId"] == dead.attributes["RequestID"]["StringValue"]
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    # the alias `live` points at version 1
    assert record["requestContext"]["functionArn"].endswith(":function:lambdaprobe-sim-probe:live")
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "1", "functionError": "Unhandled"}
    assert record["responsePayload"]["errorType"] == "ProbeError"


def test_sns_dlq_attributes_have_the_sns_shape() -> None:
    report = simulate(failing(duration=1.0, dlq="sns", max_retry_attempts=0))
    assert report.dead_letters[0].attributes["ErrorCode"] == {"Type": "Number", "Value": "200"}


def test_eventbridge_destination_wraps_the_record_as_detail() -> None:
    report = simulate(failing(duration=1.0, on_failure="eventbridge", max_retry_attempts=0))
    event = report.destinations[0].record
    assert event["source"] == "lambda"
    assert event["detail-type"] == "Lambda Function Invocation Result - Failure"
    assert event["detail"]["requestContext"]["condition"] == "RetriesExhausted"


def test_event_age_exceeded_before_the_next_retry() -> None:
    report = simulate(failing(duration=30.0, max_event_age_s=60, on_failure="sqs"))
    assert spans(report) == [(0.0, 30.0, "error")]  # the retry would start at 90 s > 60 s
    assert report.requests[0].final == "expired"
    [dest] = report.destinations
    assert dest.t == 60.0
    assert dest.record["requestContext"]["condition"] == "EventAgeExceeded"


def test_timeouts_count_as_errors_and_are_retried() -> None:
    report = simulate(direct(mode="async", duration=10.0, timeout=3.0, async_config=AsyncConfig(dlq="sqs")))
    assert spans(report) == [(0.0, 3.0, "timeout"), (63.0, 66.0, "timeout"), (186.0, 189.0, "timeout")]
    attributes = report.dead_letters[0].attributes
    request_id = attributes["RequestID"]["StringValue"]
    # [runtime.timeout-error] the DLQ carries the timeout answer's errorMessage, request id included
    expected = f"RequestId: {request_id} Error: Task timed out after 3.00 seconds"
    assert attributes["ErrorMessage"]["StringValue"] == expected


def test_reserved_zero_sends_events_straight_to_the_dlq_without_running() -> None:
    report = simulate(direct(mode="async", count=3, concurrency=ConcurrencySpec(reserved=0),
                             async_config=AsyncConfig(dlq="sqs", on_failure="sqs")))
    s = report.summary
    assert (s.attempts, s.dead_lettered, s.destination_records, s.throttled) == (0, 3, 3, 0)
    assert {d.attributes["ErrorCode"]["StringValue"] for d in report.dead_letters} == {"429"}


def test_throttled_event_is_requeued_with_doubling_backoff_that_uses_no_retries() -> None:
    # reserved 1: r02 arrives while r01 runs for 100 s; r02 is requeued at 1, 2, 4, ... s
    report = simulate(direct(mode="async", count=2, interval=0.0, duration=100.0, timeout=120.0,
                             concurrency=ConcurrencySpec(reserved=1)))
    second = report.requests[1]
    assert second.final == "succeeded" and len(second.attempts) == 1
    # polls at 0, 1, 3, 7, 15, 31, 63 (throttled) then 127 (free since 100 s)
    assert second.attempts[0].start_s == 127.0
    assert second.throttles == 7


def test_throttle_backoff_is_capped_at_five_minutes() -> None:
    report = simulate(direct(mode="async", count=2, interval=0.0, duration=900.0, timeout=900.0,
                             concurrency=ConcurrencySpec(reserved=1)))
    second = report.requests[1]
    # 1+2+...+256 = 511 s, then 300 s steps: 811, 1111 (> 900, r01 done) -> runs at 1111
    assert second.attempts[0].start_s == 511.0 + THROTTLE_BACKOFF_MAX_S * 2
