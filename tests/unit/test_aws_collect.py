"""Collector parsing: log lines, REPORT lines, timeouts, DLQ messages, destination records."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambdaprobe.aws.observe.expectations import expected_attempts, next_retry_hint, settled_from_records
from lambdaprobe.aws.observe.log_parse import (
    LogEvent,
    attempts_from_logs,
    parse_probe_line,
    parse_report,
    parse_timeout,
    version_of_stream,
)
from lambdaprobe.aws.observe.message_parse import dead_letter_from_message, destination_from_message
from lambdaprobe.aws.plan.records import Watch
from lambdaprobe.aws.sources.expect import derive_deadline_s, outstanding
from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import Attempt, ClientResult, DeadLetter, DestinationRecord, Observations, Sent
from lambdaprobe.scenario import (
    AsyncConfig,
    FunctionSpec,
    Scenario,
    SourceSpec,
    SqsSourceSpec,
    Stimulus,
    StreamSourceSpec,
)
from lambdaprobe.sim.records import dlq_attributes, eventbridge_envelope, invocation_record

T0 = 1_790_000_000.0
AWS_ID = "8f5e1c2a-1111-4e7e-9d3b-0123456789ab"
STREAM_1 = "2026/01/01/[1]0a1b2c3d4e5f"
STREAM_2 = "2026/01/01/[1]ffeeddccbbaa"
FN_ARN = "arn:aws:lambda:us-east-1:123456789012:function:lambdaprobe-lp000001-probe"


def probe_line(
    kind: str,
    t: float,
    request: str = "r01",
    attempt: int = 1,
    aws_id: str = AWS_ID,
    cold: bool = False,
    outcome: str | None = None,
    init_s: float = 0.0,
    init_type: str = "on-demand",
    error: str | None = None,
) -> str:
    return (
        json.dumps(
            {
                "lambdaprobe": kind,
                "request": request,
                "aws_request_id": aws_id,
                "attempt": attempt,
                "t": T0 + t,
                "cold": cold,
                "init_type": init_type,
                "init_s": init_s,
                "outcome": outcome,
                "error": error,
            }
        )
        + "\n"
    )


def ev(t: float, message: str, stream: str = STREAM_1, n: int = 0) -> LogEvent:
    return LogEvent((T0 + t) * 1000, message, stream, f"{stream}:{t}:{n}:{message[:20]}")


REPORT_COLD = (
    f"REPORT RequestId: {AWS_ID}\tDuration: 15.74 ms\tBilled Duration: 16 ms\tMemory Size: 128 MB\t"
    "Max Memory Used: 56 MB\tInit Duration: 130.49 ms\t\n"
)
REPORT_WARM = (
    f"REPORT RequestId: {AWS_ID}\tDuration: 2002.10 ms\tBilled Duration: 2003 ms\tMemory Size: 128 MB\t"
    "Max Memory Used: 40 MB\t\n"
)


def test_report_line_with_and_without_init_duration() -> None:
    cold = parse_report(REPORT_COLD)
    assert cold is not None
    assert (cold.aws_request_id, cold.duration_ms, cold.billed_ms, cold.memory_mb, cold.max_memory_mb) == (
        AWS_ID,
        15.74,
        16,
        128,
        56,
    )
    assert cold.init_ms == 130.49
    warm = parse_report(REPORT_WARM)
    assert warm is not None and warm.init_ms is None and warm.billed_ms == 2003
    assert parse_report("START RequestId: x Version: 1") is None


def test_timeout_line() -> None:
    line = f"2026-01-01T00:00:03.123Z {AWS_ID} Task timed out after 3.00 seconds\n"
    parsed = parse_timeout(line)
    assert parsed is not None and parsed.aws_request_id == AWS_ID and parsed.seconds == 3.0
    assert parse_timeout("Task timed out") is None


def test_probe_line_parsing_ignores_other_lines() -> None:
    line = parse_probe_line(probe_line("start", 1.0, cold=True, init_s=0.3))
    assert line is not None and line.kind == "start" and line.cold and line.init_s == 0.3
    assert parse_probe_line("[ERROR] ProbeError: lambdaprobe: attempt 1 fails") is None
    assert parse_probe_line('{"lambdaprobe": "other"}') is None
    assert parse_probe_line("{not json lambdaprobe") is None


def test_version_from_log_stream() -> None:
    assert version_of_stream(STREAM_1) == "1"
    assert version_of_stream("2026/01/01/[$LATEST]abc") == "$LATEST"


def test_sync_cold_attempt_with_report() -> None:
    events = [
        ev(0.5, "INIT_START Runtime Version: python:3.12.v30\n"),
        ev(0.6, probe_line("start", 0.6, cold=True, init_s=0.3)),
        ev(0.7, probe_line("end", 0.7, cold=True, outcome="success")),
        ev(0.71, REPORT_COLD),
    ]
    attempts, in_flight = attempts_from_logs(events, T0)
    assert in_flight == []
    (a,) = attempts
    assert a.request_id == "r01" and a.n == 1 and a.outcome == "success" and a.cold
    assert a.init_s == pytest.approx(0.13049)  # REPORT's Init Duration wins over the handler's measure
    assert a.start == pytest.approx(0.6 - 0.13049) and a.end == pytest.approx(0.7)
    assert a.billed_ms == 16 and a.version == "1" and a.environment_id == STREAM_1 and not a.provisioned


def test_async_retries_keep_the_request_id_and_are_numbered_in_time_order() -> None:
    error = "lambdaprobe: attempt 1 fails as directed (always)"
    events = [
        ev(0.1, probe_line("start", 0.1, attempt=1)),
        ev(0.2, probe_line("end", 0.2, attempt=1, outcome="error", error=error)),
        ev(0.21, REPORT_WARM),
        # the retry landed on another environment: its in-memory counter restarted at 1
        ev(60.3, probe_line("start", 60.3, attempt=1), STREAM_2),
        ev(60.4, probe_line("end", 60.4, attempt=1, outcome="error", error=error), STREAM_2),
        ev(60.41, REPORT_WARM, STREAM_2),
        ev(180.5, probe_line("start", 180.5, attempt=2), STREAM_2),
        ev(180.6, probe_line("end", 180.6, attempt=2, outcome="success"), STREAM_2),
    ]
    attempts, in_flight = attempts_from_logs(events, T0)
    assert [(a.n, a.outcome) for a in attempts] == [(1, "error"), (2, "error"), (3, "success")]
    assert attempts[0].error == error
    assert len({a.execution_id for a in attempts}) == 3
    assert in_flight == []


def test_timed_out_attempt_from_the_timeout_line() -> None:
    events = [
        ev(1.0, probe_line("start", 1.0)),
        ev(4.0, f"2026-01-01T00:00:04.000Z {AWS_ID} Task timed out after 3.00 seconds\n"),
        ev(4.01, REPORT_WARM),
    ]
    (a,), _ = attempts_from_logs(events, T0)
    assert a.outcome == "timeout" and a.error == "Task timed out after 3.00 seconds"
    assert a.end == pytest.approx(4.0)


def test_newer_runtimes_report_status_timeout_in_the_report_line() -> None:
    report = (
        f"REPORT RequestId: {AWS_ID}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 40 MB\tStatus: timeout\n"
    )
    parsed = parse_report(report)
    assert parsed is not None and parsed.status == "timeout" and parsed.init_ms is None
    (a,), _ = attempts_from_logs([ev(1.0, probe_line("start", 1.0)), ev(4.0, report)], T0)
    assert (
        a.outcome == "timeout"
        and a.end == pytest.approx(4.0)
        and a.error == "Task timed out after 3.00 seconds"
    )
    crashed = report.replace("Status: timeout", "Status: error\tError Type: Runtime.ExitError")
    (b,), _ = attempts_from_logs([ev(1.0, probe_line("start", 1.0)), ev(4.0, crashed)], T0)
    assert b.outcome == "error" and "Status: error" in (b.error or "")


def test_attempt_without_end_is_in_flight() -> None:
    attempts, in_flight = attempts_from_logs([ev(1.0, probe_line("start", 1.0))], T0)
    assert attempts == [] and len(in_flight) == 1 and "r01" in in_flight[0]


def test_batch_is_one_execution_seen_by_each_request() -> None:
    events = [
        ev(1.0, probe_line("start", 1.0, request="r01", attempt=2)),
        ev(1.0, probe_line("start", 1.0001, request="r02", attempt=2), n=1),
        ev(1.1, probe_line("end", 1.1, request="r01", attempt=2, outcome="success")),
        ev(1.1, probe_line("end", 1.1, request="r02", attempt=2, outcome="error"), n=1),
    ]
    attempts, _ = attempts_from_logs(events, T0, renumber=False)
    assert {a.request_id: (a.receive_count, a.outcome) for a in attempts} == {
        "r01": (2, "success"),
        "r02": (2, "error"),
    }
    assert len({a.execution_id for a in attempts}) == 1


def test_provisioned_environment() -> None:
    events = [
        ev(0.1, probe_line("start", 0.1, init_type="provisioned-concurrency")),
        ev(0.2, probe_line("end", 0.2, outcome="success", init_type="provisioned-concurrency")),
    ]
    (a,), _ = attempts_from_logs(events, T0)
    assert a.provisioned and not a.cold


EVENT = {"request": "r01", "lambdaprobe": {"duration_s": 0.1, "fail": "always", "init_s": 0.3}}
SQS_DLQ_MESSAGE = {
    "MessageId": "m1",
    "ReceiptHandle": "h",
    "Body": json.dumps(EVENT),
    "Attributes": {"SentTimestamp": str(int((T0 + 185.25) * 1000)), "ApproximateReceiveCount": "1"},
    "MessageAttributes": {
        "RequestID": {"StringValue": AWS_ID, "DataType": "String"},
        "ErrorCode": {"StringValue": "200", "DataType": "Number"},
        "ErrorMessage": {
            "StringValue": "lambdaprobe: attempt 3 fails as directed (always)",
            "DataType": "String",
        },
    },
}


def sns_wrapped(message: Any, attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    note = {
        "Type": "Notification",
        "MessageId": "n1",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:lambdaprobe-lp000001-dlq",
        "Message": json.dumps(message),
        "Timestamp": "2026-01-01T00:03:05.250Z",
        "SignatureVersion": "1",
        "MessageAttributes": attributes or {},
    }
    return {
        "MessageId": "m2",
        "ReceiptHandle": "h",
        "Body": json.dumps(note),
        "Attributes": {"SentTimestamp": str(int((T0 + 185.5) * 1000))},
    }


def test_sqs_dead_letter_has_the_simulators_shape() -> None:
    watch = Watch("dlq_url", "dead_letter", "sqs:lambdaprobe-lp000001-dlq", "sqs")
    dl = dead_letter_from_message(SQS_DLQ_MESSAGE, watch, T0, T0 + 999)
    expected_attrs = dlq_attributes("sqs", AWS_ID, 200, "lambdaprobe: attempt 3 fails as directed (always)")
    assert dl == DeadLetter(185.25, "sqs:lambdaprobe-lp000001-dlq", EVENT, expected_attrs, "r01")


def test_sns_dead_letter_is_unwrapped() -> None:
    attrs = dlq_attributes("sns", AWS_ID, 200, "boom")
    watch = Watch("dlq-obs_url", "dead_letter", "sns:lambdaprobe-lp000001-dlq", "sns")
    dl = dead_letter_from_message(sns_wrapped(EVENT, attrs), watch, T0, T0)
    assert dl.body == EVENT and dl.attributes == attrs and dl.request_id == "r01"
    assert dl.t == pytest.approx(185.5)


def record(condition: str = "RetriesExhausted") -> dict[str, Any]:
    return invocation_record(
        t=185.0,
        request_id=AWS_ID,
        function_arn=FN_ARN + ":live",
        condition=condition,  # type: ignore[arg-type]
        invoke_count=3,
        payload=EVENT,
        status_code=200,
        executed_version="1",
        function_error=True,
        response={"errorMessage": "boom", "errorType": "ProbeError"},
    )


@pytest.mark.parametrize("shape", ["sqs", "sns", "eventbridge", "lambda"])
def test_destination_records_of_every_shape(shape: str) -> None:
    rec = record()
    if shape == "sqs":
        message = {"Body": json.dumps(rec), "Attributes": {"SentTimestamp": str(int((T0 + 186) * 1000))}}
        expected = rec
    elif shape == "sns":
        message = sns_wrapped(rec)
        expected = rec
    elif shape == "eventbridge":
        bus = "arn:aws:events:us-east-1:123456789012:event-bus/lambdaprobe-on-failure"
        expected = eventbridge_envelope(186.0, rec, False, FN_ARN + ":live", "e1", bus)
        message = {"Body": json.dumps(expected), "Attributes": {"SentTimestamp": str(int((T0 + 186) * 1000))}}
    else:
        relay_record = invocation_record(
            t=186.0,
            request_id="other",
            function_arn=FN_ARN,
            condition="Success",
            invoke_count=1,
            payload=rec,
            status_code=200,
            executed_version="$LATEST",
            function_error=False,
            response=rec,
        )
        message = {
            "Body": json.dumps(relay_record),
            "Attributes": {"SentTimestamp": str(int((T0 + 186) * 1000))},
        }
        expected = rec
    watch = Watch("q", "on_failure", f"{shape}:lambdaprobe-lp000001-on-failure", shape)  # type: ignore[arg-type]
    dr = destination_from_message(message, watch, T0, T0)
    assert dr.record == expected and dr.kind == "on_failure" and dr.request_id == "r01"
    assert dr.target == f"{shape}:lambdaprobe-lp000001-on-failure"


def test_stream_failure_record_carries_no_request() -> None:
    rec = {
        "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": 3},
        "KinesisBatchInfo": {"shardId": "shardId-000000000000", "batchSize": 1},
    }
    watch = Watch("q", "on_failure", "sqs:lambdaprobe-lp000001-stream-failure", "sqs", False)
    dr = destination_from_message({"Body": json.dumps(rec)}, watch, T0, T0 + 5)
    assert dr.request_id is None and dr.t == pytest.approx(5)


def scenario(kind: str = "async", fail: str = "always", **kw: Any) -> Scenario:
    return Scenario(
        probe="retry",
        function=FunctionSpec(timeout_s=3, directive=Directive(duration_s=0.1, fail=fail, init_s=0.3)),
        stimulus=Stimulus(count=1, interval_s=1, mode="async" if kind == "async" else "sync"),
        source=SourceSpec(kind=kind, sqs=kw.pop("sqs", None), stream=kw.pop("stream", None)),  # type: ignore[arg-type]
        async_config=kw.pop("async_config", AsyncConfig()),
    )


def attempt(n: int, outcome: str, start: float) -> Attempt:
    return Attempt("r01", n, start, start + 0.1, outcome, f"x{n}")  # type: ignore[arg-type]


def test_async_expectations_follow_the_directive_and_the_config() -> None:
    sc = scenario(async_config=AsyncConfig(dlq="sqs"))
    obs = Observations(
        "aws", sent=[Sent("r01", 0)], attempts=[attempt(1, "error", 0), attempt(2, "error", 60)]
    )
    missing, _ = outstanding(sc, obs)
    assert missing == ["r01: 2 of 3 attempts seen"]
    assert next_retry_hint(sc, obs, now_s=80) == "next retry expected in ~100 s"
    obs.attempts.append(attempt(3, "error", 180))
    assert outstanding(sc, obs)[0] == ["r01: failed; DLQ message not seen yet"]
    obs.dead_letters.append(DeadLetter(181, "sqs:x", EVENT, {}, "r01"))
    assert outstanding(sc, obs) == ([], [])


def test_async_success_needs_on_success_record_when_configured() -> None:
    sc = scenario(fail="first:1", async_config=AsyncConfig(on_success="sqs"))
    obs = Observations(
        "aws", sent=[Sent("r01", 0)], attempts=[attempt(1, "error", 0), attempt(2, "success", 60)]
    )
    assert outstanding(sc, obs)[0] == ["r01: succeeded; on-success record not seen yet"]
    obs.destinations.append(DestinationRecord(61, "on_success", "sqs:x", record("Success"), "r01"))
    assert outstanding(sc, obs) == ([], [])
    assert [(s.request_id, s.final) for s in settled_from_records(obs, sc)] == [("r01", "succeeded")]


def test_sync_needs_answer_and_attempt() -> None:
    sc = scenario(kind="sync")
    obs = Observations("aws", sent=[Sent("r01", 0)])
    assert outstanding(sc, obs)[0] == ["r01: no answer from the invoke yet"]
    obs.client_results.append(ClientResult("r01", 0.2, 200, 0.2))
    assert "no attempt" in outstanding(sc, obs)[0][0]
    obs.attempts.append(attempt(1, "success", 0))
    assert outstanding(sc, obs) == ([], [])
    obs.client_results[0] = ClientResult("r01", 0.2, 429, 0.2, "TooManyRequestsException")
    obs.attempts.clear()
    assert outstanding(sc, obs) == ([], [])


def test_sqs_without_redrive_and_always_failing_is_unbounded() -> None:
    sc = scenario(kind="sqs", sqs=SqsSourceSpec(max_receive_count=None))
    obs = Observations("aws", sent=[Sent("r01", 0)], attempts=[attempt(1, "error", 0)])
    assert outstanding(sc, obs) == ([], ["r01"])
    sc2 = scenario(kind="sqs", sqs=SqsSourceSpec(max_receive_count=3))
    assert outstanding(sc2, obs)[0]


def test_stream_with_limited_retries_completes_after_them() -> None:
    sc = scenario(kind="kinesis", stream=StreamSourceSpec(max_retry_attempts=1))
    obs = Observations("aws", sent=[Sent("r01", 0)], attempts=[attempt(1, "error", 0)])
    assert outstanding(sc, obs)[0]
    obs.attempts.append(attempt(2, "error", 1))
    assert outstanding(sc, obs) == ([], [])


def test_expected_attempts_and_deadlines() -> None:
    assert expected_attempts(scenario(fail="first:2"), 3) == 3
    assert expected_attempts(scenario(fail="always"), 3) is None
    # async, 2 retries: 0.4 + (0.4 + 90) + (0.4 + 180) (the documented spacing, half as long again)
    assert 270 < derive_deadline_s(scenario()) < 330
    assert derive_deadline_s(scenario(kind="sync")) < 60
    assert derive_deadline_s(scenario(kind="sqs", sqs=SqsSourceSpec(visibility_timeout_s=30))) > 90
