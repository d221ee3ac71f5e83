"""`concurrency`: how many calls are throttled under reserved and provisioned concurrency?"""

from __future__ import annotations

from lambdaprobe.answer import missing, plural, seconds
from lambdaprobe.errors import InputError
from lambdaprobe.report import Finding, Report
from lambdaprobe.scenario import ConcurrencySpec, FunctionSpec, Mode, Qualifier, Scenario, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import directive, in_range, one_of, stimulus_shape, timeout_for

QUALIFIERS = ("alias", "latest", "version")
MODES = ("sync", "async")


def limits(reserved: int | None, provisioned: int, qualifier: str) -> ConcurrencySpec:
    """[J, I, L] reserved within the pool that may be reserved, provisioned within reserved."""
    spec = ConcurrencySpec()
    reservable = spec.account_limit - spec.min_unreserved
    one_of("--qualifier", qualifier, QUALIFIERS)
    if reserved is not None:
        in_range("--reserved", reserved, 0, reservable)
    in_range("--provisioned", provisioned, 0, reservable)
    if reserved is not None and provisioned > reserved:
        raise InputError(
            "--provisioned",
            f"{provisioned} exceeds --reserved {reserved}; provisioned concurrency counts toward "
            f"reserved, so allowed: 0..{reserved}",
        )
    q: Qualifier = qualifier  # type: ignore[assignment]  # checked by one_of above
    return ConcurrencySpec(reserved=reserved, provisioned=provisioned, qualifier=q)


def build(
    *,
    reserved: int | None,
    provisioned: int,
    qualifier: str,
    count: int,
    interval: float,
    duration: float,
    mode: str,
    init: float,
    timeout: float | None,
    seed: int,
) -> Scenario:
    one_of("--mode", mode, MODES)
    stimulus_shape(count, interval)
    conc = limits(reserved, provisioned, qualifier)
    fn = FunctionSpec(timeout_s=timeout_for(timeout, duration), directive=directive(duration, "never", init))
    m: Mode = mode  # type: ignore[assignment]  # checked by one_of above
    return Scenario(
        probe="concurrency",
        function=fn,
        stimulus=Stimulus(count=count, interval_s=interval, mode=m),
        source=SourceSpec(kind=m),
        concurrency=conc,
        seed=seed,
        params=(
            ("reserved", reserved),
            ("provisioned", provisioned),
            ("qualifier", qualifier),
            ("count", count),
            ("interval", interval),
            ("duration", duration),
            ("mode", mode),
            ("init", init),
            ("timeout", fn.timeout_s),
            ("seed", seed),
        ),
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
    ran = [r for r in requests if r.attempts]
    cold = sum(1 for r in ran if r.attempts[0].cold)
    warm = len(ran) - cold
    throttled = [r for r in requests if r.final == "throttled"]
    on_provisioned = 0 if qualifier == "latest" else min(warm, provisioned)
    reused = warm - on_provisioned
    out: list[Finding] = [] if gap is None else [gap]
    if mode == "async":
        last = max((r.attempts[0].start_s for r in ran), default=0.0)
        out.append(Finding(
            f"{len(throttled):,} throttled at the API: all {plural(len(requests), 'event')} were accepted (202) and "
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
    head = f"{len(throttled):,} of {len(requests):,} throttled" + (f": {', '.join(where)}" if where else "")
    rules = ["concurrency.reserved"] if reserved is not None else ["concurrency.account-pool"]
    if provisioned:
        rules.append("concurrency.provisioned-spillover")
    out.append(Finding(head, tuple(rules)))
    if throttled:
        reason = next((r.client.reason for r in throttled if r.client and r.client.reason), None)
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
            f"provisioned concurrency is configured on alias live, so calls to $LATEST cannot use it"
            + (f", yet it still holds {provisioned} of the reserved {reserved}" if reserved is not None else ""),
            ("concurrency.provisioned-warm",),
        ))
    elif provisioned and reserved is not None and reserved > provisioned and not throttled and cold:
        out.append(Finding(
            f"not {len(requests) - provisioned} throttled, as often claimed: provisioned concurrency counts toward "
            f"reserved, and calls beyond the {provisioned} provisioned environments spill over to on-demand "
            f"(cold starts) within the reserved {reserved}",
            ("concurrency.provisioned-spillover",),
        ))
    if on_provisioned:
        out.append(Finding(
            "no call on a provisioned environment had a cold start: their init ran when the concurrency was "
            "allocated, before the first call",
            ("concurrency.provisioned-warm",),
        ))
    return out[:4]
