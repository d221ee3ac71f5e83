"""A run lists every rule behind what its report shows. The oracle below reads the report's JSON
only (throttle reasons, outcomes, record conditions, DLQ attributes, final states) and names the
rule each fact needs; the simulator records rules where it applies them. A rule applied without
being recorded (as the scaling-rate throttle reason once was) fails here."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaprobe.analysis import analyse
from lambdaprobe.function.directive import Directive
from lambdaprobe.rules import RULES, RuleId, rule
from lambdaprobe.scenario import AsyncConfig, ConcurrencySpec, SqsSourceSpec, StreamSourceSpec
from lambdaprobe.sim.target import SimTarget
from tests.helpers import direct, simulate
from tests.unit.sim_sources_helpers import scenario as source_scenario
from tests.unit.test_sim_properties import fast_sync
from tests.unit.test_sim_properties import scenarios as direct_scenarios

R = RuleId
REASONS = {
    "ReservedFunctionConcurrentInvocationLimitExceeded": {R.THROTTLE_ERROR, R.CONCURRENCY_RESERVED},
    "ConcurrentInvocationLimitExceeded": {R.THROTTLE_ERROR, R.CONCURRENCY_ACCOUNT_POOL},
    "FunctionInvocationRateLimitExceeded": {
        R.THROTTLE_ERROR, R.CONCURRENCY_SCALING_RATE, R.CONCURRENCY_SCALING_REASON,
    },
    "ReservedFunctionInvocationRateLimitExceeded": {
        R.THROTTLE_ERROR, R.CONCURRENCY_REQUESTS_PER_SECOND, R.CONCURRENCY_RPS_WINDOW, R.CONCURRENCY_RPS_REASON,
    },
}
# Without reserved concurrency the requests-per-second quota's Reason is the scaling rate's
RATE_REASON_UNRESERVED = {
    R.THROTTLE_ERROR, R.CONCURRENCY_REQUESTS_PER_SECOND, R.CONCURRENCY_RPS_WINDOW, R.CONCURRENCY_RPS_REASON,
}
CONDITIONS = {
    "Success": {R.DESTINATIONS_RECORD},
    "RetriesExhausted": {R.DESTINATIONS_RECORD, R.ASYNC_RETRY_CONFIG},
    "EventAgeExceeded": {R.DESTINATIONS_RECORD, R.ASYNC_AGE_CHECK},
    "ZeroReservedConcurrency": {R.DESTINATIONS_RECORD, R.ASYNC_RESERVED_ZERO},
    "RetryAttemptsExhausted": {R.STREAM_ON_FAILURE_RECORD, R.STREAM_RETRY_LIMITS},
    "RecordAgeExceeded": {R.STREAM_ON_FAILURE_RECORD, R.STREAM_AGE_CHECK},
}
OUTCOMES = {"timeout": {R.RUNTIME_TIMEOUT_ERROR}}


def required(data: dict[str, Any], source: str, provisioned: bool) -> set[RuleId]:
    """The rules the report's facts rest on, read from its JSON alone (and the source kind, and
    whether provisioned environments could explain a warm start)."""
    need: set[RuleId] = set()
    for r in data["requests"]:
        client = r["client"]
        if client is not None:
            if client["reason"]:
                reasons = REASONS[client["reason"]]
                if client["reason"] == "FunctionInvocationRateLimitExceeded" and "concurrency.rps-window" in {
                    x["id"] for x in data["rules"]
                }:
                    reasons = RATE_REASON_UNRESERVED
                need |= reasons
            if client["status"] == 413:
                need |= {R.INVOKE_PAYLOAD_LIMITS, R.INVOKE_PAYLOAD_ERROR}
            if client["status"] == 202:
                need.add(R.ASYNC_QUEUED)
            if client["status"] == 504:
                need.add(R.APIGATEWAY_INTEGRATION_TIMEOUT)
        for a in r["attempts"]:
            need |= OUTCOMES.get(a["outcome"], set())
            if a["outcome"] == "error" and a["error"] != "reported in batchItemFailures":
                need.add(R.RUNTIME_ERROR_PAYLOAD)
            if a["cold"]:
                need.add(R.INIT_SUPPRESSED if a["init_s"] >= 10.0 else R.INIT_OUTSIDE_TIMEOUT)
            elif not provisioned:
                need.add(R.ENVIRONMENT_WARM_REUSE)
        if r["throttles"] and (client is None or client["status"] != 429):
            need.add({"sqs": R.SQS_THROTTLED_POLLER, "sqs-fifo": R.SQS_THROTTLED_POLLER, "kinesis":
                      R.STREAM_THROTTLE_RETRY, "dynamodb": R.STREAM_THROTTLE_RETRY,
                      "sync": R.THROTTLE_ERROR}.get(source, R.ASYNC_THROTTLE_REQUEUE))
        if source == "async" and len(r["attempts"]) > 1:
            need.add(R.ASYNC_RETRY_SPACING)
    for d in data["destinations"]:
        record = d["record"].get("detail", d["record"])  # an EventBridge envelope holds it as detail
        need |= CONDITIONS[record["requestContext"]["condition"]]
        if "detail" in d["record"]:
            need.add(R.DESTINATIONS_EVENTBRIDGE)
    for dead in data["dead_letters"]:
        need.add(R.SQS_DLQ_ATTRIBUTES if "DeadLetterQueueSourceArn" in dead["attributes"] else R.DLQ_MESSAGE)
    return need


def check(report_json: dict[str, Any], source: str, provisioned: bool = False) -> None:
    listed = {RuleId(r["id"]) for r in report_json["rules"]}
    missing = required(report_json, source, provisioned) - listed
    assert not missing, f"applied but not listed: {sorted(m.value for m in missing)}"
    # rules[] entries are the registry's, and every assumption listed is also in the notes
    for entry in report_json["rules"]:
        assert entry == rule(entry["id"]).to_json()
    notes = set(report_json["notes"])
    assert {r.note() for r in map(rule, listed) if r.kind == "assumption"} <= notes
    assert all(RULES[i].note() in notes or RULES[i].kind == "documented" for i in listed)


@settings(max_examples=150, deadline=None)
@given(direct_scenarios)
def test_direct_runs_list_every_rule_behind_their_outcomes(scenario) -> None:  # type: ignore[no-untyped-def]
    check(simulate(scenario).to_json(), scenario.source.kind, scenario.concurrency.provisioned > 0)
    if scenario.stimulus.mode == "sync":
        assert any(r["id"] == "sync.no-retry" for r in simulate(scenario).to_json()["rules"])


@settings(max_examples=60, deadline=None)
@given(fast_sync)
def test_fast_sync_bursts_list_the_requests_per_second_rules(scenario) -> None:  # type: ignore[no-untyped-def]
    check(simulate(scenario).to_json(), "sync", scenario.concurrency.provisioned > 0)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(["sync", "async"]), st.sampled_from([100, 1024 * 1024 + 1, 6 * 1024 * 1024 + 1]))
def test_oversized_payload_runs_list_the_payload_rules(mode: str, size: int) -> None:
    from lambdaprobe.scenarios import invoke

    scenario = invoke.build(mode=mode, duration=0.1, fail="never", init=0.0, timeout=None, count=2, interval=1.0,
                            seed=0, payload_size=size)
    check(simulate(scenario).to_json(), mode)


sources = st.builds(
    lambda kind, fail, count, reserved, visibility, receives, retries, age, bisect, on_failure: source_scenario(
        kind,
        count=count,
        directive=Directive(duration_s=0.5, fail=fail, init_s=0.2),
        reserved=reserved,
        sqs=SqsSourceSpec(visibility_timeout_s=visibility, max_receive_count=receives)
        if kind.startswith("sqs") else None,
        stream=StreamSourceSpec(max_retry_attempts=retries, max_record_age_s=age, bisect=bisect,
                                on_failure="sns" if on_failure == "eventbridge" else on_failure)
        if kind in ("kinesis", "dynamodb") else None,
        async_config=AsyncConfig(dlq="sqs", on_failure=on_failure, max_event_age_s=60),
    ),
    st.sampled_from(["async", "sns", "eventbridge", "sqs", "sqs-fifo", "kinesis", "dynamodb", "destination"]),
    st.sampled_from(["never", "always", "first:1"]),
    st.integers(1, 6),
    st.sampled_from([None, 0, 1]),
    st.sampled_from([5, 30]),
    st.sampled_from([None, 2]),
    st.sampled_from([-1, 1]),
    st.sampled_from([-1, 60]),
    st.booleans(),
    st.sampled_from(["sqs", "eventbridge", None]),
)


@settings(max_examples=120, deadline=None)
@given(sources)
def test_source_runs_list_every_rule_behind_their_outcomes(scenario) -> None:  # type: ignore[no-untyped-def]
    check(analyse(scenario, SimTarget().run(scenario)).to_json(), scenario.source.kind)


def test_scaling_rate_throttles_list_their_assumed_reason() -> None:
    # 1,500 new environments asked for at one instant in an account allowing 3,000: the scaling
    # rate (1,000 per 10 s) refuses 500 of them
    conc = ConcurrencySpec(account_limit=3000)
    report = simulate(direct(count=1500, interval=0.0, duration=5.0, concurrency=conc)).to_json()
    reasons = {r["client"]["reason"] for r in report["requests"] if r["client"]["status"] == 429}
    assert reasons == {"FunctionInvocationRateLimitExceeded"}
    ids = {r["id"] for r in report["rules"]}
    assert {"concurrency.scaling-rate", "concurrency.scaling-reason", "throttle.error"} <= ids
    assert rule(R.CONCURRENCY_SCALING_REASON).note() in report["notes"]
    check(report, "sync")


def test_the_oracle_catches_a_rule_left_unlisted() -> None:
    report = simulate(direct(count=3, interval=0.0, duration=5.0, concurrency=ConcurrencySpec(reserved=1))).to_json()
    check(report, "sync")
    report["rules"] = [r for r in report["rules"] if r["id"] != "concurrency.reserved"]
    try:
        check(report, "sync")
    except AssertionError as err:
        assert "concurrency.reserved" in str(err)
    else:
        raise AssertionError("a throttle reason without its rule went unnoticed")


def test_a_run_lists_only_rules_its_path_applied() -> None:
    # an async run makes no sync call, and one warm-free run reuses no environment
    ids = {r["id"] for r in simulate(direct(mode="async", count=1)).to_json()["rules"]}
    assert "async.queued" in ids
    assert not ids & {"sync.no-retry", "sync.status", "environment.warm-reuse", "sdk.retry-modes"}
    ids = {r["id"] for r in simulate(direct(count=2, interval=5.0, duration=1.0)).to_json()["rules"]}
    assert {"sync.no-retry", "environment.warm-reuse"} <= ids and "async.queued" not in ids


def test_rules_and_throttle_bodies_survive_a_saved_report_and_older_reports_still_load() -> None:
    from lambdaprobe.report import Report

    data = simulate(direct(count=2, interval=0.0, duration=5.0, concurrency=ConcurrencySpec(reserved=1))).to_json()
    again = Report.from_json(data).to_json()
    assert again["rules"] == data["rules"] and again["requests"] == data["requests"]
    assert again["requests"][1]["client"]["message"] == "Rate Exceeded."
    older = {**data, "requests": [{**r, "client": {k: v for k, v in r["client"].items()
                                                   if k not in ("message", "type")}} for r in data["requests"]]}
    del older["rules"]
    loaded = Report.from_json(older)
    assert loaded.rules == [] and loaded.to_json()["requests"][1]["client"]["type"] is None
