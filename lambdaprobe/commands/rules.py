from typing import Annotated

import typer

from lambdaprobe.cli_common import OutputFormat, app


@app.command("rules", short_help="The rules the model follows, and their AWS sources.")
def rules_command(
    rule_id: Annotated[
        str | None,
        typer.Argument(metavar="RULE_ID", help="One rule's id (e.g. async.retry-spacing): its sources, constants and probes."),
    ] = None,
    assumptions: Annotated[
        bool, typer.Option("--assumptions", help="Only the assumptions (what AWS does not document).")
    ] = False,
    output: Annotated[OutputFormat, typer.Option(help="table or json.")] = OutputFormat.table,
) -> None:
    """List the rules the simulator follows: documented ones with the AWS documentation they come
    from, assumptions with what a --target aws run measures to check them. Reports cite these ids
    in brackets, e.g. [async.retry-spacing], and list the rules a run relied on in rules[]."""
    import difflib
    import json

    from rich.console import Console

    from lambdaprobe.errors import InputError
    from lambdaprobe.render.rules import rule_detail, rule_json, rules_table, source_lines
    from lambdaprobe.rules import RULES, RuleId

    if rule_id is not None:
        try:
            chosen = [RULES[RuleId(rule_id)]]
        except ValueError:
            ids = [i.value for i in RuleId]
            close = difflib.get_close_matches(rule_id, ids, n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "`lambdaprobe rules` lists them"
            raise InputError("RULE_ID", f"unknown rule {rule_id!r}; {hint}") from None
    else:
        chosen = [r for r in RULES.values() if not assumptions or r.kind == "assumption"]
    if output is OutputFormat.json:
        data = rule_json(chosen[0]) if rule_id is not None else [rule_json(r) for r in chosen]
        print(json.dumps(data, indent=2))
        return
    console = Console(highlight=False)
    if rule_id is None:
        console.print(rules_table(chosen))
        return
    console.print(rule_detail(chosen[0]))
    for line in source_lines(chosen[0]):
        console.print(line, markup=False, soft_wrap=True)
