"""Observations -> Report: per-request timelines, counts and the concurrency series.

Pure: it cannot tell which target produced the observations, and must not need to.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise

from lambdaprobe.analysis_compact import Compact, Requests, Series
from lambdaprobe.observation import Attempt, Final, Observations
from lambdaprobe.report import AttemptLike, ClientLike, Report, RequestView, Summary
from lambdaprobe.rules import in_order
from lambdaprobe.scenario import Scenario

FAILED_STATES: frozenset[Final] = frozenset({"failed", "dead_lettered", "expired"})


def analyse(scenario: Scenario, obs: Observations) -> Report:
    compact = Compact.of(obs)
    if compact is not None:
        return _analyse_compact(scenario, obs, compact)
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
    # Three passes of comprehensions over a million views cost less than one loop doing all three.
    for view in [v for v in requests if len(v.attempts) > 1]:
        attempts = view.attempts
        # Attempts arrive as executions end; sort only when that order is not already the start order.
        if any(a.start_s > b.start_s for a, b in pairwise(attempts)):
            attempts.sort(key=_attempt_order)  # type: ignore[attr-defined]
    for view in [v for v in requests if v.final == "pending"]:
        # the target did not say: infer it from what was seen
        view.final = infer_final(view.attempts, view.client, view.id in dead, obs.complete)
    counts = Counter([v.final for v in requests])

    executions = _executions(obs.attempts)
    series = concurrency_series(executions)
    summary = Summary(
        requests=len(obs.sent),
        succeeded=counts["succeeded"],
        failed=sum(counts[s] for s in FAILED_STATES),
        throttled=counts["throttled"],
        throttle_events=sum(th.count for th in obs.throttles),
        attempts=len(executions),
        cold_starts=sum([a.cold for a in executions]),
        max_concurrency=max((n for _, n in series), default=0),
        dead_lettered=len(obs.dead_letters),
        destination_records=len(obs.destinations),
    )
    return _report(scenario, obs, summary, requests, series)


def _analyse_compact(scenario: Scenario, obs: Observations, compact: Compact) -> Report:
    """The same report from columns: counts in streaming passes, request views made when read."""
    counts = compact.finals()
    attempts = compact.attempts
    if compact.executions_unique():  # no batches: every attempt is an execution
        executions = len(attempts)
        cold_starts = sum(attempts.column("cold"))
        series: Sequence[tuple[float, int]] = Series(*_series(_sorted(attempts.column("start")),
                                                              _sorted(attempts.column("end"))))
    else:
        ids = list(attempts.column("execution_id"))
        first = sorted({e: j for j, e in reversed(list(enumerate(ids)))}.values())
        del ids
        runs = [attempts[j] for j in first]
        executions = len(runs)
        cold_starts = sum(a.cold for a in runs)
        series = concurrency_series(runs)
    summary = Summary(
        requests=len(obs.sent),
        succeeded=counts["succeeded"],
        failed=sum(counts[s] for s in FAILED_STATES),
        throttled=counts["throttled"],
        throttle_events=sum(compact.throttles.column("count")),
        attempts=executions,
        cold_starts=cold_starts,
        max_concurrency=max(series.levels if isinstance(series, Series) else (n for _, n in series), default=0),
        dead_lettered=len(obs.dead_letters),
        destination_records=len(obs.destinations),
    )
    return _report(scenario, obs, summary, Requests(compact), series)


def _report(
    scenario: Scenario,
    obs: Observations,
    summary: Summary,
    requests: Sequence[RequestView],
    series: Sequence[tuple[float, int]],
) -> Report:
    """The report both analyses end in: what was counted, and what the observations say as they are."""
    relied = in_order(obs.rules)
    return Report(
        probe=scenario.probe,
        target=obs.target,
        params=scenario.param_dict(),
        summary=summary,
        requests=requests,
        dead_letters=sorted(obs.dead_letters, key=lambda d: d.t),
        destinations=sorted(obs.destinations, key=lambda d: d.t),
        concurrency=series,
        notes=list(dict.fromkeys([*obs.notes, *(r.note() for r in relied if r.kind == "assumption")])),
        complete=obs.complete,
        missing=list(obs.missing),
        leftovers=list(obs.leftovers),
        rules=[r.to_json() for r in relied],
    )


def _sorted(values: Iterable[float]) -> list[float] | array[float]:
    """The values in order: kept in an array when they come in order already (execution ends do)."""
    kept = array("d", values)
    if all(a <= b for a, b in pairwise(kept)):
        return kept
    return sorted(kept)


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


def _executions(attempts: list[Attempt]) -> list[Attempt]:
    """One attempt per handler execution (a batch is one execution seen by many requests)."""
    ids = [a.execution_id for a in attempts]
    if len(set(ids)) == len(ids):  # no batches: every attempt is its own execution (checked in C)
        return attempts
    # Any attempt of an execution will do: they share its start, end and cold start.
    return list({a.execution_id: a for a in attempts}.values())


def concurrency_series(executions: Iterable[Attempt]) -> list[tuple[float, int]]:
    """[t, executions in flight] at every change; an execution ending at t frees its slot at t."""
    runs = list(executions)
    times, levels = _series(sorted([a.start for a in runs]), sorted([a.end for a in runs]))
    return list(zip(times, levels, strict=True))


def _series(starts: Sequence[float], ends: list[float] | array[float]) -> tuple[array[float], array[int]]:
    """The concurrency series, as times and levels, from sorted start and end times (`ends` gets
    an end marker). Two sorted sequences walked once: each start first consumes the ends due by
    then. Events at one instant are netted, and an instant whose events cancel out is not a change."""
    ends.append(float("inf"))
    times: array[float] = array("d")
    levels: array[int] = array("q")
    at_t, at_n = times.append, levels.append
    level = before = j = 0
    at = 0.0  # the instant being netted; `before` is the level just ahead of it
    end = ends[0]
    for start in starts:
        while end <= start:
            if end != at:
                if level != before:
                    at_t(at)
                    at_n(level)
                at, before = end, level
            level -= 1
            j += 1
            end = ends[j]
        if start != at:
            if level != before:
                at_t(at)
                at_n(level)
            at, before = start, level
        level += 1
    for end in ends[j:-1]:  # the ends after the last start
        if end != at:
            if level != before:
                at_t(at)
                at_n(level)
            at, before = end, level
        level -= 1
    if level != before:
        at_t(at)
        at_n(level)
    return times, levels
