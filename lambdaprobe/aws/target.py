"""AwsTarget: deploys the scenario's stack, drives it, collects what happened, always tears down.

How the CLI uses it:
    target = AwsTarget(AwsOptions(region=..., profile=..., endpoint_url=..., deadline_s=...), progress)
    target.plan_only(scenario)      --dry-run: the plan as text; no API call, no credentials needed
    target.confirmation(scenario)   the resources a run creates, for "create these? [y/N]" (skip on --yes)
    target.run(scenario)            -> Observations, like SimTarget.run
The confirmation and the run share one plan (`prepare`): what the user confirms is what is applied,
with the same names and tags.
Exceptions (all one line): AwsError -> exit 3 (already rolled back); ObservationTimeout -> exit 4,
with `.observations` (complete=False, missing=[...]) for the partial report; KeyboardInterrupt after
teardown -> exit 130.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

from lambdaprobe.aws.client import BOTO_ERRORS, AwsClient, to_aws_error
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.plan.function import function_timeout_s
from lambdaprobe.aws.plan.records import Plan
from lambdaprobe.aws.plan.show import format_plan, resources
from lambdaprobe.aws.planner import build_plan
from lambdaprobe.aws.run import features as feature_run
from lambdaprobe.aws.run.apply import Deployment, Executor
from lambdaprobe.aws.run.collect import Collector
from lambdaprobe.aws.run.drive import Driver
from lambdaprobe.aws.sources.expect import derive_deadline_s
from lambdaprobe.errors import InputError, NotAvailableError
from lambdaprobe.observation import Observations
from lambdaprobe.scenario import Scenario

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def refuse_unbuilt(scenario: Scenario) -> None:
    """Say plainly what this target cannot run yet, rather than run something else."""
    if scenario.deployment is not None and scenario.sdk.caller != "sdk":
        raise NotAvailableError(
            f"{scenario.probe} --target aws: traffic shifting behind API Gateway is not built; allowed now: "
            "--caller sdk"
        )


@dataclass(frozen=True)
class PreparedRun:
    """What a run is made of, fixed before anything is created: its options (with its creation time
    and, for API Gateway, the session's region), its client, and its plan."""

    options: AwsOptions
    client: AwsClient
    plan: Plan


class AwsTarget:
    """Runs a Scenario on a real account (or any AWS-compatible endpoint).

    `run` raises AwsError (exit 3) when AWS refuses (after rolling back), ObservationTimeout (exit 4)
    with the partial observations when the deadline passes, and lets
    KeyboardInterrupt through after teardown (exit 130). Nothing is written to stdout.
    """

    name = "aws"

    def __init__(
        self,
        options: AwsOptions,
        progress: Progress | None = None,
        *,
        client: AwsClient | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.options = options
        self.progress = progress or _quiet
        self.client = client
        self.sleep = sleep
        self.clock = clock
        self.deployment: Deployment | None = None  # kept for tests and post-mortems
        self._prepared: tuple[Scenario, PreparedRun] | None = None

    def plan_only(self, scenario: Scenario) -> str:
        """The API calls a run would make, as text (`--dry-run`). Makes no call at all."""
        refuse_unbuilt(scenario)
        calls = build_plan(scenario, self.options).calls
        return format_plan(calls) + feature_run.format_trials(scenario, self.options)

    def confirmation(self, scenario: Scenario) -> list[str]:
        """What a run would create, one line each, for the CLI's "create these?" prompt."""
        refuse_unbuilt(scenario)
        prepared = self.prepare(scenario)
        return resources(prepared.plan.calls) + feature_run.trial_resources(scenario, prepared.options)

    def prepare(self, scenario: Scenario) -> PreparedRun:
        """The run of `scenario`, made once: the confirmation and the run share it."""
        if self._prepared is not None and self._prepared[0] is scenario:
            return self._prepared[1]
        options = self.options
        if options.created_at is None:
            options = dataclasses.replace(options, created_at=int(self.clock()))
        client = self.client or AwsClient(options, sleep=self.sleep)
        if options.region is None and scenario.sdk.caller == "apigateway":
            # API Gateway's integration URI and stage URL spell the region out: the session's
            options = dataclasses.replace(options, region=client.session.region_name)
        prepared = PreparedRun(options, client, build_plan(scenario, options))
        self._prepared = (scenario, prepared)
        return prepared

    def run(self, scenario: Scenario) -> Observations:
        refuse_unbuilt(scenario)
        if self.options.dry_run:
            raise InputError("--dry-run", "a dry run only prints the plan (AwsTarget.plan_only)")
        prepared = self.prepare(scenario)
        options, client, plan = prepared.options, prepared.client, prepared.plan
        client.retry_listener = self.progress
        # AWS-only probes (vpc, efs, ...): trials, patient teardown, the function's results
        executor = Executor(feature_run.patient_client(client, scenario, self.progress), self.progress)
        deployment = self.deployment = Deployment()
        obs = Observations(target=self.name)
        obs.notes.extend(plan_notes(scenario, options))
        try:
            self.progress(f"deploying run {options.run_id} ({len(plan.calls)} API calls)")
            executor.apply(plan.calls, deployment)
            obs.notes.extend(feature_run.run_trials(client, scenario, options, deployment, self.progress))
            driver = Driver(client, scenario, plan, deployment.outputs)
            stim = scenario.stimulus
            self.progress(
                f"sending {stim.count} request(s), "
                + (f"one every {stim.interval_s:g} s" if stim.times is None else
                   f"as --arrivals shapes them over {stim.at(stim.count - 1):g} s")
            )
            schedule = driver.run(obs)
            deadline = options.deadline_s if options.deadline_s is not None else derive_deadline_s(scenario)
            self.progress(f"collecting observations (deadline {deadline:.0f} s after the first request)")
            collector = Collector(
                client,
                scenario,
                plan,
                deployment.outputs,
                schedule.t0_wall,
                self.progress,
                options.poll_s,
                self.clock,
                driver.ledger,
            )
            collector.collect(obs, deadline, self.sleep)
            obs.notes.extend(feature_run.feature_notes_from_logs(client, scenario, plan.log_group))
        except BOTO_ERRORS as exc:
            raise to_aws_error(exc) from exc
        finally:
            leftovers = executor.teardown(deployment)
            if leftovers:
                message = f"teardown could not delete {len(leftovers)} resource(s); run `lambdaprobe cleanup`"
                obs.notes.append(f"{message}: {'; '.join(leftovers)}")
                self.progress(message)
            else:
                self.progress(f"run {options.run_id} torn down: nothing left behind")
        return obs


def plan_notes(scenario: Scenario, options: AwsOptions) -> list[str]:
    notes = [
        f"aws run {options.run_id}: resources named lambdaprobe-{options.run_id}-*, tagged "
        f"lambdaprobe:run={options.run_id}",
        "times: attempts from the function's clock, stimuli from this machine's clock (skew shifts one "
        "against the other)",
    ]
    if function_timeout_s(scenario) != scenario.function.timeout_s:
        notes.append(
            f"function timeout {scenario.function.timeout_s:g} s rounded to {function_timeout_s(scenario)} s "
            "(Lambda takes whole seconds)"
        )
    if scenario.concurrency.provisioned:
        notes.append("provisioned concurrency is billed from READY until teardown")
    return notes
