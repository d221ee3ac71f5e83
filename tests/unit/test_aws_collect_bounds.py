"""Reading a run back always ends: repeated log markers, a queue that answers the same message for ever."""

from __future__ import annotations

from typing import Any

from lambdaprobe.aws.pages import MAX_PAGES
from lambdaprobe.aws.plan.records import Watch
from lambdaprobe.aws.run.collect import Collector
from tests.plan_refs import run_plan
from tests.unit.test_aws_collector_loop import T0, FakeClock, scenario


class Stuck:
    """Repeats one log page marker, and one queue message whose delete never takes."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self.calls[operation] = self.calls.get(operation, 0) + 1
        if operation == "FilterLogEvents":
            return {"events": [], "nextToken": "same"}
        if operation == "ReceiveMessage":
            body = '{"requestContext": {"condition": "RetriesExhausted"}, "requestPayload": {}}'
            return {"Messages": [{"MessageId": "m1", "ReceiptHandle": "h1", "Body": body}]}
        return {}


def test_a_stuck_endpoint_ends_the_read_and_counts_a_message_once() -> None:
    client = Stuck()
    watch = Watch("q_url", "on_failure", "sqs:x", "sqs")
    collector = Collector(client, scenario("async"), run_plan("x", (watch,)), {"q_url": "q"}, T0, clock=FakeClock())
    collector.read_logs()
    assert client.calls["FilterLogEvents"] == 2  # the marker came back: the read stops
    collector.drain(watch)
    assert client.calls["ReceiveMessage"] == MAX_PAGES  # bounded, not for ever
    assert len(collector.destinations) == 1 and client.calls.get("DeleteMessage") == 1
