"""The pure planner: every source kind, names, tags, teardown, references, the dry-run text."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.plan.records import ApiCall, Fmt, Json, Ref
from lambdaprobe.aws.plan.show import format_plan
from lambdaprobe.aws.planner import build_plan
from lambdaprobe.aws.run.apply import resolve
from lambdaprobe.function.directive import Directive
from lambdaprobe.scenario import (
    SOURCE_KINDS,
    AsyncConfig,
    ConcurrencySpec,
    FunctionSpec,
    Scenario,
    SourceSpec,
    SqsSourceSpec,
    Stimulus,
    StreamSourceSpec,
)
from tests.plan_refs import refs

KINDS = list(SOURCE_KINDS)
OPTIONS = AwsOptions(region="eu-west-1", run_id="lp0a1b2c", created_at=1_790_000_000)
TAGGED_CREATES = {
    "CreateRole",
    "CreateQueue",
    "CreateTopic",
    "CreateEventBus",
    "PutRule",
    "CreateLogGroup",
    "CreateFunction",
    "CreateTable",
    "CreateEventSourceMapping",
    "AddTagsToStream",
}


def scenario(kind: str, **kw: Any) -> Scenario:
    return Scenario(
        probe="retry",
        function=FunctionSpec(timeout_s=kw.pop("timeout_s", 3.0), directive=Directive(fail="always")),
        stimulus=Stimulus(count=3, interval_s=1.0, mode=kw.pop("mode", "sync")),
        source=SourceSpec(
            kind=kind,  # type: ignore[arg-type]
            sqs=kw.pop("sqs", SqsSourceSpec() if kind.startswith("sqs") else None),
            stream=kw.pop(
                "stream", StreamSourceSpec(on_failure="sqs") if kind in ("kinesis", "dynamodb") else None
            ),
        ),
        concurrency=kw.pop("concurrency", ConcurrencySpec()),
        async_config=kw.pop(
            "async_config", AsyncConfig(dlq="sqs", on_success="sns", on_failure="eventbridge")
        ),
    )




def names_in(call: ApiCall) -> list[str]:
    keys = ("RoleName", "QueueName", "Name", "FunctionName", "StreamName", "TableName", "logGroupName")
    return [str(call.params[k]) for k in keys if k in call.params and isinstance(call.params[k], str)]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_plans_named_tagged_resources_with_teardown(kind: str) -> None:
    calls = build_plan(scenario(kind), OPTIONS).calls
    produced: set[str] = set()
    for call in calls:
        for name in refs(call.params):
            assert name in produced, f"{call.operation} uses <{name}> before it is produced"
        if call.produces:
            produced.add(call.produces)
        if call.teardown is not None:
            for name in refs(call.teardown.params):
                assert name in produced
        for name in names_in(call):
            if call.operation not in ("GetFunctionConfiguration",):
                assert "lambdaprobe-lp0a1b2c-" in name or name == "live", (call.operation, name)
        if call.operation in TAGGED_CREATES:
            tags = call.params.get("Tags", call.params.get("tags"))
            flat = json.dumps(tags)
            assert "lambdaprobe:run" in flat and "lp0a1b2c" in flat, call.operation
            assert "lambdaprobe:created" in flat and "1790000000" in flat
        if call.operation.startswith("Create") and call.operation != "CreateAlias":
            assert call.teardown is not None, f"{call.operation} has no teardown"
    ops = [c.operation for c in calls]
    assert ops[:2] == ["GetCallerIdentity", "CreateRole"] and "PutRolePolicy" in ops
    assert ops.index("PutRolePolicy") < ops.index("CreateFunction")
    assert {"PublishVersion", "CreateAlias"} <= set(ops)


@pytest.mark.parametrize("kind", ["eventbridge", "async"])
def test_rule_teardown_names_the_rule_created(kind: str) -> None:
    sc = scenario(kind, async_config=AsyncConfig(on_success="eventbridge"))
    calls = build_plan(sc, OPTIONS).calls
    rules = {(c.params["Name"], c.params["EventBusName"]) for c in calls if c.operation == "PutRule"}
    assert rules
    for c in calls:
        if c.operation == "PutTargets":
            assert (c.params["Rule"], c.params["EventBusName"]) in rules
        if c.teardown is not None and c.teardown.operation == "DeleteRule":
            assert (c.teardown.params["Name"], c.teardown.params["EventBusName"]) in rules
        if c.teardown is not None and c.teardown.operation == "RemoveTargets":
            assert (c.teardown.params["Rule"], c.teardown.params["EventBusName"]) in rules


def test_source_specific_calls() -> None:
    ops = {k: [c.operation for c in build_plan(scenario(k), OPTIONS).calls] for k in KINDS}
    for k in ("sqs", "sqs-fifo", "kinesis", "dynamodb"):
        assert "CreateEventSourceMapping" in ops[k] and "GetEventSourceMapping" in ops[k]
    assert "Subscribe" in ops["sns"] and "AddPermission" in ops["sns"]
    assert {"CreateEventBus", "PutRule", "PutTargets", "AddPermission"} <= set(ops["eventbridge"])
    assert "CreateStream" in ops["kinesis"] and "CreateTable" in ops["dynamodb"]
    assert ops["destination"].count("CreateFunction") == 2 + 0  # upstream and probe (no lambda destination)
    assert "PutFunctionEventInvokeConfig" not in ops["sync"]
    assert "PutFunctionEventInvokeConfig" in ops["async"]


def test_sqs_queue_redrive_and_mapping_parameters() -> None:
    sqs = SqsSourceSpec(
        visibility_timeout_s=20,
        max_receive_count=4,
        batch_size=5,
        batching_window_s=2,
        report_batch_item_failures=True,
        max_concurrency=3,
    )
    calls = build_plan(scenario("sqs", sqs=sqs), OPTIONS).calls
    source = next(
        c for c in calls if c.operation == "CreateQueue" and c.params["QueueName"].endswith("-source")
    )
    attrs = source.params["Attributes"]
    assert attrs["VisibilityTimeout"] == "20"
    assert attrs["RedrivePolicy"] == Json(
        {"deadLetterTargetArn": Ref("source-dlq_arn"), "maxReceiveCount": 4}
    )
    esm = next(c for c in calls if c.operation == "CreateEventSourceMapping")
    assert esm.params["BatchSize"] == 5 and esm.params["MaximumBatchingWindowInSeconds"] == 2
    assert esm.params["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert esm.params["ScalingConfig"] == {"MaximumConcurrency": 3}
    assert esm.params["FunctionName"] == "lambdaprobe-lp0a1b2c-probe:live"
    fn = next(c for c in calls if c.operation == "CreateFunction")
    assert fn.params["Environment"]["Variables"]["LAMBDAPROBE_PARTIAL_BATCH"] == "1"
    fifo = build_plan(scenario("sqs-fifo", sqs=SqsSourceSpec(batching_window_s=2)), OPTIONS).calls
    queue = next(c for c in fifo if c.operation == "CreateQueue" and "-source." in c.params["QueueName"])
    assert queue.params["QueueName"].endswith(".fifo") and queue.params["Attributes"]["FifoQueue"] == "true"
    fifo_esm = next(c for c in fifo if c.operation == "CreateEventSourceMapping")
    assert "MaximumBatchingWindowInSeconds" not in fifo_esm.params


def test_stream_mapping_parameters() -> None:
    st = StreamSourceSpec(
        batch_size=7,
        max_retry_attempts=2,
        max_record_age_s=120,
        bisect=True,
        parallelization_factor=2,
        on_failure="sns",
    )
    calls = build_plan(scenario("kinesis", stream=st), OPTIONS).calls
    esm = next(c for c in calls if c.operation == "CreateEventSourceMapping")
    p = esm.params
    assert (p["BatchSize"], p["MaximumRetryAttempts"], p["MaximumRecordAgeInSeconds"]) == (7, 2, 120)
    assert p["BisectBatchOnFunctionError"] is True and p["ParallelizationFactor"] == 2
    assert p["DestinationConfig"] == {"OnFailure": {"Destination": Ref("stream-failure_arn")}}
    assert p["StartingPosition"] == "TRIM_HORIZON"


def test_concurrency_and_async_config() -> None:
    sc = scenario(
        "async",
        mode="async",
        concurrency=ConcurrencySpec(reserved=20, provisioned=10),
        async_config=AsyncConfig(max_retry_attempts=1, max_event_age_s=120, dlq="sns", on_failure="lambda"),
    )
    calls = build_plan(sc, OPTIONS).calls
    by_op = {c.operation: c for c in calls}
    assert by_op["PutFunctionConcurrency"].params["ReservedConcurrentExecutions"] == 20
    pc = by_op["PutProvisionedConcurrencyConfig"]
    assert pc.params == {
        "FunctionName": "lambdaprobe-lp0a1b2c-probe",
        "Qualifier": "live",
        "ProvisionedConcurrentExecutions": 10,
    }
    assert pc.teardown is not None and pc.teardown.operation == "DeleteProvisionedConcurrencyConfig"
    assert "billed" in pc.note
    wait = by_op["GetProvisionedConcurrencyConfig"]
    assert wait.poll is not None and wait.poll.ready == ("READY",) and wait.poll.failed == ("FAILED",)
    eic = next(
        c
        for c in calls
        if c.operation == "PutFunctionEventInvokeConfig" and c.params["FunctionName"].endswith("-probe")
    )
    assert eic.params["MaximumRetryAttempts"] == 1 and eic.params["MaximumEventAgeInSeconds"] == 120
    assert eic.params["DestinationConfig"] == {"OnFailure": {"Destination": Fmt("{on-failure_arn}")}}
    fn = next(
        c for c in calls if c.operation == "CreateFunction" and c.params["FunctionName"].endswith("-probe")
    )
    assert fn.params["DeadLetterConfig"] == {"TargetArn": Ref("dlq_arn")}
    kinds = {(w.observe, w.shape) for w in build_plan(sc, OPTIONS).watches}
    assert kinds == {("dead_letter", "sns"), ("on_failure", "lambda")}


def test_version_qualifier_and_latest() -> None:
    sc = scenario("sync", concurrency=ConcurrencySpec(reserved=1, provisioned=1, qualifier="latest"))
    pc = next(c for c in build_plan(sc, OPTIONS).calls if c.operation == "PutProvisionedConcurrencyConfig")
    assert pc.params["Qualifier"] == "live"  # never $LATEST
    sc = scenario("sync", concurrency=ConcurrencySpec(reserved=1, provisioned=1, qualifier="version"))
    pc = next(c for c in build_plan(sc, OPTIONS).calls if c.operation == "PutProvisionedConcurrencyConfig")
    assert pc.params["Qualifier"] == "1"


@pytest.mark.parametrize("kind", KINDS)
def test_least_privilege_policy_is_scoped_to_the_run(kind: str) -> None:
    calls = build_plan(scenario(kind), OPTIONS).calls
    assert calls[0].operation == "GetCallerIdentity" and calls[0].produces == "account"
    policy = next(c for c in calls if c.operation == "PutRolePolicy").params["PolicyDocument"]
    doc = json.loads(resolve(policy, {"account": "123456789012"}))
    for statement in doc["Statement"]:
        assert "*" not in statement["Action"] and all(":*" not in a for a in statement["Action"])
        if statement["Action"] == ["dynamodb:ListStreams"]:
            continue  # the one action that takes no resource
        for resource in statement["Resource"]:
            # this run's resources, in the run's account and Region only
            assert "lambdaprobe-lp0a1b2c-" in resource and resource.startswith("arn:aws:")
            assert resource.split(":")[3:5] == ["eu-west-1", "123456789012"]


def test_timeout_rounds_up_to_whole_seconds() -> None:
    fn = next(c for c in build_plan(scenario("sync", timeout_s=2.5), OPTIONS).calls if c.operation == "CreateFunction")
    assert fn.params["Timeout"] == 3


def test_plan_is_deterministic_and_dry_run_text() -> None:
    sc = scenario("async")
    assert build_plan(sc, OPTIONS).calls == build_plan(sc, OPTIONS).calls
    text = format_plan(build_plan(sc, OPTIONS).calls)
    assert text.startswith("Deploy (") and "nothing is created" in text
    assert "iam.CreateRole" in text and "<zip, " in text and "Teardown (" in text
    assert text.rindex("iam.DeleteRole") > text.index("Teardown")


def test_planner_imports_no_boto3() -> None:
    script = (
        "import sys\n"
        "for m in ('boto3', 'botocore', 'tenacity'): sys.modules[m] = None\n"
        "from lambdaprobe.aws.planner import build_plan\nfrom lambdaprobe.aws.plan.show import format_plan\n"
        "from lambdaprobe.aws.options import AwsOptions\n"
        "from lambdaprobe.scenario import Scenario, FunctionSpec, Stimulus\n"
        "sc = Scenario('p', FunctionSpec(), Stimulus())\n"
        "print(format_plan(build_plan(sc, AwsOptions(run_id='lp000000')).calls)[:6])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.startswith("Deploy")


def test_destination_kind_may_invoke_the_probe() -> None:
    calls = build_plan(scenario("destination", async_config=AsyncConfig()), OPTIONS).calls
    policy = next(c for c in calls if c.operation == "PutRolePolicy").params["PolicyDocument"]
    doc = json.loads(resolve(policy, {"account": "123456789012"}))
    assert any("lambda:InvokeFunction" in s["Action"] for s in doc["Statement"])
    upstream = next(
        c
        for c in calls
        if c.operation == "PutFunctionEventInvokeConfig" and c.params["FunctionName"].endswith("-upstream")
    )
    assert upstream.params["DestinationConfig"] == {"OnSuccess": {"Destination": Fmt("{probe_arn}:live")}}


def test_only_the_aws_package_imports_boto3() -> None:
    import pathlib
    import re

    repo = pathlib.Path(__file__).resolve().parents[2]
    root = repo / "lambdaprobe"
    pattern = re.compile(r"^\s*(import|from)\s+(boto3|botocore|tenacity)\b", re.M)
    # The deployed code lives in probes/ (lambdaprobe/function is a link to it, which rglob does not follow).
    files = [*root.rglob("*.py"), *(root / "function" / p.name for p in (repo / "probes").glob("*.py"))]
    offenders = [
        str(p.relative_to(root))
        for p in files
        if "aws" not in p.relative_to(root).parts[:1] and pattern.search(p.read_text())
    ]
    # The one exception: the deployed function's KMS decrypt, boto3 imported inside that branch
    # only (Lambda's runtime has it); never at module level.
    assert offenders == ["function/features.py"]
    lazy = (root / "function" / "features.py").read_text()
    assert re.search(r"^(import|from)\s+(boto3|botocore)", lazy, re.M) is None


def test_resources_for_the_confirmation_prompt() -> None:
    from lambdaprobe.aws.plan.show import resources

    sc = scenario("sqs", concurrency=ConcurrencySpec(reserved=2, provisioned=1))
    lines = resources(build_plan(sc, OPTIONS).calls)
    assert "iam role lambdaprobe-lp0a1b2c-role" in lines
    assert "lambda function lambdaprobe-lp0a1b2c-probe" in lines
    assert any(line.startswith("provisioned concurrency 1 on live (") and "billed" in line for line in lines)
    assert any(line.startswith("event source mapping") for line in lines)
