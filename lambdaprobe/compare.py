"""Observed beside predicted: an AWS run's Report against the simulator's for the same scenario.

Pure: takes two Reports, returns data; `format_comparison` renders it as plain text. A deviation is
a difference in final state, in the number of attempts or their outcomes, or in a time beyond the
tolerance (the larger of `tolerance_s` and `tolerance_ratio` of the predicted time).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lambdaprobe.analysis import analyse
from lambdaprobe.answer import plural
from lambdaprobe.report import AttemptLike, Report, RequestView
from lambdaprobe.scenario import Scenario

DEFAULT_TOLERANCE_S = 5.0
DEFAULT_TOLERANCE_RATIO = 0.10


@dataclass(frozen=True)
class AttemptPair:
    n: int
    observed: AttemptLike | None
    predicted: AttemptLike | None
    deviations: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequestComparison:
    id: str
    observed_final: str | None
    predicted_final: str | None
    attempts: tuple[AttemptPair, ...]
    deviations: tuple[str, ...]

    @property
    def matches(self) -> bool:
        return not self.deviations and all(not p.deviations for p in self.attempts)


@dataclass(frozen=True)
class Comparison:
    requests: tuple[RequestComparison, ...]
    summary_deviations: tuple[str, ...]
    tolerance_s: float
    tolerance_ratio: float
    notes: tuple[str, ...] = field(default=())

    @property
    def deviation_count(self) -> int:
        return len(self.summary_deviations) + sum(
            len(r.deviations) + sum(len(p.deviations) for p in r.attempts) for r in self.requests
        )

    @property
    def matches(self) -> bool:
        return self.deviation_count == 0


def _close(observed: float, predicted: float, tol_s: float, tol_ratio: float) -> bool:
    return abs(observed - predicted) <= max(tol_s, abs(predicted) * tol_ratio)


def _pair(n: int, o: AttemptLike | None, p: AttemptLike | None, tol_s: float, tol_r: float) -> AttemptPair:
    devs: list[str] = []
    if o is None:
        devs.append(f"attempt {n}: predicted, not observed")
    elif p is None:
        devs.append(f"attempt {n}: observed, not predicted")
    else:
        if o.outcome != p.outcome:
            devs.append(f"attempt {n}: outcome {o.outcome}, predicted {p.outcome}")
        if not _close(o.start_s, p.start_s, tol_s, tol_r):
            devs.append(f"attempt {n}: started at {o.start_s:.1f} s, predicted {p.start_s:.1f} s")
        if not _close(o.end_s, p.end_s, tol_s, tol_r):
            devs.append(f"attempt {n}: ended at {o.end_s:.1f} s, predicted {p.end_s:.1f} s")
        if o.cold != p.cold:
            devs.append(
                f"attempt {n}: {'cold' if o.cold else 'warm'}, predicted {'cold' if p.cold else 'warm'}"
            )
    return AttemptPair(n, o, p, tuple(devs))


def _compare_request(
    rid: str, o: RequestView | None, p: RequestView | None, tol_s: float, tol_r: float
) -> RequestComparison:
    devs: list[str] = []
    if o is None or p is None:
        devs.append("request observed only" if p is None else "request predicted only")
    elif o.final != p.final:
        devs.append(f"final {o.final}, predicted {p.final}")
    o_attempts = sorted(o.attempts, key=lambda a: (a.start_s, a.n)) if o else []
    p_attempts = sorted(p.attempts, key=lambda a: (a.start_s, a.n)) if p else []
    pairs = tuple(
        _pair(
            i + 1,
            o_attempts[i] if i < len(o_attempts) else None,
            p_attempts[i] if i < len(p_attempts) else None,
            tol_s,
            tol_r,
        )
        for i in range(max(len(o_attempts), len(p_attempts)))
    )
    if o is not None and p is not None and o.client and p.client and o.client.status != p.client.status:
        devs.append(f"client status {o.client.status}, predicted {p.client.status}")
    return RequestComparison(rid, o.final if o else None, p.final if p else None, pairs, tuple(devs))


SUMMARY_FIELDS = (
    "succeeded",
    "failed",
    "throttled",
    "attempts",
    "cold_starts",
    "max_concurrency",
    "dead_lettered",
    "destination_records",
)


def compare(
    observed: Report,
    predicted: Report,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    tolerance_ratio: float = DEFAULT_TOLERANCE_RATIO,
) -> Comparison:
    """Per request, observed against predicted, with every deviation beyond the tolerance named."""
    obs_by_id = {r.id: r for r in observed.requests}
    pred_by_id = {r.id: r for r in predicted.requests}
    ids = list(dict.fromkeys([*pred_by_id, *obs_by_id]))
    requests = tuple(
        _compare_request(i, obs_by_id.get(i), pred_by_id.get(i), tolerance_s, tolerance_ratio) for i in ids
    )
    summary = tuple(
        f"{name}: observed {getattr(observed.summary, name)}, predicted {getattr(predicted.summary, name)}"
        for name in SUMMARY_FIELDS
        if getattr(observed.summary, name) != getattr(predicted.summary, name)
    )
    notes: list[str] = []
    if not observed.complete:
        notes.append("the observed run is incomplete: " + "; ".join(observed.missing[:3]))
    return Comparison(requests, summary, tolerance_s, tolerance_ratio, tuple(notes))


def predict(scenario: Scenario) -> Report:
    """The simulator's Report for `scenario`: what `--compare` sets an observed run against.

    Raises NotAvailableError when the simulator does not model the scenario's source.
    """
    from lambdaprobe.sim.target import SimTarget  # the simulator is only needed for a prediction

    return analyse(scenario, SimTarget().run(scenario))


def _attempt_text(a: AttemptLike | None) -> str:
    if a is None:
        return "-"
    return f"{a.outcome} {a.start_s:.1f}-{a.end_s:.1f} s{' cold' if a.cold else ''}"


def format_comparison(comparison: Comparison) -> str:
    """Plain text: one block per request, observed | predicted, deviations marked with `!`."""
    lines = [
        f"Observed (aws) vs predicted (sim); tolerance ±{comparison.tolerance_s:g} s or "
        f"{comparison.tolerance_ratio:.0%}; {plural(comparison.deviation_count, 'deviation')}"
    ]
    for r in comparison.requests:
        mark = " " if r.matches else "!"
        lines.append(f"{mark} {r.id}: final {r.observed_final or '-'} | predicted {r.predicted_final or '-'}")
        for pair in r.attempts:
            pmark = "!" if pair.deviations else " "
            observed, predicted = _attempt_text(pair.observed), _attempt_text(pair.predicted)
            lines.append(f"  {pmark} attempt {pair.n}: {observed:<32} | {predicted}")
        for dev in r.deviations:
            lines.append(f"    ! {dev}")
        for pair in r.attempts:
            for dev in pair.deviations:
                lines.append(f"    ! {dev}")
    if comparison.summary_deviations:
        lines.append("Summary deviations:")
        lines.extend(f"  ! {d}" for d in comparison.summary_deviations)
    lines.extend(f"note: {n}" for n in comparison.notes)
    return "\n".join(lines)
