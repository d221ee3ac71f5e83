"""Asynchronous invocation: the internal queue, its poller, retries, age limit, DLQ and destinations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import ClientResult, Final, Observations, Settled, Throttle
from lambdaprobe.rules import RuleId, rule
from lambdaprobe.rules.constants import (
    ASYNC_RETRY_SPACING_S,
    ASYNC_THROTTLE_BACKOFF_FIRST_S,
    ASYNC_THROTTLE_BACKOFF_MAX_S,
    THROTTLE_MESSAGE,
    THROTTLE_STATUS,
)
from lambdaprobe.scenario import AsyncConfig
from lambdaprobe.sim.records import Condition, Ids, invocation_record
from lambdaprobe.sim.service import Execution, Item, LambdaService, SimFunction
from lambdaprobe.sim.sinks import Sinks

# [async.retry-spacing] a minute before the first retry, two before the second: retry k starts
# 60*k s after the previous attempt ended.
RETRY_SPACING_S = ASYNC_RETRY_SPACING_S
# [async.throttle-requeue] throttles and system errors are retried with a backoff from 1 s to 5 min;
# [async.throttle-backoff]: doubling, no jitter.
THROTTLE_BACKOFF_FIRST_S = ASYNC_THROTTLE_BACKOFF_FIRST_S
THROTTLE_BACKOFF_MAX_S = ASYNC_THROTTLE_BACKOFF_MAX_S
POLL_DELAY_S = float(rule(RuleId.ASYNC_POLL_DELAY).constants["delay_s"])


@dataclass(slots=True)
class QueuedEvent:
    request_id: str
    payload: Any
    directive: Directive | None
    qualifier: str
    sent: float
    executions: int = 0
    throttles: int = 0  # consecutive requeues since the last attempt: the backoff's exponent
    throttled_since: float = 0.0
    throttle_reason: str = ""


class AsyncInvoker:
    """Accepts Event invokes for one function and runs them under its event invoke config."""

    def __init__(
        self, service: LambdaService, fn: SimFunction, config: AsyncConfig, sinks: Sinks, ids: Ids
    ) -> None:
        self.service = service
        self.clock = service.clock
        self.obs: Observations = service.obs
        self.fn = fn
        self.config = config
        self.sinks = sinks
        self.ids = ids

    def invoke(
        self, request_id: str, payload: Any, directive: Directive | None, qualifier: str, client: bool = True
    ) -> None:
        """[async.queued] 202 at once: the API never throttles an async invoke; the event is queued."""
        now = self.clock.now
        self.service.rules.add(RuleId.ASYNC_QUEUED)
        if client:
            self.obs.client_results.append(ClientResult(request_id, now, 202, 0.0))
        event = QueuedEvent(request_id, payload, directive, qualifier, now)
        self.service.rules.add(RuleId.ASYNC_POLL_DELAY)
        if self.fn.pool.reserved == 0:
            # [async.reserved-zero] reserved concurrency 0: events go straight to the DLQ and the
            # on-failure destination, never run.
            self.service.rules.add(RuleId.ASYNC_RESERVED_ZERO)
            self.clock.after(
                POLL_DELAY_S, self._give_up, event, "ZeroReservedConcurrency", THROTTLE_STATUS, THROTTLE_MESSAGE, None
            )
            return
        if POLL_DELAY_S > 0.0:
            self.clock.after(POLL_DELAY_S, self._poll, event)
        else:
            self._poll(event)  # same instant: no agenda entry needed

    def _deadline(self, event: QueuedEvent) -> float:
        return event.sent + self.config.max_event_age_s

    def _poll(self, event: QueuedEvent) -> None:
        started = self.service.execute(
            self.fn,
            event.qualifier,
            [Item(event.request_id, event.executions + 1, event.directive)],
            self._done,
            done_args=(event,),
        )
        if not isinstance(started, str):
            self._flush_throttles(event)
            return
        # [async.throttle-requeue] throttled at poll time: requeued with backoff; does not use up
        # MaximumRetryAttempts.
        now = self.clock.now
        if event.throttles == 0:
            event.throttled_since, event.throttle_reason = now, started
        self.service.rules.update((RuleId.ASYNC_THROTTLE_REQUEUE, RuleId.ASYNC_THROTTLE_BACKOFF))
        delay = min(THROTTLE_BACKOFF_FIRST_S * 2**event.throttles, THROTTLE_BACKOFF_MAX_S)
        event.throttles += 1
        self._schedule(event, delay, None)

    def _flush_throttles(self, event: QueuedEvent) -> None:
        if event.throttles:
            self.obs.throttles.append(
                Throttle(event.request_id, event.throttled_since, event.throttle_reason, event.throttles)
            )
            event.throttles = 0

    def _schedule(self, event: QueuedEvent, delay: float, last: Execution | None) -> None:
        """Poll `event` again `delay` s from now, unless it would be too old by then."""
        deadline = self._deadline(event)
        if self.clock.now + delay > deadline:
            # [async.retry-config] MaximumEventAgeInSeconds; [async.age-check]: discarded when the age is reached.
            self.service.rules.update((RuleId.ASYNC_RETRY_CONFIG, RuleId.ASYNC_AGE_CHECK))
            code, message = (
                (200, self._error_text(event, last)) if last else (THROTTLE_STATUS, THROTTLE_MESSAGE)
            )
            self.clock.at(max(deadline, self.clock.now), self._give_up, event, "EventAgeExceeded", code, message, last)
            return
        self.clock.after_fixed(delay, self._poll, event)

    def _done(self, event: QueuedEvent, ex: Execution) -> None:
        event.executions += 1
        if not ex.function_error:
            self._record("on_success", event, "Success", ex)
            self._settle(event, "succeeded")
            return
        retries_used = event.executions - 1
        if retries_used < self.config.max_retry_attempts:
            # [async.retry-spacing] retry k starts 60*k s after the end of the previous attempt
            self.service.rules.add(RuleId.ASYNC_RETRY_SPACING)
            self._schedule(event, RETRY_SPACING_S * event.executions, ex)  # ex.end is now
            return
        self.service.rules.add(RuleId.ASYNC_RETRY_CONFIG)  # MaximumRetryAttempts spent
        self._give_up(event, "RetriesExhausted", 200, self._error_text(event, ex), ex)

    def _error_text(self, event: QueuedEvent, ex: Execution) -> str:
        """The error as a DLQ's ErrorMessage carries it: the answer's errorMessage."""
        return str(ex.response_payload(event.request_id, self.ids.for_name(event.request_id))["errorMessage"])

    def _give_up(
        self, event: QueuedEvent, condition: Condition, code: int, message: str, last: Execution | None
    ) -> None:
        """[destinations.with-dlq] on final failure the DLQ and the on-failure destination both receive."""
        self._flush_throttles(event)
        aws_id = self.ids.for_name(event.request_id)  # [async.request-id] one request id across all retries
        self.service.rules.add(RuleId.ASYNC_REQUEST_ID)
        lettered = self.sinks.dead_letter(event.request_id, aws_id, event.payload, code, message)
        if lettered and condition == "ZeroReservedConcurrency":
            self.service.rules.add(RuleId.ASYNC_RESERVED_ZERO_DETAIL)  # the DLQ's ErrorCode and message
        self._record("on_failure", event, condition, last, status=code)
        final: Final = "dead_lettered" if lettered else ("expired" if condition == "EventAgeExceeded" else "failed")
        self._settle(event, final)

    def _record(
        self, on: Any, event: QueuedEvent, condition: Condition, ex: Execution | None, status: int = 200
    ) -> None:
        if not self.sinks.wants(on):
            return
        aws_id = self.ids.for_name(event.request_id)
        record = invocation_record(
            t=self.clock.now,
            request_id=aws_id,
            function_arn=self.fn.qualified_arn(event.qualifier),
            condition=condition,
            invoke_count=event.executions,
            payload=event.payload,
            # [async.reserved-zero] an event that never ran has no response at all
            status_code=None if condition == "ZeroReservedConcurrency" else status,
            executed_version=ex.version if ex else None,
            function_error=bool(ex and ex.function_error),
            response=ex.response_payload(event.request_id, aws_id) if ex else None,
        )
        self.sinks.destination(on, event.request_id, record, self.fn.qualified_arn(event.qualifier))

    def _settle(self, event: QueuedEvent, final: Final) -> None:
        self.obs.settled.append(Settled(event.request_id, self.clock.now, final))
