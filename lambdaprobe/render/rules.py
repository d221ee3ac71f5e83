"""The rules registry for people: a table of every rule, or one rule whole. Plain text throughout:
rule texts cite ids in brackets, which must not be read as markup."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lambdaprobe.rules import Rule


def rules_table(rules: Iterable[Rule]) -> RenderableType:
    shown = list(rules)
    table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold dim", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("rule", overflow="fold")
    for r in shown:
        table.add_row(Text(r.id.value), Text(r.kind), Text(r.text))
    documented = sum(r.kind == "documented" for r in shown)
    footer = Text(
        f"{len(shown)} rules ({documented} documented, {len(shown) - documented} assumptions). "
        "`lambdaprobe rules ID` shows one with its sources.",
        style="dim",
    )
    return Group(table, Text(""), footer)


def rule_detail(r: Rule) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("id", Text(r.id.value))
    grid.add_row("kind", Text(r.kind))
    grid.add_row("rule", Text(r.text))
    if r.measures:
        grid.add_row("--target aws measures", Text(r.measures))
    for i, (name, value) in enumerate(r.constants.items()):
        grid.add_row("constants" if i == 0 else "", Text(f"{name} = {value!r}"))
    grid.add_row("probes relying on it", Text(", ".join(r.probes)))
    return grid


def source_lines(r: Rule) -> list[str]:
    """The sources, one whole URL a line (printed unwrapped, so they stay copyable)."""
    return ["sources:", *(f"  {url}" for url in r.sources)]


def relied_on(rules: list[dict[str, Any]]) -> RenderableType | None:
    """A report's rules[] in one paragraph: the documented ids (assumptions are in the notes)."""
    documented = [str(r["id"]) for r in rules if r.get("kind") == "documented"]
    if not documented:
        return None
    grid = Table.grid(padding=(0, 1))
    grid.title, grid.title_justify, grid.title_style = "Documented rules relied on", "left", "bold"
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("  ", Text(", ".join(documented) + "  (`lambdaprobe rules ID` shows each with its sources)"))
    return grid


def rule_json(r: Rule) -> dict[str, Any]:
    """A rule whole, for `lambdaprobe rules --output json`."""
    return {
        **r.to_json(),
        "measures": r.measures or None,
        "constants": dict(r.constants),
        "probes": list(r.probes),
    }
