"""`invoke`: one (or a few) direct invokes, sync or async, and what the caller and the function saw."""

from __future__ import annotations

from lambdaprobe.answer import missing, plural, seconds
from lambdaprobe.report import Finding, Report
from lambdaprobe.scenario import FunctionSpec, Mode, Scenario, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import directive, one_of, stimulus_shape, timeout_for
from lambdaprobe.scenarios.concurrency import MODES


def build(
    *, mode: str, duration: float, fail: str, init: float, timeout: float | None, count: int, interval: float, seed: int
) -> Scenario:
    one_of("--mode", mode, MODES)
    stimulus_shape(count, interval)
    fn = FunctionSpec(timeout_s=timeout_for(timeout, duration), directive=directive(duration, fail, init))
    m: Mode = mode  # type: ignore[assignment]  # checked by one_of above
    return Scenario(
        probe="invoke",
        function=fn,
        stimulus=Stimulus(count=count, interval_s=interval, mode=m),
        source=SourceSpec(kind=m),
        seed=seed,
        params=(
            ("mode", mode), ("duration", duration), ("fail", fail), ("init", init),
            ("timeout", fn.timeout_s), ("count", count), ("interval", interval), ("seed", seed),
        ),
    )


def findings(report: Report) -> list[Finding]:
    """What the caller got beside what the function did, for the first invoke."""
    gap = missing(report, "the invoke")
    ran = [r for r in report.requests if r.attempts or r.client]
    if not ran:
        return [gap] if gap else []
    first = ran[0]
    client = first.client
    answer = "no answer" if client is None else f"{client.status or 'no HTTP status'}" + (
        f" ({client.error})" if client.error else "")
    runs = first.attempts
    did = ", ".join(f"#{a.n} {a.outcome} {seconds(a.start_s)}–{seconds(a.end_s)}" for a in runs[:3]) or "nothing seen"
    mode = str(report.params.get("mode"))
    out: list[Finding] = [] if gap is None else [gap]
    if mode == "async":
        out.append(Finding(
            f"the caller got {answer} at once and never learns the outcome; the function ran "
            f"{plural(len(runs), 'time')}: {did}",
            ("sync.status", "async.queued") + (("async.retry-spacing",) if len(runs) > 1 else ()),
        ))
    else:
        waited = f" after {seconds(client.latency_s)}" if client else ""
        error = " (a function error still answers 200, with the FunctionError header)" if (
            client and client.status == 200 and client.error) else ""
        out.append(Finding(
            f"the caller got {answer}{waited}{error}; the function ran {plural(len(runs), 'time')}: {did}",
            ("sync.status", "sync.no-retry"),
        ))
    if len(report.requests) > 1:
        s = report.summary
        out.append(Finding(
            f"of {len(report.requests):,} invokes: {s.succeeded:,} succeeded, {s.failed:,} failed, "
            f"{s.throttled:,} throttled, {plural(s.cold_starts, 'cold start')}",
        ))
    return out
