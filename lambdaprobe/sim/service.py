"""The Lambda service model: functions, qualifiers, and one handler execution from admission to end.

Callers (the sync client, the async queue, event-source pollers) ask `execute` to run a batch of
one or more items; it either refuses with a throttle reason or calls back when the execution ends.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lambdaprobe.function.directive import CRASH_ERROR_TYPE, Directive, decide
from lambdaprobe.observation import Attempt, Observations, Outcome
from lambdaprobe.rules import RuleId
from lambdaprobe.rules.constants import INIT_LIMIT_S, TIMEOUT_ERROR_TYPE
from lambdaprobe.scenario import ALIAS_NAME, PUBLISHED_VERSION, FunctionSpec
from lambdaprobe.sim.deployment import Routing
from lambdaprobe.sim.engine import Clock
from lambdaprobe.sim.payloads import error_payload, timeout_payload
from lambdaprobe.sim.pools import RATE_RULES, REASON_RULES, Account, ExecEnv, FunctionPool

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"


@dataclass(slots=True)
class Item:
    """One request carried by an execution (a direct invoke has one; a batch has several).

    Not mutated once made; not `frozen` because a frozen constructor costs twice as much, and a run
    makes one per attempt.
    """

    request_id: str
    attempt: int
    directive: Directive | None  # None: the handler follows its version's configuration
    receive_count: int | None = None


@dataclass(slots=True)
class Execution:
    """How one handler execution went."""

    id: str
    start: float
    end: float
    outcome: Outcome
    cold: bool
    init_s: float
    version: str
    failed: tuple[str, ...] = ()
    error_type: str = ""
    error_message: str = ""
    billed_ms: int = 0
    busy: float = 0.0  # end - start, summed from its phases (equal phases give an equal float)

    @property
    def function_error(self) -> bool:
        return self.outcome != "success"

    def response_payload(self, request_id: str, aws_request_id: str) -> dict[str, Any]:
        """What the function answered, as the runtime shapes it ([runtime.timeout-error],
        [runtime.error-payload]); `aws_request_id` is the invocation's id."""
        if self.outcome == "timeout" or self.error_type == CRASH_ERROR_TYPE:
            # a crash answers like a timeout: the runtime's message, no stack
            return timeout_payload(aws_request_id, self.error_message, self.error_type)
        if self.outcome == "error":
            return error_payload(aws_request_id, self.error_type, self.error_message)
        body: dict[str, Any] = {"ok": True, "request": request_id}
        if self.failed:
            body["batchItemFailures"] = [{"itemIdentifier": i} for i in self.failed]
        return body


@dataclass
class SimFunction:
    name: str
    spec: FunctionSpec
    pool: FunctionPool
    routing: Routing | None = None
    # A version's own directive (its environment), for events that carry none.
    version_directives: dict[str, Directive] = field(default_factory=dict)

    def directive_for(self, version: str) -> Directive:
        return self.version_directives.get(version, self.spec.directive)

    def resolve(self, qualifier: str) -> str:
        """The version a call to `qualifier` runs: a weighted alias picks per call."""
        if self.routing is not None:
            picked = self.routing.version_for(qualifier)
            if picked is not None:
                return picked
        return self.version_of(qualifier)

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.name}"

    def qualified_arn(self, qualifier: str) -> str:
        return f"{self.arn}:{qualifier}"

    @staticmethod
    def version_of(qualifier: str) -> str:
        """The version a qualifier runs: the alias points at the published version."""
        return PUBLISHED_VERSION if qualifier in (ALIAS_NAME, PUBLISHED_VERSION) else "$LATEST"


class LambdaService:
    def __init__(self, clock: Clock, obs: Observations, account: Account) -> None:
        self.clock = clock
        self.obs = obs
        self.account = account
        self.functions: dict[str, SimFunction] = {}
        self.rules = obs.rules  # each rule applied adds its id (see Observations)
        self._executions = 0

    def add_function(
        self,
        name: str,
        spec: FunctionSpec,
        reserved: int | None,
        provisioned: dict[str, int],
        env_lifetime_s: float | None = None,
    ) -> SimFunction:
        fn = SimFunction(name, spec, FunctionPool(name, self.account, reserved, dict(provisioned)))
        # The pool every admission of this function is decided by, and its configuration's limits.
        self.rules.add(RuleId.FUNCTION_LIMITS)
        self.rules.add(RuleId.CONCURRENCY_ACCOUNT_POOL if reserved is None else RuleId.CONCURRENCY_RESERVED)
        if any(provisioned.values()):
            self.rules.update((RuleId.CONCURRENCY_PROVISIONED_SPILLOVER, RuleId.CONCURRENCY_PROVISIONED_WARM))
        if env_lifetime_s is not None:
            fn.pool.env_lifetime_s = env_lifetime_s
            self.rules.add(RuleId.ENVIRONMENT_LIFETIME)
        fn.pool.prewarm()
        self.functions[name] = fn
        return fn

    def execute(
        self,
        fn: SimFunction,
        qualifier: str,
        items: list[Item],
        on_done: Callable[..., None],
        partial_batch: bool = False,
        done_args: tuple[Any, ...] = (),
        rate_limited: bool = False,
    ) -> Execution | str:
        """Start one execution now (its end is planned), or return the throttle reason.

        At the end, `on_done(*done_args, execution)` is called: arguments rather than a closure,
        because a closure per execution is measurable at a million executions. `rate_limited`:
        a direct sync invoke, subject to the requests-per-second quota.
        """
        now = self.clock.now
        version = fn.version_of(qualifier) if fn.routing is None else fn.resolve(qualifier)
        env, cold, reason = fn.pool.acquire(version, now, rate_limited)
        if env is None:
            if rate_limited and fn.pool.rate_refused:
                self.rules.update(RATE_RULES)
            elif reason:
                self.rules.update(REASON_RULES[reason])
            return reason or "TooManyRequestsException"
        if cold:
            env.inits += 1
            if env.inits > 1:
                # [environment.reset] the environment was reset by a timeout: init runs again here
                self.rules.update((RuleId.ENVIRONMENT_RESET, RuleId.ENVIRONMENT_RESET_INIT))
        elif not env.provisioned:
            self.rules.add(RuleId.ENVIRONMENT_WARM_REUSE)  # an idle on-demand environment, reused
        self.rules.add(RuleId.RUNTIME_REPORT_LINE)
        execution = self._plan(fn, env, cold, version, items, partial_batch)
        # Executions of one length end in the order they start: a lane per length keeps the agenda
        # at a handful of entries instead of one per execution in flight.
        self.clock.at_in_lane(
            execution.end, execution.busy, self._finish, fn, env, execution, items, on_done, done_args
        )
        return execution

    def _plan(
        self,
        fn: SimFunction,
        env: ExecEnv,
        cold: bool,
        version: str,
        items: list[Item],
        partial_batch: bool,
    ) -> Execution:
        now = self.clock.now
        timeout = fn.spec.timeout_s
        if len(items) == 1:  # the common case, kept free of list work
            item = items[0]
            decision = decide(item.directive or fn.directive_for(version), item.attempt)
            decisions = [decision]
            duration = decision.duration_s
            first_failing = decision if decision.fail else None
        else:
            decisions = [decide(item.directive or fn.directive_for(version), item.attempt) for item in items]
            # [batch.duration]: one directed duration per invocation, whatever the batch size
            duration = max(d.duration_s for d in decisions)
            self.rules.add(RuleId.BATCH_DURATION)
            first_failing = next((d for d in decisions if d.fail), None)
        init_s = fn.spec.directive.init_s if cold else 0.0
        if cold:
            self.rules.add(RuleId.INIT_SUPPRESSED if init_s > INIT_LIMIT_S else RuleId.INIT_OUTSIDE_TIMEOUT)
            if not env.provisioned:
                self.rules.add(RuleId.INIT_BILLED)
        if cold and init_s > INIT_LIMIT_S:
            # [init.suppressed] init over 10 s is cut, then retried inside the invoke, against the timeout
            # ("suppressed init"): the REPORT line has no Init Duration.
            run = init_s + duration
            busy = INIT_LIMIT_S + (run if run < timeout else timeout)
            init_reported = INIT_LIMIT_S
        else:
            # [init.outside-timeout] init (<= 10 s) is not counted in the function timeout.
            run = duration
            busy = init_s + (run if run < timeout else timeout)
            init_reported = init_s
        # Summed before `now` is added, so equal phases give an equal `busy` and the end can queue
        # in the clock's lane for that length (see execute).
        end = now + busy
        self._executions += 1
        execution = Execution(f"x{self._executions}", now, end, "success", cold, init_reported, version, busy=busy)
        if run > timeout:
            # [environment.reset] a timeout resets the environment: its next invocation runs init
            # again (marked now: the environment is this execution's until it ends)
            env.reset = True
            execution.outcome = "timeout"
            execution.error_type = TIMEOUT_ERROR_TYPE
            # [runtime.timeout-error] the runtime's timeout message, as its log line shows it
            execution.error_message = f"Task timed out after {timeout:.2f} seconds"
            self.rules.add(RuleId.RUNTIME_TIMEOUT_ERROR)
        elif first_failing is not None:
            if partial_batch:
                # [sqs.partial-batch] [stream.partial-batch] only the listed items are retried
                execution.failed = tuple(item.request_id for item, d in zip(items, decisions, strict=True) if d.fail)
            else:
                execution.outcome = "error"
                self.rules.add(RuleId.RUNTIME_ERROR_PAYLOAD)
                execution.error_type = first_failing.error_type
                execution.error_message = first_failing.error_message
        if first_failing is not None and run <= timeout:
            crashed = first_failing if first_failing.crash else next((d for d in decisions if d.crash), None)
            if crashed is not None:
                # [environment.reset] the runtime exited: the whole invocation fails (no partial batch
                # response), and its environment is reset like a timed-out one
                env.reset = True
                self.rules.add(RuleId.ENVIRONMENT_RESET)
                execution.failed = ()
                execution.outcome = "error"
                execution.error_type = crashed.error_type
                execution.error_message = crashed.error_message
        # [init.billed] init is billed when it runs in the invocation (a cold start, or the re-init after
        # a reset [environment.reset]); provisioned environments were initialised ahead, so their `busy`
        # holds no init. [runtime.report-line] the billed duration is the REPORT line's.
        billed_s = busy
        billed_ms = math.ceil(billed_s * 1000 - 1e-6)
        execution.billed_ms = billed_ms if billed_ms > 1 else 1
        return execution

    def _finish(
        self,
        fn: SimFunction,
        env: ExecEnv,
        execution: Execution,
        items: list[Item],
        on_done: Callable[..., None],
        done_args: tuple[Any, ...],
    ) -> None:
        fn.pool.release(env)
        if fn.routing is not None:
            fn.routing.observe(execution.version, execution.function_error)
        failed = set(execution.failed) if execution.failed else None
        base_error = execution.error_message or None
        append = self.obs.attempts.append
        for item in items:
            outcome: Outcome = execution.outcome
            error = base_error
            if failed is not None and item.request_id in failed:
                outcome, error = "error", "reported in batchItemFailures"
            append(
                Attempt(
                    item.request_id,
                    item.attempt,
                    execution.start,
                    execution.end,
                    outcome,
                    execution.id,
                    execution.cold,
                    execution.init_s,
                    error,
                    item.receive_count,
                    execution.version,
                    env.id,
                    env.provisioned,
                    execution.billed_ms,
                )
            )
        on_done(*done_args, execution)
