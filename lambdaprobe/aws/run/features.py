"""The AWS-only probes' imperative part: trials, patient teardown of networks, reading results.

Hooked into `AwsTarget.run` in three places (see there): `run_trials` after the deploy,
`patient_client` for the executor (so teardown waits where AWS deletes asynchronously), and
`feature_notes_from_logs` after collection.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lambdaprobe.aws.client import BOTO_ERRORS, AwsClient, PollingCaller, error_code, one_line
from lambdaprobe.aws.observe.feature_report import UNSIGNED_ONLY, feature_notes, parse_feature_line, trial_note
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.pages import LISTING_ERRORS, MAX_PAGES, pages
from lambdaprobe.aws.plan.features import Trial, trials
from lambdaprobe.aws.plan.show import show_value
from lambdaprobe.aws.plan.signed import can_sign
from lambdaprobe.aws.run.apply import Deployment, Executor, resolve
from lambdaprobe.scenario import Scenario

Progress = Callable[[str], None]
# Lambda releases a VPC function's ENIs some time after DeleteFunction (AWS has said up to 20
# minutes, and longer has been seen); the subnet and group cannot be deleted before.
ENI_RELEASE_TIMEOUT_S = 45 * 60.0
ENI_POLL_S = 20.0
MOUNT_TARGET_GONE_TIMEOUT_S = 300.0
ACTIVE_TIMEOUT_S = 300.0


class PatientClient:
    """The run's client, waiting before deletes that AWS refuses while something is still going.

    - DeleteSecurityGroup / DeleteSubnet: until no network interface is left in the group or subnet
      (Lambda's ENIs linger after DeleteFunction; DependencyViolation otherwise).
    - efs DeleteFileSystem: until its mount targets are gone (DeleteMountTarget returns while the
      mount target is still "deleting"; FileSystemInUse otherwise).
    - s3 DeleteBucket: after deleting every object version in it (BucketNotEmpty otherwise).
    After the timeout the delete is tried anyway: if it fails, the teardown reports a leftover.
    """

    def __init__(self, inner: AwsClient, progress: Progress) -> None:
        # every call goes through `inner` (its retries, its stubs)
        self.inner = inner
        self.progress = progress

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if service == "ec2" and operation in ("DeleteSecurityGroup", "DeleteSubnet"):
            key, value = ("group-id", params["GroupId"]) if "GroupId" in params else ("subnet-id", params["SubnetId"])
            self.wait_empty(
                "ec2",
                "DescribeNetworkInterfaces",
                {"Filters": [{"Name": key, "Values": [value]}]},
                "NetworkInterfaces",
                ENI_RELEASE_TIMEOUT_S,
                f"waiting for the network interfaces in {value} to be released (Lambda keeps them for a while "
                "after DeleteFunction; this can take many minutes)",
            )
        elif service == "s3" and operation == "DeleteBucket":
            self.empty_bucket(params["Bucket"])
        elif service == "efs" and operation == "DeleteFileSystem":
            self.wait_empty(
                "efs",
                "DescribeMountTargets",
                {"FileSystemId": params["FileSystemId"]},
                "MountTargets",
                MOUNT_TARGET_GONE_TIMEOUT_S,
                f"waiting for the mount targets of {params['FileSystemId']} to be deleted",
            )
        return self.inner.call(service, operation, params)

    def empty_bucket(self, bucket: str) -> None:
        """Every version and delete marker (a versioned bucket is deleted empty only)."""
        params: dict[str, Any] = {"Bucket": bucket}
        try:
            for _ in range(MAX_PAGES):  # bounded, like every listing (see `aws.pages`)
                page = self.inner.call("s3", "ListObjectVersions", params)
                gone = [
                    {"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
                ]
                if gone:
                    self.inner.call("s3", "DeleteObjects", {"Bucket": bucket, "Delete": {"Objects": gone}})
                if not page.get("IsTruncated"):
                    return
                params = {
                    "Bucket": bucket,
                    "KeyMarker": page.get("NextKeyMarker"),
                    "VersionIdMarker": page.get("NextVersionIdMarker"),
                }
        except BOTO_ERRORS:
            return  # cannot tell: let DeleteBucket itself say

    def wait_empty(
        self, service: str, operation: str, params: dict[str, Any], key: str, timeout_s: float, message: str
    ) -> None:
        for i in range(max(1, int(timeout_s / ENI_POLL_S))):
            try:
                if not self.inner.call(service, operation, params).get(key):
                    return
            except BOTO_ERRORS:
                return  # cannot tell: let the delete itself say
            if i == 0:
                self.progress(message)
            self.sleep(ENI_POLL_S)


def patient_client(client: AwsClient, scenario: Scenario, progress: Progress) -> PollingCaller:
    """The client the executor should use for this scenario."""
    if scenario.feature is None or scenario.feature.kind == "env-encryption":
        return client
    return PatientClient(client, progress)


def run_trials(
    client: AwsClient,
    scenario: Scenario,
    options: AwsOptions,
    deployment: Deployment,
    progress: Progress,
    executor: Executor | None = None,
) -> list[str]:
    """Make each trial call; a refusal is a finding, a creation is torn down with the run.

    `executor`: the run's, whose journal and signal guard account for each trial function (by
    default an executor of the trials' own)."""
    executor = executor or Executor(client, progress)
    return [_trial(executor, client, trial, deployment, progress) for trial in trials(scenario, options)]


def _trial(executor: Executor, client: AwsClient, trial: Trial, deployment: Deployment, progress: Progress) -> str:
    call = trial.call
    params = resolve(call.params, deployment.outputs)
    name = params.get("FunctionName", "")
    what = f"{call.service}.{call.operation} {name}"
    progress(f"trying {what} (expected: {trial.expect})")
    try:
        if call.teardown is not None:  # accounted for like any create (journaled, found by name)
            with executor.guard.shield():
                executor.create(call, params, deployment)
        else:
            client.call(call.service, call.operation, params)
    except BOTO_ERRORS as exc:
        return trial_note(what, trial.expect, f"refused: {one_line(exc)}")
    outcome = "created"
    if trial.invoke_if_created:
        outcome += "; " + _invoke(client, name)
    return trial_note(what, trial.expect, outcome)


def _invoke(client: AwsClient, name: str) -> str:
    """Wait for the function to be Active, invoke it once, and say what came back."""
    try:
        for _ in range(int(ACTIVE_TIMEOUT_S / 5)):
            state = client.call("lambda", "GetFunctionConfiguration", {"FunctionName": name})
            if state.get("State") != "Pending":
                break
            client.sleep(5.0)
        if state.get("State") == "Failed":
            return f"the function is Failed: {state.get('StateReasonCode')}: {state.get('StateReason')}"
        answer = client.call("lambda", "Invoke", {"FunctionName": name, "Payload": b"{}"})
    except BOTO_ERRORS as exc:
        return f"invoke refused: {error_code(exc) or one_line(exc)}: {one_line(exc)}"
    payload: Any = answer.get("Payload")
    body = payload.read().decode("utf-8", "replace") if hasattr(payload, "read") else str(payload or "")
    if answer.get("FunctionError"):
        return f"invoke: FunctionError {answer['FunctionError']}: {body[:300]}"
    return f"invoke succeeded: {body[:300]}"


def feature_notes_from_logs(client: AwsClient, scenario: Scenario, group: str) -> list[str]:
    """The feature lines in the probe's log group, as findings (read after the collector is done)."""
    if scenario.feature is None:
        return []
    lines: list[dict[str, Any]] = []
    try:
        for page in pages(client, "logs", "FilterLogEvents", {"logGroupName": group}, "nextToken", "nextToken"):
            for event in page.get("events", []):
                line = parse_feature_line(str(event.get("message", "")))
                if line is not None:
                    lines.append(line)
    except LISTING_ERRORS as exc:
        return [f"{scenario.feature.kind}: could not read the feature results: {one_line(exc)}"]
    return feature_notes(scenario, lines, can_sign(client.options))


def format_trials(scenario: Scenario, options: AwsOptions) -> str:
    """The trials as dry-run text (after the plan)."""
    planned = trials(scenario, options)
    if not planned:
        return ""
    out = [f"Trials ({len(planned)}; a refusal is recorded as the answer, a creation is torn down):"]
    for i, trial in enumerate(planned, 1):
        hidden = ("Code", "Environment", "LoggingConfig", "Tags")
        params = {k: v for k, v in trial.call.params.items() if k not in hidden}
        shown = json.dumps(show_value(params), sort_keys=True, separators=(", ", ": "))
        out.append(f"{i:3d}. {trial.call.service}.{trial.call.operation} {shown}")
        out.append(f"     expected: {trial.expect}")
    feature = scenario.feature
    if feature is not None and feature.kind == "code-signing" and not can_sign(options):
        out.append(f"Not planned: {UNSIGNED_ONLY}")
    return "\n" + "\n".join(out)


def trial_resources(scenario: Scenario, options: AwsOptions) -> list[str]:
    """What the trials may create, for the confirmation prompt."""
    return [
        f"lambda function {t.call.params.get('FunctionName')} (a trial: {t.expect})" for t in trials(scenario, options)
    ]
