"""What to expect of a run, and when to stop waiting for it: the attempts a directive takes, what
one request still lacks under each way the function is invoked (directly, asynchronously), the
deadline's shared part, the final states that records prove. Pure.

Each source module (`lambdaprobe.aws.sources`) says which of these apply to it; the queue and stream
expectations live in their own modules. `lambdaprobe.aws.sources.expect` puts them together.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from lambdaprobe.aws.observe.message_parse import condition_of
from lambdaprobe.aws.plan.function import function_timeout_s
from lambdaprobe.function.directive import decide
from lambdaprobe.observation import Attempt, ClientResult, Final, Observations, Settled
from lambdaprobe.rules.constants import (
    ASYNC_RETRY_SPACING_S,  # [async.retry-spacing] retry k about 60*k s after the previous attempt
    PAYLOAD_TOO_LARGE_STATUS,
    SDK_MAX_ATTEMPTS,  # [sdk.retry-modes]
)
from lambdaprobe.scenario import Scenario

# Measured retries come later than the documented 1 and 2 minutes at times: wait half as long again.
ASYNC_RETRY_MARGIN = 1.5
LOG_SLACK_S = 30.0  # CloudWatch Logs ingestion delay, and a cold start's own delay
POLLER_SLACK_S = 60.0  # an event source mapping starts polling some time after it is Enabled
STREAM_BACKOFF_GUESS_S = 10.0  # [stream.retry-delay] undocumented: a generous guess per stream retry
# What a source's `missing` answers for a request that retries without bound by design: it is
# watched until the deadline rather than waited for.
UNBOUNDED = "\x00unbounded"


def expected_attempts(scenario: Scenario, max_attempts: int) -> int | None:
    """The attempt that first succeeds under the directive (None: none of `max_attempts` does)."""
    directive = scenario.function.directive
    runs_out = directive.duration_s > scenario.function.timeout_s
    for n in range(1, max_attempts + 1):
        if not runs_out and not decide(directive, n).fail:
            return n
    return None


@dataclass(frozen=True)
class Seen:
    """What has been observed of one request so far."""

    request_id: str
    attempts: tuple[Attempt, ...] = ()
    client: ClientResult | None = None
    dead_lettered: bool = False
    records: frozenset[str] = frozenset()  # the kinds of destination record seen for it
    stream_failures: int = 0  # the run's stream on-failure records (they name no request)
    ran: int = 0  # sends of a direct invoke that reached the function (the driver's ledger)

    @property
    def succeeded(self) -> bool:
        return any(a.outcome == "success" for a in self.attempts)

    @property
    def failed(self) -> int:
        return sum(1 for a in self.attempts if a.outcome != "success")


def seen_by_request(obs: Observations, ran: Mapping[str, int] | None = None) -> Iterator[Seen]:
    """What has been observed of each request sent, in the order they were sent."""
    by_request: dict[str, list[Attempt]] = defaultdict(list)
    for a in obs.attempts:
        by_request[a.request_id].append(a)
    clients = {c.request_id: c for c in obs.client_results}
    dead = {d.request_id for d in obs.dead_letters if d.request_id}
    records: dict[str, set[str]] = defaultdict(set)
    for r in obs.destinations:
        if r.request_id:
            records[r.request_id].add(r.kind)
    stream_failures = sum(1 for r in obs.destinations if r.request_id is None)
    for sent in obs.sent:
        rid = sent.request_id
        yield Seen(
            rid,
            tuple(by_request.get(rid, ())),
            clients.get(rid),
            rid in dead,
            frozenset(records.get(rid, ())),
            stream_failures,
            (ran or {}).get(rid, 0),
        )


def run_s(scenario: Scenario) -> float:
    """How long one execution takes: its init and its run, cut at the function timeout."""
    fn = scenario.function
    return fn.directive.init_s + min(fn.directive.duration_s, function_timeout_s(scenario))


def deadline_s(scenario: Scenario, per_request_s: float) -> float:
    """How long after the first stimulus collection may go on, given how long one request may take."""
    stim = scenario.stimulus
    span = stim.at(stim.count - 1) if stim.count else 0.0
    # with a small pool, requests wait for each other
    serial = run_s(scenario) * stim.count / max(1, scenario.concurrency.reserved or stim.count)
    return math.ceil(span + serial + per_request_s + LOG_SLACK_S)


def direct_per_request_s(scenario: Scenario, run: float) -> float:
    """A sync invoke: every attempt of the caller's SDK, each cut at its read timeout."""
    return SDK_MAX_ATTEMPTS[scenario.sdk.retry_mode] * min(run, scenario.sdk.read_timeout_s + 20.0)


def direct_missing(scenario: Scenario, seen: Seen) -> str | None:
    """A sync invoke: the caller's answer, and every execution the sends that reached the function made."""
    rid, attempts = seen.request_id, seen.attempts
    if seen.client is None:
        return f"{rid}: no answer from the invoke yet"
    if seen.client.status == 200 and not attempts:
        return f"{rid}: the invoke was answered but no attempt is in the logs yet"
    if seen.ran > len(attempts):
        return f"{rid}: {len(attempts)} of {seen.ran} executions seen"
    return None


def async_per_request_s(scenario: Scenario, run: float) -> float:
    """Lambda's async retries, spaced as documented (with a margin), within the event age limit."""
    cfg = scenario.async_config
    spacing = ASYNC_RETRY_SPACING_S * ASYNC_RETRY_MARGIN
    per_request = run + sum(run + spacing * k for k in range(1, cfg.max_retry_attempts + 1))
    return min(per_request, cfg.max_event_age_s + run)


def async_missing(scenario: Scenario, seen: Seen) -> str | None:
    """Async: the attempts allowed, then the DLQ message and destination records that must follow."""
    rid, cfg = seen.request_id, scenario.async_config
    allowed = cfg.max_retry_attempts + 1
    if seen.client is not None and seen.client.status == PAYLOAD_TOO_LARGE_STATUS:
        return None  # [invoke.payload-limits] refused, never queued: nothing to wait for
    if seen.succeeded:
        if cfg.on_success and "on_success" not in seen.records:
            return f"{rid}: succeeded; on-success record not seen yet"
        return None
    if seen.failed >= allowed or seen.dead_lettered or "on_failure" in seen.records:
        # given up on (retries used, or the age limit): the DLQ and destination must say so
        if cfg.dlq and not seen.dead_lettered:
            return f"{rid}: failed; DLQ message not seen yet"
        if cfg.on_failure and "on_failure" not in seen.records:
            return f"{rid}: failed; on-failure record not seen yet"
        return None
    return f"{rid}: {len(seen.attempts)} of {_expected_text(scenario, allowed)} attempts seen"


def _expected_text(scenario: Scenario, allowed: int) -> str:
    n = expected_attempts(scenario, allowed)
    return str(n if n is not None else allowed)


def settled_from_records(obs: Observations, scenario: Scenario) -> list[Settled]:
    """Final states that a destination record proves (Success, RetriesExhausted, EventAgeExceeded)."""
    out: list[Settled] = []
    if not scenario.is_async:
        return out
    dead = {d.request_id for d in obs.dead_letters if d.request_id}
    for r in obs.destinations:
        if r.request_id is None:
            continue
        condition = condition_of(r.record)
        final: Final | None = None
        if condition == "Success":
            final = "succeeded"
        elif condition in ("RetriesExhausted", "EventAgeExceeded"):
            if r.request_id in dead:
                final = "dead_lettered"
            else:
                final = "expired" if condition == "EventAgeExceeded" else "failed"
        if final is not None:
            out.append(Settled(r.request_id, r.t, final))
    return out


def next_retry_hint(scenario: Scenario, obs: Observations, now_s: float) -> str:
    """e.g. "next retry expected in ~40 s", from the last failed attempt of any request."""
    if not scenario.is_async or not obs.attempts:
        return ""
    by_request: dict[str, list[Attempt]] = defaultdict(list)
    for a in obs.attempts:
        by_request[a.request_id].append(a)
    soonest: float | None = None
    for items in by_request.values():
        items.sort(key=lambda a: a.start)
        last = items[-1]
        k = len(items)
        if last.outcome == "success" or k > scenario.async_config.max_retry_attempts:
            continue
        due = last.end + ASYNC_RETRY_SPACING_S * k - now_s
        soonest = due if soonest is None else min(soonest, due)
    if soonest is None:
        return ""
    return f"next retry expected in ~{max(0, round(soonest))} s"
