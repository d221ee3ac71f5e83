"""compare: observed vs predicted, per request, deviations beyond the tolerance."""

from __future__ import annotations

from lambdaprobe.analysis import analyse
from lambdaprobe.compare import compare, format_comparison
from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import Attempt, Observations, Sent
from lambdaprobe.scenario import AsyncConfig, FunctionSpec, Scenario, SourceSpec, Stimulus
from lambdaprobe.sim.target import SimTarget

SCENARIO = Scenario(
    probe="retry",
    function=FunctionSpec(directive=Directive(duration_s=1.0, fail="always", init_s=0.3)),
    stimulus=Stimulus(count=1, mode="async"),
    source=SourceSpec(kind="async"),
    async_config=AsyncConfig(),
)


def observed(starts: list[float], outcome: str = "error") -> Observations:
    obs = Observations("aws", sent=[Sent("r01", 0.0)])
    for n, s in enumerate(starts, 1):
        obs.attempts.append(Attempt("r01", n, s, s + 1.0, outcome, f"e{n}", cold=n == 1))  # type: ignore[arg-type]
    return obs


def test_matching_run_has_no_deviation() -> None:
    predicted = analyse(SCENARIO, SimTarget().run(SCENARIO))
    starts = [a.start_s for a in predicted.requests[0].attempts]
    colds = [a.cold for a in predicted.requests[0].attempts]
    obs = observed([s + 1.0 for s in starts])  # within ±5 s
    obs.attempts = [
        Attempt("r01", a.n, a.start, a.end, a.outcome, a.execution_id, cold=c, init_s=0.3)
        for a, c in zip(obs.attempts, colds, strict=True)
    ]
    result = compare(analyse(SCENARIO, obs), predicted)
    assert result.matches, format_comparison(result)
    assert "0 deviations" in format_comparison(result)


def test_late_retry_and_missing_attempt_are_flagged() -> None:
    predicted = analyse(SCENARIO, SimTarget().run(SCENARIO))
    obs = observed([0.0, 95.0])  # AWS retried later than predicted, and only once
    result = compare(analyse(SCENARIO, obs), predicted)
    assert not result.matches
    r = result.requests[0]
    devs = [d for p in r.attempts for d in p.deviations]
    assert any("attempt 2: started at 95.0 s" in d for d in devs)
    assert any("attempt 3: predicted, not observed" in d for d in devs)
    text = format_comparison(result)
    assert "! r01" in text and "attempts: observed 2, predicted 3" in text


def test_predict_is_the_simulators_report() -> None:
    from lambdaprobe.compare import predict

    report = predict(SCENARIO)
    assert report.target == "sim" and report.summary.attempts == 3
