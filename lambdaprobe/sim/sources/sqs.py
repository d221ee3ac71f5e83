"""An SQS queue (standard or FIFO) read by a Lambda event source mapping ([sqs.visibility-timeout]).

The visibility timeout is the retry clock: a received message is invisible until it expires, a
failed batch deletes nothing, and its messages reappear when their visibility timeout ends with
one more receive counted. The queue's redrive policy, not the function's DLQ, ends the loop.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import DeadLetter, Final, Settled, Throttle
from lambdaprobe.rules import RuleId, rule
from lambdaprobe.rules.constants import (
    SQS_INITIAL_BATCHES,
    SQS_MAX_BATCHES,
    SQS_RECOMMENDED_MAX_RECEIVE_COUNT,
    SQS_SCALE_PERIOD_S,
    SQS_SCALE_STEP,
)
from lambdaprobe.scenario import Scenario, SqsSourceSpec
from lambdaprobe.sim.service import Execution, Item
from lambdaprobe.sim.sinks import target_name
from lambdaprobe.sim.sources.common import (
    Delivery,
    arn,
    epoch_ms,
    probe_body,
    resource_name,
    send_all,
    stimuli,
)
from lambdaprobe.sim.sources.context import SimContext

SENDER_ID = "AIDAIENQZJOLO23YVJ4VO"
RECOMMENDED_MAX_RECEIVE_COUNT = SQS_RECOMMENDED_MAX_RECEIVE_COUNT  # [sqs.mapping-timeout]
THROTTLE_WARNING = (
    "warning: throttled SQS batches still count a receive, so a message can reach the DLQ without a "
    "failed run; AWS recommends maxReceiveCount >= 5 [sqs.mapping-timeout]"
)
# A deadline compared with the clock after `Clock.at` may be off by a rounding error.
EPSILON = 1e-9


@dataclass(frozen=True)
class SqsModel:
    """The mapping's poller rules; the undocumented ones are assumptions `--target aws` should measure."""

    # [sqs.poll-delay]: long polling hands a visible message over at once
    poll_delay_s: float = float(rule(RuleId.SQS_POLL_DELAY).constants["delay_s"])
    initial_batches: int = SQS_INITIAL_BATCHES  # [sqs.scaling] five batches at a time to start with
    scale_step: int = SQS_SCALE_STEP  # [sqs.scaling] up to 300 more a minute; [sqs.scaling-steps]: each minute
    scale_period_s: float = SQS_SCALE_PERIOD_S
    max_batches: int = SQS_MAX_BATCHES  # [sqs.scaling]
    # [sqs.throttle-backoff]: doubling, within the visibility timeout
    throttle_backoff_first_s: float = float(rule(RuleId.SQS_THROTTLE_BACKOFF).constants["first_s"])


MODEL = SqsModel()


class Message:
    __slots__ = (
        "body",
        "directive",
        "expires",
        "first_receive",
        "group",
        "receive_count",
        "received_at",
        "request_id",
        "sent",
        "seq",
        "visible_since",
    )

    def __init__(
        self,
        request_id: str,
        body: str,
        directive: Directive,
        group: str,
        seq: int,
        sent: float,
        retention_s: float,
    ) -> None:
        self.request_id = request_id
        self.body = body
        self.directive = directive
        self.group = group
        self.seq = seq
        self.sent = sent
        self.expires = sent + retention_s
        self.receive_count = 0
        self.first_receive: float | None = None
        self.received_at = sent
        self.visible_since = sent


class Batch:
    __slots__ = ("messages", "throttles")

    def __init__(self, messages: list[Message]) -> None:
        self.messages = messages
        self.throttles = 0


class SqsMapping:
    """The queue and its event source mapping: receive a batch, invoke synchronously, delete or let go."""

    def __init__(
        self,
        ctx: SimContext,
        spec: SqsSourceSpec,
        qualifier: str,
        model: SqsModel = MODEL,
        seed: int = 0,
        fifo: bool = False,
    ) -> None:
        self.ctx = ctx
        self.seed = seed
        self.clock = ctx.clock
        self.service = ctx.service
        self.spec = spec
        self.fifo = fifo
        self.qualifier = qualifier
        self.model = model
        suffix = ".fifo" if fifo else ""
        self.queue_arn = arn("sqs", resource_name("source") + suffix)
        self.dlq_name = target_name("sqs", "source-dlq") + suffix
        # standard: visible messages, longest visible first (SQS does not promise an order)
        self._ready: deque[Message] = deque()
        # FIFO: each group's waiting messages in order, how many of them are in flight, and the
        # groups free to be received, in turn order (a dict as an ordered set)
        self._groups: dict[str, deque[Message]] = {}
        self._in_flight: dict[str, int] = {}
        self._open: dict[str, None] = {}
        self._active = 0
        self._first_send: float | None = None
        self._pump_due = False
        self._gather_start: float | None = None
        self._scale_wake = -1.0
        self._seq = 0
        self.service.rules.update(
            (RuleId.SQS_VISIBILITY_TIMEOUT, RuleId.SQS_EVENT, RuleId.SQS_BATCHING, RuleId.SQS_SCALING,
             RuleId.SQS_REDRIVE, RuleId.SQS_POLL_DELAY)
        )
        if fifo:
            self.service.rules.update((RuleId.SQS_FIFO_ORDER, RuleId.SQS_FIFO_BATCH))

    # -- the producer ------------------------------------------------------------------------

    def send(self, stimulus: Delivery) -> None:
        now = self.clock.now
        # The body carries the directive as the deployed handler reads it; the model hands decide()
        # the directive it serialised (a round trip the unit tests check) rather than reparse it.
        body = probe_body(stimulus)
        self._seq += 1
        # the groups and deduplication ids the AWS target's sender uses
        group = f"g{stimulus.index % self.spec.message_groups}" if self.fifo else ""
        message = Message(
            stimulus.request_id,
            body,
            stimulus.directive,
            group,
            self._seq,
            now,
            self.spec.retention_s,
        )
        if self._first_send is None:
            self._first_send = now
        if self.fifo:
            queue = self._groups.setdefault(group, deque())
            queue.append(message)
            if not self._in_flight.get(group):
                self._open[group] = None
        else:
            self._ready.append(message)
        self._wake()

    # -- the pollers -------------------------------------------------------------------------

    def _limit(self) -> int:
        cap = self.model.max_batches
        if self.spec.max_concurrency is not None:
            cap = min(cap, self.spec.max_concurrency)  # [sqs.scaling] ScalingConfig.MaximumConcurrency
        if self.fifo or self._first_send is None:
            # [sqs.fifo-order] FIFO mappings scale with the number of active message groups, which the group
            # locks below already bound.
            return cap
        steps = int((self.clock.now - self._first_send + EPSILON) // self.model.scale_period_s)
        return min(cap, self.model.initial_batches + self.model.scale_step * steps)

    def _wake(self) -> None:
        # One pump per instant: messages sent together are batched together.
        if not self._pump_due:
            self._pump_due = True
            self.clock.after(self.model.poll_delay_s, self._pump)

    def _pump(self) -> None:
        self._pump_due = False
        window = self.spec.batching_window_s
        while self._has_visible():
            now = self.clock.now
            if self._active >= self._limit():
                self._wake_when_scaled()
                return
            if window and self._visible_count() < self.spec.batch_size:
                # [sqs.batching] a batching window: wait for a full batch or the window's end
                if self._gather_start is None:
                    self._gather_start = now
                    self.clock.after(window, self._wake)
                if now + EPSILON < self._gather_start + window:
                    return
            batch = self._receive(now)
            self._gather_start = None
            if batch.messages:
                self._active += 1
                self._invoke(batch)

    def _wake_when_scaled(self) -> None:
        if self.fifo or self._first_send is None:
            return
        cap = self.model.max_batches if self.spec.max_concurrency is None else self.spec.max_concurrency
        if self._limit() >= cap:
            return
        self.service.rules.add(RuleId.SQS_SCALING_STEPS)
        period = self.model.scale_period_s
        next_step = self._first_send + period * (int((self.clock.now - self._first_send) // period) + 1)
        if next_step != self._scale_wake:
            self._scale_wake = next_step
            self.clock.at(next_step, self._wake)

    def _has_visible(self) -> bool:
        return bool(self._open) if self.fifo else bool(self._ready)

    def _visible_count(self) -> int:
        if self.fifo:
            return sum(len(self._groups[g]) for g in self._open)
        return len(self._ready)

    def _receive(self, now: float) -> Batch:
        size = self.spec.batch_size
        taken: list[Message] = []
        if self.fifo:
            while self._open and len(taken) < size:
                group = next(iter(self._open))
                del self._open[group]
                queue = self._groups[group]
                n = 0
                while queue and len(taken) < size:
                    message = queue.popleft()
                    if not self._expired_while_visible(message, now):
                        taken.append(message)
                        n += 1
                if n:
                    self._in_flight[group] = n  # [sqs.fifo-order] locked while any is in flight
                elif queue:
                    self._open[group] = None
        else:
            ready = self._ready
            while ready and len(taken) < size:
                message = ready.popleft()
                if not self._expired_while_visible(message, now):
                    taken.append(message)
        gather = self._gather_start
        for message in taken:
            # [sqs.visibility-timeout] each receive counts; the visibility timeout runs from the receive, and during a
            # batching window the poller received each message as it became visible.
            message.receive_count += 1
            received = now if gather is None else max(message.visible_since, gather)
            message.received_at = received
            if message.first_receive is None:
                message.first_receive = received
        return Batch(taken)

    def _invoke(self, batch: Batch) -> None:
        # [sqs.visibility-timeout] the poller invokes synchronously; decide's attempt number is the receive count
        items = [Item(m.request_id, m.receive_count, m.directive, m.receive_count) for m in batch.messages]
        started = self.service.execute(
            self.ctx.fn,
            self.qualifier,
            items,
            lambda ex: self._done(batch, ex),
            partial_batch=self.spec.report_batch_item_failures,
        )
        if isinstance(started, str):
            self._throttled(batch, started)

    def _throttled(self, batch: Batch, reason: str) -> None:
        """[sqs.throttled-poller] a throttled poller backs off and retries until the visibility timeout expires."""
        now = self.clock.now
        self.ctx.obs.throttles.extend(
            Throttle(m.request_id, now, reason) for m in batch.messages
        )
        self.service.rules.update((RuleId.SQS_THROTTLED_POLLER, RuleId.SQS_THROTTLE_BACKOFF))
        limit = self.spec.max_receive_count
        if (
            limit is not None
            and limit < RECOMMENDED_MAX_RECEIVE_COUNT
            and THROTTLE_WARNING not in self.ctx.obs.notes
        ):
            self.ctx.obs.notes.append(THROTTLE_WARNING)
        delay = self.model.throttle_backoff_first_s * 2**batch.throttles
        batch.throttles += 1
        gives_up = min(m.received_at for m in batch.messages) + self.spec.visibility_timeout_s
        if now + delay < gives_up:
            self.clock.after(delay, self._invoke, batch)
        else:
            self.clock.at(gives_up, self._let_go, batch)

    def _let_go(self, batch: Batch) -> None:
        self._active -= 1
        self._return_later(batch.messages)
        self._wake()

    def _done(self, batch: Batch, ex: Execution) -> None:
        self._active -= 1
        messages = batch.messages
        if ex.function_error:
            failed = messages  # [sqs.visibility-timeout] nothing is deleted
        elif ex.failed:
            # [sqs.partial-batch] ReportBatchItemFailures: only the listed items stay
            self.service.rules.add(RuleId.SQS_PARTIAL_BATCH)
            listed = set(ex.failed)
            failed = [m for m in messages if m.request_id in listed]
        else:
            failed = []
        if len(failed) < len(messages):
            now = self.clock.now
            kept = {id(m) for m in failed}
            settled = self.ctx.obs.settled
            for m in messages:
                if id(m) not in kept:
                    settled.append(Settled(m.request_id, now, "succeeded"))  # deleted on success
                    if self.fifo:
                        self._release_group(m.group, 1)
        if failed:
            self._return_later(failed)
        self._wake()

    # -- visibility, redrive, retention ------------------------------------------------------

    def _return_later(self, messages: list[Message]) -> None:
        """[sqs.visibility-timeout] failed messages become visible again when their visibility timeout ends."""
        by_time: dict[float, list[Message]] = {}
        vis = self.spec.visibility_timeout_s
        for m in messages:
            by_time.setdefault(m.received_at + vis, []).append(m)
        for t, group in by_time.items():
            self.clock.at(t, self._reappear, group)

    def _reappear(self, messages: list[Message]) -> None:
        now = self.clock.now
        max_receives = self.spec.max_receive_count
        back: list[Message] = []
        for m in messages:
            if now + EPSILON >= m.expires:
                self.service.rules.update((RuleId.SQS_RETENTION, RuleId.SQS_RETENTION_IN_FLIGHT))
                self._settle(m, now, "expired")
            elif max_receives is not None and m.receive_count >= max_receives:
                self._dead_letter(m, now)
            else:
                m.visible_since = now
                back.append(m)
        if not self.fifo:
            self._ready.extend(back)
        else:
            returned: dict[str, list[Message]] = {}
            for m in back:
                returned.setdefault(m.group, []).append(m)
            for group, ms in returned.items():
                # [sqs.fifo-order] the failed messages are again the first of their group
                self._groups[group].extendleft(reversed(ms))
            counts: dict[str, int] = {}
            for m in messages:
                counts[m.group] = counts.get(m.group, 0) + 1
            for group, n in counts.items():
                self._release_group(group, n)
        self._wake()

    def _release_group(self, group: str, n: int) -> None:
        left = self._in_flight[group] - n
        if left:
            self._in_flight[group] = left
            return
        del self._in_flight[group]
        if self._groups[group]:
            self._open[group] = None

    def _expired_while_visible(self, m: Message, now: float) -> bool:
        if now + EPSILON < m.expires:
            return False
        self.service.rules.update((RuleId.SQS_RETENTION, RuleId.SQS_RETENTION_IN_FLIGHT))
        self._settle(m, now, "expired")
        return True

    def _dead_letter(self, m: Message, now: float) -> None:
        """[sqs.redrive] RedrivePolicy.maxReceiveCount: the message moves to the queue's DLQ, body unchanged."""
        self.service.rules.add(RuleId.SQS_DLQ_ATTRIBUTES)
        self.ctx.obs.dead_letters.append(
            DeadLetter(
                t=now,
                queue=self.dlq_name,
                body=m.body,
                attributes=self.attributes(m, dead=True),
                request_id=m.request_id,
            )
        )
        self._settle(m, now, "dead_lettered")

    def _settle(self, m: Message, now: float, final: Final) -> None:
        self.ctx.obs.settled.append(Settled(m.request_id, now, final))

    # -- what consumers see ------------------------------------------------------------------

    def attributes(self, m: Message, dead: bool = False) -> dict[str, str]:
        """The message's system attributes as a consumer receives them (from the DLQ: on its first
        receive there, which counts one more [sqs.dlq-attributes])."""
        first = m.first_receive if m.first_receive is not None else m.received_at
        attrs = {
            "ApproximateReceiveCount": str(m.receive_count + 1 if dead else m.receive_count),
            "SentTimestamp": epoch_ms(m.sent),
            "SenderId": SENDER_ID,
            "ApproximateFirstReceiveTimestamp": epoch_ms(first),
        }
        if self.fifo:
            attrs["SequenceNumber"] = f"{18_800_000_000_000_000_000 + m.seq}"
            attrs["MessageGroupId"] = m.group
            attrs["MessageDeduplicationId"] = m.request_id
        if dead:
            attrs["DeadLetterQueueSourceArn"] = self.queue_arn
        return attrs


def drive(ctx: SimContext, scenario: Scenario) -> None:
    spec = scenario.source.sqs or SqsSourceSpec()
    mapping = SqsMapping(ctx, spec, scenario.called_qualifier, seed=scenario.seed, fifo=scenario.source.fifo)
    send_all(ctx, stimuli(scenario), "message", mapping.send)
