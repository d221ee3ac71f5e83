"""Planner invariants over generated scenarios (hypothesis): whatever the options, the plan is
well-formed, scoped to its run, and undoable."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.plan.show import format_plan
from lambdaprobe.aws.planner import build_plan
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
DESTINATIONS: st.SearchStrategy[Any] = st.sampled_from([None, "sqs", "sns", "lambda", "eventbridge"])


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    kind = draw(st.sampled_from(KINDS))
    reserved = draw(st.one_of(st.none(), st.integers(0, 50)))
    provisioned = draw(st.integers(0, 5)) if reserved else 0
    return Scenario(
        probe="generated",
        function=FunctionSpec(
            timeout_s=draw(st.floats(0.5, 900)),
            memory_mb=draw(st.sampled_from([128, 256, 1024])),
            directive=Directive(fail=draw(st.sampled_from(["never", "always", "first:2"]))),
        ),
        stimulus=Stimulus(count=draw(st.integers(1, 20)), mode=draw(st.sampled_from(["sync", "async"]))),
        source=SourceSpec(
            kind=kind,  # type: ignore[arg-type]
            sqs=SqsSourceSpec(
                max_receive_count=draw(st.one_of(st.none(), st.integers(1, 10))),
                report_batch_item_failures=draw(st.booleans()),
                max_concurrency=draw(st.one_of(st.none(), st.integers(2, 10))),
                batching_window_s=draw(st.integers(0, 5)),
            )
            if kind.startswith("sqs")
            else None,
            stream=StreamSourceSpec(on_failure=draw(st.sampled_from([None, "sqs", "sns"])))
            if kind in ("kinesis", "dynamodb")
            else None,
        ),
        concurrency=ConcurrencySpec(
            reserved=reserved,
            provisioned=min(provisioned, reserved or 0),
            qualifier=draw(st.sampled_from(["alias", "version", "latest"])),
        ),
        async_config=AsyncConfig(
            max_retry_attempts=draw(st.integers(0, 2)),
            dlq=draw(st.sampled_from([None, "sqs", "sns"])),
            on_success=draw(DESTINATIONS),
            on_failure=draw(DESTINATIONS),
        ),
    )




@settings(max_examples=150, deadline=None)
@given(scenarios(), st.text("0123456789abcdef", min_size=6, max_size=6))
def test_every_generated_plan_is_well_formed(scenario: Scenario, suffix: str) -> None:
    run_id = f"lp{suffix}"
    calls = build_plan(scenario, AwsOptions(run_id=run_id, region="us-east-1", created_at=1)).calls
    produced: set[str] = set()
    undo: list[tuple[str, str]] = []
    for call in calls:
        assert set(refs(call.params)) <= produced, call.operation
        if call.produces:
            assert call.produces not in produced, f"{call.produces} produced twice"
            produced.add(call.produces)
        if call.teardown is not None:
            assert set(refs(call.teardown.params)) <= produced
            undo.append((call.teardown.service, call.teardown.operation))
        text = json.dumps(call.params, default=str)
        for name in re.findall(r"lambdaprobe-[a-z0-9]+-[a-z-]+", text):
            assert name.startswith(f"lambdaprobe-{run_id}-"), name
        for key in ("FunctionName", "QueueName", "RoleName", "StreamName", "TableName", "Name"):
            value = call.params.get(key)
            if isinstance(value, str) and value != "live":
                assert len(value) <= 64 or (key == "QueueName" and len(value) <= 80)
    ops = [c.operation for c in calls]
    assert ops.count("CreateRole") == 1 and ops[:2] == ["GetCallerIdentity", "CreateRole"]
    assert undo[0] == ("iam", "DeleteRole")  # undone last
    if scenario.provisioned_qualifier is not None:
        pc = next(c for c in calls if c.operation == "PutProvisionedConcurrencyConfig")
        assert pc.params["Qualifier"] != "$LATEST"
    for w in build_plan(scenario, AwsOptions(run_id=run_id)).watches:
        assert w.queue_url in {c.produces for c in calls}
    assert format_plan(calls).count("\n") >= len(calls)
