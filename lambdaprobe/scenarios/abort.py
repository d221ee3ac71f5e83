"""`abort`: what happens to the function when its caller gives up? ([caller.gives-up])"""

from __future__ import annotations

from lambdaprobe.errors import InputError
from lambdaprobe.report import Report
from lambdaprobe.rules.constants import (
    APIGATEWAY_TIMEOUT_S,  # [apigateway.integration-timeout] the REST integration timeout's default
)
from lambdaprobe.scenario import Caller, FunctionSpec, Scenario, SdkConfig, SdkRetryMode, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import directive, in_range, one_of, timeout_for

CALLERS = ("apigateway", "sdk")
SDK_MODES = ("off", "legacy", "standard")


def build(
    *, caller: str, duration: float, timeout: float | None, read_timeout: float | None, sdk_retries: str | None,
    init: float, seed: int,
) -> Scenario:
    one_of("--caller", caller, CALLERS)
    if caller == "apigateway":
        if sdk_retries is not None:
            raise InputError("--sdk-retries", "applies only to --caller sdk (API Gateway never retries)")
        wait = APIGATEWAY_TIMEOUT_S if read_timeout is None else read_timeout
        in_range("--read-timeout", wait, 1, APIGATEWAY_TIMEOUT_S)
        mode: str = "off"
    else:
        wait = 60.0 if read_timeout is None else read_timeout
        in_range("--read-timeout", wait, 1, 3600)
        mode = "legacy" if sdk_retries is None else sdk_retries  # boto3's default mode
        one_of("--sdk-retries", mode, SDK_MODES)
    fn = FunctionSpec(timeout_s=timeout_for(timeout, duration), directive=directive(duration, "never", init))
    c: Caller = caller  # type: ignore[assignment]  # checked by one_of above
    m: SdkRetryMode = mode  # type: ignore[assignment]
    return Scenario(
        probe="abort",
        function=fn,
        stimulus=Stimulus(count=1, mode="sync"),
        source=SourceSpec(kind="sync"),
        sdk=SdkConfig(retry_mode=m, read_timeout_s=wait, caller=c),
        seed=seed,
        params=(
            ("caller", caller), ("duration", duration), ("timeout", fn.timeout_s), ("read_timeout", wait),
            ("sdk_retries", mode), ("init", init), ("seed", seed),
        ),
    )


def findings(report: Report) -> list[str]:
    if not report.requests:
        return []
    request = report.requests[0]
    client = request.client
    runs = request.attempts
    billed = sum(a.billed_ms or 0 for a in runs)
    ran_on = max((a.end_s for a in runs), default=0.0)
    answer = "no answer" if client is None else f"{client.status or 'no HTTP status'} {client.error or ''}".strip()
    gave_up = client.latency_s if client else 0.0
    return [
        f"finding: the caller got {answer} after {gave_up:g} s; the function ran {len(runs)} time(s), the last "
        f"until {ran_on:g} s, billed {billed:,} ms in all: a caller giving up does not stop an invocation"
    ]
