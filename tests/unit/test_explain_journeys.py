"""Journeys: the simulator with a function's settings; the event-age finding agrees with what the model runs."""

from __future__ import annotations

import pytest

from lambdaprobe.explain import checks, journeys
from lambdaprobe.explain.model import (
    AsyncSettings,
    Destination,
    FunctionConfig,
    Location,
    Provisioned,
    Queue,
    SqsMapping,
    Trigger,
)

HERE = Location(resource="fn")
FAILED = Destination("sqs", "failed", HERE)


def async_fn(timeout: int, retries: int, age: int) -> FunctionConfig:
    settings = AsyncSettings(max_retry_attempts=retries, max_event_age_s=age, on_failure=FAILED, location=HERE)
    return FunctionConfig(
        name="fn", location=HERE, timeout_s=timeout, async_settings=settings, triggers=(Trigger("async", "SNS", HERE),)
    )


@pytest.mark.parametrize(
    ("timeout", "retries", "age"),
    [(60, 2, 120), (60, 2, 299), (60, 2, 301), (60, 2, 21600), (30, 1, 60), (30, 1, 91), (10, 0, 60), (3, 2, 185)],
)
def test_the_event_age_finding_fires_exactly_when_the_model_skips_an_allowed_retry(
    timeout: int, retries: int, age: int
) -> None:
    fn = async_fn(timeout, retries, age)
    [journey] = [j for j in journeys.for_function(fn, journeys.Settings()) if j.way == "async"]
    assert journey.report is not None
    ran = len(journey.report.requests[0].attempts)
    fired = any(f.id == "explain.async-event-age-short" for f in checks.run(fn, checks.Account()))
    assert fired is (ran < retries + 1), (ran, fired)


def test_the_burst_calls_the_alias_with_its_provisioned_concurrency() -> None:
    fn = FunctionConfig(
        name="fn",
        location=HERE,
        qualifier="live",
        timeout_s=20,
        reserved=20,
        provisioned=(Provisioned("live", 10, HERE),),
        triggers=(Trigger("sync", "API", HERE),),
    )
    [journey] = journeys.for_function(fn, journeys.Settings(burst=20, burst_interval_s=1.0))
    assert journey.report is not None
    s = journey.report.summary
    assert (s.succeeded, s.throttled, s.cold_starts) == (20, 0, 10)  # 10 warm on provisioned, 10 spill over, cold
    assert "--qualifier alias" in " ".join(journey.command) and "10 warm, 10 cold starts" in journey.answer


def test_calls_to_latest_when_provisioned_fills_reserved_are_all_throttled() -> None:
    fn = FunctionConfig(name="fn", location=HERE, timeout_s=20, reserved=1, provisioned=(Provisioned("live", 1, HERE),))
    [journey] = journeys.for_function(fn, journeys.Settings(burst=5))
    assert journey.report is not None and journey.report.summary.throttled == 5


def test_an_unresolved_timeout_runs_no_journey_and_says_so() -> None:
    [journey] = journeys.for_function(FunctionConfig(name="fn", location=HERE, timeout_s=None), journeys.Settings())
    assert journey.report is None and journey.not_run is not None and "unresolved" in journey.answer


def test_an_s3_destination_is_simulated_as_sqs_and_says_so() -> None:
    fn = async_fn(10, 2, 21600)
    fn = FunctionConfig(
        name="fn",
        location=HERE,
        timeout_s=10,
        triggers=fn.triggers,
        async_settings=AsyncSettings(on_failure=Destination("s3", "bucket", HERE), location=HERE),
    )
    [journey] = [j for j in journeys.for_function(fn, journeys.Settings()) if j.way == "async"]
    assert "--on-failure sqs" in " ".join(journey.command)
    assert journey.caveats and "bucket (s3)" in journey.caveats[0]
    assert "on-failure destination bucket (s3)" in journey.answer


def test_an_async_burst_waits_in_the_queue_and_expires_with_the_event_age() -> None:
    settings = AsyncSettings(max_event_age_s=60, on_failure=FAILED, location=HERE)
    fn = FunctionConfig(
        name="fn",
        location=HERE,
        timeout_s=30,
        reserved=1,
        async_settings=settings,
        triggers=(Trigger("async", "SNS", HERE),),
    )
    [burst] = [j for j in journeys.for_function(fn, journeys.Settings(burst=10)) if j.way == "async-burst"]
    assert burst.report is not None
    finals = [r.final for r in burst.report.requests]
    # one environment, 30 s each: events 1 and 2 run; the others are throttled until 60 s of age
    assert finals.count("succeeded") == 2 and finals.count("expired") == 8
    assert burst.report.summary.destination_records == 8  # each expired event's record reaches the destination
    assert "8 expired before running (MaximumEventAgeInSeconds 60)" in burst.answer
    assert burst.caveats and "event invoke config" in burst.caveats[0]


def test_an_sqs_burst_under_reserved_concurrency_is_throttled() -> None:
    queue = Queue(name="jobs", location=HERE, visibility_timeout_s=60, has_redrive=True, max_receive_count=5)
    fn = FunctionConfig(
        name="fn", location=HERE, timeout_s=10, reserved=2, sqs=(SqsMapping(queue=queue, location=HERE, batch_size=1),)
    )
    [burst] = [j for j in journeys.for_function(fn, journeys.Settings(burst=20)) if j.way == "sqs-burst"]
    assert burst.report is not None
    s = burst.report.summary
    assert s.max_concurrency == 2 and s.throttle_events > 0 and s.succeeded == 20
    assert "reserved concurrency 2" in burst.caveats[0]


def test_a_template_is_explained_with_io_libraries_blocked() -> None:
    """Offline means offline: reading a template, the journeys and the JSON need no boto3, rich or typer."""
    import subprocess
    import sys
    from pathlib import Path

    from tests.unit.test_boundaries import BLOCK

    template = Path(__file__).parent.parent / "explain_templates" / "sqs-max-receive-count-1.yaml"
    code = BLOCK + (
        "import json\n"
        "from lambdaprobe.explain import explain, template\n"
        "from lambdaprobe.explain.journeys import Settings\n"
        "from lambdaprobe.explain.output import to_json\n"
        f"data = to_json(explain(template.read({str(template)!r}, None, {{}}), Settings()))\n"
        "print(json.dumps([f['id'] for f in data['findings']]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '["explain.sqs-max-receive-count-1"]'
