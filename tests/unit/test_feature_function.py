"""The probe function's feature part, run locally: a loopback listener, a temporary directory, moto's KMS."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambdaprobe.function import features
from lambdaprobe.function import handler as probe


@pytest.fixture
def listener() -> Iterator[int]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        yield int(server.getsockname()[1])


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed when the block ends: nothing listens there


def test_tcp_connect_to_a_listener_is_timed(listener: int) -> None:
    result = features.tcp_connect("127.0.0.1", listener)
    assert result["ok"] is True and result["error"] is None
    assert 0 <= result["connect_ms"] < 1000


def test_tcp_connect_refused_is_a_result_not_an_exception() -> None:
    result = features.tcp_connect("127.0.0.1", closed_port(), timeout_s=1.0)
    assert result["ok"] is False
    assert "ConnectionRefusedError" in result["error"]


def test_file_round_trip_writes_reads_back_and_removes(tmp_path: Path) -> None:
    result = features.file_round_trip(str(tmp_path), "probe.bin", size=1000)
    assert result["ok"] is True and result["bytes"] == 1000 and result["error"] is None
    assert result["mounted"] is False  # a plain directory; on Lambda /mnt/probe is a mount point
    assert list(tmp_path.iterdir()) == []


def test_file_round_trip_without_the_directory_reports_the_error(tmp_path: Path) -> None:
    result = features.file_round_trip(str(tmp_path / "missing"), "probe.bin")
    assert result["ok"] is False and "FileNotFoundError" in result["error"]


@pytest.fixture
def kms() -> Iterator[Any]:
    import boto3
    from moto import mock_aws

    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        with mock_aws():
            yield boto3.client("kms", region_name="us-east-1")


def encrypt(kms: Any, plaintext: bytes, function_name: str) -> str:
    key = kms.create_key()["KeyMetadata"]["Arn"]
    blob = kms.encrypt(KeyId=key, Plaintext=plaintext, EncryptionContext={"LambdaFunctionName": function_name})
    return base64.b64encode(blob["CiphertextBlob"]).decode()


def test_decrypt_with_the_lambda_encryption_context(kms: Any) -> None:
    secret = encrypt(kms, b"s3cret", "fn")
    result = features.decrypt(secret, "fn", hashlib.sha256(b"s3cret").hexdigest(), kms)
    assert result["ok"] is True and result["matches"] is True and result["error_code"] is None


def test_decrypt_builds_its_own_client_lazily(kms: Any) -> None:
    secret = encrypt(kms, b"s3cret", "fn")
    assert features.decrypt(secret, "fn", hashlib.sha256(b"s3cret").hexdigest())["ok"] is True


def test_decrypt_errors_are_the_result(kms: Any) -> None:
    secret = encrypt(kms, b"s3cret", "fn")
    # Another function's name: the encryption context differs, KMS refuses.
    result = features.decrypt(secret, "other-fn", hashlib.sha256(b"s3cret").hexdigest(), kms)
    assert result["ok"] is False and result["error_code"] == "InvalidCiphertextException"


def test_decrypt_access_denied_is_reported_by_code() -> None:
    class Denied(Exception):
        def __init__(self) -> None:
            super().__init__("denied")
            self.response = {"Error": {"Code": "AccessDeniedException", "Message": "not authorized: kms:Decrypt"}}

    class Client:
        def decrypt(self, **_: Any) -> Any:
            raise Denied()

    result = features.decrypt(base64.b64encode(b"x").decode(), "fn", "", Client())
    assert (result["ok"], result["error_code"]) == (False, "AccessDeniedException")
    assert "kms:Decrypt" in result["error"]


class Context:
    aws_request_id = "req-1"


def test_the_handler_logs_one_feature_line_before_the_end_line(
    listener: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LAMBDAPROBE_FEATURE", json.dumps({"kind": "vpc", "host": "127.0.0.1", "port": listener}))
    probe.handler({"request": "r01", "lambdaprobe": {"duration_s": 0}}, Context())
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["lambdaprobe"] for line in lines] == ["start", "feature", "end"]
    feature = lines[1]
    assert (feature["feature"], feature["ok"], feature["request"], feature["port"]) == ("vpc", True, "r01", listener)


def test_without_a_feature_the_handler_logs_as_before(capsys: pytest.CaptureFixture[str]) -> None:
    assert "LAMBDAPROBE_FEATURE" not in os.environ
    probe.handler({"request": "r01", "lambdaprobe": {"duration_s": 0}}, Context())
    kinds = [json.loads(line)["lambdaprobe"] for line in capsys.readouterr().out.splitlines()]
    assert kinds == ["start", "end"]


def test_env_encryption_branch_reads_the_lambda_environment(kms: Any) -> None:
    secret = encrypt(kms, b"abc", "lambdaprobe-lp1-probe")
    environ = {"LAMBDAPROBE_SECRET": secret, "AWS_LAMBDA_FUNCTION_NAME": "lambdaprobe-lp1-probe"}
    config = {"kind": "env-encryption", "sha256": hashlib.sha256(b"abc").hexdigest()}
    result = features.run(config, "r01", environ)
    assert result["feature"] == "env-encryption" and result["ok"] is True


def test_efs_branch_writes_under_the_configured_path(tmp_path: Path) -> None:
    result = features.run({"kind": "efs", "path": str(tmp_path)}, "r01")
    assert result["ok"] is True and result["path"] == str(tmp_path / "lambdaprobe-r01.bin")
