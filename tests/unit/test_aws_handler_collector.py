"""The collector reads what the real handler writes: run the handler locally, parse its lines."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest

from lambdaprobe.aws.observe.log_parse import LogEvent, attempts_from_logs
from lambdaprobe.function import handler as probe
from lambdaprobe.templates import invoke_event

T0 = 1_790_000_000.0


class Context:
    def __init__(self, aws_request_id: str) -> None:
        self.aws_request_id = aws_request_id


@pytest.fixture(autouse=True)
def fake_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    now = [T0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    monkeypatch.setattr(probe, "_state", {"invocations": 0})
    monkeypatch.setattr(probe, "_attempts", {})
    monkeypatch.setattr(probe, "INIT_S", 0.0)  # the real import's init time would shift attempt 1
    monkeypatch.setattr("lambdaprobe.function.handler.time.sleep", sleep)
    monkeypatch.setattr("lambdaprobe.function.handler.time.time", lambda: now[0])
    yield now


def invoke(event: Any, aws_id: str, stream: str, capsys: pytest.CaptureFixture[str]) -> list[LogEvent]:
    with contextlib.suppress(probe.ProbeError):
        probe.handler(event, Context(aws_id))
    out = []
    for i, line in enumerate(capsys.readouterr().out.splitlines()):
        t = json.loads(line)["t"]
        out.append(LogEvent(t * 1000, line + "\n", stream, f"{stream}:{aws_id}:{t}:{i}"))
    return out


def test_async_retries_of_the_real_handler(
    capsys: pytest.CaptureFixture[str], fake_time: list[float]
) -> None:
    event = invoke_event("r01", {"duration_s": 0.5, "fail": "first:2", "init_s": 0.0})
    events = invoke(event, "same", "2026/01/01/[1]env1", capsys)
    fake_time[0] += 60
    events += invoke(event, "same", "2026/01/01/[1]env1", capsys)
    fake_time[0] += 120
    events += invoke(event, "same", "2026/01/01/[1]env2", capsys)  # another log stream, same memory here
    attempts, in_flight = attempts_from_logs(events, T0)
    assert in_flight == []
    assert [(a.n, a.outcome) for a in attempts] == [(1, "error"), (2, "error"), (3, "success")]
    assert [round(a.end - a.start, 3) for a in attempts] == [0.5, 0.5, 0.5]
    assert [round(a.start, 3) for a in attempts] == [0.0, 60.5, 181.0]
    assert attempts[0].cold and not attempts[1].cold


def test_sqs_batch_of_the_real_handler(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMBDAPROBE_PARTIAL_BATCH", "1")
    records = [
        {
            "eventSource": "aws:sqs",
            "messageId": f"m{i}",
            "attributes": {"ApproximateReceiveCount": "2"},
            "body": json.dumps(
                invoke_event(f"r0{i}", {"duration_s": 0.2, "fail": "always" if i == 1 else "never"})
            ),
        }
        for i in (1, 2)
    ]
    events = invoke({"Records": records}, "batch-1", "2026/01/01/[$LATEST]env", capsys)
    attempts, _ = attempts_from_logs(events, T0, renumber=False)
    assert {(a.request_id, a.n, a.receive_count, a.outcome) for a in attempts} == {
        ("r01", 2, 2, "error"),
        ("r02", 2, 2, "success"),
    }
    assert len({a.execution_id for a in attempts}) == 1 and {a.version for a in attempts} == {"$LATEST"}
