"""Each event source through the CLI, in both output modes."""

import json

import pytest

from lambdaprobe.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def as_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    status, out, err = run(capsys, "retry", *argv, "--output", "json", "--init", "0")
    assert status == 0, err
    return json.loads(out)


def starts(data: dict, index: int = 0) -> list[float]:  # type: ignore[type-arg]
    return [a["start_s"] for a in data["requests"][index]["attempts"]]


def test_sqs_visibility_timeout_is_the_retry_clock_then_the_queue_dlq(capsys: pytest.CaptureFixture[str]) -> None:
    data = as_json(capsys, "--source", "sqs", "--visibility-timeout", "30", "--max-receive-count", "3")
    assert starts(data) == [0.0, 30.0, 60.0]
    assert [a["receive_count"] for a in data["requests"][0]["attempts"]] == [1, 2, 3]
    [dead] = data["dead_letters"]
    assert dead["queue"].endswith("source-dlq")
    assert json.loads(dead["body"])["request"] == "r01"  # an SQS body is text, unchanged
    assert data["destinations"] == []  # the function's destinations do not apply to SQS mappings [sqs.redrive]


def test_sqs_fifo_group_blocking(capsys: pytest.CaptureFixture[str]) -> None:
    data = as_json(capsys, "--source", "sqs-fifo", "--messages", "3", "--interval", "0", "--fail", "first:2",
                   "--batch-size", "1")
    first_done = max(a["end_s"] for a in data["requests"][0]["attempts"])
    assert all(r["attempts"][0]["start_s"] >= first_done for r in data["requests"][1:])
    assert [r["final"] for r in data["requests"]] == ["succeeded"] * 3


@pytest.mark.parametrize("source", ["sns", "eventbridge"])
def test_push_sources_use_lambdas_async_retry_policy(capsys: pytest.CaptureFixture[str], source: str) -> None:
    data = as_json(capsys, "--source", source, "--duration", "30")
    assert starts(data) == [0.0, 90.0, 240.0]


def test_kinesis_retries_then_an_on_failure_record_without_data(capsys: pytest.CaptureFixture[str]) -> None:
    data = as_json(capsys, "--source", "kinesis", "--max-retry-attempts", "2", "--bisect", "--on-failure", "sqs")
    assert len(data["requests"][0]["attempts"]) == 3
    [record] = data["destinations"]
    context = record["record"]["requestContext"]
    assert context["condition"] == "RetryAttemptsExhausted"
    assert "KinesisBatchInfo" in record["record"]
    assert "data" not in json.dumps(record["record"]).lower().replace("metadata", "")


def test_dynamodb_default_retries_until_the_record_expires(capsys: pytest.CaptureFixture[str]) -> None:
    data = as_json(capsys, "--source", "dynamodb", "--max-record-age", "3600", "--on-failure", "sqs")
    request = data["requests"][0]
    assert len(request["attempts"]) > 10
    assert data["destinations"][0]["record"]["requestContext"]["condition"] == "RecordAgeExceeded"
    assert "DDBStreamBatchInfo" in data["destinations"][0]["record"]


def test_destination_function_runs_after_the_last_attempt(capsys: pytest.CaptureFixture[str]) -> None:
    data = as_json(capsys, "--source", "destination")
    ids = [r["id"] for r in data["requests"]]
    assert ids == ["r01", "r01>dest"]
    assert data["requests"][1]["attempts"][0]["start_s"] >= data["requests"][0]["attempts"][-1]["end_s"]
    assert any("destination" in note and note.startswith("assumption") for note in data["notes"])


@pytest.mark.parametrize("source", ["sqs", "sqs-fifo", "sns", "eventbridge", "kinesis", "dynamodb", "destination"])
def test_table_output_for_every_source(capsys: pytest.CaptureFixture[str], source: str) -> None:
    status, out, err = run(capsys, "retry", "--source", source, "--max-rows", "5")
    assert status == 0, err
    assert f"lambdaprobe retry --target sim --source {source} " in out
    assert "Summary" in out and "r01" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--source", "sqs", "--batch-size", "20"], "--batch-size 20 (> 10) needs a batching window"),
        (["--source", "sqs-fifo", "--batch-size", "11"], "--batch-size: 11 is out of range; allowed: 1..10"),
        (["--source", "kinesis", "--max-retry-attempts", "10001"], "--max-retry-attempts: 10001 is out of range"),
        (["--source", "kinesis", "--on-failure", "lambda"], "--on-failure: 'lambda' is not allowed; allowed: sqs, sns"),
        (["--source", "sqs", "--dlq", "sqs"], "--dlq: applies only to --source"),
        (["--source", "sns", "--bisect"], "--bisect: applies only to --source kinesis|dynamodb"),
        (["--source", "sqs", "--message-groups", "2"], "--message-groups: message groups exist only on FIFO queues"),
    ],
)
def test_source_options_are_validated(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    status, out, err = run(capsys, "retry", *argv)
    assert (status, out) == (2, "")
    assert message in err and err.count("\n") == 1
