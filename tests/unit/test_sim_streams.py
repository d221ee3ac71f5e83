"""Kinesis and DynamoDB Streams on the simulator: per-shard order and blocking, retries, record age,
retention, bisect, partial batch response and the on-failure record ([stream.in-order])."""

from __future__ import annotations

import base64
import itertools
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaprobe.function.directive import Directive
from lambdaprobe.rules import RuleId, rule
from lambdaprobe.scenario import StreamSourceSpec
from lambdaprobe.sim.sources.common import stimuli
from lambdaprobe.sim.sources.streams import MODELS, StreamMapping
from tests.unit.sim_sources_helpers import FAIL, OK, Run, context, run, scenario

# [stream.retry-delay]: 0.5 s x 1.5^n after the n+1-th consecutive failure
D1, D2, D3 = 0.5, 0.75, 1.125


def test_kinesis_batch_with_two_retries_is_invoked_three_times_then_leaves_one_on_failure_record() -> None:
    stream = StreamSourceSpec(batch_size=2, max_retry_attempts=2, on_failure="sqs")
    r = run(scenario("kinesis", count=3, stream=stream))
    assert r.starts("r01") == [0.0, round(0.1 + D1, 6), round(0.1 + D1 + 0.1 + D2, 6)]
    assert r.starts("r02") == r.starts("r01")  # same batch
    discarded_at = r.ends("r01")[-1]
    # later records of the shard wait for the batch to be discarded
    assert r.starts("r03")[0] == discarded_at
    assert r.final("r01") == r.final("r02") == "failed"
    first = r.report.destinations[0]
    assert first.kind == "on_failure" and first.target == "sqs:lambdaprobe-sim-on-failure"
    assert first.t == discarded_at
    rec = first.record
    assert rec["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert rec["requestContext"]["approximateInvokeCount"] == 3
    assert rec["requestContext"]["functionArn"].endswith(":function:lambdaprobe-sim-probe:live")
    assert rec["responseContext"] == {"statusCode": 200, "executedVersion": "1", "functionError": "Unhandled"}
    assert rec["version"] == "1.0" and rec["timestamp"].startswith("2026-01-01T00:00:0")
    info = rec["KinesisBatchInfo"]
    assert set(info) == {
        "shardId", "startSequenceNumber", "endSequenceNumber", "approximateArrivalOfFirstRecord",
        "approximateArrivalOfLastRecord", "batchSize", "streamArn",
    }  # fmt: skip
    assert info["batchSize"] == 2 and info["shardId"] == "shardId-000000000000"
    assert int(info["startSequenceNumber"]) < int(info["endSequenceNumber"])
    assert info["streamArn"] == "arn:aws:kinesis:us-east-1:123456789012:stream/lambdaprobe-sim-stream"
    # the record points at the data but does not carry it
    assert "r01" not in json.dumps(rec) and 'lambdaprobe": {' not in json.dumps(rec)
    assert "requestPayload" not in rec and "payload" not in rec


def test_other_shards_are_not_blocked() -> None:
    stream = StreamSourceSpec(shards=2, batch_size=1, max_retry_attempts=1)
    r = run(scenario("kinesis", count=4, directives=(FAIL, OK), stream=stream))
    # r01, r03 on shard 0 (r01 fails); r02, r04 on shard 1
    assert r.starts("r02") == [0.0] and r.starts("r04") == [0.1]
    assert r.starts("r03")[0] == r.ends("r01")[-1] > 0.6


def test_without_destination_a_discarded_batch_still_fails_and_leaves_no_record() -> None:
    r = run(scenario("kinesis", stream=StreamSourceSpec(max_retry_attempts=0)))
    assert r.starts("r01") == [0.0]
    assert r.final("r01") == "failed"
    assert r.report.destinations == []


def test_bisect_halves_a_failing_batch_until_the_bad_record_is_alone() -> None:
    stream = StreamSourceSpec(batch_size=4, bisect=True, max_retry_attempts=0, on_failure="sqs")
    r = run(scenario("kinesis", count=4, directives=(OK, OK, FAIL, OK), stream=stream))
    assert r.final("r01") == r.final("r02") == r.final("r04") == "succeeded"
    assert r.final("r03") == "failed"
    # [1 2 3 4] fails at 0; after the retry delay [1 2] succeeds, then [3 4] runs at once and
    # fails; after the delay [3] fails and is discarded (no retry left); [4] runs at once
    assert r.starts("r01") == [0.0, 0.6]
    assert r.starts("r03") == [0.0, 0.7, 1.3]
    assert r.starts("r04") == [0.0, 0.7, 1.4]
    [dest] = r.report.destinations
    info = dest.record["KinesisBatchInfo"]
    assert info["batchSize"] == 1 and info["startSequenceNumber"] == info["endSequenceNumber"]
    assert dest.record["requestContext"]["approximateInvokeCount"] == 3
    assert rule(RuleId.STREAM_BISECT_RETRIES).note() in r.report.notes


def test_without_bisect_the_whole_batch_is_discarded() -> None:
    stream = StreamSourceSpec(batch_size=4, max_retry_attempts=0, on_failure="sqs")
    r = run(scenario("kinesis", count=4, directives=(OK, OK, FAIL, OK), stream=stream))
    assert [r.final(f"r0{i}") for i in range(1, 5)] == ["failed"] * 4
    assert r.report.destinations[0].record["KinesisBatchInfo"]["batchSize"] == 4


def test_bisect_splits_do_not_consume_retries() -> None:
    stream = StreamSourceSpec(batch_size=2, bisect=True, max_retry_attempts=1)
    r = run(scenario("kinesis", count=2, stream=stream))
    # [1 2] fails, split; [1] fails and is retried once; then [2] likewise
    assert len(r.starts("r01")) == 3 and len(r.starts("r02")) == 3
    assert r.starts("r02")[1] >= r.ends("r01")[-1]


def test_partial_batch_response_checkpoints_at_the_lowest_failed_sequence_number() -> None:
    stream = StreamSourceSpec(
        batch_size=4, report_batch_item_failures=True, max_retry_attempts=1, on_failure="sqs"
    )
    r = run(scenario("kinesis", count=4, directives=(OK, FAIL, OK, OK), stream=stream))
    assert r.final("r01") == "succeeded" and r.starts("r01") == [0.0]
    # from r02 on, everything is retried: r03 and r04 run again although they succeeded
    assert len(r.starts("r03")) == 2 and r.final("r03") == "failed"
    [dest] = r.report.destinations
    info = dest.record["KinesisBatchInfo"]
    assert info["batchSize"] == 3
    # on success with a batchItemFailures list there is no function error
    assert "functionError" not in dest.record["responseContext"]


def test_dynamodb_default_retries_until_the_record_expires() -> None:
    stream = StreamSourceSpec(batch_size=1, retention_s=600, on_failure="sqs")
    r = run(scenario("dynamodb", count=2, interval=1.0, stream=stream))
    starts = r.starts("r01")
    assert len(starts) > 15 and starts[-1] < 600
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert max(gaps) <= 60.1 + 1e-6  # the delay is capped at 60 s
    assert r.final("r01") == "expired"
    assert r.obs.settled[0].t == 600.0
    # the record behind it waited the whole time
    assert r.starts("r02")[0] == 600.0
    # trimmed by retention: no on-failure record ([stream.retention-loss])
    assert not any(d.request_id == "r01" for d in r.report.destinations)
    assert rule(RuleId.STREAM_RETENTION_LOSS).note() in r.report.notes


def test_dynamodb_maximum_record_age_discards_with_record_age_exceeded() -> None:
    stream = StreamSourceSpec(batch_size=1, max_record_age_s=60, on_failure="sns")
    r = run(scenario("dynamodb", stream=stream))
    assert r.starts("r01")[-1] < 60
    [dest] = r.report.destinations
    assert dest.t == 60.0 and dest.target == "sns:lambdaprobe-sim-on-failure"
    assert dest.record["requestContext"]["condition"] == "RecordAgeExceeded"
    info = dest.record["DDBStreamBatchInfo"]
    assert info["streamArn"].startswith(
        "arn:aws:dynamodb:us-east-1:123456789012:table/lambdaprobe-sim-table/stream/"
    )
    assert info["approximateArrivalOfFirstRecord"] == "2026-01-01T00:00:00Z"
    assert r.final("r01") == "failed"


def test_retry_delay_follows_the_named_assumption() -> None:
    r = run(scenario("kinesis", stream=StreamSourceSpec(max_retry_attempts=3)))
    assert r.starts("r01") == [0.0, 0.6, round(0.7 + D2, 6), round(0.7 + D2 + 0.1 + D3, 6)]
    assert rule(RuleId.STREAM_RETRY_DELAY).note() in r.report.notes


def test_idle_shards_are_polled_at_the_documented_base_rate() -> None:
    assert MODELS["kinesis"].poll_interval_s == 1.0 and MODELS["dynamodb"].poll_interval_s == 0.25
    r = run(scenario("kinesis", count=2, interval=0.3, directive=OK, stream=StreamSourceSpec(batch_size=1)))
    assert r.starts("r01") == [0.0] and r.starts("r02") == [1.0]
    r = run(scenario("dynamodb", count=2, interval=0.3, directive=OK, stream=StreamSourceSpec(batch_size=1)))
    assert r.starts("r02") == [0.5]


def test_a_shard_with_a_backlog_reads_its_next_batch_at_once() -> None:
    r = run(scenario("kinesis", count=3, directive=OK, stream=StreamSourceSpec(batch_size=1)))
    assert [r.starts(f"r0{i}")[0] for i in (1, 2, 3)] == [0.0, 0.1, 0.2]


def test_throttled_batches_are_retried_without_using_up_retries() -> None:
    r = run(
        scenario(
            "kinesis",
            directive=OK,
            reserved=0,
            stream=StreamSourceSpec(max_retry_attempts=0, retention_s=120),
        )
    )
    assert r.request("r01").attempts == [] and r.request("r01").throttles > 3
    assert r.final("r01") == "expired"
    assert rule(RuleId.STREAM_THROTTLE_RETRY).note() in r.report.notes


def test_records_carry_their_data_as_aws_shapes_it() -> None:
    ctx, sc = context(scenario("kinesis", count=1, directive=OK))
    kinesis = StreamMapping(ctx, "kinesis", StreamSourceSpec(), sc.called_qualifier)
    kinesis.put(stimuli(sc)[0])
    rec = kinesis.lanes[0][0].pending[0].event
    assert rec["eventSource"] == "aws:kinesis" and rec["eventName"] == "aws:kinesis:record"
    data = json.loads(base64.b64decode(rec["kinesis"]["data"]))
    assert data == {"request": "r01", "lambdaprobe": OK.to_event()}
    assert rec["eventID"] == f"shardId-000000000000:{rec['kinesis']['sequenceNumber']}"

    ddb = StreamMapping(ctx, "dynamodb", StreamSourceSpec(), sc.called_qualifier)
    ddb.put(stimuli(sc)[0])
    item = ddb.lanes[0][0].pending[0]
    rec = item.event
    assert rec["eventSource"] == "aws:dynamodb" and rec["eventName"] == "INSERT"
    assert rec["dynamodb"]["Keys"] == {"id": {"S": "r01"}}
    assert json.loads(rec["dynamodb"]["NewImage"]["lambdaprobe"]["S"]) == OK.to_event()
    assert item.directive == OK


def test_parallelization_factor_runs_slices_of_a_shard_concurrently() -> None:
    slow = Directive(duration_s=5, fail="never", init_s=0.0)
    stream = StreamSourceSpec(batch_size=1, parallelization_factor=2)
    r = run(scenario("kinesis", count=4, directive=slow, timeout=10, stream=stream))
    assert r.report.summary.max_concurrency == 2


fail_specs = st.sampled_from(["never", "always", "first:1", "first:3"])


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["kinesis", "dynamodb"]),
    count=st.integers(1, 20),
    interval=st.sampled_from([0.0, 0.3, 2.0]),
    fails=st.lists(fail_specs, min_size=1, max_size=4),
    shards=st.integers(1, 3),
    factor=st.integers(1, 2),
    batch=st.integers(1, 6),
    retries=st.sampled_from([-1, 0, 1, 3]),
    max_age=st.sampled_from([-1, 60]),
    bisect=st.booleans(),
    partial=st.booleans(),
    on_failure=st.sampled_from([None, "sqs"]),
    retention=st.sampled_from([90, 300]),
    window=st.sampled_from([0, 1, 5]),
    seed=st.integers(0, 3),
)
def test_every_record_ends_exactly_once_in_shard_order_and_runs_replay(
    kind: str, count: int, interval: float, fails: list[str], shards: int, factor: int, batch: int,
    retries: int, max_age: int, bisect: bool, partial: bool, on_failure: str | None, retention: int,
    window: int, seed: int,
) -> None:  # fmt: skip
    directives = tuple(Directive(duration_s=0.5, fail=f, init_s=0.2) for f in fails)
    stream = StreamSourceSpec(
        shards=shards, batch_size=batch, max_retry_attempts=retries, max_record_age_s=max_age, bisect=bisect,
        report_batch_item_failures=partial, parallelization_factor=factor, retention_s=retention,
        on_failure=on_failure, batching_window_s=window,  # type: ignore[arg-type]
    )  # fmt: skip
    sc = scenario(kind, count=count, interval=interval, directives=directives, stream=stream, seed=seed)  # type: ignore[arg-type]
    r = run(sc)
    assert r.settled_once()
    finals = {req.id: req.final for req in r.report.requests}
    assert set(finals.values()) <= {"succeeded", "failed", "expired"}
    if on_failure:
        # every discarded record is covered by exactly one on-failure record
        covered = sum(_batch_info(d.record)["batchSize"] for d in r.report.destinations)
        assert covered == sum(1 for f in finals.values() if f == "failed")
    else:
        assert r.report.destinations == []
    for req in r.report.requests:
        if req.final == "succeeded":
            assert req.attempts[-1].outcome == "success"
    _assert_lane_order(r, shards, factor)
    # [stream.batching-window] no batch is larger than BatchSize, window or not
    sizes: dict[str, int] = {}
    for a in r.obs.attempts:
        sizes[a.execution_id] = sizes.get(a.execution_id, 0) + 1
    assert max(sizes.values(), default=0) <= batch
    assert run(sc).report.to_json() == r.report.to_json()


def _batch_info(record: dict[str, object]) -> dict[str, int]:
    key = "KinesisBatchInfo" if "KinesisBatchInfo" in record else "DDBStreamBatchInfo"
    return record[key]  # type: ignore[return-value]


def _assert_lane_order(r: Run, shards: int, factor: int) -> None:
    """A record runs only after every earlier record of its shard slice has ended, or together with it."""
    settled_at = {s.request_id: s.t for s in r.obs.settled}
    execs: dict[str, set[str]] = {}
    for a in r.obs.attempts:
        execs.setdefault(a.execution_id, set()).add(a.request_id)
    lanes: dict[tuple[int, int], list[str]] = {}
    for i, s in enumerate(r.obs.sent):
        lanes.setdefault((i % shards, (i // shards) % factor), []).append(s.request_id)
    for members in lanes.values():
        for k, later in enumerate(members):
            for a in r.obs.attempts:
                if a.request_id != later:
                    continue
                for earlier in members[:k]:
                    assert settled_at[earlier] <= a.start + 1e-9 or earlier in execs[a.execution_id]


def test_record_age_drops_only_the_records_that_reached_it() -> None:
    stream = StreamSourceSpec(batch_size=10, max_record_age_s=60, on_failure="sqs")
    r = run(scenario("kinesis", count=3, interval=0.4, stream=stream))
    # r01 alone at 0 (the first poll) until it is 60 s old; then [r02 r03] from 60
    assert [round(d.t, 6) for d in r.report.destinations] == [60.0, 60.4, 60.8]
    assert [d.record["KinesisBatchInfo"]["batchSize"] for d in r.report.destinations] == [1, 1, 1]
    assert r.starts("r02")[-1] == 60.0
    assert r.starts("r03")[-2:] == [60.0, 60.6]  # retried alone once r02 was dropped
    assert {r.final(f"r0{i}") for i in (1, 2, 3)} == {"failed"}
