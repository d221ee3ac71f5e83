"""`--payload FILE`: the user's JSON object is the event body, checked before anything runs."""

import json
from pathlib import Path
from typing import Any

import pytest

from lambdaprobe.aws.client import AwsClient
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.run.drive import Driver
from lambdaprobe.cli import main
from lambdaprobe.rules.constants import ASYNC_PAYLOAD_MAX_BYTES, SYNC_PAYLOAD_MAX_BYTES
from lambdaprobe.scenarios import invoke
from lambdaprobe.sim.async_invoke import AsyncInvoker
from tests.plan_refs import run_plan

ROOT = Path(__file__).resolve().parents[2]
BODY = {"order": {"id": 7, "items": ["a", "b"]}, "request": "the user's own", "note": "hi"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def body_file(tmp_path: Path) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(BODY), encoding="utf-8")
    return path


def test_the_file_is_the_simulated_function_s_event_and_the_directive_still_applies(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, body_file: Path
) -> None:
    seen: list[Any] = []
    queue = AsyncInvoker.invoke

    def spy(self: AsyncInvoker, request_id: str, payload: Any, *rest: Any, **kw: Any) -> None:
        seen.append(payload)
        queue(self, request_id, payload, *rest, **kw)

    monkeypatch.setattr(AsyncInvoker, "invoke", spy)
    status, out, err = run(capsys, "invoke", "--mode", "async", "--fail", "always", "--count", "2",
                           "--payload", str(body_file), "--output", "json")
    assert status == 0, err
    assert [e["request"] for e in seen] == ["r01", "r02"]  # lambdaprobe's id on top of the user's "request"
    for event in seen:
        assert {k: event[k] for k in ("order", "note")} == {"order": BODY["order"], "note": "hi"}
        assert event["lambdaprobe"]["fail"] == "always"
    data = json.loads(out)
    assert data["params"]["payload"] == str(body_file)
    # the directive travelled with the user's body: each event failed and Lambda retried it twice
    assert [[a["outcome"] for a in r["attempts"]] for r in data["requests"]] == [["error"] * 3] * 2


def test_the_aws_driver_sends_the_file_with_the_correlation_fields_on_top(body_file: Path) -> None:
    scenario = invoke.build(mode="sync", fail="r02:always", count=2, payload=str(body_file))
    driver = Driver(AwsClient(AwsOptions(region="us-east-1")), scenario, run_plan("f"), {})
    events = [json.loads(driver.payload(rid)) for rid in ("r01", "r02")]
    assert [(e["request"], e["lambdaprobe"]["fail"], e["order"]) for e in events] == [
        ("r01", "never", BODY["order"]), ("r02", "always", BODY["order"])]


def test_the_shipped_invoke_template_is_usable_as_is(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    status, out, err = run(capsys, "invoke", "--payload", "payloads/invoke.json", "--output", "json")
    assert status == 0, err
    assert json.loads(out)["summary"]["succeeded"] == 1


def _oversized(tmp_path: Path, limit: int) -> Path:
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"pad": "x" * limit}), encoding="utf-8")  # limit + 11 bytes
    return path


@pytest.mark.parametrize(
    ("content", "mode", "message"),
    [
        ("not json {", "sync", "is not JSON"),
        ("[1, 2]", "sync", "holds a JSON array; allowed: a JSON object"),
        ('"text"', "sync", "holds a JSON string"),
        (None, "sync", "cannot read"),
        (SYNC_PAYLOAD_MAX_BYTES, "sync", f"allowed: at most {SYNC_PAYLOAD_MAX_BYTES} bytes (sync)"),
        (ASYNC_PAYLOAD_MAX_BYTES, "async", f"allowed: at most {ASYNC_PAYLOAD_MAX_BYTES} bytes (async)"),
    ],
    ids=["not-json", "array", "string", "missing", "over-6MB-sync", "over-1MB-async"],
)
def test_a_bad_payload_file_is_one_line_exit_2_and_nothing_runs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | int | None, mode: str, message: str
) -> None:
    if isinstance(content, int):
        path = _oversized(tmp_path, content)
    else:
        path = tmp_path / "event.json"
        if content is not None:
            path.write_text(content, encoding="utf-8")
    status, out, err = run(capsys, "invoke", "--mode", mode, "--payload", str(path))
    assert status == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "--payload:" in err and message in err


def test_a_file_under_the_async_limit_but_over_it_sync_is_fine_sync(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _oversized(tmp_path, ASYNC_PAYLOAD_MAX_BYTES)  # over 1 MB, under 6 MB
    status, _, err = run(capsys, "invoke", "--payload", str(path), "--output", "json")
    assert status == 0, err
