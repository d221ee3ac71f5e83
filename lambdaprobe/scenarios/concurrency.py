"""`concurrency`: how many calls are throttled under reserved and provisioned concurrency?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, get_args

from lambdaprobe.answer import missing, plural, seconds
from lambdaprobe.errors import InputError
from lambdaprobe.report import Finding, Report
from lambdaprobe.rules import constants as c
from lambdaprobe.scenario import (
    AsyncConfig,
    ConcurrencySpec,
    DestinationKind,
    DlqKind,
    FunctionSpec,
    Mode,
    Qualifier,
    Scenario,
    SourceSpec,
    Stimulus,
)
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
# [concurrency.account-pool] the account's concurrency quota: 1,000 by default; new accounts may start
# lower, and a quota increase raises it. 100 of it always stays unreserved (all of it, below 100).
ACCOUNT_LIMIT_DEFAULT = c.ACCOUNT_CONCURRENCY_LIMIT
ACCOUNT_LIMIT_RANGE = (c.ACCOUNT_CONCURRENCY_LIMIT_MIN, c.ACCOUNT_CONCURRENCY_LIMIT_MAX)
MIN_UNRESERVED = c.MIN_UNRESERVED
ENV_LIFETIME_RANGE = (1, 86_400)
NONE = "none"
DLQ_KINDS = (*get_args(DlqKind), NONE)
# s3 is an async on-failure destination too, but not probed by concurrency
DESTINATION_KINDS = ("sqs", "sns", "lambda", "eventbridge", NONE)
ASYNC_ONLY = ("async",)


@dataclass(frozen=True)
class ConcurrencyOptions:
    """The concurrency command's options, declared once (help, choices, ranges, params)."""

    APPLIES_BY: ClassVar[str] = "mode"

    reserved: int | None = option(None, "Reserved concurrency: a guarantee and a cap for the function.",
                                  range="0..(--account-limit - 100), 0..900 by default", default_text="none")
    provisioned: int = option(0, "Provisioned concurrency on the alias or version (counts toward --reserved).",
                              range="0..(--account-limit - 100)")
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
    account_limit: int = option(
        ACCOUNT_LIMIT_DEFAULT, "[sim] The account's concurrency limit (new accounts may have less); 100 of it "
        "always stays unreserved. Above 1000 the scaling rate (1,000 new environments per 10 s per function) "
        "can bind. On --target aws the account's own limit applies.",
        low=ACCOUNT_LIMIT_RANGE[0], high=ACCOUNT_LIMIT_RANGE[1],
    )
    env_lifetime: float | None = option(
        None, "[sim] Seconds an on-demand execution environment lives before Lambda recycles it (an assumption: "
        "AWS documents no lifetime).", low=ENV_LIFETIME_RANGE[0], high=ENV_LIFETIME_RANGE[1],
        default_text="none, every environment lives for the whole run",
    )
    dlq: str = option(NONE, "The function's DLQ, which gets the original event.", choices=DLQ_KINDS,
                      applies=ASYNC_ONLY)
    on_failure: str = option(NONE, "On-failure destination (the invocation record).", choices=DESTINATION_KINDS,
                             applies=ASYNC_ONLY)
    max_event_age: int | None = option(
        None, "MaximumEventAgeInSeconds: events throttled longer expire.", applies=ASYNC_ONLY,
        low=c.ASYNC_MAX_EVENT_AGE_MIN_S, high=c.ASYNC_MAX_EVENT_AGE_S, default_text=str(c.ASYNC_MAX_EVENT_AGE_S),
    )
    max_retry_attempts: int | None = option(
        None, "MaximumRetryAttempts.", applies=ASYNC_ONLY, low=0, high=c.ASYNC_MAX_RETRY_ATTEMPTS,
        default_text=str(c.ASYNC_MAX_RETRY_ATTEMPTS),
    )


def reservable(account_limit: int) -> int:
    """How much of the account's limit may be reserved: all but the unreserved minimum."""
    return max(0, account_limit - MIN_UNRESERVED)


def limits(
    reserved: int | None,
    provisioned: int,
    qualifier: str,
    account_limit: int = ACCOUNT_LIMIT_DEFAULT,
    env_lifetime: float | None = None,
) -> ConcurrencySpec:
    """Reserved within the pool that may be reserved, provisioned within reserved
    ([concurrency.reserved] [concurrency.provisioned-spillover] [concurrency.account-pool])."""
    in_range("--account-limit", account_limit, *ACCOUNT_LIMIT_RANGE)
    most = reservable(account_limit)
    q = choose("--qualifier", qualifier, QUALIFIERS)
    if reserved is not None:
        in_range("--reserved", reserved, 0, most)
    in_range("--provisioned", provisioned, 0, most)
    if reserved is not None and provisioned > reserved:
        raise InputError(
            "--provisioned",
            f"{provisioned} exceeds --reserved {reserved}; provisioned concurrency counts toward "
            f"reserved, so allowed: 0..{reserved}",
        )
    if env_lifetime is not None:
        in_range("--env-lifetime", env_lifetime, *ENV_LIFETIME_RANGE)
    return ConcurrencySpec(
        reserved=reserved,
        provisioned=provisioned,
        qualifier=q,
        account_limit=account_limit,
        min_unreserved=min(MIN_UNRESERVED, account_limit),
        env_lifetime_s=env_lifetime,
    )


def async_config(o: ConcurrencyOptions) -> AsyncConfig:
    """[async.retry-config] the event invoke config, DLQ and on-failure destination (--mode async)."""
    retries = c.ASYNC_MAX_RETRY_ATTEMPTS if o.max_retry_attempts is None else o.max_retry_attempts
    age = c.ASYNC_MAX_EVENT_AGE_S if o.max_event_age is None else o.max_event_age
    dlq: DlqKind | None = None if o.dlq == NONE else choose("--dlq", o.dlq, get_args(DlqKind))
    on_failure: DestinationKind | None = (
        None if o.on_failure == NONE else choose("--on-failure", o.on_failure, get_args(DestinationKind))
    )
    return AsyncConfig(max_retry_attempts=retries, max_event_age_s=age, dlq=dlq, on_failure=on_failure)


def build(options: ConcurrencyOptions | None = None, /, **given: Any) -> Scenario:
    o = options or ConcurrencyOptions(**given)
    check(o)
    mode = choose("--mode", o.mode, MODES)
    times = traffic(o.arrivals, o.count, o.interval, o.seed)
    count = o.count if times is None else len(times)
    conc = limits(o.reserved, o.provisioned, o.qualifier, o.account_limit, o.env_lifetime)
    fn = FunctionSpec(timeout_s=timeout_for(o.timeout, o.duration), directive=directive(o.duration, "never", o.init))
    config = async_config(o)
    resolved: dict[str, object] = {"timeout": fn.timeout_s, "count": count}
    if mode == "async":
        resolved |= {"max_retry_attempts": config.max_retry_attempts, "max_event_age": config.max_event_age_s}
    return Scenario(
        probe="concurrency",
        function=fn,
        stimulus=Stimulus(count=count, interval_s=o.interval, mode=mode, times=times),
        source=SourceSpec(kind=mode),
        concurrency=conc,
        async_config=config,
        seed=o.seed,
        params=params(o, resolved) + shaped(o.arrivals, times),
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
        n_throttled, first_reason = requests.throttled()  # type: ignore[attr-defined]
    else:
        ran = [r for r in requests if r.attempts]
        n_ran, cold = len(ran), sum(1 for r in ran if r.attempts[0].cold)
        last = max((r.attempts[0].start_s for r in ran), default=0.0)
        throttled = [r for r in requests if r.final == "throttled"]
        n_throttled = len(throttled)
        first_reason = next((r.client.reason for r in throttled if r.client and r.client.reason), None)
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
        lettered = sum(1 for r in requests if r.final in ("dead_lettered", "expired"))
        if lettered:
            why = ("reserved concurrency 0: Lambda sends each event on at once, without running it"
                   if reserved == 0 else "they were throttled past MaximumEventAgeInSeconds")
            out.append(Finding(
                f"{plural(lettered, 'event')} never ran: {why}; a DLQ gets the event, an on-failure "
                "destination its record, when configured",
                ("async.reserved-zero",) if reserved == 0 else ("async.age-check", "dlq.message"),
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
    relied = {str(r["id"]) for r in report.rules}
    if n_throttled and "concurrency.requests-per-second" in relied:
        per_s = 10 * (int(reserved) if reserved is not None else int(p.get("account_limit") or 1000))
        out.append(Finding(
            f"short calls are throttled by rate, not by concurrency: sync invokes are limited to 10 x the "
            f"function's concurrency per second ({per_s:,}/s here); the calls over it got 429",
            ("concurrency.requests-per-second", "concurrency.rps-reason", "throttle.error"),
        ))
    elif n_throttled:
        reason = first_reason
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
