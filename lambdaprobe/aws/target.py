"""AwsTarget: deploys the scenario's stack, drives it, collects what happened, always tears down.

How the CLI uses it:
    target = AwsTarget(AwsOptions(region=..., profile=..., endpoint_url=..., deadline_s=...), progress)
    target.plan_only(scenario)      --dry-run: the plan as text; no API call, no credentials needed
    target.confirmation(scenario)   the resources a run creates, for "create these? [y/N]" (skip on --yes)
    target.run(scenario)            -> Observations, like SimTarget.run
The confirmation and the run share one plan (`prepare`): what the user confirms is what is applied,
with the same names and tags.
Exceptions (all one line): AwsError -> exit 3 (already rolled back; `.observations` for the partial
report once sending began); ObservationTimeout -> exit 4, with `.observations` (complete=False,
missing=[...]) for the partial report; TeardownIncomplete -> exit 5 (names each leftover and the
cleanup command); Interrupted (Ctrl-C, SIGTERM, SIGHUP) after teardown -> 130, 143, 129.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from lambdaprobe.aws.client import BOTO_ERRORS, AwsClient, control_config, to_aws_error
from lambdaprobe.aws.options import EXPIRES_TAG, LEASE_S, AwsOptions
from lambdaprobe.aws.plan.function import function_timeout_s
from lambdaprobe.aws.plan.records import Plan
from lambdaprobe.aws.plan.show import format_plan, resources
from lambdaprobe.aws.planner import build_plan
from lambdaprobe.aws.run import features as feature_run
from lambdaprobe.aws.run.apply import Deployment, Executor
from lambdaprobe.aws.run.collect import Collector
from lambdaprobe.aws.run.drive import Driver
from lambdaprobe.aws.run.interrupts import SignalGuard
from lambdaprobe.aws.run.journal import Heartbeat, RunJournal
from lambdaprobe.aws.run.observed import observed_settled, require_observed
from lambdaprobe.aws.sources.expect import derive_deadline_s
from lambdaprobe.errors import (
    AwsError,
    InputError,
    Interrupted,
    NotAvailableError,
    ObservationTimeout,
    TeardownIncomplete,
)
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
    with the partial observations when the deadline passes or something was not observed,
    TeardownIncomplete (exit 5) when something is left, and Interrupted after teardown on Ctrl-C,
    SIGTERM or SIGHUP (130, 143, 129). Nothing is written to stdout.
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
        client = self.client or AwsClient(options, sleep=self.sleep, config=control_config(options.deadline_s))
        if options.region is None:
            # the role's policy, API Gateway's integration URI and stage URL spell the Region out
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
        guard = SignalGuard(self.progress)
        with guard.installed():
            return self._run(scenario, options, client, plan, guard)

    def _run(
        self, scenario: Scenario, options: AwsOptions, client: AwsClient, plan: Plan, guard: SignalGuard
    ) -> Observations:
        journal = RunJournal.open(
            options.run_id,
            {"region": options.region, "endpoint_url": options.endpoint_url, "started_at": options.created_at},
        )
        # AWS-only probes (vpc, efs, ...): trials, patient teardown, the function's results
        executor = Executor(feature_run.patient_client(client, scenario, self.progress), self.progress, guard, journal)
        deployment = self.deployment = Deployment()
        obs = Observations(target=self.name)
        obs.notes.extend(plan_notes(scenario, options))
        heartbeat = Heartbeat(lambda: beat(client, options, journal, deployment)).start()
        failure: BaseException | None = None
        sending = False  # from the first send on, a failure still has a (partial) report
        try:
            self.progress(f"deploying run {options.run_id} ({len(plan.calls)} API calls)")
            executor.apply(plan.calls, deployment)
            obs.notes.extend(feature_run.run_trials(client, scenario, options, deployment, self.progress, executor))
            driver = Driver(client, scenario, plan, deployment.outputs)
            driver.stop = guard.stop
            self.progress(
                f"sending {scenario.stimulus.count} request(s), "
                + (f"one every {scenario.stimulus.interval_s:g} s" if scenario.stimulus.times is None
                   else f"as --arrivals shapes them over {scenario.stimulus.at(scenario.stimulus.count - 1):g} s")
            )
            sending = True
            schedule = driver.run(obs)
            deadline = options.deadline_s if options.deadline_s is not None else derive_deadline_s(scenario)
            guard.checkpoint()
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
            collector.collect(obs, deadline, partial(pause, self.sleep, guard))
            require_observed(scenario, obs)
            obs.notes.extend(feature_run.feature_notes_from_logs(client, scenario, plan.log_group))
        except BaseException as exc:
            failure = exc
        finally:
            heartbeat.stop()
            executor.teardown(deployment)
        return conclude(obs, deployment, failure, guard, options, self.progress, sending)


def pause(sleep: Callable[[float], None], guard: SignalGuard, seconds: float) -> None:
    """The collector's wait between polls, and a checkpoint for a signal (see SignalGuard.checkpoint)."""
    sleep(seconds)
    guard.checkpoint()


def beat(client: AwsClient, options: AwsOptions, journal: RunJournal, deployment: Deployment) -> None:
    """The run is alive: renew the journal's lease and, once the role exists, its expiry tag."""
    journal.renew()
    if "role_arn" in deployment.outputs:
        until = str(int(time.time() + LEASE_S))
        tags = [{"Key": EXPIRES_TAG, "Value": until}]
        client.call("iam", "TagRole", {"RoleName": options.name("role"), "Tags": tags})


def cleanup_command(options: AwsOptions) -> str:
    flags = (("--region", options.region), ("--profile", options.profile), ("--endpoint-url", options.endpoint_url))
    where = "".join(f" {flag} {value}" for flag, value in flags if value)
    return f"lambdaprobe cleanup --target aws --run {options.run_id}{where}"


def conclude(
    obs: Observations,
    deployment: Deployment,
    failure: BaseException | None,
    guard: SignalGuard,
    options: AwsOptions,
    progress: Progress,
    sending: bool = False,
) -> Observations:
    """After teardown: say what is left, and end the run the way its failure (if any) calls for."""
    obs.settled = observed_settled(obs)
    names = list(deployment.leftover_names)
    obs.leftovers = names
    if names:
        message = (
            f"teardown could not delete {len(names)} resource(s): {'; '.join(names)}; "
            f"run `{cleanup_command(options)}`"
        )
        obs.notes.append(f"{message} (why: {'; '.join(deployment.leftovers)})")
        progress(message)
    else:
        message = ""
        progress(f"run {options.run_id} torn down: nothing left behind")
    if isinstance(failure, KeyboardInterrupt) or (guard.pending is not None and failure is None):
        interrupted = guard.pending or Interrupted()
        if isinstance(failure, Interrupted):
            interrupted = failure if guard.pending is None else guard.pending
        interrupted.message = message or (
            f"interrupted by {interrupted.signal_name}; everything the run created was deleted"
        )
        if sending:
            if failure is not None:  # (a signal during teardown ends a run whose observations are all in)
                obs.complete = False
                why = f"interrupted by {interrupted.signal_name} before every observation was in"
                obs.missing = obs.missing or [why]
            interrupted.observations = obs
        raise interrupted from failure
    if isinstance(failure, BOTO_ERRORS):
        failure = to_aws_error(failure)
    if isinstance(failure, ObservationTimeout):
        if names:
            raise TeardownIncomplete(f"{failure}; {message}", names, failure.observations) from failure
        raise failure
    if isinstance(failure, AwsError):
        partial = obs if sending else None
        if partial is not None:
            obs.complete = False
            obs.missing = obs.missing or [f"the run failed before every observation was in: {failure}"]
        if names:
            raise TeardownIncomplete(f"{failure}; {message}", names, partial) from failure
        failure.observations = partial  # type: ignore[attr-defined]
        raise failure
    if failure is not None:
        raise failure
    if names:
        raise TeardownIncomplete(message, names, obs)
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
