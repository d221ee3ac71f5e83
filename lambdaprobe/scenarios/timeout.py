"""`timeout`: does the function timeout include the cold start? ([init.outside-timeout],
[init.suppressed], [init.billed])"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from lambdaprobe.answer import missing, seconds
from lambdaprobe.report import Finding, Report
from lambdaprobe.rules.constants import INIT_LIMIT_S  # [init.outside-timeout]
from lambdaprobe.scenario import FunctionSpec, Scenario, SdkConfig, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import MAX_DURATION_S, MAX_INIT_S, TIMEOUT_RANGE, directive, timeout_for
from lambdaprobe.scenarios.declare import check, option, params


@dataclass(frozen=True)
class TimeoutOptions:
    """The timeout command's options, declared once."""

    init: float = option(5.0, "Seconds the cold start's init takes (over 10 s: a suppressed init).", low=0,
                         high=MAX_INIT_S)
    duration: float = option(2.5, "Seconds the handler runs.", low=0, high=MAX_DURATION_S)
    timeout: float = option(3.0, "Function timeout in seconds.", low=TIMEOUT_RANGE[0], high=TIMEOUT_RANGE[1])
    count: int = option(1, "Calls, one after another (the first is cold, the rest warm).", low=1, high=100)
    seed: int = 0


def build(options: TimeoutOptions | None = None, /, **given: Any) -> Scenario:
    o = options or TimeoutOptions(**given)
    check(o)
    fn = FunctionSpec(timeout_s=timeout_for(o.timeout, o.duration), directive=directive(o.duration, "never", o.init))
    # The caller waits as long as the function may take, so only the function's own timeout decides.
    patience = max(60.0, INIT_LIMIT_S + o.init + fn.timeout_s + 5.0)
    return Scenario(
        probe="timeout",
        function=fn,
        stimulus=Stimulus(count=o.count, interval_s=max(1.0, patience), mode="sync"),
        source=SourceSpec(kind="sync"),
        sdk=SdkConfig(read_timeout_s=patience),
        seed=o.seed,
        params=params(o, {"timeout": fn.timeout_s}),
    )


def findings(report: Report) -> list[Finding]:
    """What the first (cold) call says about the question, in one line each."""
    gap = missing(report, "the timeout")
    if not report.requests or not report.requests[0].attempts:
        return [gap] if gap else []
    first = report.requests[0].attempts[0]
    params = report.params
    init, duration, timeout = float(params["init"]), float(params["duration"]), float(params["timeout"])
    took = first.end_s - first.start_s
    # billed as the target measured it (on AWS: the REPORT line's Billed Duration)
    billed = f", billed {first.billed_ms:,} ms" if first.billed_ms is not None else ""
    if not first.cold:
        return [Finding("the first call found a warm environment; nothing to say about init")]
    if init <= INIT_LIMIT_S:
        verdict = "succeeded" if first.outcome == "success" else f"ended in {first.outcome}"
        return [
            Finding(
                f"init {init:g} s + handler {duration:g} s against a {timeout:g} s timeout: the call {verdict} "
                f"after {seconds(took)}{billed}",
                ("init.outside-timeout", "init.billed"),
            ),
            Finding(
                "no, the timeout does not include the cold start: an init of up to 10 s runs before the "
                "timeout's clock starts",
                ("init.outside-timeout",),
            ),
            *_after_reset(report),
        ]
    return [
        Finding(
            f"init {init:g} s exceeds the 10 s init limit: it was cut at 10 s (a suppressed init) and run again "
            f"inside the invoke, counted against the {timeout:g} s timeout: outcome {first.outcome} after "
            f"{seconds(took)}{billed}",
            ("init.suppressed", "init.outside-timeout"),
        ),
        Finding("a suppressed init leaves no Init Duration in the REPORT line", ("runtime.report-line",)),
        *_after_reset(report),
    ]


def _after_reset(report: Report) -> list[Finding]:
    """[environment.reset] a call after a timed-out one runs init again (the probe's calls run one after
    another, so they share one environment: a later cold start is a reset)."""
    attempts = [r.attempts[0] for r in report.requests if r.attempts]
    for before, after in pairwise(attempts):
        if before.outcome == "timeout" and after.cold:
            n = attempts.index(after) + 1
            return [
                Finding(
                    f"the timeout reset the environment: call {n} ran init again in it (cold, init "
                    f"{seconds(after.init_s)}) and ended in {after.outcome}",
                    ("environment.reset", "environment.reset-init"),
                )
            ]
    return []
