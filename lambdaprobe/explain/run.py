"""The explain command's steps: validate everything, read the configuration, explain it, print, exit."""

from __future__ import annotations

from dataclasses import dataclass

from lambdaprobe.errors import ExpectationFailed, InputError
from lambdaprobe.explain import Explanation, explain
from lambdaprobe.explain.checks import SEVERITY_ORDER
from lambdaprobe.explain.journeys import Settings
from lambdaprobe.explain.model import DEFAULT_ACCOUNT_LIMIT, Configuration
from lambdaprobe.scenarios.common import in_range


@dataclass(frozen=True)
class Request:
    template: str | None = None
    function: str | None = None
    qualifier: str | None = None
    params: tuple[str, ...] = ()
    target: str = "sim"
    output: str = "table"
    fail_on: str = "none"
    duration: float | None = None
    init: float = 0.3
    burst: int = 100
    burst_interval: float = 0.0
    account_limit: int | None = None
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None


def parse_params(items: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError("--param", f"{item!r} is not allowed; allowed: KEY=VALUE")
        params[key.strip()] = value.strip()
    return params


def validate(r: Request) -> Settings:
    """Every option checked before anything is read."""
    if r.template is None and r.function is None:
        raise InputError("--template", "give --template FILE, or --function NAME --target aws")
    if r.template is not None:
        # --region, --profile and --endpoint-url are ignored, as on every probe's sim target (a CI job may set
        # them for all its steps); a qualifier, though, names something a template does not have
        if r.qualifier is not None:
            raise InputError("--qualifier", "applies only to --function NAME --target aws (a template is read offline)")
    else:
        if r.target != "aws":
            raise InputError(
                "--target",
                "explain --function NAME reads a deployed function: add --target aws, or give --template FILE",
            )
        if r.params:
            raise InputError("--param", "applies only to --template")
        if r.account_limit is not None:
            raise InputError(
                "--account-limit", "applies only to --template (on --target aws it is read from the account)"
            )
    parse_params(r.params)  # a malformed --param fails before anything is read
    if r.duration is not None:
        in_range("--duration", r.duration, 0, 900)
    in_range("--init", r.init, 0, 900)
    in_range("--burst", r.burst, 1, 100_000)
    in_range("--burst-interval", r.burst_interval, 0, 3600)
    if r.account_limit is not None:
        in_range("--account-limit", r.account_limit, 1, 1_000_000)
    return Settings(duration_s=r.duration, init_s=r.init, burst=r.burst, burst_interval_s=r.burst_interval)


def read(r: Request) -> tuple[Configuration, tuple[str, ...]]:
    """The configuration, and the IAM actions it was read with (none for a template)."""
    if r.template is not None:
        from lambdaprobe.explain import template

        limit = DEFAULT_ACCOUNT_LIMIT if r.account_limit is None else r.account_limit
        return template.read(r.template, r.function, parse_params(r.params), limit), ()
    from lambdaprobe.explain import account

    assert r.function is not None  # validate() requires it without a template
    reader = account.AccountReader(account.client_for(r.region, r.profile, r.endpoint_url))
    return reader.read(r.function, r.qualifier), account.PERMISSIONS


def run(r: Request) -> Explanation:
    settings = validate(r)
    configuration, permissions = read(r)
    explanation = explain(configuration, settings)
    emit(explanation, r.output, permissions)
    threshold = SEVERITY_ORDER.get(r.fail_on)
    if threshold is not None:
        hits = [f for f in explanation.findings if SEVERITY_ORDER[f.severity] >= threshold]
        if hits:
            raise ExpectationFailed(
                f"--fail-on {r.fail_on}: {len(hits)} finding(s) at or above {r.fail_on} "
                f"({', '.join(sorted({f.id for f in hits}))})"
            )
    return explanation


def emit(explanation: Explanation, output: str, permissions: tuple[str, ...]) -> None:
    from lambdaprobe.explain import output as out

    if output == "json":
        print(out.format_json(explanation, permissions), end="")
    elif output == "sarif":
        print(out.format_sarif(explanation), end="")
    else:
        from rich.console import Console

        from lambdaprobe.explain.table import render

        render(explanation, Console(highlight=False), permissions)
