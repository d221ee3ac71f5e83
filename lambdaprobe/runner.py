"""Runs one probe end to end: build the scenario, run it on the target, analyse, print, check."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from lambdaprobe import expect
from lambdaprobe.analysis import analyse
from lambdaprobe.errors import ExpectationFailed, InputError, NotAvailableError
from lambdaprobe.options import AWS_ONLY, CommonOptions
from lambdaprobe.report import Report
from lambdaprobe.scenario import Scenario
from lambdaprobe.target import Target


def run_probe(
    common: CommonOptions,
    build: Callable[[], Scenario],
    findings: Callable[[Report], list[str]] | None = None,
) -> Report:
    """Validate everything first (no resource is touched on bad input), then run and report.

    `findings` reads the answer to the probe's question off the report (on either target) and
    adds it to the notes.
    """
    expectations = [expect.parse(e) for e in common.expect or []]
    if common.target == "sim":
        for name in AWS_ONLY:
            if getattr(common, name):
                raise InputError(f"--{name.replace('_', '-')}", "applies only to --target aws")
    scenario = build()
    target = make_target(common)
    report = analyse(scenario, target.run(scenario))
    if findings is not None:
        report = replace(report, notes=[*findings(report), *report.notes])
    emit(report, common)
    failed = expect.failures(expectations, report.summary)
    if failed:
        raise ExpectationFailed("; ".join(failed))
    return report


def make_target(common: CommonOptions) -> Target:
    if common.target == "sim":
        from lambdaprobe.sim.target import SimTarget

        return SimTarget()
    raise NotAvailableError("--target aws: the AWS target is not built in this version yet; allowed now: sim")


def emit(report: Report, common: CommonOptions) -> None:
    """The report on stdout (table or one JSON object), and to --save's file."""
    from lambdaprobe.render import json_out

    text = json_out.format(report)
    if common.save:
        Path(common.save).write_text(text, encoding="utf-8")
    if common.output == "json":
        print(text, end="")
        return
    from rich.console import Console

    from lambdaprobe.render import render_report

    render_report(report, Console(), max_rows=common.max_rows, full_records=common.full)


def load_report(path: str) -> Report:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Report.from_json(data)
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError("FILE", f"{path}: not a readable lambdaprobe report ({err})") from err
