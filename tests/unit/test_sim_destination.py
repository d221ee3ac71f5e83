"""A failing function whose on-failure destination is another function ([destinations.record]
[destinations.lambda-async])."""

from __future__ import annotations

from dataclasses import replace

from lambdaprobe.function.directive import Directive
from lambdaprobe.rules import RuleId, rule
from lambdaprobe.scenario import AsyncConfig, FunctionSpec
from lambdaprobe.sim.sources import destination
from lambdaprobe.sim.sources.common import probe_message, stimuli
from tests.unit.sim_sources_helpers import OK, context, run, scenario

SLOW_FAIL = Directive(duration_s=30, fail="always", init_s=0.0)


def test_the_record_is_delivered_to_the_destination_function_after_the_last_retry() -> None:
    r = run(
        scenario(
            "destination", directive=SLOW_FAIL, timeout=40, async_config=AsyncConfig(on_failure="lambda")
        )
    )
    assert r.starts("r01") == [0.0, 90.0, 240.0]
    assert r.final("r01") == "failed"
    dest = r.request("r01>dest")
    assert dest.sent_s == 270.0
    assert [a.start_s for a in dest.attempts] == [270.0]
    assert dest.attempts[0].cold and dest.final == "succeeded"
    [record] = r.report.destinations
    assert record.target == "lambda:lambdaprobe-sim-on-failure"
    assert record.record["requestContext"]["condition"] == "RetriesExhausted"
    assert rule(RuleId.DESTINATIONS_LAMBDA_ASYNC).note() in r.report.notes
    # the chained request is shown, and counted, as a request of its own
    assert r.report.summary.requests == 2 and r.report.summary.succeeded == 1


def test_the_source_configures_the_lambda_destination_itself() -> None:
    r = run(
        scenario(
            "destination", directive=SLOW_FAIL, timeout=40, async_config=AsyncConfig(max_retry_attempts=0)
        )
    )
    assert r.starts("r01") == [0.0]
    assert [a.start_s for a in r.request("r01>dest").attempts] == [30.0]


def test_a_succeeding_event_does_not_reach_the_on_failure_destination() -> None:
    r = run(scenario("destination", directive=OK))
    assert [req.id for req in r.report.requests] == ["r01"]
    assert r.report.destinations == []


def test_a_failing_destination_follows_its_own_async_retry_policy() -> None:
    model = destination.DestinationModel(
        function=FunctionSpec(timeout_s=10, directive=Directive(5, "always", 0.0))
    )
    sc = scenario(
        "destination", directive=SLOW_FAIL, timeout=40, async_config=AsyncConfig(max_retry_attempts=0)
    )
    ctx, _ = context(replace(sc, async_config=AsyncConfig(max_retry_attempts=0, on_failure="lambda")))
    destination.chain(ctx, model)
    s = stimuli(sc)[0]
    ctx.invoker.invoke(s.request_id, probe_message(s), s.directive, sc.called_qualifier)
    ctx.clock.run()
    starts = [a.start for a in ctx.obs.attempts if a.request_id == "r01>dest"]
    assert starts == [30.0, 95.0, 220.0]  # 30-35, +60 after 35, +120 after 100


def test_a_sync_destination_would_run_once() -> None:
    model = destination.DestinationModel(
        invoke_mode="sync", function=FunctionSpec(timeout_s=10, directive=Directive(5, "always", 0.0))
    )
    sc = scenario("destination", directive=SLOW_FAIL, timeout=40)
    ctx, _ = context(replace(sc, async_config=AsyncConfig(max_retry_attempts=0, on_failure="lambda")))
    destination.chain(ctx, model)
    s = stimuli(sc)[0]
    ctx.invoker.invoke(s.request_id, probe_message(s), s.directive, sc.called_qualifier)
    ctx.clock.run()
    assert [a.start for a in ctx.obs.attempts if a.request_id == "r01>dest"] == [30.0]
