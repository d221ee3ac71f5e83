"""The SQS event source on the simulator: the visibility timeout as the retry clock, redrive to the
queue's DLQ, ReportBatchItemFailures, FIFO group blocking, poller scaling, throttles, retention
([sqs.visibility-timeout])."""

from __future__ import annotations

import itertools
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaprobe.function.directive import Directive
from lambdaprobe.rules import RuleId, rule
from lambdaprobe.scenario import SqsSourceSpec
from lambdaprobe.sim.sources.common import directive_of, probe_body, probe_message, stimuli
from lambdaprobe.sim.sources.sqs import THROTTLE_WARNING
from tests.unit.sim_sources_helpers import FAIL, OK, Run, run, scenario


def test_always_failing_message_is_received_every_visibility_timeout_then_redriven_unchanged() -> None:
    r = run(scenario("sqs", sqs=SqsSourceSpec(visibility_timeout_s=30, max_receive_count=3)))
    req = r.request("r01")
    assert r.starts("r01") == [0.0, 30.0, 60.0]
    assert [a.receive_count for a in req.attempts] == [1, 2, 3]
    assert [a.n for a in req.attempts] == [1, 2, 3]
    assert all(a.outcome == "error" for a in req.attempts)
    assert req.final == "dead_lettered"
    [dead] = r.report.dead_letters
    assert dead.t == 90.0  # when it would have become visible a fourth time
    assert dead.queue == "sqs:lambdaprobe-sim-source-dlq"
    assert json.loads(dead.body) == {"request": "r01", "lambdaprobe": FAIL.to_event()}
    assert dead.attributes["ApproximateReceiveCount"] == "4"  # its first receive from the DLQ [sqs.dlq-attributes]
    assert dead.attributes["DeadLetterQueueSourceArn"].endswith(":lambdaprobe-sim-source")
    assert r.report.summary.dead_lettered == 1 and r.report.summary.failed == 1
    # the function's own DLQ and destinations do not apply to an SQS mapping [sqs.redrive]
    assert r.report.destinations == []


def test_visibility_timeout_runs_from_the_receive_not_from_the_end_of_the_attempt() -> None:
    slow = Directive(duration_s=20, fail="first:1", init_s=0.0)
    r = run(scenario("sqs", directive=slow, timeout=25, sqs=SqsSourceSpec(visibility_timeout_s=45)))
    assert r.starts("r01") == [0.0, 45.0]
    assert r.final("r01") == "succeeded"


def test_failing_then_succeeding_message_is_deleted_on_success() -> None:
    r = run(scenario("sqs", count=3, directive=Directive(0.1, "first:2", 0.0), sqs=SqsSourceSpec()))
    for rid in ("r01", "r02", "r03"):
        assert r.final(rid) == "succeeded"
        assert [a.receive_count for a in r.request(rid).attempts] == [1, 2, 3]
    assert r.report.dead_letters == []
    # one batch of three, three times
    assert r.report.summary.attempts == 3


def test_without_report_batch_item_failures_one_bad_message_fails_the_whole_batch() -> None:
    r = run(scenario("sqs", count=4, directives=(OK, FAIL), sqs=SqsSourceSpec(batch_size=10)))
    assert [r.final(f"r0{i}") for i in range(1, 5)] == ["dead_lettered"] * 4
    assert r.starts("r01") == [0.0, 30.0, 60.0]  # ran successfully three times, deleted never


def test_report_batch_item_failures_keeps_only_the_listed_items() -> None:
    r = run(
        scenario(
            "sqs",
            count=4,
            directives=(OK, FAIL),
            sqs=SqsSourceSpec(batch_size=10, report_batch_item_failures=True),
        )
    )
    assert r.final("r01") == "succeeded" and r.final("r03") == "succeeded"
    assert r.starts("r01") == [0.0] and r.starts("r03") == [0.0]
    assert r.final("r02") == "dead_lettered" and r.final("r04") == "dead_lettered"
    assert r.starts("r02") == [0.0, 30.0, 60.0]
    assert [a.outcome for a in r.request("r01").attempts] == ["success"]
    assert [a.outcome for a in r.request("r02").attempts] == ["error"] * 3
    assert sorted(json.loads(d.body)["request"] for d in r.report.dead_letters) == ["r02", "r04"]


def test_batch_size_splits_a_burst_into_batches() -> None:
    r = run(scenario("sqs", count=25, directive=OK, sqs=SqsSourceSpec(batch_size=10)))
    assert r.report.summary.attempts == 3  # 10 + 10 + 5
    assert r.report.summary.max_concurrency == 3
    assert r.report.summary.succeeded == 25


def test_batching_window_waits_for_a_full_batch_or_the_window() -> None:
    r = run(scenario("sqs", count=3, interval=1.0, directive=OK, sqs=SqsSourceSpec(batching_window_s=5)))
    assert {r.starts(f"r0{i}")[0] for i in (1, 2, 3)} == {5.0}
    assert r.report.summary.attempts == 1


def test_batching_window_visibility_counts_from_each_receive() -> None:
    r = run(
        scenario(
            "sqs",
            count=2,
            interval=2.0,
            directive=Directive(0.1, "first:1", 0.0),
            sqs=SqsSourceSpec(batching_window_s=5, visibility_timeout_s=30),
        )
    )
    # invoked together at 5, but r01 was received at 0 and r02 at 2: they reappear at 30 and 32
    # (not 35), and a new window gathers them both by 35
    assert r.starts("r01") == [5.0, 35.0]
    assert r.starts("r02") == [5.0, 35.0]
    assert r.report.summary.attempts == 2


def test_fifo_failing_message_blocks_its_group_until_it_leaves() -> None:
    sqs = SqsSourceSpec(batch_size=1, visibility_timeout_s=30, max_receive_count=2)
    r = run(scenario("sqs-fifo", count=3, sqs=sqs))
    assert r.starts("r01") == [0.0, 30.0]
    assert r.starts("r02") == [60.0, 90.0]  # starts only once r01 has gone to the DLQ at 60
    assert r.starts("r03") == [120.0, 150.0]
    assert r.report.summary.max_concurrency == 1
    assert [d.queue for d in r.report.dead_letters] == ["sqs:lambdaprobe-sim-source-dlq.fifo"] * 3
    assert r.report.dead_letters[0].attributes["MessageGroupId"] == "g0"


def test_standard_queue_does_not_block_behind_a_failing_message() -> None:
    sqs = SqsSourceSpec(batch_size=1, visibility_timeout_s=30, max_receive_count=2)
    r = run(scenario("sqs", count=3, sqs=sqs))
    assert [r.starts(f"r0{i}") for i in (1, 2, 3)] == [[0.0, 30.0]] * 3


def test_fifo_groups_do_not_block_each_other() -> None:
    sqs = SqsSourceSpec(
        batch_size=1, visibility_timeout_s=30, max_receive_count=2, message_groups=2
    )
    r = run(scenario("sqs-fifo", count=4, directives=(FAIL, OK), sqs=sqs))
    # r01, r03 in g1 (failing); r02, r04 in g2 (succeeding)
    assert r.starts("r02") == [0.0] and r.starts("r04") == [0.1]
    assert r.starts("r03") == [60.0, 90.0]


def test_fifo_success_keeps_order_within_a_group() -> None:
    sqs = SqsSourceSpec(batch_size=2, visibility_timeout_s=30)
    r = run(scenario("sqs-fifo", count=5, directive=OK, sqs=sqs))
    firsts = [r.starts(f"r0{i}")[0] for i in range(1, 6)]
    assert firsts == sorted(firsts) and firsts[0] < firsts[2] < firsts[4]


def test_poller_starts_with_five_concurrent_batches_and_adds_300_after_a_minute() -> None:
    slow = Directive(duration_s=100, fail="never", init_s=0.0)
    r = run(
        scenario(
            "sqs",
            count=400,
            directive=slow,
            timeout=120,
            sqs=SqsSourceSpec(batch_size=1, visibility_timeout_s=720),
        )
    )
    series = r.report.concurrency
    assert max(n for t, n in series if t < 60) == 5
    assert max(n for t, n in series if t < 120) == 305
    assert any(a.start_s == 60.0 for req in r.report.requests for a in req.attempts)
    assert rule(RuleId.SQS_SCALING_STEPS).note() in r.report.notes


def test_maximum_concurrency_caps_the_pollers() -> None:
    r = run(scenario("sqs", count=50, directive=OK, sqs=SqsSourceSpec(batch_size=1, max_concurrency=2)))
    assert r.report.summary.max_concurrency == 2
    assert r.report.summary.succeeded == 50


def test_throttled_batches_back_off_within_the_visibility_timeout_and_may_be_redriven_unrun() -> None:
    r = run(
        scenario(
            "sqs", directive=OK, reserved=0, sqs=SqsSourceSpec(visibility_timeout_s=30, max_receive_count=3)
        )
    )
    req = r.request("r01")
    assert req.attempts == []
    assert req.final == "dead_lettered"
    # received at 0, 30, 60; each time invoked at +0, +1, +3, +7, +15 (next would be +31 > 30)
    assert req.throttles == 15
    assert r.report.dead_letters[0].t == 90.0
    # its first receive from the DLQ [sqs.dlq-attributes]
    assert r.report.dead_letters[0].attributes["ApproximateReceiveCount"] == "4"
    assert rule(RuleId.SQS_THROTTLE_BACKOFF).note() in r.report.notes
    assert THROTTLE_WARNING in r.report.notes


def test_without_redrive_a_failing_message_lives_until_retention() -> None:
    sqs = SqsSourceSpec(visibility_timeout_s=30, max_receive_count=None, retention_s=100)
    r = run(scenario("sqs", sqs=sqs))
    assert r.starts("r01") == [0.0, 30.0, 60.0, 90.0]
    assert r.final("r01") == "expired"
    assert r.report.dead_letters == []
    assert [s.t for s in r.obs.settled] == [120.0]


def test_attempt_number_seen_by_the_handler_is_the_receive_count() -> None:
    # decide() is told the receive count: first:2 fails receives 1 and 2
    r = run(scenario("sqs", directive=Directive(0.1, "first:2", 0.0), sqs=SqsSourceSpec(max_receive_count=5)))
    assert [(a.n, a.receive_count, a.outcome) for a in r.request("r01").attempts] == [
        (1, 1, "error"),
        (2, 2, "error"),
        (3, 3, "success"),
    ]


fail_specs = st.sampled_from(["never", "always", "first:1", "first:2", "first:4"])


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(1, 25),
    interval=st.sampled_from([0.0, 0.5, 7.0]),
    fails=st.lists(fail_specs, min_size=1, max_size=3),
    fifo=st.booleans(),
    groups=st.integers(1, 3),
    batch=st.integers(1, 10),
    visibility=st.sampled_from([5, 30]),
    max_receives=st.sampled_from([None, 1, 2, 3]),
    retention=st.sampled_from([60, 400]),
    partial=st.booleans(),
    window=st.sampled_from([0, 3]),
    reserved=st.sampled_from([None, None, 0, 1]),
    seed=st.integers(0, 3),
)
def test_every_message_ends_exactly_once_and_runs_replay(
    count: int,
    interval: float,
    fails: list[str],
    fifo: bool,
    groups: int,
    batch: int,
    visibility: int,
    max_receives: int | None,
    retention: int,
    partial: bool,
    window: int,
    reserved: int | None,
    seed: int,
) -> None:
    directives = tuple(Directive(duration_s=1.0, fail=f, init_s=0.2) for f in fails)
    sqs = SqsSourceSpec(
        visibility_timeout_s=visibility,
        max_receive_count=max_receives,
        batch_size=batch,
        batching_window_s=0 if fifo else window,
        report_batch_item_failures=partial,
        retention_s=retention,
        message_groups=groups if fifo else 1,
    )
    sc = scenario(
        "sqs-fifo" if fifo else "sqs",
        count=count,
        interval=interval,
        directives=directives,
        timeout=3,
        sqs=sqs,
        reserved=reserved,
        seed=seed,
    )
    r = run(sc)
    assert r.settled_once()
    finals = {req.id: req.final for req in r.report.requests}
    assert set(finals.values()) <= {"succeeded", "dead_lettered", "expired"}
    assert r.report.summary.dead_lettered == sum(1 for f in finals.values() if f == "dead_lettered")
    bodies = {json.loads(d.body)["request"]: json.loads(d.body) for d in r.report.dead_letters}
    for rid, body in bodies.items():
        assert finals[rid] == "dead_lettered"
        assert body["request"] == rid  # the body is the one that was sent
    for req in r.report.requests:
        counts = [a.receive_count or 0 for a in req.attempts]
        assert counts == sorted(set(counts))  # one execution per receive, counts grow
        if max_receives is not None:
            assert all(c <= max_receives for c in counts)
        if req.final == "succeeded":
            assert req.attempts and req.attempts[-1].outcome == "success"
        else:
            # a message that ever ran successfully was deleted then
            assert all(a.outcome != "success" for a in req.attempts)
    if fifo:
        _assert_group_order(r, groups)
    again = run(sc)
    assert again.report.to_json() == r.report.to_json()


def _assert_group_order(r: Run, groups: int) -> None:
    settled_at = {s.request_id: s.t for s in r.obs.settled}
    by_exec: dict[str, set[str]] = {}
    for a in r.obs.attempts:
        by_exec.setdefault(a.execution_id, set()).add(a.request_id)
    ids = [s.request_id for s in r.obs.sent]
    for g in range(groups):
        members = ids[g::groups]
        for before, after in itertools.pairwise(members):
            for a in r.obs.attempts:
                if a.request_id != after:
                    continue
                # a later message of the group runs only after the earlier one left, or with it
                assert settled_at[before] <= a.start + 1e-9 or before in by_exec[a.execution_id]


def test_the_body_carries_the_directive_decide_is_given() -> None:
    d = Directive(duration_s=1.5, fail="first:3", init_s=0.7)
    [s] = stimuli(scenario("sqs", directive=d))
    assert directive_of(probe_body(s)) == d
    assert json.loads(probe_body(s)) == probe_message(s)
