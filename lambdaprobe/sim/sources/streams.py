"""Kinesis and DynamoDB Streams read by a Lambda event source mapping ([stream.in-order]).

Each shard is read in order. A failing batch is retried until it succeeds, runs out of retries,
grows too old or is trimmed by the stream's retention; the shard is blocked meanwhile, so later
records wait. A discarded batch leaves an on-failure record that points at the records (shard,
sequence numbers) but does not carry them.
"""

from __future__ import annotations

import base64
import json
import math
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import DestinationRecord, Final, Settled, Throttle
from lambdaprobe.rules import RuleId, rule
from lambdaprobe.rules.constants import DYNAMODB_POLL_INTERVAL_S, KINESIS_POLL_INTERVAL_S
from lambdaprobe.scenario import Scenario, StreamSourceSpec
from lambdaprobe.sim.records import timestamp
from lambdaprobe.sim.service import ACCOUNT_ID, REGION, Execution, Item
from lambdaprobe.sim.sinks import target_name
from lambdaprobe.sim.sources.common import (
    EPOCH_S,
    Delivery,
    arn,
    epoch_s,
    probe_body,
    probe_message,
    resource_name,
    send_all,
    stimuli,
)
from lambdaprobe.sim.sources.context import SimContext
from lambdaprobe.templates import template

StreamKind = Literal["kinesis", "dynamodb"]
StreamCondition = Literal["RetryAttemptsExhausted", "RecordAgeExceeded"]
EPSILON = 1e-9
_RETRY_DELAY = rule(RuleId.STREAM_RETRY_DELAY).constants


@dataclass(frozen=True)
class StreamModel:
    """The poller's rules; the undocumented ones are assumptions `--target aws` should measure."""

    poll_interval_s: float  # [stream.poll-rate] Kinesis once a second, DynamoDB 4 times a second
    # [stream.retry-delay]: AWS documents no delay between retries; LocalStack's rule
    retry_delay_first_s: float = float(_RETRY_DELAY["first_s"])
    retry_delay_factor: float = float(_RETRY_DELAY["factor"])
    retry_delay_max_s: float = float(_RETRY_DELAY["max_s"])

    def retry_delay(self, failures: int) -> float:
        """The wait after the shard's `failures`-th consecutive failure (1-based)."""
        # the exponent is capped: a day of retries would overflow a float long after the cap applies
        delay = self.retry_delay_first_s * self.retry_delay_factor ** min(failures - 1, 64)
        return min(delay, self.retry_delay_max_s)


MODELS: dict[StreamKind, StreamModel] = {
    "kinesis": StreamModel(poll_interval_s=KINESIS_POLL_INTERVAL_S),
    "dynamodb": StreamModel(poll_interval_s=DYNAMODB_POLL_INTERVAL_S),
}
BATCH_INFO: dict[StreamKind, str] = {"kinesis": "KinesisBatchInfo", "dynamodb": "DDBStreamBatchInfo"}


class StreamRecord:
    __slots__ = ("arrival", "directive", "event", "invocations", "request_id", "seq")

    def __init__(
        self, request_id: str, seq: str, arrival: float, directive: Directive, event: dict[str, Any]
    ) -> None:
        self.request_id = request_id
        self.seq = seq
        self.arrival = arrival
        self.directive = directive
        self.event = event
        self.invocations = 0


class Batch:
    __slots__ = ("last", "records", "retries")

    def __init__(self, records: list[StreamRecord], retries: int = 0, last: Execution | None = None) -> None:
        self.records = records
        self.retries = retries
        self.last = last


class Lane:
    """One shard, or one of its ParallelizationFactor slices: an ordered, blocking processor."""

    __slots__ = ("busy", "failures", "gathering", "pending", "retry", "shard_id")

    def __init__(self, shard_id: str) -> None:
        self.shard_id = shard_id
        self.pending: deque[StreamRecord] = deque()
        # failed batches (or their bisected halves) to run again before anything newer
        self.retry: deque[Batch] = deque()
        self.busy = False
        self.failures = 0
        # a batching window is open: the wake-up scheduled for it, by number (0: none)
        self.gathering = 0


class StreamMapping:
    def __init__(
        self,
        ctx: SimContext,
        kind: StreamKind,
        spec: StreamSourceSpec,
        qualifier: str,
        model: StreamModel | None = None,
    ) -> None:
        self.ctx = ctx
        self.clock = ctx.clock
        self.service = ctx.service
        self.kind: StreamKind = kind
        self.spec = spec
        self.qualifier = qualifier
        self.model = model or MODELS[kind]
        if kind == "kinesis":
            self.stream_arn = arn("kinesis", f"stream/{resource_name('stream')}")
        else:
            self.stream_arn = arn("dynamodb", f"table/{resource_name('table')}/stream/{timestamp(0.0)[:-1]}")
        self.shards = [self._shard_id(i) for i in range(spec.shards)]
        self.lanes = [[Lane(s) for _ in range(spec.parallelization_factor)] for s in self.shards]
        self._seq = [0] * spec.shards
        self._wakeups = 0
        self.service.rules.update(
            (RuleId.STREAM_IN_ORDER, RuleId.STREAM_POLL_RATE, RuleId.STREAM_POLL_TICKS, RuleId.STREAM_EVENT,
             RuleId.STREAM_BATCHING)
        )

    # -- the producer ------------------------------------------------------------------------

    def put(self, stimulus: Delivery) -> None:
        # Each record has its own partition key: records spread over the shards in turn, then
        # over a shard's parallel slices.
        shard = stimulus.index % self.spec.shards
        lane = self.lanes[shard][(stimulus.index // self.spec.shards) % self.spec.parallelization_factor]
        self._seq[shard] += 1
        record = self._record(stimulus, shard, self._seq[shard])
        lane.pending.append(record)
        if not lane.busy:
            lane.busy = True
            self.clock.at(self._next_poll(), self._next, lane)
        elif lane.gathering and len(lane.pending) >= self.spec.batch_size:
            # [stream.batching-window] a full batch does not wait for the window to close
            lane.gathering = 0
            self._next(lane)

    def _next_poll(self) -> float:
        interval = self.model.poll_interval_s
        return math.ceil(self.clock.now / interval - EPSILON) * interval

    # -- the shard's poller ------------------------------------------------------------------

    def _next(self, lane: Lane) -> None:
        if lane.retry:
            self._invoke(lane, lane.retry.popleft())
        elif lane.pending:
            window = self.spec.batching_window_s
            if window and len(lane.pending) < self.spec.batch_size:
                # [stream.batching-window] gather until the batch is full or the window, opened by the
                # oldest waiting record, has passed
                due = lane.pending[0].arrival + window
                if self.clock.now + EPSILON < due:
                    self.service.rules.add(RuleId.STREAM_BATCHING_WINDOW)
                    self._wakeups += 1
                    lane.gathering = self._wakeups
                    self.clock.at(due, self._window_closed, lane, self._wakeups)
                    return
            n = min(self.spec.batch_size, len(lane.pending))
            self._invoke(lane, Batch([lane.pending.popleft() for _ in range(n)]))
        else:
            lane.busy = False

    def _window_closed(self, lane: Lane, wakeup: int) -> None:
        if lane.gathering == wakeup:  # else a full batch went already
            lane.gathering = 0
            self._next(lane)

    def _invoke(self, lane: Lane, batch: Batch) -> None:
        now = self.clock.now
        retention = self.spec.retention_s
        if now + EPSILON >= batch.records[0].arrival + retention:
            # waiting behind a blocked batch, these records outlived the stream's retention
            alive = [r for r in batch.records if now + EPSILON < r.arrival + retention]
            self._settle(batch.records[: len(batch.records) - len(alive)], "expired")
            self.service.rules.update((RuleId.STREAM_RETENTION_LOSS, RuleId.STREAM_RETENTION))
            if not alive:
                self._next(lane)
                return
            batch.records = alive
        items = [Item(r.request_id, r.invocations + 1, r.directive) for r in batch.records]
        started = self.service.execute(
            self.ctx.fn,
            self.qualifier,
            items,
            lambda ex: self._done(lane, batch, ex),
            partial_batch=self.spec.report_batch_item_failures,
        )
        if isinstance(started, str):
            self.ctx.obs.throttles.extend(
                Throttle(r.request_id, now, started) for r in batch.records
            )
            self.service.rules.add(RuleId.STREAM_THROTTLE_RETRY)
            lane.retry.appendleft(batch)
            lane.failures += 1
            self._schedule_retry(lane, now + self.model.retry_delay(lane.failures))
            return
        for r in batch.records:
            r.invocations += 1

    def _done(self, lane: Lane, batch: Batch, ex: Execution) -> None:
        batch.last = ex
        if ex.function_error:
            self._failed(lane, batch, split=self.spec.bisect and len(batch.records) > 1)
            return
        if ex.failed:
            # [stream.partial-batch] checkpoint at the lowest failed sequence number; the
            # records from there on are retried, those before it are done.
            self.service.rules.add(RuleId.STREAM_PARTIAL_BATCH)
            listed = set(ex.failed)
            k = next(i for i, r in enumerate(batch.records) if r.request_id in listed)
            self._settle(batch.records[:k], "succeeded")
            batch.records = batch.records[k:]
            self._failed(lane, batch, split=False)
            return
        self._settle(batch.records, "succeeded")
        lane.failures = 0
        self._next(lane)

    def _failed(self, lane: Lane, batch: Batch, split: bool) -> None:
        lane.failures += 1
        if split:
            # [stream.bisect] BisectBatchOnFunctionError: split in two, retry each half; splits use no retry
            self.service.rules.update((RuleId.STREAM_BISECT, RuleId.STREAM_BISECT_RETRIES))
            half = len(batch.records) // 2
            first = Batch(batch.records[:half], batch.retries, batch.last)
            second = Batch(batch.records[half:], batch.retries, batch.last)
            lane.retry.extendleft([second, first])
        else:
            limit = self.spec.max_retry_attempts
            if limit != -1 and batch.retries >= limit:
                # [stream.retry-limits] MaximumRetryAttempts reached: discard the batch, the shard moves on
                self.service.rules.add(RuleId.STREAM_RETRY_LIMITS)
                self._discard(lane, batch, "RetryAttemptsExhausted")
                return
            batch.retries += 1
            lane.retry.appendleft(batch)
        self._schedule_retry(lane, self.clock.now + self.model.retry_delay(lane.failures))

    def _schedule_retry(self, lane: Lane, due: float) -> None:
        """The head retry runs at `due`, unless its oldest records are too old by then."""
        self.service.rules.add(RuleId.STREAM_RETRY_DELAY)
        now = self.clock.now
        oldest = lane.retry[0].records[0].arrival
        max_age = self.spec.max_record_age_s
        too_old = oldest + max_age if max_age != -1 else math.inf
        trimmed = oldest + self.spec.retention_s
        if due > too_old and too_old < trimmed:
            # [stream.retry-limits] MaximumRecordAgeInSeconds; [stream.age-check]
            self.service.rules.update((RuleId.STREAM_RETRY_LIMITS, RuleId.STREAM_AGE_CHECK))
            self.clock.at(max(now, too_old), self._age_out, lane, due, "RecordAgeExceeded")
        elif due + EPSILON >= trimmed:
            # [stream.in-order] retried until the record expires: the stream trims it
            self.clock.at(max(now, trimmed), self._age_out, lane, due, None)
        else:
            self.clock.at(due, self._next, lane)

    def _age_out(self, lane: Lane, due: float, condition: StreamCondition | None) -> None:
        """Drop the head batch's records that reached the age limit (`condition`) or the retention
        (None); the younger ones keep their retry, still due at `due`."""
        batch = lane.retry.popleft()
        now = self.clock.now
        limit = self.spec.max_record_age_s if condition else self.spec.retention_s
        old = [r for r in batch.records if now + EPSILON >= r.arrival + limit]
        rest = batch.records[len(old) :]
        if condition is None:
            self.service.rules.update((RuleId.STREAM_RETENTION_LOSS, RuleId.STREAM_RETENTION))
            self._settle(old, "expired")
        else:
            self._drop(lane, Batch(old, batch.retries, batch.last), condition)
        if rest:
            lane.retry.appendleft(Batch(rest, batch.retries, batch.last))
            self._schedule_retry(lane, max(due, now))
            return
        lane.failures = 0
        self._next(lane)

    def _discard(self, lane: Lane, batch: Batch, condition: StreamCondition) -> None:
        self._drop(lane, batch, condition)
        lane.failures = 0
        self._next(lane)

    def _drop(self, lane: Lane, batch: Batch, condition: StreamCondition) -> None:
        """[stream.on-failure-record] the records are dropped; the destination gets a record without the data."""
        destination = self.spec.on_failure
        if destination is not None:
            self.service.rules.add(RuleId.STREAM_ON_FAILURE_RECORD)
            self.ctx.obs.destinations.append(
                DestinationRecord(
                    t=self.clock.now,
                    kind="on_failure",
                    target=target_name(destination, "on-failure"),
                    record=self.on_failure_record(lane.shard_id, batch, condition),
                    request_id=batch.records[0].request_id,
                )
            )
        # The record at the destination points at the data but does not hold it: "failed", not
        # "dead_lettered".
        self._settle(batch.records, "failed")

    def _settle(self, records: list[StreamRecord], final: Final) -> None:
        now = self.clock.now
        self.ctx.obs.settled.extend(Settled(r.request_id, now, final) for r in records)

    # -- what AWS shows ----------------------------------------------------------------------

    def on_failure_record(self, shard_id: str, batch: Batch, condition: StreamCondition) -> dict[str, Any]:
        """[stream.on-failure-record] the invocation, and where the batch lies. A batch discarded for
        its age has no responseContext; the mapping's function ARN is unqualified on $LATEST."""
        first, last = batch.records[0], batch.records[-1]
        ex = batch.last
        fn = self.ctx.fn
        record: dict[str, Any] = {
            "requestContext": {
                "requestId": self.ctx.ids.request_id(),
                "functionArn": fn.arn if self.qualifier == "$LATEST" else fn.qualified_arn(self.qualifier),
                "condition": condition,
                "approximateInvokeCount": max(r.invocations for r in batch.records),
            },
        }
        if condition == "RetryAttemptsExhausted" and ex is not None:
            response: dict[str, Any] = {"statusCode": 200, "executedVersion": ex.version}
            if ex.function_error:
                response["functionError"] = "Unhandled"
            record["responseContext"] = response
        record.update({
            "version": "1.0",
            "timestamp": timestamp(self.clock.now),
            BATCH_INFO[self.kind]: {
                "shardId": shard_id,
                "startSequenceNumber": first.seq,
                "endSequenceNumber": last.seq,
                "approximateArrivalOfFirstRecord": self._arrival(first.arrival),
                "approximateArrivalOfLastRecord": self._arrival(last.arrival),
                "batchSize": len(batch.records),
                "streamArn": self.stream_arn,
            },
        })
        return record

    def _arrival(self, t: float) -> str:
        # DynamoDB stream records carry whole seconds (ApproximateCreationDateTime)
        return timestamp(t) if self.kind == "kinesis" else timestamp(math.floor(t)).replace(".000Z", "Z")

    def _shard_id(self, i: int) -> str:
        if self.kind == "kinesis":
            return f"shardId-{i:012d}"
        return f"shardId-{int(EPOCH_S * 1000):020d}-{i:08x}"

    def _sequence_number(self, shard: int, n: int) -> str:
        if self.kind == "kinesis":
            return f"4959{shard:06d}{n:046d}"
        return f"{shard + 1}{n:020d}"

    def _record(self, stimulus: Delivery, shard: int, n: int) -> StreamRecord:
        now = self.clock.now
        seq = self._sequence_number(shard, n)
        event: dict[str, Any]
        if self.kind == "kinesis":
            event = template("kinesis-record")
            kinesis = event["kinesis"]
            kinesis["partitionKey"] = stimulus.request_id
            kinesis["sequenceNumber"] = seq
            kinesis["data"] = base64.b64encode(probe_body(stimulus).encode()).decode()  # [stream.event] base64
            kinesis["approximateArrivalTimestamp"] = epoch_s(now)
            event["eventID"] = f"{self.shards[shard]}:{seq}"
            event["invokeIdentityArn"] = f"arn:aws:iam::{ACCOUNT_ID}:role/{resource_name('role')}"
            # the handler decodes the data, as the deployed probe does
            directive = Directive.from_event(json.loads(base64.b64decode(kinesis["data"]))["lambdaprobe"])
        else:
            event = template("dynamodb-record")
            ddb = event["dynamodb"]
            message = probe_message(stimulus)
            ddb["ApproximateCreationDateTime"] = math.floor(EPOCH_S + now)
            # [stream.event] records carry eventName and Keys; the item is the one the AWS target writes:
            # key `id`, the directive as a JSON string
            image = {
                "id": {"S": stimulus.request_id},
                "lambdaprobe": {"S": json.dumps(message["lambdaprobe"])},
            }
            ddb["Keys"] = {"id": image["id"]}
            ddb["NewImage"] = image
            ddb["SequenceNumber"] = seq
            ddb["SizeBytes"] = len(json.dumps(ddb["NewImage"]))
            event["eventID"] = f"{shard:04x}{n:028x}"
            directive = Directive.from_event(json.loads(ddb["NewImage"]["lambdaprobe"]["S"]))
        event["awsRegion"] = REGION
        event["eventSourceARN"] = self.stream_arn
        return StreamRecord(stimulus.request_id, seq, now, directive, event)


def _drive(kind: StreamKind, ctx: SimContext, scenario: Scenario) -> None:
    spec = scenario.source.stream or StreamSourceSpec()
    mapping = StreamMapping(ctx, kind, spec, scenario.called_qualifier)
    if spec.retention_s != StreamSourceSpec().retention_s:
        ctx.service.rules.add(RuleId.STREAM_RETENTION)
    if spec.on_failure == "s3":
        ctx.service.rules.update((RuleId.DESTINATIONS_S3, RuleId.DESTINATIONS_S3_OBJECT))
    send_all(ctx, stimuli(scenario), "record", mapping.put)


def drive_kinesis(ctx: SimContext, scenario: Scenario) -> None:
    _drive("kinesis", ctx, scenario)


def drive_dynamodb(ctx: SimContext, scenario: Scenario) -> None:
    _drive("dynamodb", ctx, scenario)
