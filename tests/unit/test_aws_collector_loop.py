"""The collection loop with a fake client and a fake clock: pagination, draining, stopping."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambdaprobe.aws.plan.records import Watch
from lambdaprobe.aws.run.collect import Collector
from lambdaprobe.errors import ObservationTimeout
from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import Observations, Sent
from lambdaprobe.scenario import AsyncConfig, FunctionSpec, Scenario, SourceSpec, SqsSourceSpec, Stimulus
from tests.plan_refs import run_plan

T0 = 1_790_000_000.0


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def probe(kind: str, t: float, request: str = "r01", aws_id: str = "a1", attempt: int = 1, **kw: Any) -> str:
    return json.dumps(
        {
            "lambdaprobe": kind,
            "request": request,
            "aws_request_id": aws_id,
            "attempt": attempt,
            "t": T0 + t,
            "cold": False,
            "init_type": "on-demand",
            "init_s": 0.0,
            **kw,
        }
    )


class FakeClient:
    """Answers FilterLogEvents in pages and ReceiveMessage from per-queue lists."""

    def __init__(self, events: list[tuple[float, str, str]], queues: dict[str, list[dict[str, Any]]]) -> None:
        self.events = events
        self.queues = queues
        self.deleted: list[str] = []
        self.calls: list[str] = []

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(operation)
        if operation == "FilterLogEvents":
            start = int(params.get("nextToken", "0"))
            page = self.events[start : start + 2]
            out: dict[str, Any] = {
                "events": [
                    {
                        "eventId": f"e{start + i}",
                        "timestamp": (T0 + t) * 1000,
                        "message": m,
                        "logStreamName": s,
                    }
                    for i, (t, m, s) in enumerate(page)
                ]
            }
            if start + 2 < len(self.events):
                out["nextToken"] = str(start + 2)
            return out
        if operation == "ReceiveMessage":
            pending = self.queues[params["QueueUrl"]]
            batch, self.queues[params["QueueUrl"]] = pending[:10], pending[10:]
            return {"Messages": batch}
        if operation == "DeleteMessage":
            self.deleted.append(params["ReceiptHandle"])
            return {}
        raise AssertionError(operation)


def scenario(kind: str, **kw: Any) -> Scenario:
    return Scenario(
        probe="retry",
        function=FunctionSpec(directive=Directive(duration_s=0.1, fail="always")),
        stimulus=Stimulus(count=1, mode="async" if kind == "async" else "sync"),
        source=SourceSpec(kind=kind, sqs=kw.get("sqs")),  # type: ignore[arg-type]
        async_config=kw.get("async_config", AsyncConfig()),
    )


def collector(
    sc: Scenario, client: FakeClient, clock: FakeClock, watches: list[Watch], progress: list[str]
) -> Collector:
    return Collector(
        client,
        sc,
        run_plan("x", tuple(watches)),
        {"q_url": "q"},
        T0,
        progress.append,
        poll_s=5.0,
        clock=clock,
    )


def test_sqs_without_redrive_is_watched_until_the_window_ends() -> None:
    sc = scenario("sqs", sqs=SqsSourceSpec(max_receive_count=None))
    events = [
        (1.0, probe("start", 1.0, attempt=1), "s1"),
        (1.1, probe("end", 1.1, attempt=1, outcome="error", error="boom"), "s1"),
        (31.0, probe("start", 31.0, aws_id="a2", attempt=2), "s1"),
        (31.1, probe("end", 31.1, aws_id="a2", attempt=2, outcome="error", error="boom"), "s1"),
        (
            31.2,
            "REPORT RequestId: a2\tDuration: 100.00 ms\tBilled Duration: 100 ms\tMemory Size: 128 MB\t"
            "Max Memory Used: 40 MB",
            "s1",
        ),
    ]
    clock, progress = FakeClock(), list[str]()
    client = FakeClient(events, {"q": []})
    obs = Observations("aws", sent=[Sent("r01", 0.0, "message")])
    out = collector(sc, client, clock, [], progress).collect(obs, deadline_s=60, sleep=clock.sleep)
    assert out.complete and [a.receive_count for a in out.attempts] == [1, 2]
    assert any("retry without bound" in n for n in out.notes)
    assert clock.now - T0 >= 60
    assert client.calls.count("FilterLogEvents") > 3  # paginated: 5 events, 2 per page


def test_deadline_lists_in_flight_and_missing_and_drains_queues() -> None:
    sc = scenario("async", async_config=AsyncConfig(dlq="sqs"))
    events = [
        (0.1, probe("start", 0.1), "s1"),
        (0.2, probe("end", 0.2, outcome="error", error="boom"), "s1"),
        (60.3, probe("start", 60.3), "s2"),  # the retry never ends in this window
    ]
    record = {"request": "r02", "lambdaprobe": {}}
    dlq = [
        {
            "MessageId": "m",
            "ReceiptHandle": "h1",
            "Body": json.dumps(record),
            "Attributes": {"SentTimestamp": str(int((T0 + 3) * 1000))},
        }
    ]
    clock, progress = FakeClock(), list[str]()
    client = FakeClient(events, {"q": dlq})
    watch = Watch("q_url", "dead_letter", "sqs:lambdaprobe-x-dlq", "sqs")
    obs = Observations("aws", sent=[Sent("r01", 0.0)])
    with pytest.raises(ObservationTimeout) as info:
        collector(sc, client, clock, [watch], progress).collect(obs, deadline_s=40, sleep=clock.sleep)
    partial = info.value.observations
    assert partial.complete is False
    assert partial.missing[0] == "r01: 1 of 3 attempts seen"
    assert any("no end yet" in m for m in partial.missing)
    assert client.deleted == ["h1"] and partial.dead_letters[0].t == 3.0
    assert any("next retry expected in ~" in p for p in progress)
