"""AwsTarget: deploys the scenario's stack, drives it, collects what happened, always tears down.

How the CLI uses it:
    target = AwsTarget(AwsOptions(region=..., profile=..., endpoint_url=..., deadline_s=...), progress)
    target.plan_only(scenario)      --dry-run: the plan as text; no API call, no credentials needed
    target.confirmation(scenario)   the resources a run creates, for "create these? [y/N]" (skip on --yes)
    target.run(scenario)            -> Observations, like SimTarget.run
Exceptions (all one line): AwsError -> exit 3 (already rolled back); ObservationDeadline, an
ObservationTimeout -> exit 4, with `.observations` (complete=False, missing=[...]) for the partial
report; KeyboardInterrupt after teardown -> exit 130.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from lambdaprobe.aws.apply import Deployment, Executor
from lambdaprobe.aws.client import BOTO_ERRORS, AwsClient, to_aws_error
from lambdaprobe.aws.collect import Collector, derive_deadline_s
from lambdaprobe.aws.drive import Driver
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.plan import PROBE, format_plan, function_timeout_s, log_group, plan, resources, watches
from lambdaprobe.errors import InputError, NotAvailableError
from lambdaprobe.observation import Observations
from lambdaprobe.scenario import ConcurrencySpec, Scenario

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def refuse_unbuilt(scenario: Scenario) -> None:
    """Say plainly what this target cannot run yet, rather than run something else."""
    conc = scenario.concurrency
    if conc.account_limit != ConcurrencySpec().account_limit:
        raise InputError(
            "--account-limit",
            "applies only to --target sim: on AWS the account's own limit applies "
            "(GetAccountSettings reports it); allowed on aws: the default",
        )
    stream = scenario.source.stream
    if "s3" in (scenario.async_config.on_failure, stream.on_failure if stream else None):
        raise NotAvailableError(
            "--on-failure s3 on --target aws is not built yet (no bucket is created or read); "
            "allowed now: sqs, sns (or --target sim)"
        )
    if conc.env_lifetime_s is not None:
        raise InputError(
            "--env-lifetime",
            "applies only to --target sim: AWS decides when it recycles an environment; allowed on aws: none",
        )
    if scenario.deployment is not None and scenario.sdk.caller != "sdk":
        raise NotAvailableError(
            f"{scenario.probe} --target aws: traffic shifting behind API Gateway is not built; allowed now: "
            "--caller sdk"
        )


class AwsTarget:
    """Runs a Scenario on a real account (or any AWS-compatible endpoint).

    `run` raises AwsError (exit 3) when AWS refuses (after rolling back), ObservationDeadline (an
    ObservationTimeout, exit 4) with the partial observations when the deadline passes, and lets
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

    def plan_only(self, scenario: Scenario) -> str:
        """The API calls a run would make, as text (`--dry-run`). Makes no call at all."""
        refuse_unbuilt(scenario)
        from lambdaprobe.aws.feature_run import format_trials  # AWS-only probes' trials, if any

        return format_plan(plan(scenario, self.options)) + format_trials(scenario, self.options)

    def confirmation(self, scenario: Scenario) -> list[str]:
        """What a run would create, one line each, for the CLI's "create these?" prompt."""
        refuse_unbuilt(scenario)
        from lambdaprobe.aws.feature_run import trial_resources  # AWS-only probes' trials, if any

        return resources(plan(scenario, self.options)) + trial_resources(scenario, self.options)

    def run(self, scenario: Scenario) -> Observations:
        refuse_unbuilt(scenario)
        if self.options.dry_run:
            raise InputError("--dry-run", "a dry run only prints the plan (AwsTarget.plan_only)")
        options = self.options
        if options.created_at is None:
            options = dataclasses.replace(options, created_at=int(self.clock()))
        client = self.client or AwsClient(options, sleep=self.sleep)
        if options.region is None and scenario.sdk.caller == "apigateway":
            # API Gateway's integration URI and stage URL spell the region out: the session's
            options = dataclasses.replace(options, region=client.session.region_name)
        client.retry_listener = self.progress
        # AWS-only probes (vpc, efs, ...): trials, patient teardown, the function's results
        from lambdaprobe.aws import feature_run

        executor = Executor(feature_run.patient_client(client, scenario, self.progress), self.progress)
        deployment = self.deployment = Deployment()
        obs = Observations(target=self.name)
        obs.notes.extend(plan_notes(scenario, options))
        try:
            self.progress(f"deploying run {options.run_id} ({len(plan(scenario, options))} API calls)")
            executor.apply(plan(scenario, options), deployment)
            obs.notes.extend(feature_run.run_trials(client, scenario, options, deployment, self.progress))
            names = {
                "function": options.name(PROBE),
                "upstream": options.name("upstream"),
                "source": options.name("source"),
                "source_bus": options.name("source"),
            }
            driver = Driver(client, scenario, deployment.outputs, names)
            self.progress(
                f"sending {scenario.stimulus.count} request(s), one every {scenario.stimulus.interval_s:g} s"
            )
            schedule = driver.run(obs)
            deadline = options.deadline_s if options.deadline_s is not None else derive_deadline_s(scenario)
            self.progress(f"collecting observations (deadline {deadline:.0f} s after the first request)")
            collector = Collector(
                client,
                scenario,
                log_group(options),
                watches(scenario, options),
                deployment.outputs,
                schedule.t0_wall,
                self.progress,
                options.poll_s,
                self.clock,
                driver.ledger,
            )
            collector.collect(obs, deadline, self.sleep)
            obs.notes.extend(feature_run.feature_notes_from_logs(client, scenario, log_group(options)))
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
