"""Stream options: MaximumBatchingWindowInSeconds, retention, and S3 as an on-failure destination."""

import re

import pytest

from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.planner import build_plan
from lambdaprobe.aws.target import AwsTarget
from lambdaprobe.errors import InputError, NotAvailableError
from lambdaprobe.rules import RuleId
from lambdaprobe.scenarios import retry
from lambdaprobe.sim.target import SimTarget
from tests.helpers import simulate


def stream(**kw: object) -> retry.RetryOptions:
    base: dict[str, object] = {"source": "kinesis", "fail": "never", "duration": 0.5, "init": 0.0}
    return retry.RetryOptions(**{**base, **kw})  # type: ignore[arg-type]


def starts(options: retry.RetryOptions) -> list[float]:
    return [round(r.attempts[0].start_s, 6) for r in simulate(retry.build(options)).requests]


def test_a_batching_window_gathers_records_until_it_closes() -> None:
    # [stream.batching-window] records at 0, 1, 2 and a 3 s window: one batch at 3 s
    assert starts(stream(count=3, interval=1.0)) == [0.0, 1.0, 2.0]  # without: each read as it arrives
    assert starts(stream(count=3, interval=1.0, batching_window=3)) == [3.0, 3.0, 3.0]


def test_a_full_batch_does_not_wait_for_the_window() -> None:
    # batch size 3: the third record fills the batch at 1 s; the fourth waits for its own window
    assert starts(stream(count=4, interval=0.5, batch_size=3, batching_window=10)) == [1.0, 1.0, 1.0, 11.5]


def test_the_window_is_recorded_only_when_it_made_a_batch_wait() -> None:
    waited = SimTarget().run(retry.build(stream(count=2, interval=0.0, batching_window=5)))
    assert RuleId.STREAM_BATCHING_WINDOW in waited.rules
    full = SimTarget().run(retry.build(stream(count=2, interval=0.0, batch_size=2, batching_window=5)))
    assert RuleId.STREAM_BATCHING_WINDOW not in full.rules


def test_kinesis_retention_extends_how_long_a_failing_record_is_retried() -> None:
    # retried "until the record expires": 24 h by default, 48 h when extended
    def expired_at(hours: int | None) -> float:
        report = simulate(retry.build(stream(fail="always", retention_hours=hours, duration=60.0)))
        (request,) = report.requests
        assert request.final == "expired"
        return request.attempts[-1].end_s

    default, extended = expired_at(None), expired_at(48)
    assert default <= 24 * 3600 < extended <= 48 * 3600


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (stream(retention_hours=9000), "--retention-hours: 9000 is out of range; allowed: 24..8760"),
        (stream(source="dynamodb", retention_hours=48), "--retention-hours: 48 is out of range; allowed: 24..24"),
        (stream(batching_window=301), "--batching-window: 301 is out of range; allowed: 0..300"),
        (retry.RetryOptions(source="async", retention_hours=48), "--retention-hours: applies only to --source"),
        (retry.RetryOptions(source="async", on_success="s3"), "--on-success: 's3' is not allowed"),
    ],
)
def test_stream_option_bounds(options: retry.RetryOptions, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        retry.build(options)


@pytest.mark.parametrize("source", ["async", "kinesis", "dynamodb"])
def test_s3_is_an_on_failure_destination(source: str) -> None:
    options = retry.RetryOptions(source=source, on_failure="s3", max_retry_attempts=0)
    observations = SimTarget().run(retry.build(options))
    (record,) = observations.destinations
    assert record.target == "s3:lambdaprobe-sim-on-failure" and record.kind == "on_failure"
    assert {RuleId.DESTINATIONS_S3, RuleId.DESTINATIONS_S3_OBJECT} <= observations.rules


def test_the_aws_target_refuses_what_it_does_not_build_yet() -> None:
    target = AwsTarget(AwsOptions(region="us-east-1", dry_run=True))
    with pytest.raises(NotAvailableError, match="--on-failure s3 on --target aws is not built yet"):
        target.plan_only(retry.build(retry.RetryOptions(source="async", on_failure="s3")))
    assert "lambda.CreateFunction" in target.plan_only(retry.build(retry.RetryOptions(source="sync", payload_size=10)))


def test_the_stream_mapping_gets_the_batching_window_and_the_retention() -> None:
    calls = build_plan(retry.build(stream(batching_window=7, retention_hours=48)), AwsOptions(region="us-east-1")).calls
    (esm,) = [c for c in calls if c.operation == "CreateEventSourceMapping"]
    assert esm.params["MaximumBatchingWindowInSeconds"] == 7
    (longer,) = [c for c in calls if c.operation == "IncreaseStreamRetentionPeriod"]
    assert longer.params["RetentionPeriodHours"] == 48


@pytest.mark.parametrize(
    ("kw", "message"),
    [({"account_limit": 3000}, "--account-limit: applies only to --target sim"),
     ({"env_lifetime": 60.0}, "--env-lifetime: applies only to --target sim")],
)
def test_sim_only_concurrency_options_are_refused_on_aws(kw: dict[str, object], message: str) -> None:
    from lambdaprobe.scenarios import concurrency

    scenario = concurrency.build(
        reserved=None, provisioned=0, qualifier="alias", count=1, interval=1.0, duration=1.0, mode="sync", init=0.0,
        timeout=None, seed=0, **kw,  # type: ignore[arg-type]
    )
    with pytest.raises(InputError, match=re.escape(message)):
        AwsTarget(AwsOptions(region="us-east-1", dry_run=True)).plan_only(scenario)


def test_concurrency_async_options_are_deployed_on_aws() -> None:
    from lambdaprobe.scenarios import concurrency

    scenario = concurrency.build(
        reserved=0, provisioned=0, qualifier="alias", count=2, interval=1.0, duration=1.0, mode="async", init=0.0,
        timeout=None, seed=0,
        dlq="sqs", on_failure="sqs", max_event_age=60, max_retry_attempts=0,
    )
    calls = build_plan(scenario, AwsOptions(region="us-east-1")).calls
    (config,) = [c for c in calls if c.operation == "PutFunctionEventInvokeConfig"]
    assert (config.params["MaximumEventAgeInSeconds"], config.params["MaximumRetryAttempts"]) == (60, 0)
    assert "OnFailure" in config.params["DestinationConfig"]
    (create,) = [c for c in calls if c.operation == "CreateFunction"]
    assert "DeadLetterConfig" in create.params
    assert any(c.operation == "PutFunctionConcurrency" and c.params["ReservedConcurrentExecutions"] == 0 for c in calls)


def test_two_days_of_stream_retries_do_not_overflow_the_retry_delay() -> None:
    # a record failing for 48 h is retried thousands of times; the delay stays at its cap
    report = simulate(retry.build(stream(fail="always", retention_hours=48, duration=1.0)))
    (request,) = report.requests
    assert request.final == "expired" and len(request.attempts) > 2000
