"""`deploy-preference`: how do CodeDeploy's traffic-shifting preferences split invocations between
versions over time, and when does a rollback take effect?"""

from __future__ import annotations

import math

from lambdaprobe.codedeploy import PREFERENCES, schedule
from lambdaprobe.function.directive import Directive
from lambdaprobe.report import Report
from lambdaprobe.scenario import NEW_VERSION, DeploymentSpec, FunctionSpec, Scenario, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import directive, in_range, one_of, timeout_for, traffic

AFTER_S = 120.0  # how long the probe keeps calling after the shift should be complete


def build(
    *, preference: str, rollback_on_error: bool, new_version_fails: bool, rate: float, minutes: float | None,
    duration: float, init: float, seed: int, arrivals: str = "even",
) -> Scenario:
    one_of("--preference", preference, PREFERENCES)
    in_range("--rate", rate, 0.1, 100)
    span_s = schedule(preference)[-1][0] + AFTER_S if minutes is None else minutes * 60.0
    in_range("--minutes", span_s / 60.0, 1, 120)
    old = directive(duration, "never", init)
    new = Directive(duration_s=old.duration_s, fail="always" if new_version_fails else "never", init_s=old.init_s)
    count = max(1, math.floor(span_s * rate))
    times = traffic(arrivals, count, 1.0 / rate, seed)
    count = count if times is None else len(times)
    return Scenario(
        probe="deploy-preference",
        function=FunctionSpec(timeout_s=timeout_for(None, duration), directive=old),
        stimulus=Stimulus(count=count, interval_s=1.0 / rate, mode="sync", times=times),
        source=SourceSpec(kind="sync"),
        deployment=DeploymentSpec(preference=preference, rollback_on_error=rollback_on_error, new_directive=new),
        seed=seed,
        params=(
            ("preference", preference), ("rollback_on_error", rollback_on_error),
            ("new_version_fails", new_version_fails), ("rate", rate), ("minutes", round(span_s / 60.0, 3)),
            ("count", count), ("duration", duration), ("init", init), ("seed", seed),
            *((("arrivals", arrivals),) if times is not None else ()),
        ),
    )


def findings(report: Report) -> list[str]:
    runs = [(a.start_s, a.version) for r in report.requests for a in r.attempts]
    if not runs:
        return []
    new = [t for t, v in runs if v == NEW_VERSION]
    lines = [
        f"finding: {len(new):,} of {len(runs):,} invocations ran version {NEW_VERSION}"
        + (f", the first at {min(new):g} s and the last at {max(new):g} s" if new else "")
    ]
    if report.params.get("rollback_on_error") and new and max(new) < max(t for t, _ in runs):
        # on aws the driver rolls back at the first version-2 error it sees (no CloudWatch alarm)
        who = "the alarm" if report.target == "sim" else "lambdaprobe's rollback rule"
        lines.append(
            f"finding: after version {NEW_VERSION}'s errors {who} rolled traffic back: no call reached it "
            f"after {max(new):g} s"
        )
    return lines
