"""Runs one probe end to end: build the scenario, run it on the target, analyse, print, check."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from lambdaprobe import expect
from lambdaprobe.analysis import analyse
from lambdaprobe.errors import (
    Declined,
    ExpectationFailed,
    InputError,
    Interrupted,
    LambdaprobeError,
    PipeClosed,
    Stopped,
)
from lambdaprobe.gc_pause import no_cycle_collection
from lambdaprobe.observation import Observations
from lambdaprobe.options import AWS_ONLY, SIM_IGNORES, CommonOptions
from lambdaprobe.report import Finding, Report
from lambdaprobe.scenario import Scenario
from lambdaprobe.sim.target import SimTarget
from lambdaprobe.target import Target

if TYPE_CHECKING:
    from lambdaprobe.aws.context import Where
    from lambdaprobe.aws.target import AwsTarget

PLAN_SCHEMA = "lambdaprobe.plan/1"
WRITE_CHUNK = 1 << 16


def run_probe(
    common: CommonOptions,
    build: Callable[[], Scenario],
    findings: Callable[[Report], list[Finding]] | None = None,
) -> Report | None:
    """Validate everything first (no resource is touched on bad input), then run and report.

    `findings` reads the answer to the probe's question off the report (on either target): the
    report's `findings`, printed first.
    """
    expectations = [expect.parse(e) for e in common.expect or []]
    if common.quiet and common.verbose:
        raise InputError("--verbose", "--quiet prints only the answer; give one of the two")
    if common.target == "sim":
        # --yes, --region and --profile are ignored on sim, so CI can switch LAMBDAPROBE_TARGET alone;
        # the rest would change what a run does, and the simulator cannot do it.
        for name in AWS_ONLY:
            if getattr(common, name) and name not in SIM_IGNORES:
                raise InputError(f"--{name.replace('_', '-')}", "applies only to --target aws")
    elif common.deadline is not None and common.deadline <= 0:
        raise InputError("--deadline", f"{common.deadline:g} is out of range; allowed: > 0 seconds")
    scenario = build()
    if common.save:
        check_save_path(common.save)  # before anything is created: a run must not end unsaveable
    if common.target == "aws":
        aws = aws_target(common)
        where = _where(aws, dry_run=common.dry_run)
        if common.dry_run:
            emit_plan(aws, scenario, where, common)
            return None
        _check_account(aws, scenario)
        confirm_creation(common, aws.confirmation(scenario), where, _cost(scenario))
        target: Target = aws
    else:
        target = SimTarget()
    # The simulator's run and every analysis allocate millions of acyclic records: the cyclic
    # collector is paused around them here, at the edge, so the core has no global side effect.
    # Not around an AWS run: boto3 makes cyclic garbage for as long as the run lasts.
    try:
        with no_cycle_collection() if common.target == "sim" else nullcontext(), _progress(scenario, target):
            observations = target.run(scenario)
    except (LambdaprobeError, KeyboardInterrupt) as failure:
        # a partial report (deadline, failed send, interrupt, leftovers) is still the run's report
        partial = getattr(failure, "observations", None)
        if isinstance(partial, Observations):
            emit(_with_findings(_analyse(scenario, partial), findings), common)
        if isinstance(failure, Interrupted):
            message = failure.message or f"interrupted by {failure.signal_name}"
            raise Stopped(message, failure.status) from failure
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


FINDING_PREFIX = "finding: "


def findings_of(probe: str) -> Callable[[Report], list[Finding]] | None:
    """The probe's answer function, by the probe's name in a report."""
    from importlib import import_module

    module = {"deploy-preference": "deploy_preference", "vpc": "features", "efs": "features",
              "code-signing": "features", "env-encryption": "features"}.get(probe, probe)
    try:
        found: Callable[[Report], list[Finding]] | None = getattr(
            import_module(f"lambdaprobe.scenarios.{module}"), "findings", None
        )
    except ImportError:
        return None
    return found


def _with_findings(report: Report, findings: Callable[[Report], list[Finding]] | None) -> Report:
    # The AWS target reports what a feature's function saw as notes "finding: ..."; they are answers too.
    carried = [Finding(n.removeprefix(FINDING_PREFIX)) for n in report.notes if n.startswith(FINDING_PREFIX)]
    notes = [n for n in report.notes if not n.startswith(FINDING_PREFIX)]
    own = findings(report) if findings is not None else []
    return replace(report, findings=[*own, *carried], notes=notes)


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

    from lambdaprobe.render.plain import plain

    def say(message: str) -> None:
        console.log(plain(message), markup=False)

    return say


def _where(aws: AwsTarget, *, dry_run: bool) -> Where:
    """Endpoint, profile, region, credentials and account, settled before any call that creates."""
    import dataclasses

    from lambdaprobe.aws.context import resolve

    where = resolve(aws.options, need_account=not dry_run)
    # every client of the run gets the region resolved here (AWS_REGION included)
    aws.options = dataclasses.replace(aws.options, region=where.region)
    return where


def _check_account(aws: AwsTarget, scenario: Scenario) -> None:
    from lambdaprobe.aws.client import AwsClient
    from lambdaprobe.aws.context import check_concurrency

    skipped = check_concurrency(AwsClient(aws.options).client("lambda"), scenario)
    if skipped:
        aws.progress(skipped)


def _cost(scenario: Scenario) -> list[str]:
    from lambdaprobe.aws.cost import estimate
    from lambdaprobe.aws.sources.expect import derive_deadline_s

    return estimate(scenario, derive_deadline_s(scenario))


def emit_plan(aws: AwsTarget, scenario: Scenario, where: Where, common: CommonOptions) -> None:
    """The dry run's plan: text, or one JSON object with --output json; --save writes the JSON."""
    from lambdaprobe.aws.plan.show import plan_json
    from lambdaprobe.aws.planner import build_plan

    text = aws.plan_only(scenario).rstrip("\n")
    calls = plan_json(build_plan(scenario, aws.options).calls)
    trials = text[text.index("Trials (") :].splitlines() if "\nTrials (" in text else []
    data: dict[str, Any] = {
        "schema": PLAN_SCHEMA, "probe": scenario.probe, "run_id": aws.options.run_id, **where.to_json(),
        "cost": _cost(scenario), **calls, "trials": trials,
    }
    rendered = json.dumps(data, indent=2) + "\n"
    if common.save:
        save_report(common.save, rendered)
    if common.output == "json":
        write_out(rendered)
        return
    head = "\n".join([
        "Where (nothing is created by a dry run):", *(f"  {line}" for line in where.lines()),
        *(f"  cost:     {line}" for line in data["cost"]),
    ])
    write_out(f"{head}\n{text}\n")


def confirm_creation(
    common: CommonOptions, resources: list[str], where: Where | None = None, cost: list[str] | None = None
) -> None:
    """Ask before anything billable is created, unless --yes; refuse when nobody can answer.

    The question names where (account, region, endpoint, profile) and what it costs, as CDK and SAM do.
    """
    if common.yes:
        if where is not None:  # no question asked, but the log says where it went
            print("lambdaprobe: creating in " + ", ".join(" ".join(line.split()) for line in where.lines()),
                  file=sys.stderr)
        return
    if not sys.stdin.isatty():
        raise InputError("--yes", "a run on --target aws creates billable resources: pass --yes to confirm")
    lines = [f"lambdaprobe will create {len(resources)} resources (all torn down after the run)"]
    if where is not None:
        lines += [f"  {line}" for line in where.lines()]
    lines += [f"  cost:     {line}" for line in cost or []]
    lines += [f"  + {line}" for line in resources]
    print("\n".join(lines), file=sys.stderr)
    answer = input("Create them? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise Declined("declined at the confirmation: nothing was created")


def _compare(scenario: Scenario, report: Report) -> Any:
    from lambdaprobe.compare import compare, predict

    return compare(report, predict(scenario))


def emit(report: Report, common: CommonOptions, comparison: Any = None) -> None:
    """The report on stdout (table or one JSON object), and to --save's file. JSON is written as it
    is made, never held whole (a million requests' report is hundreds of megabytes of text)."""
    from lambdaprobe.render import json_out

    if common.save:
        save_report(common.save, json_out.format(report, summary_only=common.summary_only))
    if common.output == "json":
        if comparison is not None:
            from dataclasses import asdict

            data = json.loads(json_out.format(report, summary_only=common.summary_only))
            data["comparison"] = asdict(comparison)
            write_out(json.dumps(data, indent=2) + "\n")
            return
        json_out.write(report, write_out, summary_only=common.summary_only)
        return
    from rich.console import Console

    from lambdaprobe.render import render_answer, render_report
    from lambdaprobe.render.plain import plain, safe_report

    # markup=False: no string of a report (from AWS, a function, a file) is ever read as rich markup
    console = Console(markup=False, highlight=False)
    report = safe_report(report, common.max_rows)
    # Rendered whole, then written with each line's padding stripped: rich pads tables to the
    # terminal's width, which a pipe, a diff or a README example should not carry.
    with console.capture() as captured:
        if common.quiet:
            render_answer(report, console)
        else:
            render_report(
                report, console, max_rows=common.max_rows, full_records=common.full, verbose=common.verbose,
                summary_only=common.summary_only,
            )
            if comparison is not None:
                from lambdaprobe.compare import format_comparison

                console.print()
                console.print(plain(format_comparison(comparison), newlines=True), markup=False, highlight=False)
    write_out("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def write_out(text: str) -> None:
    """Everything lambdaprobe prints on stdout goes through here, so a closed pipe ends the run quietly
    (click would otherwise turn it into a silent exit 1, the code of a failed --expect)."""
    try:
        # in pieces: a reader that leaves in the middle of one huge write is not always reported
        for i in range(0, len(text), WRITE_CHUNK):
            sys.stdout.write(text[i : i + WRITE_CHUNK])
            sys.stdout.flush()
    except BrokenPipeError as exc:
        raise PipeClosed("stdout was closed") from exc


def load_report(path: str) -> Report:
    from lambdaprobe.report_file import read_report

    return read_report(path)


def check_save_path(path: str) -> None:
    from lambdaprobe.report_file import check_writable

    check_writable(path)


def save_report(path: str, text: str) -> None:
    """Write the report (0600, atomically); if that fails now, say so: the report still goes to stdout."""
    from lambdaprobe.report_file import write_report

    try:
        write_report(path, text)
    except OSError as exc:
        print(f"lambdaprobe: could not save the report to {path} ({exc.strerror or exc}); it is printed below",
              file=sys.stderr)
