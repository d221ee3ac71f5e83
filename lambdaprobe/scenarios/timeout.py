"""`timeout`: does the function timeout include the cold start? ([init.outside-timeout],
[init.suppressed], [init.billed])"""

from __future__ import annotations

from lambdaprobe.report import Report
from lambdaprobe.rules.constants import INIT_LIMIT_S  # [init.outside-timeout]
from lambdaprobe.scenario import FunctionSpec, Scenario, SdkConfig, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import directive, in_range, timeout_for


def build(*, init: float, duration: float, timeout: float, count: int, seed: int) -> Scenario:
    in_range("--count", count, 1, 100)
    fn = FunctionSpec(timeout_s=timeout_for(timeout, duration), directive=directive(duration, "never", init))
    # The caller waits as long as the function may take, so only the function's own timeout decides.
    patience = max(60.0, INIT_LIMIT_S + init + fn.timeout_s + 5.0)
    return Scenario(
        probe="timeout",
        function=fn,
        stimulus=Stimulus(count=count, interval_s=max(1.0, patience), mode="sync"),
        source=SourceSpec(kind="sync"),
        sdk=SdkConfig(read_timeout_s=patience),
        seed=seed,
        params=(("init", init), ("duration", duration), ("timeout", fn.timeout_s), ("count", count), ("seed", seed)),
    )


def findings(report: Report) -> list[str]:
    """What the first (cold) call says about the question, in one line each."""
    if not report.requests or not report.requests[0].attempts:
        return []
    first = report.requests[0].attempts[0]
    params = report.params
    init, duration, timeout = float(params["init"]), float(params["duration"]), float(params["timeout"])
    took = first.end_s - first.start_s
    # billed as the target measured it (on AWS: the REPORT line's Billed Duration)
    billed = f", billed {first.billed_ms:,} ms" if first.billed_ms is not None else ""
    if not first.cold:
        return ["finding: the first call found a warm environment; nothing to say about init"]
    if init <= INIT_LIMIT_S:
        verdict = "succeeded" if first.outcome == "success" else f"ended in {first.outcome}"
        return [
            f"finding: init {init:g} s + handler {duration:g} s against a {timeout:g} s timeout: the call {verdict} "
            f"after {took:g} s{billed}; init up to 10 s is not counted in the timeout [init.outside-timeout]"
        ]
    return [
        f"finding: init {init:g} s exceeds the 10 s init limit: it was cut at 10 s and run again inside the "
        f"invoke, counted against the {timeout:g} s timeout (suppressed init, no Init Duration in REPORT) "
        f"[init.suppressed]: outcome {first.outcome} after {took:g} s{billed}"
    ]
