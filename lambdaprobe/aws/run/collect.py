"""What happened, read back from AWS: probe log lines, REPORT lines, timeouts, DLQ and destination
messages, turned into the same observations the simulator emits.

The parsers are pure functions of strings and dicts (`lambdaprobe.aws.observe`); what to expect of
each request is its source's (`lambdaprobe.aws.sources.expect`). `Collector` does the I/O
(FilterLogEvents, draining queues) and decides when to stop: when every request's expected
observations are in, or when the deadline derived from the scenario passes (then
`ObservationTimeout`, which carries the partial observations).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from lambdaprobe.aws.client import BOTO_ERRORS, ApiCaller, one_line
from lambdaprobe.aws.observe.expectations import next_retry_hint, settled_from_records
from lambdaprobe.aws.observe.log_parse import SUPPRESSED_INIT_NOTE, LogEvent, attempts_from_logs
from lambdaprobe.aws.observe.message_parse import dead_letter_from_message, destination_from_message
from lambdaprobe.aws.pages import MAX_PAGES
from lambdaprobe.aws.plan.records import Plan, Watch
from lambdaprobe.aws.run.ledger import Ledger
from lambdaprobe.aws.sources import SOURCES
from lambdaprobe.aws.sources.expect import outstanding
from lambdaprobe.errors import AwsError, ObservationTimeout
from lambdaprobe.observation import DeadLetter, DestinationRecord, Observations, Settled
from lambdaprobe.rules import RuleId
from lambdaprobe.scenario import Scenario

LOG_REREAD_S = 120.0  # how far back each read starts from the newest event seen


class Collector:
    """Reads the run's logs and queues until the expected observations are in or the deadline passes."""

    def __init__(
        self,
        client: ApiCaller,
        scenario: Scenario,
        plan: Plan,
        outputs: Mapping[str, Any],
        t0_wall: float,
        progress: Callable[[str], None] | None = None,
        poll_s: float = 2.0,
        clock: Callable[[], float] = time.time,
        ledger: Ledger | None = None,
    ) -> None:
        self.ledger = ledger or Ledger()
        self.client = client
        self.scenario = scenario
        self.log_group = plan.log_group
        self.watches = plan.watches
        self.outputs = outputs
        self.t0_wall = t0_wall
        self.progress = progress or (lambda _: None)
        self.poll_s = poll_s
        self.clock = clock
        self.events: dict[str, LogEvent] = {}
        self._since_ms = int((t0_wall - 60) * 1000)
        self.dead_letters: list[DeadLetter] = []
        self._drained: set[str] = set()  # message ids already observed
        self.destinations: list[DestinationRecord] = []

    def read_logs(self) -> None:
        """New log events since the last read (re-reading a window, deduplicated by event id)."""
        params: dict[str, Any] = {"logGroupName": self.log_group, "startTime": self._since_ms}
        seen: set[str] = set()  # a marker seen before, or too many pages, ends the read (see `aws.pages`)
        for _ in range(MAX_PAGES):
            try:
                page = self.client.call("logs", "FilterLogEvents", params)
            except BOTO_ERRORS as exc:
                if "ResourceNotFound" in one_line(exc):
                    return  # no execution has logged yet
                raise
            for e in page.get("events", []):
                key = e.get("eventId") or f"{e.get('logStreamName')}:{e.get('timestamp')}:{e.get('message')}"
                self.events[key] = LogEvent(
                    float(e.get("timestamp", 0)),
                    str(e.get("message", "")),
                    str(e.get("logStreamName", "")),
                    key,
                )
            token = page.get("nextToken")
            if not token or token in seen:
                break
            seen.add(token)
            params["nextToken"] = token
        if self.events:
            newest = max(e.timestamp_ms for e in self.events.values())
            # events arrive out of order by up to the ingestion delay: keep re-reading that window
            self._since_ms = max(self._since_ms, int(newest - LOG_REREAD_S * 1000))

    def drain(self, watch: Watch) -> None:
        url = self.outputs[watch.queue_url]
        # bounded like every listing: an endpoint that answers the same messages for ever (deletes
        # that do not take) must not hold the run; the rest is read at the next poll
        for _ in range(MAX_PAGES):
            page = self.client.call(
                "sqs",
                "ReceiveMessage",
                {
                    "QueueUrl": url,
                    "MaxNumberOfMessages": 10,
                    "WaitTimeSeconds": 0,
                    "MessageAttributeNames": ["All"],
                    "AttributeNames": ["All"],
                },
            )
            messages = page.get("Messages", [])
            if not messages:
                return
            now = self.clock()
            for m in messages:
                key = str(m.get("MessageId") or m.get("ReceiptHandle"))
                if key in self._drained:
                    continue  # seen before (a delete that did not take): one observation, not two
                self._drained.add(key)
                if watch.observe == "dead_letter":
                    self.dead_letters.append(dead_letter_from_message(m, watch, self.t0_wall, now))
                else:
                    self.destinations.append(destination_from_message(m, watch, self.t0_wall, now))
                # The run owns the queue: deleting keeps a message from being read twice.
                self.client.call(
                    "sqs", "DeleteMessage", {"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]}
                )

    def poll_once(self, obs: Observations) -> list[str]:
        """Read everything new into `obs`; returns the executions still in flight."""
        self.read_logs()
        for watch in self.watches:
            self.drain(watch)
        renumber = not SOURCES[self.scenario.source.kind].receive_counts
        notes: list[str] = []
        attempts, in_flight = attempts_from_logs(
            self.events.values(), self.t0_wall, renumber, requests=self.ledger.aws_ids, notes=notes
        )
        obs.notes.extend(n for n in notes if n not in obs.notes)
        if SUPPRESSED_INIT_NOTE in notes:
            obs.rules.add(RuleId.INIT_SUPPRESSED)  # a cold start's init was derived from the rule
        if attempts:
            obs.rules.add(RuleId.RUNTIME_REPORT_LINE)  # durations and billing read from REPORT lines
        obs.attempts = attempts
        obs.dead_letters = list(self.dead_letters)
        obs.destinations = list(self.destinations)
        obs.settled = _merge_settled(obs.settled, settled_from_records(obs, self.scenario))
        return in_flight

    def collect(
        self, obs: Observations, deadline_s: float, sleep: Callable[[float], None] = time.sleep
    ) -> Observations:
        """Poll until done or `deadline_s` after the first stimulus; raise ObservationTimeout then."""
        try:
            while True:
                in_flight = self.poll_once(obs)
                missing, unbounded = outstanding(self.scenario, obs, self.ledger.ran)
                now_s = self.clock() - self.t0_wall
                if not missing and not in_flight:
                    if unbounded and now_s < deadline_s:
                        self._report(obs, missing, unbounded, now_s, deadline_s)
                        sleep(self.poll_s)
                        continue
                    if unbounded:
                        obs.notes.append(
                            f"{len(unbounded)} request(s) retry without bound by design "
                            f"({', '.join(unbounded[:5])}); watched until {deadline_s:.0f} s"
                        )
                    return obs
                if now_s >= deadline_s:
                    obs.complete = False
                    obs.missing = missing + in_flight
                    raise ObservationTimeout(
                        f"gave up waiting after {deadline_s:.0f} s; "
                        f"still missing: {'; '.join(obs.missing[:3])}"
                        + (f" (and {len(obs.missing) - 3} more)" if len(obs.missing) > 3 else ""),
                        obs,
                    )
                self._report(obs, missing, unbounded, now_s, deadline_s)
                sleep(self.poll_s)
        except BOTO_ERRORS as exc:
            raise AwsError(one_line(exc, "collecting observations")) from exc

    def _report(
        self, obs: Observations, missing: list[str], unbounded: list[str], now_s: float, deadline_s: float
    ) -> None:
        done = len(obs.sent) - len(missing) - len(unbounded)
        hint = next_retry_hint(self.scenario, obs, now_s)
        text = (
            f"{done} of {len(obs.sent)} requests complete, {len(obs.attempts)} attempts seen"
            f"{'; ' + hint if hint else ''}; giving up in {max(0, deadline_s - now_s):.0f} s"
        )
        self.progress(text)


def _merge_settled(direct: list[Settled], derived: list[Settled]) -> list[Settled]:
    seen = {s.request_id for s in direct}
    return direct + [s for s in derived if s.request_id not in seen]
