"""The explanation for a person: per function its settings, each journey's Answer and timeline, the findings.

Everything that came from a template or an account is printed as plain text, never as markup.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.text import Text

from lambdaprobe.explain import Explained, Explanation
from lambdaprobe.explain.checks import Finding
from lambdaprobe.explain.journeys import Journey
from lambdaprobe.explain.model import FunctionConfig
from lambdaprobe.render.timeline import timeline

# C0 and C1 control characters (and DEL): a template or an account could smuggle terminal escapes in a name
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text: str) -> str:
    """Text from a template or an account, with control characters shown escaped, never sent to the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def _t(text: str, style: str = "") -> Text:
    return Text(plain(text), style=style)


SEVERITY_STYLE = {"error": "bold red", "warning": "yellow"}
BURST_ROWS = 5


def render(explanation: Explanation, console: Console, permissions: tuple[str, ...] = ()) -> None:
    c = explanation.configuration
    head = Text("lambdaprobe explain", style="bold")
    head.append(plain(f"  {c.source} {c.origin}  "))
    head.append(plain(f"{len(c.functions)} function{'s' if len(c.functions) != 1 else ''}"), style="dim")
    head.append(
        f"  account: {c.account.limit} concurrent, {c.account.unreserved_minimum} kept unreserved"
        f"{'' if c.account.from_account else ' (assumed; --account-limit)'}",
        style="dim",
    )
    console.print(head)
    for e in explanation.functions:
        console.print()
        _function(e, console)
    console.print()
    _findings(explanation.findings, console)
    if c.unresolved:
        console.print()
        console.print(
            Text(
                "Unresolved (give with --param KEY=VALUE; checks and journeys that need them did not run)", style="bold"
            )
        )
        for u in c.unresolved:
            console.print(_t(f"  {u.key:<28} {u.what}  [{u.location.text()}]"))
    if permissions:
        console.print()
        console.print(_t(f"Read with: {', '.join(permissions)}", style="dim"))


def settings_line(fn: FunctionConfig) -> str:
    parts = [f"timeout {fn.timeout_s if fn.timeout_s is not None else '?'} s"]
    parts.append(f"reserved {fn.reserved}" if fn.reserved is not None else "no reserved concurrency")
    if fn.provisioned:
        parts.append("provisioned " + ", ".join(f"{p.qualifier}={p.amount}" for p in fn.provisioned))
    if fn.dlq is not None:
        parts.append(f"DLQ {fn.dlq.target} ({fn.dlq.kind})")
    a = fn.async_settings
    if a.location is not None:
        parts.append(
            f"async retries {a.max_retry_attempts}, max event age {a.max_event_age_s} s"
            + (f", on failure {a.on_failure.target} ({a.on_failure.kind})" if a.on_failure else "")
        )
    return "  ".join(parts)


def _function(e: Explained, console: Console) -> None:
    fn = e.function
    title = _t(fn.name + (f":{fn.qualifier}" if fn.qualifier else ""), style="bold cyan")
    title.append(plain(f"  [{fn.location.text()}]"), style="dim")
    console.print(title)
    console.print(_t(settings_line(fn), style="dim"))
    for j in e.journeys:
        console.print()
        _journey(j, console)


def _journey(j: Journey, console: Console) -> None:
    console.print(_t(j.title, style="bold"))
    answer = Text("Answer: ", style="bold green" if j.not_run is None else "bold yellow")
    answer.append(plain(j.answer))
    console.print(answer)
    if j.rules:
        console.print(_t(f"rules: {', '.join(j.rules)}", style="dim"))
    if j.command:
        console.print(_t(f"same as: lambdaprobe {' '.join(j.command)}", style="dim"))
    for caveat in j.caveats:
        console.print(_t(f"note: {caveat}", style="dim"))
    if j.report is not None:
        burst = j.way.endswith("-burst")
        console.print(timeline(j.report, max_rows=BURST_ROWS if burst else 1, detail=not burst))


def _findings(findings: list[Finding], console: Console) -> None:
    if not findings:
        console.print(
            Text("Findings: none (nothing in this configuration is known to lose events or money)", style="bold green")
        )
        return
    errors = sum(f.severity == "error" for f in findings)
    console.print(_t(f"Findings: {errors} error(s), {len(findings) - errors} warning(s)", style="bold"))
    for f in findings:
        line = Text("  ")
        line.append(plain(f"{f.severity:<8}"), style=SEVERITY_STYLE[f.severity])
        line.append(plain(f"{f.id}  "), style="bold")
        line.append(plain(f"{f.function}  [{f.location.text()}]"), style="dim")
        console.print(line)
        console.print(_t(f"          {f.message}"))
        console.print(_t(f"          {f.url}", style="dim"))
