"""The synchronous caller: an SDK client invoking RequestResponse, with botocore's retry modes.

Lambda never retries a sync invoke [sync.no-retry]; what looks like a Lambda retry is the client's
[sdk.retry-modes] [sdk.resend-after-read-timeout].
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import ClientResult, Final, Observations, Settled, Throttle
from lambdaprobe.rules import RuleId
from lambdaprobe.rules.constants import (
    SDK_MAX_ATTEMPTS,
    SDK_STANDARD_BACKOFF_CAP_S,
    THROTTLE_MESSAGE,
    THROTTLE_STATUS,
    THROTTLE_TYPE,
)
from lambdaprobe.scenario import SdkConfig
from lambdaprobe.sim.service import Execution, Item, LambdaService, SimFunction

STANDARD_BACKOFF_CAP_S = SDK_STANDARD_BACKOFF_CAP_S
_SYNC_RULES = (RuleId.SYNC_NO_RETRY, RuleId.SYNC_STATUS)
_SDK_RETRY_RULES = (RuleId.SDK_RETRY_MODES, RuleId.SDK_BACKOFF_SEEDED)


def backoff_s(mode: str, failed_attempts: int, rng: random.Random) -> float:
    """Delay before the next attempt after `failed_attempts` failures [sdk.retry-modes]."""
    if mode == "standard":
        return rng.random() * min(2.0 ** (failed_attempts - 1), STANDARD_BACKOFF_CAP_S)
    # legacy: base "rand", growth factor 2 (botocore data/_retry.json)
    return rng.random() * 2.0 ** (failed_attempts - 1)


@dataclass
class Call:
    request_id: str
    directive: Directive | None
    qualifier: str
    t0: float
    api_attempts: int = 0
    executions: int = 0
    answered: bool = False


class SyncClient:
    def __init__(self, service: LambdaService, fn: SimFunction, sdk: SdkConfig, seed: int) -> None:
        self.service = service
        self.clock = service.clock
        self.obs: Observations = service.obs
        self.fn = fn
        self.sdk = sdk
        self.rng = random.Random(f"sdk:{seed}")

    def call(self, request_id: str, directive: Directive | None, qualifier: str) -> None:
        self.service.rules.update(_SYNC_RULES)
        self._send(Call(request_id, directive, qualifier, self.clock.now))

    def _send(self, call: Call) -> None:
        call.api_attempts += 1
        started = self.service.execute(
            self.fn,
            call.qualifier,
            [Item(call.request_id, call.executions + 1, call.directive)],
            lambda ex: self._answered(call, ex),
            rate_limited=True,
        )
        if isinstance(started, str):
            # [throttle.error] 429 TooManyRequestsException with the pool's Reason
            self.obs.throttles.append(Throttle(call.request_id, self.clock.now, started))
            if not self._retry(call):
                self._finish(call, THROTTLE_STATUS, "TooManyRequestsException", started, throttled=True)
            return
        call.executions += 1
        if started.end - self.clock.now > self.sdk.read_timeout_s:
            # [caller.gives-up] the client stops reading; the function runs on to its own end or timeout.
            self.clock.after(self.sdk.read_timeout_s, self._read_timeout, call, started)

    def _read_timeout(self, call: Call, ex: Execution) -> None:
        # only the caller gave up on `ex`: the execution itself runs on to its end or timeout
        self.service.rules.add(RuleId.CALLER_GIVES_UP)
        if self.sdk.caller == "apigateway":
            # [apigateway.integration-timeout] [apigateway.timeout-range] the gateway answers 504 at its
            # integration timeout; it never retries
            self.service.rules.update((RuleId.APIGATEWAY_INTEGRATION_TIMEOUT, RuleId.APIGATEWAY_TIMEOUT_RANGE))
            self._finish(call, 504, "Endpoint request timed out", None)
        else:
            self.service.rules.add(RuleId.SDK_TIMEOUTS)
            if self._retry(call):
                self.service.rules.add(RuleId.SDK_RESEND_AFTER_READ_TIMEOUT)
            else:
                self._finish(call, 0, "ReadTimeoutError", None)

    def _answered(self, call: Call, ex: Execution) -> None:
        if call.answered or ex.end - ex.start > self.sdk.read_timeout_s:
            return  # nobody is reading this answer any more
        # [sync.status] a function error is still 200, with FunctionError set
        self._finish(call, 200, "Unhandled" if ex.function_error else None, None)

    def _retry(self, call: Call) -> bool:
        if call.api_attempts >= SDK_MAX_ATTEMPTS[self.sdk.retry_mode]:
            return False
        self.service.rules.update(_SDK_RETRY_RULES)
        self.clock.after(backoff_s(self.sdk.retry_mode, call.api_attempts, self.rng), self._send, call)
        return True

    def _finish(
        self, call: Call, status: int, error: str | None, reason: str | None, throttled: bool = False
    ) -> None:
        call.answered = True
        now = self.clock.now
        result = ClientResult(call.request_id, now, status, now - call.t0, error, reason)
        if throttled:  # [throttle.error] the body beside the Reason
            result.message, result.error_type = THROTTLE_MESSAGE, THROTTLE_TYPE
        self.obs.client_results.append(result)
        final: Final
        if status == 200 and error is None:
            final = "succeeded"
        elif status == 429 and call.executions == 0:
            final = "throttled"
        else:
            final = "failed"
        self.obs.settled.append(Settled(call.request_id, now, final))
