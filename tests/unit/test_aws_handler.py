"""The deployed probe handler, called locally with fake events and contexts."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambdaprobe.aws.plan.bundle import function_zip
from lambdaprobe.function import handler as probe


class Context:
    def __init__(self, aws_request_id: str) -> None:
        self.aws_request_id = aws_request_id


@pytest.fixture(autouse=True)
def fresh_module_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(probe, "_state", {"invocations": 0})
    monkeypatch.setattr(probe, "_attempts", {})
    monkeypatch.setattr("lambdaprobe.function.handler.time.sleep", lambda s: None)
    for var in ("LAMBDAPROBE_DIRECTIVE", "LAMBDAPROBE_PARTIAL_BATCH", "AWS_LAMBDA_INITIALIZATION_TYPE"):
        monkeypatch.delenv(var, raising=False)
    yield


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def direct(rid: str, **directive: Any) -> dict[str, Any]:
    return {"request": rid, "lambdaprobe": directive}


def test_direct_invoke_logs_one_start_and_one_end(capsys: pytest.CaptureFixture[str]) -> None:
    result = probe.handler(direct("r01", duration_s=0.0), Context("aws-1"))
    assert result == {"ok": True, "request": "r01"}
    start, end = lines(capsys)
    assert start["lambdaprobe"] == "start" and end["lambdaprobe"] == "end"
    assert start["request"] == end["request"] == "r01"
    assert start["aws_request_id"] == "aws-1" and start["attempt"] == 1
    assert start["cold"] is True and end["outcome"] == "success"
    assert set(start) >= {"t", "init_type", "outcome"}


def test_async_retries_count_per_request_id_and_fail_as_directed(capsys: pytest.CaptureFixture[str]) -> None:
    event = direct("r01", fail="first:1", duration_s=0)
    with pytest.raises(probe.ProbeError, match="attempt 1 fails"):
        probe.handler(event, Context("same-id"))
    assert probe.handler(event, Context("same-id"))["ok"] is True
    out = lines(capsys)
    assert [(x["lambdaprobe"], x["attempt"], x["outcome"]) for x in out] == [
        ("start", 1, None),
        ("end", 1, "error"),
        ("start", 2, None),
        ("end", 2, "success"),
    ]
    assert out[2]["cold"] is False  # the second invocation in this environment is warm


def test_directive_from_environment_when_the_event_has_none(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMBDAPROBE_DIRECTIVE", json.dumps({"fail": "always"}))
    with pytest.raises(probe.ProbeError):
        probe.handler({"request": "r02"}, Context("x"))
    assert lines(capsys)[-1]["outcome"] == "error"


def test_provisioned_environment_is_not_cold(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency")
    probe.handler(direct("r01"), Context("x"))
    start = lines(capsys)[0]
    assert start["cold"] is False and start["init_type"] == "provisioned-concurrency"


def sqs_record(rid: str, receive: int, fail: str, message_id: str) -> dict[str, Any]:
    return {
        "eventSource": "aws:sqs",
        "messageId": message_id,
        "body": json.dumps(direct(rid, fail=fail, duration_s=0)),
        "attributes": {"ApproximateReceiveCount": str(receive)},
    }


def test_sqs_batch_uses_receive_count_and_partial_batch_response(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMBDAPROBE_PARTIAL_BATCH", "1")
    event = {"Records": [sqs_record("r01", 2, "first:2", "m1"), sqs_record("r02", 3, "first:2", "m2")]}
    result = probe.handler(event, Context("batch"))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    out = lines(capsys)
    assert [(x["request"], x["attempt"]) for x in out if x["lambdaprobe"] == "start"] == [
        ("r01", 2),
        ("r02", 3),
    ]
    assert {x["request"]: x["outcome"] for x in out if x["lambdaprobe"] == "end"} == {
        "r01": "error",
        "r02": "success",
    }


def test_sqs_batch_without_partial_response_fails_whole_batch(capsys: pytest.CaptureFixture[str]) -> None:
    event = {"Records": [sqs_record("r01", 1, "always", "m1"), sqs_record("r02", 1, "never", "m2")]}
    with pytest.raises(probe.ProbeError):
        probe.handler(event, Context("batch"))
    assert {x["outcome"] for x in lines(capsys) if x["lambdaprobe"] == "end"} == {"error"}


def test_stream_and_push_envelopes(capsys: pytest.CaptureFixture[str]) -> None:
    payload = json.dumps(direct("r01", duration_s=0))
    kinesis = {
        "Records": [
            {
                "eventSource": "aws:kinesis",
                "kinesis": {"sequenceNumber": "495", "data": base64.b64encode(payload.encode()).decode()},
            }
        ]
    }
    dynamodb = {
        "Records": [
            {
                "eventSource": "aws:dynamodb",
                "dynamodb": {
                    "SequenceNumber": "100",
                    "NewImage": {"id": {"S": "r02"}, "lambdaprobe": {"S": '{"duration_s": 0}'}},
                },
            }
        ]
    }
    sns = {"Records": [{"EventSource": "aws:sns", "Sns": {"MessageId": "s1", "Message": payload}}]}
    eventbridge = {"source": "lambdaprobe", "detail-type": "lambdaprobe probe", "detail": direct("r04")}
    record = {
        "requestContext": {"condition": "Success"},
        "requestPayload": direct("r05"),
        "responseContext": {},
    }
    for event in (kinesis, dynamodb, sns, eventbridge, record):
        probe.handler(event, Context("id"))
    starts = [x for x in lines(capsys) if x["lambdaprobe"] == "start"]
    assert [x["request"] for x in starts] == ["r01", "r02", "r01", "r04", "r05"]
    probe.handler(kinesis, Context("again"))
    assert lines(capsys)[0]["attempt"] == 2  # a stream retry of the same record


def test_relay_returns_its_input() -> None:
    assert probe.relay({"a": 1}, Context("x")) == {"a": 1}


def test_zipped_flat_handler_imports_without_the_package(tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(function_zip())) as zf:
        assert sorted(zf.namelist()) == ["directive.py", "features.py", "handler.py"]
        zf.extractall(tmp_path)
    script = (
        "import json, sys\n"
        "sys.modules['lambdaprobe'] = None\n"  # the package must not be needed
        "import handler\n"
        "class C: aws_request_id = 'z'\n"
        "print(json.dumps(handler.handler({'request': 'r01', 'lambdaprobe': {'duration_s': 0}}, C())))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["LAMBDAPROBE_INIT_S"] = "0.01"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    out = done.stdout.splitlines()
    assert json.loads(out[0])["lambdaprobe"] == "start"
    assert json.loads(out[0])["init_s"] >= 0.01
    assert json.loads(out[-1]) == {"ok": True, "request": "r01"}


def test_zip_is_reproducible() -> None:
    function_zip.cache_clear()
    first = function_zip()
    function_zip.cache_clear()
    assert function_zip() == first


def test_a_crash_directive_exits_the_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    # `--fail crash`: the deployed handler ends its process (Lambda reports Runtime.ExitError)
    codes: list[int] = []

    def fake_exit(code: int) -> None:
        codes.append(code)
        raise SystemExit(code)

    monkeypatch.setattr(probe.os, "_exit", fake_exit)
    with pytest.raises(SystemExit):
        probe.handler(direct("r01", duration_s=0.0, fail="crash"), Context("aws-crash"))
    assert codes == [1]
