"""`concurrency`: how many calls are throttled under reserved and provisioned concurrency?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

from lambdaprobe.answer import missing, plural, seconds
from lambdaprobe.errors import InputError
from lambdaprobe.report import Finding, Report
from lambdaprobe.scenario import ConcurrencySpec, FunctionSpec, Mode, Qualifier, Scenario, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import (
    ARRIVALS_HELP,
    MAX_COUNT,
    MAX_DURATION_S,
    MAX_INIT_S,
    MAX_INTERVAL_S,
    TIMEOUT_RANGE,
    directive,
    in_range,
    shaped,
    timeout_for,
    traffic,
)
from lambdaprobe.scenarios.declare import check, choose, option, params

QUALIFIERS: tuple[Qualifier, ...] = get_args(Qualifier)
MODES: tuple[Mode, ...] = get_args(Mode)
RESERVABLE = ConcurrencySpec().account_limit - ConcurrencySpec().min_unreserved


@dataclass(frozen=True)
class ConcurrencyOptions:
    """The concurrency command's options, declared once (help, choices, ranges, params)."""

    reserved: int | None = option(None, "Reserved concurrency: a guarantee and a cap for the function.", low=0,
                                  high=RESERVABLE, default_text="none")
    provisioned: int = option(0, "Provisioned concurrency on the alias or version (counts toward --reserved).",
                              low=0, high=RESERVABLE)
    qualifier: str = option("alias", "What the calls invoke: alias (live), version (1) or latest ($LATEST).",
                            choices=QUALIFIERS)
    count: int = option(20, "How many calls.", low=1, high=MAX_COUNT)
    interval: float = option(1.0, "Seconds between calls (open loop: each on time).", low=0, high=MAX_INTERVAL_S)
    arrivals: str = option("even", ARRIVALS_HELP, param=False)  # listed in params only when not even
    duration: float = option(20.0, "Seconds each call runs in the handler.", low=0, high=MAX_DURATION_S)
    mode: str = option("sync", "sync (RequestResponse: 429 when throttled) or async (Event: queued).", choices=MODES)
    init: float = option(0.3, "Seconds a cold start's init takes (not counted in the timeout).", low=0,
                         high=MAX_INIT_S)
    timeout: float | None = option(None, "Function timeout in seconds.", low=TIMEOUT_RANGE[0], high=TIMEOUT_RANGE[1],
                                   default_text="the duration + 5 s")
    seed: int = 0


def limits(reserved: int | None, provisioned: int, qualifier: str) -> ConcurrencySpec:
    """Reserved within the pool that may be reserved, provisioned within reserved
    ([concurrency.reserved] [concurrency.provisioned-spillover] [concurrency.account-pool])."""
    q = choose("--qualifier", qualifier, QUALIFIERS)
    if reserved is not None:
        in_range("--reserved", reserved, 0, RESERVABLE)
    in_range("--provisioned", provisioned, 0, RESERVABLE)
    if reserved is not None and provisioned > reserved:
        raise InputError(
            "--provisioned",
            f"{provisioned} exceeds --reserved {reserved}; provisioned concurrency counts toward "
            f"reserved, so allowed: 0..{reserved}",
        )
    return ConcurrencySpec(reserved=reserved, provisioned=provisioned, qualifier=q)


def build(options: ConcurrencyOptions | None = None, /, **given: Any) -> Scenario:
    o = options or ConcurrencyOptions(**given)
    check(o)
    mode = choose("--mode", o.mode, MODES)
    times = traffic(o.arrivals, o.count, o.interval, o.seed)
    count = o.count if times is None else len(times)
    conc = limits(o.reserved, o.provisioned, o.qualifier)
    fn = FunctionSpec(timeout_s=timeout_for(o.timeout, o.duration), directive=directive(o.duration, "never", o.init))
    return Scenario(
        probe="concurrency",
        function=fn,
        stimulus=Stimulus(count=count, interval_s=o.interval, mode=mode, times=times),
        source=SourceSpec(kind=mode),
        concurrency=conc,
        seed=o.seed,
        params=params(o, {"timeout": fn.timeout_s, "count": count}) + shaped(o.arrivals, times),
    )


def findings(report: Report) -> list[Finding]:
    """How many calls were throttled, where the others ran, and why (the famous wrong answers named)."""
    gap = missing(report, "throttling")
    requests = report.requests
    if not requests or (gap is not None and not any(r.attempts or r.throttles for r in requests)):
        return [gap] if gap else []
    p = report.params
    reserved = p.get("reserved")
    provisioned = int(p.get("provisioned") or 0)
    qualifier, mode = str(p.get("qualifier", "alias")), str(p.get("mode", "sync"))
    compact = getattr(requests, "first_attempts", None)  # a large simulator run's columns
    if compact is not None:
        n_ran, cold, last = compact()
        n_throttled, reason = requests.throttled()  # type: ignore[attr-defined]
    else:
        ran = [r for r in requests if r.attempts]
        n_ran, cold = len(ran), sum(1 for r in ran if r.attempts[0].cold)
        last = max((r.attempts[0].start_s for r in ran), default=0.0)
        throttled = [r for r in requests if r.final == "throttled"]
        n_throttled = len(throttled)
        reason = next((r.client.reason for r in throttled if r.client and r.client.reason), None)
    warm = n_ran - cold
    on_provisioned = 0 if qualifier == "latest" else min(warm, provisioned)
    reused = warm - on_provisioned
    out: list[Finding] = [] if gap is None else [gap]
    if mode == "async":
        out.append(Finding(
            f"{n_throttled:,} throttled at the API: all {plural(len(requests), 'event')} were accepted (202) and "
            f"queued; {plural(report.summary.throttle_events, 'internal throttle')} held them back, so the last one "
            f"started at {seconds(last)} instead of at once",
            ("async.queued", "async.throttle-requeue"),
        ))
        return out
    where = []
    if on_provisioned:
        where.append(f"{on_provisioned:,} ran on provisioned concurrency (warm, no init)")
    if reused:
        where.append(f"{reused:,} reused a warm on-demand environment")
    if cold:
        spill = "spilled over to on-demand" if provisioned and qualifier != "latest" else "ran on-demand"
        where.append(f"{cold:,} {spill} with cold starts")
    head = f"{n_throttled:,} of {len(requests):,} throttled" + (f": {', '.join(where)}" if where else ", none ran")
    rules = ["concurrency.reserved"] if reserved is not None else ["concurrency.account-pool"]
    if provisioned:
        rules.append("concurrency.provisioned-spillover")
    out.append(Finding(head, tuple(rules)))
    if n_throttled:
        cap = f"reserved {reserved} caps the function at {reserved} in flight" if reserved is not None else (
            "the account's unreserved pool was used up")
        part = (f" and the provisioned {provisioned} is part of it, not added to it" if provisioned and reserved
                is not None else "")
        out.append(Finding(
            f"the throttled calls got 429{f' {reason}' if reason else ''}: {cap}{part}; "
            f"Lambda never retries a synchronous call",
            ("throttle.error", "concurrency.reserved", "sync.no-retry"),
        ))
    if provisioned and qualifier == "latest":
        out.append(Finding(
            "provisioned concurrency is configured on alias live, so calls to $LATEST cannot use it"
            + (f", yet it still holds {provisioned} of the reserved {reserved}" if reserved is not None else ""),
            ("concurrency.provisioned-warm",),
        ))
    elif provisioned and reserved is not None and reserved > provisioned and not n_throttled and cold:
        out.append(Finding(
            f"not {len(requests) - provisioned} throttled, as often claimed: provisioned is part of reserved, and "
            f"calls beyond the {provisioned} provisioned environments spill over to on-demand within the reserved "
            f"{reserved}",
            ("concurrency.provisioned-spillover",),
        ))
    if on_provisioned:
        out.append(Finding(
            "the calls on provisioned concurrency had no cold start: their init ran when it was allocated, "
            "before the first call",
            ("concurrency.provisioned-warm",),
        ))
    return out[:4]
