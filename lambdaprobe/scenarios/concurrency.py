"""`concurrency`: how many calls are throttled under reserved and provisioned concurrency?"""

from __future__ import annotations

from dataclasses import dataclass

from lambdaprobe.errors import InputError
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
from lambdaprobe.scenarios.common import directive, in_range, one_of, stimulus_shape, timeout_for

QUALIFIERS = ("alias", "latest", "version")
MODES = ("sync", "async")
# The account's concurrency quota: 1,000 by default; new accounts may start lower, and a quota
# increase raises it. Lambda keeps 100 of it unreserved (or all of it, below 100).
ACCOUNT_LIMIT_DEFAULT = c.ACCOUNT_CONCURRENCY_LIMIT
ACCOUNT_LIMIT_RANGE = (c.ACCOUNT_CONCURRENCY_LIMIT_MIN, c.ACCOUNT_CONCURRENCY_LIMIT_MAX)
MIN_UNRESERVED = c.MIN_UNRESERVED
ENV_LIFETIME_RANGE = (1, 86_400)
DLQ_KINDS = ("sqs", "sns", "none")
DESTINATION_KINDS = ("sqs", "sns", "lambda", "eventbridge", "none")


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
    one_of("--qualifier", qualifier, QUALIFIERS)
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
    q: Qualifier = qualifier  # type: ignore[assignment]  # checked by one_of above
    return ConcurrencySpec(
        reserved=reserved,
        provisioned=provisioned,
        qualifier=q,
        account_limit=account_limit,
        min_unreserved=min(MIN_UNRESERVED, account_limit),
        env_lifetime_s=env_lifetime,
    )


@dataclass(frozen=True)
class AsyncOptions:
    """`--mode async` only: the function's event invoke config, DLQ and on-failure destination."""

    dlq: str = "none"
    on_failure: str = "none"
    max_event_age: int | None = None
    max_retry_attempts: int | None = None

    def given(self) -> bool:
        return (self.dlq, self.on_failure, self.max_event_age, self.max_retry_attempts) != ("none", "none", None, None)


def async_config(o: AsyncOptions) -> AsyncConfig:
    # [async.retry-config] MaximumRetryAttempts 0..2, MaximumEventAgeInSeconds 60..21600
    retries = 2 if o.max_retry_attempts is None else o.max_retry_attempts
    in_range("--max-retry-attempts", retries, 0, 2)
    age = 21600 if o.max_event_age is None else o.max_event_age
    in_range("--max-event-age", age, 60, 21600)
    one_of("--dlq", o.dlq, DLQ_KINDS)
    one_of("--on-failure", o.on_failure, DESTINATION_KINDS)
    dlq: DlqKind | None = None if o.dlq == "none" else o.dlq  # type: ignore[assignment]
    on_failure: DestinationKind | None = None if o.on_failure == "none" else o.on_failure  # type: ignore[assignment]
    return AsyncConfig(max_retry_attempts=retries, max_event_age_s=age, dlq=dlq, on_failure=on_failure)


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
    account_limit: int = ACCOUNT_LIMIT_DEFAULT,
    env_lifetime: float | None = None,
    asynchronous: AsyncOptions | None = None,
) -> Scenario:
    one_of("--mode", mode, MODES)
    stimulus_shape(count, interval)
    conc = limits(reserved, provisioned, qualifier, account_limit, env_lifetime)
    fn = FunctionSpec(timeout_s=timeout_for(timeout, duration), directive=directive(duration, "never", init))
    m: Mode = mode  # type: ignore[assignment]  # checked by one_of above
    given = asynchronous or AsyncOptions()
    if mode != "async" and given.given():
        raise InputError(
            "--dlq/--on-failure/--max-event-age/--max-retry-attempts", "apply only to --mode async"
        )
    config = async_config(given)
    params: list[tuple[str, object]] = [
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
    ]
    if account_limit != ACCOUNT_LIMIT_DEFAULT:
        params.append(("account_limit", account_limit))
    if env_lifetime is not None:
        params.append(("env_lifetime", env_lifetime))
    if mode == "async":
        params += [
            ("max_retry_attempts", config.max_retry_attempts),
            ("max_event_age", config.max_event_age_s),
            ("dlq", given.dlq),
            ("on_failure", given.on_failure),
        ]
    return Scenario(
        probe="concurrency",
        function=fn,
        stimulus=Stimulus(count=count, interval_s=interval, mode=m),
        source=SourceSpec(kind=m),
        concurrency=conc,
        async_config=config,
        seed=seed,
        params=tuple(params),
    )
