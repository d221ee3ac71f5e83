"""The stimulus: invokes and messages sent on the open-loop schedule (`schedule`), and what each
caller got back. Where a message goes, and how, is its source's (`lambdaprobe.aws.sources`).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import botocore.exceptions
import botocore.parsers
from botocore.config import Config
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from lambdaprobe.aws.client import AwsClient, describe_driver, driver_config, error_code, is_transient, one_line
from lambdaprobe.aws.plan.records import Plan, Ref
from lambdaprobe.aws.run.drive_http import gateway_caller
from lambdaprobe.aws.run.ledger import Ledger
from lambdaprobe.aws.run.schedule import MAX_WORKERS, Schedule, Sender, hold_until, open_loop
from lambdaprobe.aws.run.shift import SHIFT_NOTE, Shifter
from lambdaprobe.aws.sources import SOURCES
from lambdaprobe.aws.sources.eventbridge import EntryRefused
from lambdaprobe.errors import AwsError
from lambdaprobe.observation import ClientResult, Final, Observations, Sent, Settled, Throttle
from lambdaprobe.rules.constants import PAYLOAD_TOO_LARGE_STATUS
from lambdaprobe.scenario import NEW_VERSION, PUBLISHED_VERSION, Scenario, SdkConfig, request_ids
from lambdaprobe.templates import invoke_event

# Messages are sent once by botocore; lambdaprobe resends a throttled or 5xx send itself (with
# backoff, and says so in the notes: a resend moves the send time, and after a 5xx may duplicate).
SEND_ATTEMPTS = 4
SEND_BACKOFF_S = 0.2
SEND_BACKOFF_MAX_S = 2.0
MESSAGE_SDK = SdkConfig(retry_mode="off", read_timeout_s=30.0, connect_timeout_s=10.0)

# The bytes `"pad": ""` adds to a JSON object (json.dumps' default separators)
PAD_FIELD = ', "pad": ""'


class Driver:
    """Sends the scenario's stimulus to the deployed stack and records Sent/ClientResult/Throttle."""

    def __init__(self, client: AwsClient, scenario: Scenario, plan: Plan, outputs: Mapping[str, Any]) -> None:
        self.client = client
        self.scenario = scenario
        self.plan = plan
        self.outputs = outputs
        self.ids = request_ids(scenario.stimulus.count)
        self._index = {rid: i for i, rid in enumerate(self.ids)}
        self._lock = threading.Lock()
        self.errors: list[str] = []  # a stimulus that could not be sent: the experiment is void
        self.unanswered: list[str] = []  # invokes without any answer: observations, unless all are
        self.ledger = Ledger()  # sends that reached the function, and their aws_request_ids
        # told about each sync answer (request, status, FunctionError, ExecutedVersion): the
        # traffic shifter watches version 2's errors through it
        self.on_answer: Callable[[str, int, str | None, str | None], None] | None = None
        self.stop = threading.Event()  # set by an interrupt: no more sends, no more waits
        self.closed = False  # once the schedule is abandoned, late answers are not recorded
        self.resends: list[str] = []  # stimulus sends retried after a throttle or a 5xx

    def run(self, obs: Observations, clock: Callable[[], float] = time.monotonic) -> Schedule:
        stim = self.scenario.stimulus
        source = SOURCES[self.scenario.source.kind]
        pool = min(stim.count, MAX_WORKERS)
        shifter = None
        if source.sends_with is None and self.scenario.sdk.caller == "apigateway":
            sender = self._gateway_sender(obs)
        elif source.sends_with is None:
            invoke = self.client.client("lambda", driver_config(self.scenario.sdk, pool))
            obs.notes.append(describe_driver(self.scenario.sdk, pool))
            sender = self._invoke_sender(invoke, obs, self.scenario.is_async)
            if self.scenario.deployment is not None:
                shifter, sender = self._shifting(obs, sender)
        else:
            sender = self._message_sender(obs, driver_config(MESSAGE_SDK, pool))
        try:
            schedule = open_loop(stim.count, stim.interval_s, sender, clock=clock, stop=self.stop, times=stim.times)
        except BaseException:
            with self._lock:
                self.closed = True  # workers still in a call must not change `obs` any more
            raise
        finally:
            if shifter is not None:
                shifter.stop()
                obs.notes.extend(shifter.notes)
                self.errors.extend(shifter.errors)
        obs.sent.sort(key=lambda s: s.t)
        obs.notes.append(
            f"driver lag (actual minus scheduled send time): p50 {schedule.percentile(50) * 1000:.1f} ms, "
            f"p99 {schedule.percentile(99) * 1000:.1f} ms"
        )
        self.errors.extend(schedule.errors)
        if self.resends:
            obs.notes.append(
                f"{len(self.resends)} stimulus send(s) retried after a throttle or a server error (a resend moves "
                f"its send time, and after a 5xx may deliver twice): {self.resends[0]}"
            )
        if self.unanswered and len(self.unanswered) == stim.count:
            self.errors.extend(self.unanswered)
        elif self.unanswered:
            obs.notes.append(
                f"{len(self.unanswered)} invoke(s) got no answer (recorded as status 0): {self.unanswered[0]}"
            )
        if self.errors:
            raise AwsError(
                f"sending the stimulus failed: {self.errors[0]}"
                + (f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else "")
            )
        return schedule

    def _shifting(self, obs: Observations, sender: Sender) -> tuple[Shifter, Sender]:
        """Shift alias `live` to version 2 while the calls go on (see `shift`)."""
        assert self.scenario.deployment is not None
        shifter = Shifter(
            self.client,
            self.plan.function,
            self.scenario.deployment,
            self._produced(self.plan.version, PUBLISHED_VERSION),
            self._produced(self.plan.new_version, NEW_VERSION),
        )
        obs.notes.append(SHIFT_NOTE)
        shifter.prepare()
        self.on_answer = lambda _rid, _status, error, version: shifter.answered(version, error)

        def send(i: int, t: float, due: float) -> float | None:
            if i == 0:
                shifter.begin(due - t)  # the schedule's clock starts with the first call
            return sender(i, t, due)

        return shifter, send

    def _produced(self, ref: Ref | None, default: str) -> str:
        return str(self.outputs.get(ref.name, default)) if ref is not None else default

    def _gateway_sender(self, obs: Observations) -> Sender:
        def unanswered(line: str) -> None:
            with self._lock:
                self.unanswered.append(line)

        assert self.plan.api_id is not None, "--caller apigateway plans a REST API"
        api_id = str(self.outputs[self.plan.api_id.name])
        return gateway_caller(
            self.client, api_id, self.scenario.sdk.read_timeout_s, obs, self.ids, self.payload, self.ledger,
            lambda *items: self._record(obs, *items), unanswered,
        )

    def _pause(self, seconds: float) -> None:
        self.stop.wait(seconds)  # an interrupt ends a backoff at once

    def _record(self, obs: Observations, *items: Any) -> None:
        with self._lock:
            if self.closed:
                return
            for item in items:
                if isinstance(item, Sent):
                    obs.sent.append(item)
                elif isinstance(item, ClientResult):
                    obs.client_results.append(item)
                elif isinstance(item, Throttle):
                    obs.throttles.append(item)
                elif isinstance(item, Settled):
                    obs.settled.append(item)

    def directive_of(self, i: int) -> dict[str, Any]:
        """Request i's directive (`--fail` may give one request its own), as the event carries it."""
        return self.scenario.stimulus.directive_for(i, self.scenario.function.directive).to_event()

    def payload(self, rid: str) -> bytes:
        event = invoke_event(rid, self.directive_of(self._index[rid]), self.scenario.stimulus.base)
        if self.scenario.deployment is not None:
            # each version follows its own LAMBDAPROBE_DIRECTIVE: the event carries none
            del event["lambdaprobe"]
        body = json.dumps(event).encode()
        size = self.scenario.stimulus.payload_bytes
        if size is not None and size > len(body) + len(PAD_FIELD):
            # --payload-size: padded to exactly `size` bytes (over the invoke limit: 413)
            event["pad"] = "x" * (size - len(body) - len(PAD_FIELD))
            body = json.dumps(event).encode()
        return body

    def _invoke_sender(self, invoke: Any, obs: Observations, is_async: bool) -> Sender:
        function = self.plan.function
        qualifier = self.scenario.called_qualifier
        sdk_off = self.scenario.sdk.retry_mode == "off"
        wire = threading.local()

        def on_wire(**_: Any) -> None:
            # Built and signed: hold the request until it is due. An SDK retry of the same call
            # goes at once, and does not move the call's send time.
            if getattr(wire, "t", None) is None:
                wire.t = hold_until(wire.due, stop=self.stop)

        def after_send(response: Any = None, caught_exception: Any = None, **_: Any) -> None:
            # Called by botocore after every API request of a call, retries included: count the
            # ones that reached the function (it answered, or it was still running when the read
            # timed out), each an execution the collector must find.
            if isinstance(caught_exception, botocore.exceptions.ReadTimeoutError):
                self.ledger.reached(wire.rid)
            elif response is not None and getattr(response[0], "status_code", 0) == 200:
                self.ledger.reached(wire.rid)
                self.ledger.answered(wire.rid, response[0].headers.get("x-amzn-RequestId"))

        invoke.meta.events.register("before-send.lambda.Invoke", on_wire)
        invoke.meta.events.register("needs-retry.lambda.Invoke", after_send)

        def send(i: int, t: float, due: float) -> float | None:
            rid = self.ids[i]
            wire.t, wire.due, wire.rid = None, due, rid
            status, error, reason, version = 0, None, None, None
            message: str | None = None
            error_type: str | None = None
            try:
                resp = invoke.invoke(
                    FunctionName=function,
                    Qualifier=qualifier,
                    InvocationType="Event" if is_async else "RequestResponse",
                    Payload=self.payload(rid),
                )
                resp["Payload"].read()
                status, error = int(resp.get("StatusCode", 0)), resp.get("FunctionError")
                version = resp.get("ExecutedVersion")
            except botocore.exceptions.ClientError as exc:
                status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
                error = str(exc.response.get("Error", {}).get("Code", "")) or None
                reason = throttle_reason(exc.response) if status == 429 else None
                if status in (429, PAYLOAD_TOO_LARGE_STATUS):
                    message, error_type = throttle_body(exc.response)
            except botocore.exceptions.ReadTimeoutError:
                error = "ReadTimeoutError"
            except Exception as exc:  # no answer at all (connection, credentials, garbled reply)
                error = type(exc).__name__
                with self._lock:
                    self.unanswered.append(one_line(exc, "lambda.Invoke"))
            answered = time.monotonic()
            on_the_wire: float = wire.t if wire.t is not None else due  # failed before sending
            sent_t = t + (on_the_wire - due)
            latency = answered - on_the_wire
            items: list[Any] = [
                Sent(rid, sent_t, "invoke"),
                ClientResult(rid, sent_t + latency, status, latency, error, reason, message, error_type),
            ]
            if status == 429:
                items.append(Throttle(rid, sent_t + latency, reason or error or "TooManyRequestsException"))
            final = None if is_async else sync_final(status, error, sdk_off or not self.ledger.ran.get(rid))
            if status == PAYLOAD_TOO_LARGE_STATUS:
                final = "failed"  # [invoke.payload-limits] refused: nothing runs, sync or async
            if final is not None:
                items.append(Settled(rid, sent_t + latency, final))
            self._record(obs, *items)
            if self.on_answer is not None and not is_async:
                self.on_answer(rid, status, error, version)
            return on_the_wire

        return send

    def _message_sender(self, obs: Observations, config: Config) -> Sender:
        s = self.scenario
        source = SOURCES[s.source.kind]
        assert source.sends_with is not None and source.send is not None and self.plan.source is not None
        send_one, to = source.send, self.plan.source.resolve(self.outputs)
        api = self.client.client(source.sends_with, config)

        def send(i: int, t: float, due: float) -> float | None:
            rid = self.ids[i]
            directive = self.directive_of(i)
            body = json.dumps(invoke_event(rid, directive))
            actual = hold_until(due, stop=self.stop)  # no hook here: these clients are shared, sends are few

            def resent(state: RetryCallState) -> None:
                exc = state.outcome.exception() if state.outcome else None
                with self._lock:
                    self.resends.append(f"{rid} resent after {one_line(exc) if exc else 'an error'}")

            retrying = Retrying(
                retry=retry_if_exception(resendable),
                stop=stop_after_attempt(SEND_ATTEMPTS),
                wait=wait_exponential(multiplier=SEND_BACKOFF_S, max=SEND_BACKOFF_MAX_S),
                sleep=self._pause,
                reraise=True,
                before_sleep=resent,
            )
            try:
                for attempt in retrying:
                    with attempt:
                        actual = time.monotonic() if attempt.retry_state.attempt_number > 1 else actual
                        send_one(api, s, to, i, rid, body)
                self._record(obs, Sent(rid, t + (actual - due), source.sent_kind))
            except Exception as exc:  # botocore's, a parser's (an endpoint's 500 page), or AwsError
                with self._lock:
                    self.errors.append(
                        str(exc) if isinstance(exc, AwsError) else one_line(exc, f"send {rid}")
                    )
            return actual

        return send


def resendable(exc: BaseException) -> bool:
    """A stimulus send worth repeating: throttled, or a server error (never a refusal)."""
    if is_transient(exc) or isinstance(exc, botocore.parsers.ResponseParserError):  # an endpoint's 5xx page
        return True
    if isinstance(exc, EntryRefused):
        return "Throttl" in exc.code or exc.code.startswith("Internal")
    if isinstance(exc, botocore.exceptions.ClientError):
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        code = error_code(exc)
        return status >= 500 or status == 429 or "Throttl" in code or code in ("SlowDown", "RequestLimitExceeded")
    return False


def sync_final(status: int, error: str | None, never_ran: bool) -> Final | None:
    """A sync call's final state, as its caller saw it (as the simulator's client decides it).

    A 429 after executions that the caller gave up on is left to the collector's attempts; an
    answer that is no answer (a connection error) says nothing.
    """
    if status == 200:
        return "failed" if error else "succeeded"
    if status == 429:
        return "throttled" if never_ran else None
    if error == "ReadTimeoutError":
        return "failed"  # the caller gave up: the call failed, whatever the function did after
    return None


def throttle_body(response: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The `message` and `Type` of a 429 ([throttle.error]) or a 413 ([invoke.payload-error]),
    wherever botocore put them."""
    error = response.get("Error", {})
    message = response.get("message") or error.get("Message")
    kind = response.get("Type") or error.get("Type")
    return (str(message) if message else None, str(kind) if kind else None)


def throttle_reason(response: Mapping[str, Any]) -> str | None:
    """The `Reason` of a 429 TooManyRequestsException (botocore lifts modelled error fields)."""
    reason = response.get("Reason") or response.get("Error", {}).get("Reason")
    return str(reason) if reason else None
