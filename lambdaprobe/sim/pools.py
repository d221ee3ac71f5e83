"""Concurrency: the account pool, reserved and provisioned concurrency, the scaling rate, and the
execution environments that hold the slots."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from lambdaprobe.rules import RuleId
from lambdaprobe.rules import constants as c
from lambdaprobe.rules.constants import (
    ACCOUNT_CONCURRENCY_LIMIT,
    ACCOUNT_LIMIT,
    MIN_UNRESERVED,
    RESERVED_LIMIT,
    SCALING_BURST,
    SCALING_LIMIT,
    SCALING_WINDOW_S,
)

# [concurrency.rps-reason] the requests-per-second quota's reasons: AWS documents the quota, not which
# of the rate reasons a refused call gets.
RESERVED_RATE_LIMIT = "ReservedFunctionInvocationRateLimitExceeded"
RATE_LIMIT = "FunctionInvocationRateLimitExceeded"
# [concurrency.requests-per-second] sync invokes per second: 10 x the concurrency available to the
# function (reserved, else the account's), and 10 x provisioned for a qualifier with provisioned concurrency.
REQUESTS_PER_S_PER_CONCURRENCY = c.REQUESTS_PER_S_PER_CONCURRENCY
RATE_WINDOW_S = 1.0
RATE_RULES = (
    RuleId.THROTTLE_ERROR,
    RuleId.CONCURRENCY_REQUESTS_PER_SECOND,
    RuleId.CONCURRENCY_RPS_WINDOW,
    RuleId.CONCURRENCY_RPS_REASON,
)

# [concurrency.scaling-rate] each function may add 1,000 execution environments every 10 s, refilled continuously.
SCALING_REFILL_PER_S = SCALING_BURST / SCALING_WINDOW_S

# Which rule refuses a call, by the throttle reason it gets.
REASON_RULES: dict[str, tuple[RuleId, ...]] = {
    RESERVED_LIMIT: (RuleId.THROTTLE_ERROR, RuleId.CONCURRENCY_RESERVED),
    ACCOUNT_LIMIT: (RuleId.THROTTLE_ERROR, RuleId.CONCURRENCY_ACCOUNT_POOL),
    SCALING_LIMIT: (RuleId.THROTTLE_ERROR, RuleId.CONCURRENCY_SCALING_RATE, RuleId.CONCURRENCY_SCALING_REASON),
    # the requests-per-second quota (concurrency.rps-reason); its unreserved Reason is the scaling
    # rate's too, so a pool says which refused (FunctionPool.rate_refused)
    RESERVED_RATE_LIMIT: RATE_RULES,
}


@dataclass(slots=True)
class ExecEnv:
    """One execution environment: bound to one version, provisioned or on-demand."""

    id: str
    version: str
    provisioned: bool
    busy: bool = False
    created: float = 0.0
    # A timeout (or a runtime exit) resets the environment: its next invocation runs init again.
    reset: bool = False
    inits: int = 0


class RateWindow:
    """At most `limit` admissions in any sliding window of RATE_WINDOW_S [concurrency.rps-window].

    A ring of the last `limit` admission times: a call is admitted when the oldest of them is at
    least a window old. O(1) per call, no loop; the ring is made on first use.
    """

    __slots__ = ("at", "limit", "times")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.times: list[float] | None = None
        self.at = 0

    def admit(self, now: float) -> bool:
        times = self.times
        if times is None:
            if self.limit <= 0:
                return False
            times = self.times = [-math.inf] * self.limit
        at = self.at
        if times[at] > now - RATE_WINDOW_S:
            return False
        times[at] = now
        at += 1
        self.at = at if at < self.limit else 0
        return True


@dataclass
class Account:
    """The Region's concurrency pool [concurrency.account-pool]: `limit`, of which `min_unreserved`
    never gets reserved."""

    limit: int = ACCOUNT_CONCURRENCY_LIMIT
    min_unreserved: int = MIN_UNRESERVED
    reserved_total: int = 0
    unreserved_provisioned: int = 0
    unreserved_in_flight: int = 0

    @property
    def unreserved_capacity(self) -> int:
        # [concurrency.provisioned-spillover] provisioned concurrency of a function without reserved
        # concurrency draws on the unreserved pool; [concurrency.reserved] reserved is carved out of it.
        return self.limit - self.reserved_total - self.unreserved_provisioned


@dataclass
class FunctionPool:
    """One function's share of concurrency, its environments and its scaling bucket."""

    name: str
    account: Account
    reserved: int | None
    provisioned: dict[str, int] = field(default_factory=dict)
    on_demand_in_flight: int = 0
    in_flight: int = 0
    # Idle environments per version: provisioned ones, and on-demand ones (warm for reuse).
    idle_provisioned: dict[str, list[ExecEnv]] = field(default_factory=dict)
    idle_on_demand: dict[str, list[ExecEnv]] = field(default_factory=dict)
    tokens: float = float(SCALING_BURST)
    tokens_at: float = 0.0
    env_count: int = 0
    on_demand_cap: int | None = None
    # None: idle environments live for the whole run [environment.lifetime]
    env_lifetime_s: float | None = None
    rate: RateWindow = field(default_factory=lambda: RateWindow(0))  # set in __post_init__
    rate_refused: bool = False  # the last refusal was the requests-per-second quota's
    provisioned_rate: dict[str, RateWindow] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Fixed for the run; read on every admission.
        self.on_demand_cap = None if self.reserved is None else self.reserved - self.provisioned_total
        if self.reserved is not None:
            self.account.reserved_total += self.reserved
        else:
            self.account.unreserved_provisioned += sum(self.provisioned.values())
        available = self.account.limit if self.reserved is None else self.reserved
        self.rate = RateWindow(REQUESTS_PER_S_PER_CONCURRENCY * available)
        self.provisioned_rate = {
            v: RateWindow(REQUESTS_PER_S_PER_CONCURRENCY * n) for v, n in self.provisioned.items() if n
        }

    @property
    def rate_reason(self) -> str:
        return RATE_LIMIT if self.reserved is None else RESERVED_RATE_LIMIT

    def _rate_admits(self, version: str, now: float) -> bool:
        """A sync call to a qualifier with provisioned concurrency counts against that qualifier's
        window first, then the function's [concurrency.rps-window]."""
        if self.provisioned_rate:
            own = self.provisioned_rate.get(version)
            if own is not None and own.admit(now):
                return True
        if self.rate.admit(now):
            return True
        self.rate_refused = True
        return False

    @property
    def provisioned_total(self) -> int:
        return sum(self.provisioned.values())

    def prewarm(self) -> list[ExecEnv]:
        """[concurrency.provisioned-warm] provisioned environments are initialised before any request."""
        made = []
        for version, count in sorted(self.provisioned.items()):
            for _ in range(count):
                env = self._new_env(version, provisioned=True)
                self.idle_provisioned[version].append(env)
                made.append(env)
        return made

    def acquire(
        self, version: str, now: float, rate_limited: bool = False
    ) -> tuple[ExecEnv | None, bool, str | None]:
        """A free environment for `version`: (env, cold, None), or (None, False, throttle reason).

        `rate_limited` calls (sync invokes) also count against the requests-per-second quota,
        checked after concurrency: a call refused for concurrency uses none of it.
        """
        if rate_limited:
            self.rate_refused = False
        provisioned_idle = self.idle_provisioned.get(version)
        if provisioned_idle:
            if rate_limited and not self._rate_admits(version, now):
                return None, False, self.rate_reason
            env = provisioned_idle.pop()
            env.busy = True
            self.in_flight += 1
            cold = env.reset
            env.reset = False
            return env, cold, None
        # [concurrency.provisioned-spillover] beyond provisioned, requests spill over to on-demand
        # within the reserved (or unreserved) pool; provisioned counts toward reserved, busy or not.
        if self.on_demand_cap is not None:
            if self.on_demand_in_flight >= self.on_demand_cap:
                return None, False, RESERVED_LIMIT
        elif self.account.unreserved_in_flight >= self.account.unreserved_capacity:
            return None, False, ACCOUNT_LIMIT
        on_demand_idle = self.idle_on_demand.get(version)
        if on_demand_idle and self.env_lifetime_s is not None:
            self._retire_expired(on_demand_idle, now)
        if on_demand_idle:
            if rate_limited and not self._rate_admits(version, now):
                return None, False, self.rate_reason
            env = on_demand_idle.pop()  # [environment.warm-reuse]: most recently freed first
            cold = env.reset
            env.reset = False
        else:
            self._refill(now)
            if self.tokens < 1.0:
                return None, False, SCALING_LIMIT
            if rate_limited and not self._rate_admits(version, now):
                return None, False, self.rate_reason
            self.tokens -= 1.0
            env = self._new_env(version, provisioned=False, now=now)
            cold = True
        env.busy = True
        self.in_flight += 1
        self.on_demand_in_flight += 1
        if self.reserved is None:
            self.account.unreserved_in_flight += 1
        return env, cold, None

    def release(self, env: ExecEnv) -> None:
        env.busy = False
        self.in_flight -= 1
        if env.provisioned:
            self.idle_provisioned[env.version].append(env)
            return
        self.on_demand_in_flight -= 1
        if self.reserved is None:
            self.account.unreserved_in_flight -= 1
        self.idle_on_demand[env.version].append(env)

    def _retire_expired(self, idle: list[ExecEnv], now: float) -> None:
        """Shut down idle environments that outlived --env-lifetime [environment.lifetime].

        Only the ones next in line are looked at: an expired one further down is dropped when it
        comes up, so no call ever runs on it, and an acquire stays O(1)."""
        lifetime = self.env_lifetime_s
        assert lifetime is not None
        while idle and now - idle[-1].created >= lifetime:
            idle.pop()

    def _refill(self, now: float) -> None:
        self.tokens = min(float(SCALING_BURST), self.tokens + (now - self.tokens_at) * SCALING_REFILL_PER_S)
        self.tokens_at = now

    def _new_env(self, version: str, provisioned: bool, now: float = 0.0) -> ExecEnv:
        self.env_count += 1
        (self.idle_provisioned if provisioned else self.idle_on_demand).setdefault(version, [])  # see release
        # a provisioned environment was initialised ahead: its next init would be a re-init
        return ExecEnv(f"{self.name}-env{self.env_count}", version, provisioned, created=now, inits=int(provisioned))
