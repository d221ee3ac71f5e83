"""`deploy-preference`: how do CodeDeploy's traffic-shifting preferences split invocations between
versions over time, and when does a rollback take effect?"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lambdaprobe.answer import missing, seconds
from lambdaprobe.codedeploy import PREFERENCES, schedule
from lambdaprobe.errors import InputError
from lambdaprobe.function.directive import Directive
from lambdaprobe.report import Finding, Report
from lambdaprobe.scenario import NEW_VERSION, DeploymentSpec, FunctionSpec, Scenario, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import (
    ARRIVALS_HELP,
    MAX_COUNT,
    MAX_DURATION_S,
    MAX_INIT_S,
    directive,
    shaped,
    timeout_for,
    traffic,
)
from lambdaprobe.scenarios.declare import check, option, params

AFTER_S = 120.0  # how long the probe keeps calling after the shift should be complete


@dataclass(frozen=True)
class DeployPreferenceOptions:
    """The deploy-preference command's options, declared once. The load is given as the other probes
    give it (--count, --interval), or as a rate and a length (--rate, --minutes); the run's params
    record it as --count and --interval."""

    preference: str = option("Canary10Percent5Minutes", "The CodeDeploy configuration.", choices=PREFERENCES)
    rollback_on_error: bool = option(False, "Roll back when the new version's Errors alarm fires (aws: at the "
                                     "first version-2 error seen).", names=("--rollback-on-error",))
    new_version_fails: bool = option(False, "Make version 2 fail every call (to watch the rollback).",
                                     names=("--new-version-fails",))
    count: int | None = option(None, "How many calls (or --minutes).", low=1, high=MAX_COUNT,
                               default_text="the shift's length + 2 minutes of calls")
    interval: float | None = option(None, "Seconds between calls (or --rate).", low=0.01, high=10,
                                    default_text="1")
    rate: float | None = option(None, "Calls per second to the alias `live` (or --interval).", low=0.1, high=100,
                                param=False)
    minutes: float | None = option(None, "How long to call (or --count).", low=1, high=120, param=False)
    arrivals: str = option("even", ARRIVALS_HELP + " Here --count is what --minutes and --rate make.", param=False)
    duration: float = option(0.1, "Seconds the handler runs.", low=0, high=MAX_DURATION_S)
    init: float = option(0.3, "Seconds a cold start's init takes.", low=0, high=MAX_INIT_S)
    seed: int = 0


def build(options: DeployPreferenceOptions | None = None, /, **given: Any) -> Scenario:
    o = options or DeployPreferenceOptions(**given)
    check(o)
    if o.rate is not None and o.interval is not None:
        raise InputError("--rate", "the same as 1/--interval; give one of the two")
    if o.minutes is not None and o.count is not None:
        raise InputError("--minutes", "--count already says how long; give one of the two")
    interval = o.interval if o.interval is not None else 1.0 / (o.rate if o.rate is not None else 1.0)
    if o.count is not None:
        count = o.count
    else:
        span_s = schedule(o.preference)[-1][0] + AFTER_S if o.minutes is None else o.minutes * 60.0
        count = max(1, math.floor(span_s / interval + 1e-9))
    times = traffic(o.arrivals, count, interval, o.seed)
    count = count if times is None else len(times)
    old = directive(o.duration, "never", o.init)
    new = Directive(duration_s=old.duration_s, fail="always" if o.new_version_fails else "never", init_s=old.init_s)
    return Scenario(
        probe="deploy-preference",
        function=FunctionSpec(timeout_s=timeout_for(None, o.duration), directive=old),
        stimulus=Stimulus(count=count, interval_s=interval, mode="sync", times=times),
        source=SourceSpec(kind="sync"),
        deployment=DeploymentSpec(preference=o.preference, rollback_on_error=o.rollback_on_error, new_directive=new),
        seed=o.seed,
        params=params(o, {"count": count, "interval": round(interval, 6)}) + shaped(o.arrivals, times),
    )


def findings(report: Report) -> list[Finding]:
    gap = missing(report, "which version ran")
    runs = [(a.start_s, a.version) for r in report.requests for a in r.attempts]
    if not runs:
        return [gap] if gap else []
    new = [t for t, v in runs if v == NEW_VERSION]
    lines = [] if gap is None else [gap]
    lines.append(Finding(
        f"{len(new):,} of {len(runs):,} invocations ran version {NEW_VERSION}"
        + (f", the first at {seconds(min(new))} and the last at {seconds(max(new))}" if new else ""),
        ("deploy.configurations", "deploy.alias-routing"),
    ))
    steps = schedule(str(report.params.get("preference")))
    full_at = steps[-1][0] if steps else 0.0
    before = [v for t, v in runs if t < full_at]
    if before and full_at > 0 and not report.params.get("rollback_on_error"):
        share = sum(1 for v in before if v == NEW_VERSION) / len(before)
        after = [v for t, v in runs if t >= full_at]
        tail = (f", then {sum(1 for v in after if v == NEW_VERSION) / len(after):.0%} from {seconds(full_at)} on"
                if after else "")
        lines.append(Finding(
            f"{share:.0%} of the calls in the first {seconds(full_at)} ran version {NEW_VERSION}{tail}: "
            "the alias weights decide each call at random, so the share wanders around the configured one",
            ("deploy.weighted-pick",),
        ))
    if report.params.get("rollback_on_error") and new and max(new) < max(t for t, _ in runs):
        # on aws the driver rolls back at the first version-2 error it sees (no CloudWatch alarm)
        who = "the alarm" if report.target == "sim" else "lambdaprobe's rollback rule"
        lines.append(Finding(
            f"after version {NEW_VERSION}'s errors {who} rolled traffic back: no call reached it "
            f"after {seconds(max(new))}",
            ("deploy.alarm-rollback",),
        ))
    return lines
