"""The stimulus: invokes and messages sent on an open-loop schedule, and what each caller got back.

Open loop: call i leaves at t0 + i * interval whatever earlier calls are doing (a slow or hung
function must not delay the next call, or a concurrency probe measures the driver instead of
Lambda). A scheduler thread hands each call to a pool with one worker per call in flight; the lag
(actual minus scheduled send time) is measured for every call and reported.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions
from botocore.config import Config

from lambdaprobe.aws.client import AwsClient, describe_driver, driver_config, one_line
from lambdaprobe.aws.ledger import Ledger
from lambdaprobe.aws.shift import SHIFT_NOTE, Shifter
from lambdaprobe.errors import AwsError
from lambdaprobe.observation import ClientResult, Final, Observations, Sent, Settled, Throttle
from lambdaprobe.scenario import NEW_VERSION, PUBLISHED_VERSION, Scenario, SdkConfig
from lambdaprobe.sim.target import request_ids
from lambdaprobe.templates import invoke_event

MAX_WORKERS = 1000
LEAD_S = 0.05  # the first call is due this far after the pool is ready
# A call is handed to its worker this long before it is due: the worker builds and signs the
# request, then holds it until the due instant, so preparation time is not lag.
PREPARE_S = 0.03
# Hundreds of threads parse responses while the next call is due: with CPython's default 5 ms
# GIL switch interval a due call can wait several intervals for its turn. A shorter interval
# trades a little throughput for punctuality, which is what an open-loop schedule needs.
SWITCH_INTERVAL_S = 0.0005
# Messages are sent once: an SDK retry after a 5xx may deliver twice and fake a duplicate.
MESSAGE_SDK = SdkConfig(retry_mode="off", read_timeout_s=30.0, connect_timeout_s=10.0)

# send(i, t, due): call i, scheduled at t seconds after the first, to leave at monotonic `due`.
# Returns the monotonic instant its request went on the wire (None: when it was called).
Sender = Callable[[int, float, float], float | None]


def hold_until(due: float, clock: Callable[[], float] = time.monotonic) -> float:
    """Sleep until `due` (no-op if it has passed); returns the instant it let go."""
    delay = due - clock()
    if delay > 0:
        time.sleep(delay)
    return clock()


@dataclass
class Schedule:
    """What the open-loop scheduler measured."""

    t0_mono: float = 0.0
    t0_wall: float = 0.0
    lags: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        if not self.lags:
            return 0.0
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def open_loop(
    count: int,
    interval_s: float,
    send: Sender,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    max_workers: int | None = None,
) -> Schedule:
    """Call `send(i, t, due)` for i in 0..count-1, each due at t0 + i * interval_s.

    Each call reaches its worker PREPARE_S early; the sender holds it until `due` (at the last
    moment it can: after signing) and returns when it went on the wire. The lag (wire minus due)
    is measured for every call. Returns when every call has returned. `send` should not raise
    (errors are observations); if it does, the error is kept in `Schedule.errors`.
    """
    workers = max(1, min(max_workers or count, MAX_WORKERS))
    schedule = Schedule()
    lags: list[float] = [0.0] * count
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lambdaprobe-drive")
    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        # Start the workers before the clock starts, so no call pays for a thread's creation.
        ready = threading.Barrier(workers + 1)
        for _ in range(workers):
            pool.submit(ready.wait)
        ready.wait()
        t0 = clock() + LEAD_S + PREPARE_S
        schedule.t0_mono = t0
        schedule.t0_wall = time.time() + (t0 - clock())

        def worker(i: int, due: float) -> None:
            try:
                wire = send(i, due - t0, due)
            except Exception as exc:  # a bug must not vanish inside a future
                schedule.errors.append(" ".join(f"call {i + 1}: {type(exc).__name__}: {exc}".split())[:300])
                return
            lags[i] = (wire if wire is not None else clock()) - due

        for i in range(count):
            due = t0 + i * interval_s
            delay = due - PREPARE_S - clock()
            if delay > 0:
                sleep(delay)
            pool.submit(worker, i, due)
        pool.shutdown(wait=True)
    except BaseException:
        # Ctrl-C: drop the calls not yet sent instead of sending the rest of the schedule
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        sys.setswitchinterval(switch)
    schedule.lags = lags
    return schedule


class Driver:
    """Sends the scenario's stimulus to the deployed stack and records Sent/ClientResult/Throttle."""

    def __init__(
        self, client: AwsClient, scenario: Scenario, outputs: dict[str, Any], names: dict[str, str]
    ) -> None:
        self.client = client
        self.scenario = scenario
        self.outputs = outputs
        self.names = names
        self.ids = request_ids(scenario.stimulus.count)
        self._lock = threading.Lock()
        self.errors: list[str] = []  # a stimulus that could not be sent: the experiment is void
        self.unanswered: list[str] = []  # invokes without any answer: observations, unless all are
        self.ledger = Ledger()  # sends that reached the function, and their aws_request_ids
        # told about each sync answer (request, status, FunctionError, ExecutedVersion): the
        # traffic shifter watches version 2's errors through it
        self.on_answer: Callable[[str, int, str | None, str | None], None] | None = None

    def run(self, obs: Observations, clock: Callable[[], float] = time.monotonic) -> Schedule:
        stim = self.scenario.stimulus
        kind = self.scenario.source.kind
        pool = min(stim.count, MAX_WORKERS)
        shifter = None
        if kind == "sync" and self.scenario.sdk.caller == "apigateway":
            sender = self._gateway_sender(obs)
        elif kind in ("sync", "async"):
            invoke = self.client.client("lambda", driver_config(self.scenario.sdk, pool))
            obs.notes.append(describe_driver(self.scenario.sdk, pool))
            sender = self._invoke_sender(invoke, obs, stim.mode == "async" or kind == "async")
            if self.scenario.deployment is not None:
                shifter, sender = self._shifting(obs, sender)
        else:
            sender = self._message_sender(obs, driver_config(MESSAGE_SDK, pool))
        try:
            schedule = open_loop(stim.count, stim.interval_s, sender, clock=clock)
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
            self.names["function"],
            self.scenario.deployment,
            str(self.outputs.get("version", PUBLISHED_VERSION)),
            str(self.outputs.get("new_version", NEW_VERSION)),
        )
        obs.notes.append(SHIFT_NOTE)
        shifter.prepare()
        self.on_answer = lambda _rid, _status, error, version: shifter.answered(version, error)

        def send(i: int, t: float, due: float) -> float | None:
            if i == 0:
                shifter.begin(due - t)  # the schedule's clock starts with the first call
            return sender(i, t, due)

        return shifter, send

    def _gateway_sender(self, obs: Observations) -> Sender:
        from lambdaprobe.aws.drive_http import gateway_caller

        def unanswered(line: str) -> None:
            with self._lock:
                self.unanswered.append(line)

        return gateway_caller(self, obs, lambda *items: self._record(obs, *items), unanswered)

    def _record(self, obs: Observations, *items: Any) -> None:
        with self._lock:
            for item in items:
                if isinstance(item, Sent):
                    obs.sent.append(item)
                elif isinstance(item, ClientResult):
                    obs.client_results.append(item)
                elif isinstance(item, Throttle):
                    obs.throttles.append(item)
                elif isinstance(item, Settled):
                    obs.settled.append(item)

    def payload(self, rid: str) -> bytes:
        event = invoke_event(rid, self.scenario.function.directive.to_event())
        if self.scenario.deployment is not None:
            # each version follows its own LAMBDAPROBE_DIRECTIVE: the event carries none
            del event["lambdaprobe"]
        return json.dumps(event).encode()

    def _invoke_sender(self, invoke: Any, obs: Observations, is_async: bool) -> Sender:
        function = self.names["function"]
        qualifier = self.scenario.called_qualifier
        sdk_off = self.scenario.sdk.retry_mode == "off"
        wire = threading.local()

        def on_wire(**_: Any) -> None:
            # Built and signed: hold the request until it is due. An SDK retry of the same call
            # goes at once, and does not move the call's send time.
            if getattr(wire, "t", None) is None:
                wire.t = hold_until(wire.due)

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
                if status == 429:
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
            if final is not None:
                items.append(Settled(rid, sent_t + latency, final))
            self._record(obs, *items)
            if self.on_answer is not None and not is_async:
                self.on_answer(rid, status, error, version)
            return on_the_wire

        return send

    def _message_sender(self, obs: Observations, config: Config) -> Sender:
        s = self.scenario
        kind = s.source.kind
        directive = s.function.directive.to_event()
        groups = max(1, s.source.sqs.message_groups) if s.source.sqs else 1
        if kind == "destination":
            upstream = self.client.client("lambda", config)
        else:
            service = {
                "sqs": "sqs",
                "sqs-fifo": "sqs",
                "sns": "sns",
                "eventbridge": "events",
                "kinesis": "kinesis",
                "dynamodb": "dynamodb",
            }[kind]
            api = self.client.client(service, config)

        def send(i: int, t: float, due: float) -> float | None:
            rid = self.ids[i]
            body = json.dumps(invoke_event(rid, directive))
            actual = hold_until(due)  # no hook here: these clients are shared, sends are few
            try:
                if kind == "destination":
                    upstream.invoke(
                        FunctionName=self.names["upstream"], InvocationType="Event", Payload=body.encode()
                    )
                    sent_kind = "invoke"
                elif kind in ("sqs", "sqs-fifo"):
                    params: dict[str, Any] = {"QueueUrl": self.outputs["source_url"], "MessageBody": body}
                    if self.outputs["source_url"].endswith(".fifo"):
                        params.update({"MessageGroupId": f"g{i % groups}", "MessageDeduplicationId": rid})
                    api.send_message(**params)
                    sent_kind = "message"
                elif kind == "sns":
                    api.publish(TopicArn=self.outputs["source_arn"], Message=body)
                    sent_kind = "message"
                elif kind == "eventbridge":
                    out = api.put_events(
                        Entries=[
                            {
                                "Source": "lambdaprobe",
                                "DetailType": "lambdaprobe probe",
                                "Detail": body,
                                "EventBusName": self.names["source_bus"],
                            }
                        ]
                    )
                    if out.get("FailedEntryCount"):
                        raise AwsError(f"events.PutEvents: {out['Entries'][0].get('ErrorMessage', 'failed')}")
                    sent_kind = "message"
                elif kind == "kinesis":
                    api.put_record(StreamName=self.names["source"], Data=body.encode(), PartitionKey=rid)
                    sent_kind = "record"
                else:
                    api.put_item(
                        TableName=self.names["source"],
                        Item={"id": {"S": rid}, "lambdaprobe": {"S": json.dumps(directive)}},
                    )
                    sent_kind = "record"
                self._record(obs, Sent(rid, t + (actual - due), sent_kind))
            except Exception as exc:  # botocore's, a parser's (an endpoint's 500 page), or AwsError
                with self._lock:
                    self.errors.append(
                        str(exc) if isinstance(exc, AwsError) else one_line(exc, f"send {rid}")
                    )
            return actual

        return send


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
    """The `message` and `Type` of a 429 ([throttle.error]), wherever botocore put them."""
    error = response.get("Error", {})
    message = response.get("message") or error.get("Message")
    kind = response.get("Type") or error.get("Type")
    return (str(message) if message else None, str(kind) if kind else None)


def throttle_reason(response: Mapping[str, Any]) -> str | None:
    """The `Reason` of a 429 TooManyRequestsException (botocore lifts modelled error fields)."""
    reason = response.get("Reason") or response.get("Error", {}).get("Reason")
    return str(reason) if reason else None
