"""Observations -> Report: per-request timelines, counts and the concurrency series.

Pure: it cannot tell which target produced the observations, and must not need to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import pairwise

from lambdaprobe.gc_pause import no_cycle_collection
from lambdaprobe.observation import Attempt, Final, Observations
from lambdaprobe.report import AttemptLike, ClientLike, Report, RequestView, Summary
from lambdaprobe.scenario import Scenario

FAILED_STATES: frozenset[Final] = frozenset({"failed", "dead_lettered", "expired"})


def analyse(scenario: Scenario, obs: Observations) -> Report:
    with no_cycle_collection():
        return _analyse(scenario, obs)


def _analyse(scenario: Scenario, obs: Observations) -> Report:
    # One view per request, filled in as each kind of observation is read: one dictionary lookup
    # per observation. (Separate dictionaries per kind cost four lookups per request on top, and at
    # a million requests those lookups miss the CPU caches.)
    views: dict[str, RequestView] = {}
    for sent in obs.sent:
        views[sent.request_id] = RequestView(sent.request_id, sent.t, "pending", None, [], 0)
    view_of = views.get
    for a in obs.attempts:
        view = view_of(a.request_id)
        if view is not None:
            view.attempts.append(a)  # type: ignore[attr-defined]  # a list: made just above
    for c in obs.client_results:
        view = view_of(c.request_id)
        if view is not None:
            view.client = c  # the last answer the caller got is the one it acted on
    for th in obs.throttles:
        view = view_of(th.request_id)
        if view is not None:
            view.throttles += th.count
    for settled in obs.settled:
        view = view_of(settled.request_id)
        if view is not None:
            view.final = settled.final
    dead = {d.request_id for d in obs.dead_letters if d.request_id}

    requests = list(views.values())
    counts: dict[str, int] = defaultdict(int)
    for view in requests:
        attempts = view.attempts
        # Attempts arrive as executions end; sort only when that order is not already the start order.
        if len(attempts) > 1 and any(a.start_s > b.start_s for a, b in pairwise(attempts)):
            attempts.sort(key=_attempt_order)  # type: ignore[attr-defined]
        if view.final == "pending":  # the target did not say: infer it from what was seen
            view.final = infer_final(attempts, view.client, view.id in dead, obs.complete)
        counts[view.final] += 1

    executions = _executions(obs.attempts)
    series = concurrency_series(executions.values())
    summary = Summary(
        requests=len(obs.sent),
        succeeded=counts["succeeded"],
        failed=sum(counts[s] for s in FAILED_STATES),
        throttled=counts["throttled"],
        throttle_events=sum(th.count for th in obs.throttles),
        attempts=len(executions),
        cold_starts=sum(1 for a in executions.values() if a.cold),
        max_concurrency=max((n for _, n in series), default=0),
        dead_lettered=len(obs.dead_letters),
        destination_records=len(obs.destinations),
    )
    return Report(
        probe=scenario.probe,
        target=obs.target,
        params=scenario.param_dict(),
        summary=summary,
        requests=requests,
        dead_letters=sorted(obs.dead_letters, key=lambda d: d.t),
        destinations=sorted(obs.destinations, key=lambda d: d.t),
        concurrency=series,
        notes=list(dict.fromkeys(obs.notes)),
        complete=obs.complete,
        missing=list(obs.missing),
    )


def _attempt_order(a: AttemptLike) -> tuple[float, int]:
    return (a.start_s, a.n)


def infer_final(
    attempts: Sequence[AttemptLike], client: ClientLike | None, dead_lettered: bool, complete: bool
) -> Final:
    """The final state from what was seen, for targets that cannot say it outright."""
    if dead_lettered:
        return "dead_lettered"
    if not attempts:
        if client is not None and client.status == 429:
            return "throttled"
        return "pending"
    last = attempts[-1]
    if last.outcome == "success":
        return "succeeded"
    return "failed" if complete else "pending"


def _executions(attempts: Iterable[Attempt]) -> dict[str, Attempt]:
    """One attempt per handler execution (a batch is one execution seen by many requests)."""
    # Any attempt of an execution will do: they share its start, end and cold start.
    return {a.execution_id: a for a in attempts}


def concurrency_series(executions: Iterable[Attempt]) -> list[tuple[float, int]]:
    """[t, executions in flight] at every change; an execution ending at t frees its slot at t."""
    # Two sorted lists merged in one pass: about twice as fast as a dict of deltas at a million
    # executions, where this is a good part of the analysis.
    runs = list(executions)
    starts = sorted([a.start for a in runs])
    ends = sorted([a.end for a in runs])
    series: list[tuple[float, int]] = []
    level = i = j = 0
    n = len(starts)
    inf = float("inf")
    while i < n or j < n:
        t_start = starts[i] if i < n else inf
        t_end = ends[j] if j < n else inf
        t = t_start if t_start < t_end else t_end
        delta = 0
        while j < n and ends[j] == t:
            delta -= 1
            j += 1
        while i < n and starts[i] == t:
            delta += 1
            i += 1
        if delta:
            level += delta
            series.append((t, level))
    return series
