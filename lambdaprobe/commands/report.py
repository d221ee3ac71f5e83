from typing import Annotated

import typer

from lambdaprobe.cli_common import OutputFormat, app
from lambdaprobe.options import CommonOptions


@app.command("report", short_help="Re-render a saved report.")
def report_command(
    file: Annotated[str, typer.Argument(help="A report saved with --save (or --output json > FILE).")],
    output: Annotated[OutputFormat, typer.Option(case_sensitive=False, help="table or json.")] = OutputFormat.table,
    max_rows: Annotated[
        int, typer.Option(help="Requests shown in the table timeline. Range: >= 1.", min=1)
    ] = 40,
    full: Annotated[
        bool, typer.Option("--full", help="Print DLQ messages and destination records whole, not shortened.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the Answer block.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Add every request's attempts.")] = False,
    expect: Annotated[
        list[str] | None,
        typer.Option(
            metavar="FIELD<OP>N",
            help="Check a summary count of the saved run, e.g. throttled=19 (repeatable); exit 1 if one fails.",
        ),
    ] = None,
) -> None:
    """Re-render a saved report, without running anything (and check it with --expect)."""
    from lambdaprobe import expect as expectations
    from lambdaprobe.errors import ExpectationFailed, InputError
    from lambdaprobe.runner import emit, load_report

    checks = [expectations.parse(e) for e in expect or []]
    if quiet and verbose:
        raise InputError("--verbose", "--quiet prints only the answer; give one of the two")
    report = load_report(file)
    if not report.findings:
        # a report saved before answers were recorded: read its answer off it, as the run would have
        from dataclasses import replace

        from lambdaprobe.runner import findings_of

        answer = findings_of(report.probe)
        if answer is not None:
            report = replace(report, findings=answer(report))
    common = CommonOptions(output=output.value, max_rows=max_rows, full=full, quiet=quiet, verbose=verbose)
    emit(report, common)
    failed = expectations.failures(checks, report.summary)
    if failed:
        raise ExpectationFailed("; ".join(failed))
