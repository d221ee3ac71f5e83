"""What to expect of a run, and when to stop waiting for it: the attempts a directive takes, the
deadline derived from the scenario's timings, the observations still outstanding. Pure.
"""

from __future__ import annotations

import math
from collections import defaultdict

from lambdaprobe.aws.message_parse import condition_of
from lambdaprobe.aws.plan import function_timeout_s, is_async
from lambdaprobe.function.directive import decide
from lambdaprobe.observation import Attempt, Final, Observations, Settled
from lambdaprobe.rules.constants import (
    ASYNC_RETRY_SPACING_S,  # [async.retry-spacing] retry k about 60*k s after the previous attempt
)
from lambdaprobe.scenario import Scenario

# Measured retries come later than the documented 1 and 2 minutes at times: wait half as long again.
ASYNC_RETRY_MARGIN = 1.5
LOG_SLACK_S = 30.0  # CloudWatch Logs ingestion delay, and a cold start's own delay
POLLER_SLACK_S = 60.0  # an event source mapping starts polling some time after it is Enabled
STREAM_BACKOFF_GUESS_S = 10.0  # [stream.retry-delay] undocumented: a generous guess per stream retry


def expected_attempts(scenario: Scenario, max_attempts: int) -> int | None:
    """The attempt that first succeeds under the directive (None: none of `max_attempts` does)."""
    directive = scenario.function.directive
    runs_out = directive.duration_s > scenario.function.timeout_s
    for n in range(1, max_attempts + 1):
        if not runs_out and not decide(directive, n).fail:
            return n
    return None


def derive_deadline_s(scenario: Scenario) -> float:
    """How long after the first stimulus collection may go on before giving up (from the rules' timings)."""
    stim, fn = scenario.stimulus, scenario.function
    span = max(0, stim.count - 1) * stim.interval_s
    run = fn.directive.init_s + min(fn.directive.duration_s, function_timeout_s(scenario))
    kind = scenario.source.kind
    conc = scenario.concurrency
    # with a small pool, requests wait for each other
    serial = run * stim.count / max(1, conc.reserved or stim.count)
    if kind in ("sqs", "sqs-fifo"):
        spec = scenario.source.sqs
        visibility = spec.visibility_timeout_s if spec else 30
        receives = spec.max_receive_count if spec and spec.max_receive_count else 5
        batching = spec.batching_window_s if spec else 0
        per_request = receives * (visibility + run) + batching + POLLER_SLACK_S
    elif kind in ("kinesis", "dynamodb"):
        st = scenario.source.stream
        retries = st.max_retry_attempts if st and st.max_retry_attempts >= 0 else 5
        per_request = (retries + 1) * (run + STREAM_BACKOFF_GUESS_S) + POLLER_SLACK_S
        if st and st.max_record_age_s > 0:
            per_request = min(per_request, st.max_record_age_s + run + POLLER_SLACK_S)
    elif is_async(scenario):
        cfg = scenario.async_config
        spacing = ASYNC_RETRY_SPACING_S * ASYNC_RETRY_MARGIN
        per_request = run + sum(run + spacing * k for k in range(1, cfg.max_retry_attempts + 1))
        per_request = min(per_request, cfg.max_event_age_s + run)
        if kind == "destination":
            per_request += 2 * run + LOG_SLACK_S
    else:
        attempts = {"off": 1, "legacy": 5, "standard": 3}[scenario.sdk.retry_mode]
        per_request = attempts * min(run, scenario.sdk.read_timeout_s + 20.0)
    return math.ceil(span + serial + per_request + LOG_SLACK_S)


def outstanding(
    scenario: Scenario, obs: Observations, ran: dict[str, int] | None = None
) -> tuple[list[str], list[str]]:
    """(requests whose expected observations are not all in, requests that never settle by design).

    `ran`: for direct invokes, how many sends of each request reached the function (the driver's
    ledger): each is an execution to wait for, SDK resends and calls the caller gave up on included.

    The second list holds requests that retry without bound (an SQS queue without redrive, a stream
    with unlimited retries, and a directive that always fails): they are watched until the deadline.
    """
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
    kind = scenario.source.kind
    cfg = scenario.async_config
    missing: list[str] = []
    unbounded: list[str] = []
    for sent in obs.sent:
        rid = sent.request_id
        attempts = by_request.get(rid, [])
        succeeded = any(a.outcome == "success" for a in attempts)
        failed = sum(1 for a in attempts if a.outcome != "success")
        if kind in ("sync", "async") and not is_async(scenario):
            client = clients.get(rid)
            if client is None:
                missing.append(f"{rid}: no answer from the invoke yet")
            elif client.status == 200 and not attempts:
                missing.append(f"{rid}: the invoke was answered but no attempt is in the logs yet")
            elif ran and ran.get(rid, 0) > len(attempts):
                missing.append(f"{rid}: {len(attempts)} of {ran[rid]} executions seen")
        elif is_async(scenario):
            allowed = cfg.max_retry_attempts + 1
            if succeeded:
                if cfg.on_success and "on_success" not in records[rid]:
                    missing.append(f"{rid}: succeeded; on-success record not seen yet")
            elif failed >= allowed or rid in dead or "on_failure" in records[rid]:
                # given up on (retries used, or the age limit): the DLQ and destination must say so
                if cfg.dlq and rid not in dead:
                    missing.append(f"{rid}: failed; DLQ message not seen yet")
                elif cfg.on_failure and "on_failure" not in records[rid]:
                    missing.append(f"{rid}: failed; on-failure record not seen yet")
            else:
                missing.append(f"{rid}: {len(attempts)} of {_expected_text(scenario, allowed)} attempts seen")
        elif kind in ("sqs", "sqs-fifo"):
            spec = scenario.source.sqs
            if succeeded or rid in dead:
                continue
            if (spec is None or spec.max_receive_count is None) and expected_attempts(scenario, 100) is None:
                unbounded.append(rid)
                continue
            missing.append(f"{rid}: {len(attempts)} receives seen, neither success nor source DLQ yet")
        else:
            st = scenario.source.stream
            if succeeded:
                continue
            limit = st.max_retry_attempts if st else -1
            if (
                limit < 0
                and expected_attempts(scenario, 100) is None
                and not (st and st.max_record_age_s > 0)
            ):
                unbounded.append(rid)
                continue
            if limit >= 0 and failed >= limit + 1 and (not (st and st.on_failure) or stream_failures > 0):
                continue
            missing.append(f"{rid}: {len(attempts)} attempts seen, not yet succeeded or discarded")
    return missing, unbounded


def _expected_text(scenario: Scenario, allowed: int) -> str:
    n = expected_attempts(scenario, allowed)
    return str(n if n is not None else allowed)


def settled_from_records(obs: Observations, scenario: Scenario) -> list[Settled]:
    """Final states that a destination record proves (Success, RetriesExhausted, EventAgeExceeded)."""
    out: list[Settled] = []
    if not is_async(scenario):
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
    if not is_async(scenario) or not obs.attempts:
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
