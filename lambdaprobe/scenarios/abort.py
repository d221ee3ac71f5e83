"""`abort`: what happens to the function when its caller gives up? ([caller.gives-up])"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, get_args

from lambdaprobe.answer import missing, plural, seconds
from lambdaprobe.errors import InputError
from lambdaprobe.report import Finding, Report
from lambdaprobe.rules.constants import (
    APIGATEWAY_TIMEOUT_MIN_S,
    APIGATEWAY_TIMEOUT_RAISED_MAX_S,
    APIGATEWAY_TIMEOUT_S,  # [apigateway.integration-timeout] the REST integration timeout's default
)
from lambdaprobe.scenario import Caller, FunctionSpec, Scenario, SdkConfig, SdkRetryMode, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import MAX_DURATION_S, MAX_INIT_S, TIMEOUT_RANGE, directive, in_range, timeout_for
from lambdaprobe.scenarios.declare import check, choose, option, params
from lambdaprobe.scenarios.retry import DEFAULT_SDK_RETRIES, SDK_READ_TIMEOUT_S

CALLERS: tuple[Caller, ...] = ("apigateway", "sdk")
SDK_MODES: tuple[SdkRetryMode, ...] = get_args(SdkRetryMode)


@dataclass(frozen=True)
class AbortOptions:
    """The abort command's options, declared once; --sdk-retries applies to the SDK caller only."""

    APPLIES_BY: ClassVar[str] = "caller"

    caller: str = option("apigateway", "apigateway (REST integration, 504 at 29 s) or sdk (read timeout, "
                         "retries).", choices=CALLERS)
    duration: float = option(40.0, "Seconds the handler runs.", low=0, high=MAX_DURATION_S)
    timeout: float | None = option(None, "Function timeout in seconds.", low=TIMEOUT_RANGE[0], high=TIMEOUT_RANGE[1],
                                   default_text="the duration + 5 s")
    read_timeout: float | None = option(
        None, "Seconds the caller waits (apigateway: up to 900 for the run's Regional API once the account's "
        "integration-timeout quota is raised).", range="apigateway 0.05..29, sdk 1..3600",
        default_text="apigateway 29, sdk 60 (botocore's)",
    )
    sdk_retries: str | None = option(None, "The SDK's retry mode: off (1 attempt), legacy (5), standard (3).",
                                     choices=SDK_MODES, applies=("sdk",), default_text=DEFAULT_SDK_RETRIES)
    init: float = option(0.3, "Seconds a cold start's init takes.", low=0, high=MAX_INIT_S)
    seed: int = 0


def build(options: AbortOptions | None = None, /, **given: Any) -> Scenario:
    o = options or AbortOptions(**given)
    caller = choose("--caller", o.caller, CALLERS)
    if caller == "apigateway" and o.sdk_retries is not None:
        raise InputError("--sdk-retries", "applies only to --caller sdk (API Gateway never retries)")
    check(o)
    if caller == "apigateway":
        wait = APIGATEWAY_TIMEOUT_S if o.read_timeout is None else o.read_timeout
        # [apigateway.timeout-range] 50 ms..29 s; a Regional or private API (the run's is Regional) may go
        # higher once the account's quota is raised: accepted up to the longest a function runs, and said
        in_range("--read-timeout", wait, APIGATEWAY_TIMEOUT_MIN_S, APIGATEWAY_TIMEOUT_RAISED_MAX_S)
        mode: SdkRetryMode = "off"
    else:
        wait = SDK_READ_TIMEOUT_S if o.read_timeout is None else o.read_timeout
        in_range("--read-timeout", wait, 1, 3600)
        mode = choose("--sdk-retries", o.sdk_retries or DEFAULT_SDK_RETRIES, SDK_MODES)
    fn = FunctionSpec(timeout_s=timeout_for(o.timeout, o.duration), directive=directive(o.duration, "never", o.init))
    return Scenario(
        probe="abort",
        function=fn,
        stimulus=Stimulus(count=1, mode="sync"),
        source=SourceSpec(kind="sync"),
        sdk=SdkConfig(retry_mode=mode, read_timeout_s=wait, caller=caller),
        seed=o.seed,
        params=params(o, {"timeout": fn.timeout_s, "read_timeout": wait, "sdk_retries": mode}),
    )


def findings(report: Report) -> list[Finding]:
    gap = missing(report, "the function after the caller gave up")
    if not report.requests or gap is not None:
        return [gap] if gap else []
    request = report.requests[0]
    client = request.client
    runs = request.attempts
    billed = sum(a.billed_ms or 0 for a in runs)
    ran_on = max((a.end_s for a in runs), default=0.0)
    if client is None:
        answer = "no answer"
    elif client.status:
        answer = f"{client.status} {client.error or ''}".strip()
    else:  # it stopped reading: no HTTP answer at all
        answer = f"no HTTP answer ({client.error or 'gave up'})"
    gave_up = client.latency_s if client else 0.0
    caller = str(report.params.get("caller"))
    out = [
        Finding(
            f"no, the function does not stop: the caller got {answer} after {seconds(gave_up)}, and the function "
            f"ran on until {seconds(ran_on)}, billed {billed:,} ms in all",
            ("caller.gives-up", "apigateway.integration-timeout" if caller == "apigateway" else "sdk.timeouts"),
        )
    ]
    if len(runs) > 1:
        out.append(Finding(
            f"the SDK resent the call after each read timeout: one call, {plural(len(runs), 'execution')} "
            f"({report.params.get('sdk_retries')} retry mode), each running to its end",
            ("sdk.retry-modes", "sdk.resend-after-read-timeout"),
        ))
    wait = float(str(report.params.get("read_timeout") or 0.0))
    if caller == "apigateway" and wait > APIGATEWAY_TIMEOUT_S:
        out.append(Finding(
            f"an integration timeout of {seconds(wait)} is above 29 s: AWS allows it only for a Regional or private "
            "REST API (the run's is Regional) after the account's quota is raised; without the increase AWS "
            "refuses the integration",
            ("apigateway.timeout-range",),
        ))
    return out
