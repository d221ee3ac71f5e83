"""Concurrency: the account pool, reserved and provisioned concurrency, the scaling rate, and the
execution environments that hold the slots."""

from __future__ import annotations

from dataclasses import dataclass, field

from lambdaprobe.rules import RuleId
from lambdaprobe.rules.constants import (
    ACCOUNT_CONCURRENCY_LIMIT,
    ACCOUNT_LIMIT,
    MIN_UNRESERVED,
    RESERVED_LIMIT,
    SCALING_BURST,
    SCALING_LIMIT,
    SCALING_WINDOW_S,
)

# [concurrency.scaling-rate] each function may add 1,000 execution environments every 10 s, refilled continuously.
SCALING_REFILL_PER_S = SCALING_BURST / SCALING_WINDOW_S

# Which rule refuses a call, by the throttle reason it gets.
REASON_RULES: dict[str, tuple[RuleId, ...]] = {
    RESERVED_LIMIT: (RuleId.THROTTLE_ERROR, RuleId.CONCURRENCY_RESERVED),
    ACCOUNT_LIMIT: (RuleId.THROTTLE_ERROR, RuleId.CONCURRENCY_ACCOUNT_POOL),
    SCALING_LIMIT: (RuleId.THROTTLE_ERROR, RuleId.CONCURRENCY_SCALING_RATE, RuleId.CONCURRENCY_SCALING_REASON),
}


@dataclass(slots=True)
class ExecEnv:
    """One execution environment: bound to one version, provisioned or on-demand."""

    id: str
    version: str
    provisioned: bool
    busy: bool = False


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

    def __post_init__(self) -> None:
        # Fixed for the run; read on every admission.
        self.on_demand_cap = None if self.reserved is None else self.reserved - self.provisioned_total
        if self.reserved is not None:
            self.account.reserved_total += self.reserved
        else:
            self.account.unreserved_provisioned += sum(self.provisioned.values())

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

    def acquire(self, version: str, now: float) -> tuple[ExecEnv | None, bool, str | None]:
        """A free environment for `version`: (env, cold, None), or (None, False, throttle reason)."""
        provisioned_idle = self.idle_provisioned.get(version)
        if provisioned_idle:
            env = provisioned_idle.pop()
            env.busy = True
            self.in_flight += 1
            return env, False, None
        # [concurrency.provisioned-spillover] beyond provisioned, requests spill over to on-demand
        # within the reserved (or unreserved) pool; provisioned counts toward reserved, busy or not.
        if self.on_demand_cap is not None:
            if self.on_demand_in_flight >= self.on_demand_cap:
                return None, False, RESERVED_LIMIT
        elif self.account.unreserved_in_flight >= self.account.unreserved_capacity:
            return None, False, ACCOUNT_LIMIT
        on_demand_idle = self.idle_on_demand.get(version)
        if on_demand_idle:
            env = on_demand_idle.pop()  # [environment.warm-reuse]: most recently freed first
            cold = False
        else:
            self._refill(now)
            if self.tokens < 1.0:
                return None, False, SCALING_LIMIT
            self.tokens -= 1.0
            env = self._new_env(version, provisioned=False)
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

    def _refill(self, now: float) -> None:
        self.tokens = min(float(SCALING_BURST), self.tokens + (now - self.tokens_at) * SCALING_REFILL_PER_S)
        self.tokens_at = now

    def _new_env(self, version: str, provisioned: bool) -> ExecEnv:
        self.env_count += 1
        (self.idle_provisioned if provisioned else self.idle_on_demand).setdefault(version, [])  # see release
        return ExecEnv(f"{self.name}-env{self.env_count}", version, provisioned)
