"""A whole run on moto with the function's output played in by the test.

moto cannot execute the probe, so while the target collects, this test writes what Lambda would
have written: the probe's JSON lines and REPORT lines in the function's log group, the original
event in the DLQ, the invocation record at the on-failure destination. The target must read them
back into the simulator's shapes, settle, tear down, and feed analysis like any other run.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from lambdaprobe.analysis import analyse
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.target import AwsTarget
from lambdaprobe.compare import compare
from lambdaprobe.function.directive import Directive
from lambdaprobe.scenario import AsyncConfig, FunctionSpec, Scenario, SourceSpec, Stimulus
from lambdaprobe.sim.records import dlq_attributes, invocation_record
from lambdaprobe.sim.target import SimTarget
from lambdaprobe.templates import invoke_event
from tests.functional.aws_helpers import clients, inventory
from tests.functional.test_aws_deploy import warm_client

RUN = "lppipe00"
AWS_ID = "0f3c7e1a-2b4d-4c6e-8f00-112233445566"
ERROR = "lambdaprobe: attempt {n} fails as directed (always)"


def line(kind: str, t: float, n: int, outcome: str | None = None, cold: bool = False) -> dict[str, Any]:
    body = {
        "lambdaprobe": kind,
        "request": "r01",
        "aws_request_id": AWS_ID,
        "attempt": 1,
        "t": t,
        "cold": cold,
        "init_type": "on-demand",
        "init_s": 0.3 if cold else 0.0,
        "outcome": outcome,
        "error": ERROR.format(n=n) if outcome == "error" else None,
    }
    return {"timestamp": int(t * 1000), "message": json.dumps(body) + "\n"}


def report(t: float, init: bool) -> dict[str, Any]:
    text = (
        f"REPORT RequestId: {AWS_ID}\tDuration: 101.20 ms\tBilled Duration: 102 ms\tMemory Size: 128 MB\t"
        f"Max Memory Used: 40 MB\t" + ("Init Duration: 298.10 ms\t" if init else "") + "\n"
    )
    return {"timestamp": int(t * 1000), "message": text}


def play_function_output(endpoint: str, target: AwsTarget, scenario: Scenario) -> None:
    c = clients(endpoint)
    group = f"/aws/lambda/lambdaprobe-{RUN}-probe"
    now = time.time()
    # two environments: the retry landed on a new one, whose counter starts again at 1
    for stream, n, start, cold in (
        ("2026/01/01/[1]aaaa", 1, now, True),
        ("2026/01/01/[1]bbbb", 2, now + 0.2, True),
    ):
        c["logs"].create_log_stream(logGroupName=group, logStreamName=stream)
        c["logs"].put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[
                line("start", start, n, cold=cold),
                line("end", start + 0.1, n, "error", cold=cold),
                report(start + 0.11, init=cold),
            ],
        )
    assert target.deployment is not None
    outputs = target.deployment.outputs
    event = invoke_event("r01", scenario.function.directive.to_event())
    attrs = dlq_attributes("sqs", AWS_ID, 200, ERROR.format(n=2))
    c["sqs"].send_message(
        QueueUrl=outputs["dlq_url"],
        MessageBody=json.dumps(event),
        MessageAttributes={
            k: {"DataType": v["DataType"], "StringValue": v["StringValue"]} for k, v in attrs.items()
        },
    )
    record = invocation_record(
        t=0.4,
        request_id=AWS_ID,
        function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:lambdaprobe-{RUN}-probe:live",
        condition="RetriesExhausted",
        invoke_count=2,
        payload=event,
        status_code=200,
        executed_version="1",
        function_error=True,
        response={"errorMessage": ERROR.format(n=2), "errorType": "ProbeError"},
    )
    c["sqs"].send_message(QueueUrl=outputs["on-failure_url"], MessageBody=json.dumps(record))


def test_async_run_reads_attempts_dlq_and_destination_back(moto_endpoint: str) -> None:
    scenario = Scenario(
        probe="retry",
        function=FunctionSpec(timeout_s=3, directive=Directive(duration_s=0.1, fail="always", init_s=0.3)),
        stimulus=Stimulus(count=1, mode="async"),
        source=SourceSpec(kind="async"),
        async_config=AsyncConfig(max_retry_attempts=1, dlq="sqs", on_failure="sqs"),
    )
    o = AwsOptions(region="us-east-1", endpoint_url=moto_endpoint, run_id=RUN, poll_s=0.05, deadline_s=20)
    messages: list[str] = []
    target = AwsTarget(o, client=warm_client(o))

    def progress(message: str) -> None:
        messages.append(message)
        if message.startswith("collecting"):
            play_function_output(moto_endpoint, target, scenario)

    target.progress = progress
    obs = target.run(scenario)

    assert obs.complete and obs.missing == []
    assert [(a.n, a.outcome, a.cold) for a in obs.attempts] == [(1, "error", True), (2, "error", True)]
    assert obs.attempts[0].init_s == pytest.approx(0.2981) and obs.attempts[0].billed_ms == 102
    assert obs.attempts[1].error == ERROR.format(n=2)
    (dead,) = obs.dead_letters
    assert dead.queue == f"sqs:lambdaprobe-{RUN}-dlq" and dead.request_id == "r01"
    assert dead.attributes["RequestID"] == {"DataType": "String", "StringValue": AWS_ID}
    (dest,) = obs.destinations
    assert dest.kind == "on_failure" and dest.record["requestContext"]["condition"] == "RetriesExhausted"
    assert [(s.request_id, s.final) for s in obs.settled] == [("r01", "dead_lettered")]
    assert inventory(moto_endpoint, RUN) == {}

    observed = analyse(scenario, obs)
    predicted = analyse(scenario, SimTarget().run(scenario))
    assert observed.summary.attempts == predicted.summary.attempts == 2
    assert observed.summary.dead_lettered == predicted.summary.dead_lettered == 1
    assert observed.requests[0].final == predicted.requests[0].final == "dead_lettered"
    result = compare(observed, predicted)
    # the played-in retry came after 0.2 s, not the documented ~60 s: compare must say so
    assert any("attempt 2: started" in d for r in result.requests for p in r.attempts for d in p.deviations)
    assert set(observed.to_json()) == set(predicted.to_json())


def test_sqs_run_reads_receives_and_the_redrive_queue_back(moto_endpoint: str) -> None:
    from lambdaprobe.scenario import SqsSourceSpec

    run = "lppipe01"
    scenario = Scenario(
        probe="retry",
        function=FunctionSpec(timeout_s=3, directive=Directive(duration_s=0.1, fail="always", init_s=0.3)),
        stimulus=Stimulus(count=1),
        source=SourceSpec(kind="sqs", sqs=SqsSourceSpec(visibility_timeout_s=30, max_receive_count=2)),
    )
    o = AwsOptions(region="us-east-1", endpoint_url=moto_endpoint, run_id=run, poll_s=0.05, deadline_s=20)
    target = AwsTarget(o, client=warm_client(o))

    def progress(message: str) -> None:
        if not message.startswith("collecting"):
            return
        c = clients(moto_endpoint)
        group, now = f"/aws/lambda/lambdaprobe-{run}-probe", time.time()
        c["logs"].create_log_stream(logGroupName=group, logStreamName="2026/01/01/[1]cccc")
        lines = []
        for n, aws_id in ((1, "b1"), (2, "b2")):
            start = now + (n - 1) * 0.2
            for kind, t, outcome in (("start", start, None), ("end", start + 0.1, "error")):
                body = {
                    "lambdaprobe": kind,
                    "request": "r01",
                    "aws_request_id": aws_id,
                    "attempt": n,
                    "t": t,
                    "cold": n == 1,
                    "init_type": "on-demand",
                    "init_s": 0.3 if n == 1 else 0.0,
                    "outcome": outcome,
                    "error": "boom" if outcome else None,
                }
                lines.append({"timestamp": int(t * 1000), "message": json.dumps(body)})
        c["logs"].put_log_events(logGroupName=group, logStreamName="2026/01/01/[1]cccc", logEvents=lines)
        assert target.deployment is not None
        event = invoke_event("r01", scenario.function.directive.to_event())
        c["sqs"].send_message(
            QueueUrl=target.deployment.outputs["source-dlq_url"], MessageBody=json.dumps(event)
        )

    target.progress = progress
    obs = target.run(scenario)
    assert obs.complete
    assert [(a.n, a.receive_count, a.outcome) for a in obs.attempts] == [(1, 1, "error"), (2, 2, "error")]
    (dead,) = obs.dead_letters
    assert dead.queue == f"sqs:lambdaprobe-{run}-source-dlq" and dead.request_id == "r01"
    assert analyse(scenario, obs).requests[0].final == "dead_lettered"
    assert inventory(moto_endpoint, run) == {}
