"""Asynchronous invocation: the internal queue, its poller, retries, age limit, DLQ and destinations
(SEMANTICS §2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambdaprobe.function.directive import Directive
from lambdaprobe.limits import ASYNC_RETRY_SPACING_S  # [A]
from lambdaprobe.observation import ClientResult, Final, Observations, Settled, Throttle
from lambdaprobe.scenario import AsyncConfig
from lambdaprobe.sim.records import Condition, Ids, invocation_record
from lambdaprobe.sim.service import Execution, Item, LambdaService, SimFunction
from lambdaprobe.sim.sinks import Sinks

# [A] throttles and system errors are retried "from 1 second after the first attempt to a maximum of
# 5 minutes"; assumption throttle_backoff: doubling, no jitter.
THROTTLE_BACKOFF_FIRST_S = 1.0
THROTTLE_BACKOFF_MAX_S = 300.0
POLL_DELAY_S = 0.0  # assumption poll_delay


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
        """[B, Q] 202 at once: the API never throttles an async invoke; the event is queued."""
        now = self.clock.now
        if client:
            self.obs.client_results.append(ClientResult(request_id, now, 202, 0.0))
        event = QueuedEvent(request_id, payload, directive, qualifier, now)
        self.service.assumptions.add("poll_delay")
        if self.fn.pool.reserved == 0:
            # [B] reserved concurrency 0: events go straight to the DLQ / on-failure destination.
            self.service.assumptions.add("reserved_zero_record")
            self.clock.after(POLL_DELAY_S, self._give_up, event, "RetriesExhausted", 429, "Rate Exceeded.", None)
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
        # [A] throttled at poll time: requeued with backoff; does not use up MaximumRetryAttempts.
        now = self.clock.now
        if event.throttles == 0:
            event.throttled_since, event.throttle_reason = now, started
        self.service.assumptions.add("throttle_backoff")
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
            # [A, C] MaximumEventAgeInSeconds; assumption age_check: discarded when the age is reached.
            self.service.assumptions.add("age_check")
            code, message = (200, last.error_message) if last else (429, "Rate Exceeded.")
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
            # [A] retry k starts 60*k s after the end of the previous attempt
            self._schedule(event, ASYNC_RETRY_SPACING_S * event.executions, ex)  # ex.end is now
            return
        self._give_up(event, "RetriesExhausted", 200, ex.error_message, ex)

    def _give_up(
        self, event: QueuedEvent, condition: Condition, code: int, message: str, last: Execution | None
    ) -> None:
        """[B] on final failure the DLQ and the on-failure destination both receive, if configured."""
        self._flush_throttles(event)
        aws_id = self.ids.for_name(event.request_id)  # [A] one request id across all retries
        lettered = self.sinks.dead_letter(event.request_id, aws_id, event.payload, code, message)
        self._record("on_failure", event, condition, last, status=code)
        final: Final = "dead_lettered" if lettered else ("expired" if condition == "EventAgeExceeded" else "failed")
        self._settle(event, final)

    def _record(
        self, on: Any, event: QueuedEvent, condition: Condition, ex: Execution | None, status: int = 200
    ) -> None:
        if not self.sinks.wants(on):
            return
        record = invocation_record(
            t=self.clock.now,
            request_id=self.ids.for_name(event.request_id),
            function_arn=self.fn.qualified_arn(event.qualifier),
            condition=condition,
            invoke_count=event.executions,
            payload=event.payload,
            status_code=status,
            executed_version=ex.version if ex else None,
            function_error=bool(ex and ex.function_error),
            response=ex.response_payload(event.request_id) if ex else None,
        )
        self.sinks.destination(on, event.request_id, record, self.fn.qualified_arn(event.qualifier))

    def _settle(self, event: QueuedEvent, final: Final) -> None:
        self.obs.settled.append(Settled(event.request_id, self.clock.now, final))
