"""Runs one probe end to end: build the scenario, run it on the target, analyse, print, check."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lambdaprobe import expect
from lambdaprobe.analysis import analyse
from lambdaprobe.errors import Declined, ExpectationFailed, InputError, ObservationTimeout
from lambdaprobe.gc_pause import no_cycle_collection
from lambdaprobe.observation import Observations
from lambdaprobe.options import AWS_ONLY, CommonOptions
from lambdaprobe.report import Report
from lambdaprobe.scenario import Scenario
from lambdaprobe.sim.target import SimTarget
from lambdaprobe.target import Target

if TYPE_CHECKING:
    from lambdaprobe.aws.target import AwsTarget


def run_probe(
    common: CommonOptions,
    build: Callable[[], Scenario],
    findings: Callable[[Report], list[str]] | None = None,
) -> Report | None:
    """Validate everything first (no resource is touched on bad input), then run and report.

    `findings` reads the answer to the probe's question off the report (on either target) and
    adds it to the notes.
    """
    expectations = [expect.parse(e) for e in common.expect or []]
    if common.target == "sim":
        for name in AWS_ONLY:
            if getattr(common, name):
                raise InputError(f"--{name.replace('_', '-')}", "applies only to --target aws")
    elif common.deadline is not None and common.deadline <= 0:
        raise InputError("--deadline", f"{common.deadline:g} is out of range; allowed: > 0 seconds")
    scenario = build()
    if common.target == "aws":
        aws = aws_target(common)
        if common.dry_run:
            print(aws.plan_only(scenario).rstrip("\n"))
            return None
        confirm_creation(common, aws.confirmation(scenario))
        target: Target = aws
    else:
        target = SimTarget()
    # The simulator's run and every analysis allocate millions of acyclic records: the cyclic
    # collector is paused around them here, at the edge, so the core has no global side effect.
    # Not around an AWS run: boto3 makes cyclic garbage for as long as the run lasts.
    try:
        with no_cycle_collection() if common.target == "sim" else nullcontext(), _progress(scenario, target):
            observations = target.run(scenario)
    except ObservationTimeout as timeout:
        emit(_with_findings(_analyse(scenario, timeout.observations), findings), common)
        raise
    report = _with_findings(_analyse(scenario, observations), findings)
    comparison = _compare(scenario, report) if common.compare else None
    emit(report, common, comparison)
    failed = expect.failures(expectations, report.summary)
    if failed:
        raise ExpectationFailed("; ".join(failed))
    return report


# A run of this many requests takes about a second or more on the simulator: it gets a progress bar.
PROGRESS_FROM_REQUESTS = 100_000


@contextmanager
def _progress(scenario: Scenario, target: Target) -> Iterator[None]:
    """A bar on stderr (a terminal only) while a large simulator run goes: the virtual time reached,
    against the last send."""
    if not (isinstance(target, SimTarget) and scenario.stimulus.count >= PROGRESS_FROM_REQUESTS
            and sys.stderr.isatty()):
        yield
        return
    from lambdaprobe.render.progress import bar

    stim = scenario.stimulus
    last = stim.at(stim.count - 1) or 1.0
    with bar("simulating", 1000) as advance:
        shown = [0]

        def at(now: float) -> None:
            step = min(1000, int(1000 * (now / last))) - shown[0]
            if step > 0:
                advance(step)
                shown[0] += step

        target.progress = at
        try:
            yield
            at(last)  # the run is over: the bar ends full
        finally:
            target.progress = None


def _analyse(scenario: Scenario, observations: Observations) -> Report:
    with no_cycle_collection():
        return analyse(scenario, observations)


def _with_findings(report: Report, findings: Callable[[Report], list[str]] | None) -> Report:
    return report if findings is None else replace(report, notes=[*findings(report), *report.notes])


def aws_target(common: CommonOptions) -> AwsTarget:
    """The AWS target, with progress on stderr (stdout carries only the report)."""
    from lambdaprobe.aws.options import AwsOptions
    from lambdaprobe.aws.target import AwsTarget

    options = AwsOptions(
        region=common.region, profile=common.profile, endpoint_url=common.endpoint_url, yes=common.yes,
        dry_run=common.dry_run, deadline_s=common.deadline,
    )
    return AwsTarget(options, progress=stderr_progress())


def stderr_progress() -> Callable[[str], None]:
    from rich.console import Console

    console = Console(stderr=True, highlight=False, log_path=False)

    def say(message: str) -> None:
        console.log(message, markup=False)

    return say


def confirm_creation(common: CommonOptions, resources: list[str]) -> None:
    """Ask before anything billable is created, unless --yes; refuse when nobody can answer."""
    if common.yes:
        return
    if not sys.stdin.isatty():
        raise InputError("--yes", "a run on --target aws creates billable resources: pass --yes to confirm")
    print(f"lambdaprobe will create {len(resources)} resources (all torn down after the run):", file=sys.stderr)
    for line in resources:
        print(f"  {line}", file=sys.stderr)
    answer = input("Create them? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise Declined("nothing was created")


def _compare(scenario: Scenario, report: Report) -> Any:
    from lambdaprobe.compare import compare, predict

    return compare(report, predict(scenario))


def emit(report: Report, common: CommonOptions, comparison: Any = None) -> None:
    """The report on stdout (table or one JSON object), and to --save's file. JSON is written as it
    is made, never held whole (a million requests' report is hundreds of megabytes of text)."""
    from lambdaprobe.render import json_out

    if common.save:
        with Path(common.save).open("w", encoding="utf-8") as saved:
            json_out.write(report, saved, summary_only=common.summary_only)
    if common.output == "json":
        if comparison is not None:
            from dataclasses import asdict

            data = json.loads(json_out.format(report, summary_only=common.summary_only))
            data["comparison"] = asdict(comparison)
            print(json.dumps(data, indent=2))
            return
        json_out.write(report, sys.stdout, summary_only=common.summary_only)
        sys.stdout.flush()
        return
    from rich.console import Console

    from lambdaprobe.render import render_report

    console = Console()
    render_report(report, console, max_rows=common.max_rows, full_records=common.full,
                  summary_only=common.summary_only)
    if comparison is not None:
        from lambdaprobe.compare import format_comparison

        console.print()
        console.print(format_comparison(comparison), markup=False, highlight=False)


def load_report(path: str) -> Report:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Report.from_json(data)
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError("FILE", f"{path}: not a readable lambdaprobe report ({err})") from err
