from typing import Annotated

import typer

from lambdaprobe.cli_common import OutputFormat, app
from lambdaprobe.options import CommonOptions


@app.command("report", short_help="Re-render a saved report.")
def report_command(
    file: Annotated[str, typer.Argument(help="A report saved with --save (or --output json > FILE).")],
    output: Annotated[OutputFormat, typer.Option(help="table or json.")] = OutputFormat.table,
    max_rows: Annotated[int, typer.Option(help="Requests shown in the table timeline.", min=1)] = 40,
) -> None:
    """Re-render a saved report, without running anything."""
    from lambdaprobe.runner import emit, load_report

    emit(load_report(file), CommonOptions(output=output.value, max_rows=max_rows))
