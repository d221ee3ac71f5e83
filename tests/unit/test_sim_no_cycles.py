"""A run leaves no reference cycle behind.

A large run's records are frozen out of the cyclic collector (lambdaprobe.gc_pause), so cyclic
garbage made by a run would never be reclaimed in a process that runs many scenarios.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from lambdaprobe.analysis import analyse
from lambdaprobe.scenario import AsyncConfig, Scenario, SdkConfig
from lambdaprobe.scenarios import deploy_preference
from lambdaprobe.sim.target import SimTarget
from tests.helpers import direct
from tests.unit.sim_sources_helpers import scenario


def deployment() -> Scenario:
    return deploy_preference.build(
        preference="Linear10PercentEvery1Minute", rollback_on_error=True, new_version_fails=True, rate=2.0,
        minutes=None, duration=0.1, init=0.0, seed=0,
    )


CASES = {
    "sync, sdk legacy retries": lambda: direct(
        duration=30.0, timeout=60.0, sdk=SdkConfig(retry_mode="legacy", read_timeout_s=10.0)
    ),
    "apigateway": lambda: direct(duration=40.0, timeout=45.0, sdk=SdkConfig(read_timeout_s=29.0, caller="apigateway")),
    "async, lambda destination": lambda: direct(
        mode="async", count=3, duration=1.0, fail="first:1",
        async_config=AsyncConfig(on_success="eventbridge", on_failure="lambda", dlq="sqs"),
    ),
    "deployment": deployment,
    **{kind: (lambda kind=kind: scenario(kind, count=4)) for kind in (
        "sqs", "sqs-fifo", "sns", "eventbridge", "kinesis", "dynamodb", "destination")},
}


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.mark.parametrize("case", CASES)
def test_a_run_and_its_report_are_freed_by_reference_counting(case: str, collector_off: None) -> None:
    sc = CASES[case]()
    report = analyse(sc, SimTarget().run(sc))
    assert report.summary.attempts > 0
    del report
    assert gc.collect() == 0  # nothing was left for the cyclic collector
