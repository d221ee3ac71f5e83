"""Every source kind has its module on both targets: adding a kind to `SourceKind` without a module
in each registry fails here, before any run does."""

from __future__ import annotations

from lambdaprobe.aws.sources import SOURCES
from lambdaprobe.scenario import (
    ASYNC_SOURCES,
    DIRECT_SOURCES,
    QUEUE_SOURCES,
    SOURCE_KINDS,
    STREAM_SOURCES,
    Scenario,
    SourceSpec,
)
from lambdaprobe.sim.sources import DRIVERS


def test_each_kind_has_an_aws_source_and_a_simulator_driver_or_is_a_direct_invoke() -> None:
    assert set(SOURCES) == set(SOURCE_KINDS)
    assert set(DRIVERS) | set(DIRECT_SOURCES) == set(SOURCE_KINDS)
    assert not set(DRIVERS) & set(DIRECT_SOURCES)


def test_the_groups_are_kinds_and_only_direct_sources_are_invoked_by_the_driver() -> None:
    for group in (ASYNC_SOURCES, QUEUE_SOURCES, STREAM_SOURCES, DIRECT_SOURCES):
        assert set(group) <= set(SOURCE_KINDS)
    assert {k for k, s in SOURCES.items() if s.sends_with is None} == set(DIRECT_SOURCES)
    assert {k for k, s in SOURCES.items() if s.receive_counts} == set(QUEUE_SOURCES)


def test_fifo_is_the_kind() -> None:
    assert [k for k in SOURCE_KINDS if SourceSpec(k).fifo] == ["sqs-fifo"]


def test_async_is_the_kind_or_the_invocation_type() -> None:
    from lambdaprobe.scenario import FunctionSpec, Stimulus

    def scenario(kind: str, mode: str) -> Scenario:
        return Scenario("p", FunctionSpec(), Stimulus(mode=mode), SourceSpec(kind))  # type: ignore[arg-type]

    assert {k for k in SOURCE_KINDS if scenario(k, "sync").is_async} == set(ASYNC_SOURCES)
    assert scenario("sync", "async").is_async
