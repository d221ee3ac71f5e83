"""`abort`: what happens to the function when its caller gives up? (SEMANTICS §1, §4 [D, F, R, S])"""

from __future__ import annotations

from lambdaprobe.errors import InputError
from lambdaprobe.answer import missing, plural, seconds
from lambdaprobe.report import Finding, Report
from lambdaprobe.scenario import Caller, FunctionSpec, Scenario, SdkConfig, SdkRetryMode, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import directive, in_range, one_of, timeout_for

CALLERS = ("apigateway", "sdk")
SDK_MODES = ("off", "legacy", "standard")
APIGATEWAY_TIMEOUT_S = 29.0  # [R] the REST integration timeout's default


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


def findings(report: Report) -> list[Finding]:
    gap = missing(report, "the function after the caller gave up")
    if not report.requests or gap is not None:
        return [gap] if gap else []
    request = report.requests[0]
    client = request.client
    runs = request.attempts
    billed = sum(a.billed_ms or 0 for a in runs)
    ran_on = max((a.end_s for a in runs), default=0.0)
    answer = "no answer" if client is None else f"{client.status or 'no HTTP status'} {client.error or ''}".strip()
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
    return out
