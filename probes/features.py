"""The probe function's own part of the AWS-only probes: TCP connect, EFS round trip, KMS decrypt.

Standard library only, except `decrypt`, which imports boto3 lazily: boto3 is present in Lambda's
Python runtime, and importing it only in that branch keeps every other probe's cold start (and the
simulator, which never runs this) free of it. The handler chooses the feature through the
environment variable `LAMBDAPROBE_FEATURE` (a JSON object with `kind` and its parameters) and logs
the result as one JSON line `{"lambdaprobe": "feature", ...}` that the AWS target turns into notes.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import time
from typing import Any

MOUNT_PATH = "/mnt/probe"  # FileSystemConfigs.LocalMountPath (must start with /mnt/)
CONNECT_TIMEOUT_S = 5.0


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 3)


def tcp_connect(host: str, port: int, timeout_s: float = CONNECT_TIMEOUT_S) -> dict[str, Any]:
    """Open one TCP connection and time it (the handshake only; nothing is sent)."""
    started = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            took = _ms(started)
    except OSError as exc:
        return {"ok": False, "host": host, "port": port, "connect_ms": _ms(started), "error": _os_error(exc)}
    return {"ok": True, "host": host, "port": port, "connect_ms": took, "error": None}


def _os_error(exc: OSError) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc.strerror or exc}"


def file_round_trip(directory: str, name: str, size: int = 4096) -> dict[str, Any]:
    """Write `size` bytes to `directory/name`, fsync, read them back, compare, remove the file."""
    path = os.path.join(directory, name)
    data = os.urandom(size)
    started = time.perf_counter()
    try:
        with open(path, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        write_ms = _ms(started)
        started = time.perf_counter()
        with open(path, "rb") as f:
            back = f.read()
        read_ms = _ms(started)
        os.remove(path)
    except OSError as exc:
        return {"ok": False, "path": path, "error": _os_error(exc), "mounted": os.path.ismount(directory)}
    return {
        "ok": back == data,
        "path": path,
        "bytes": size,
        "write_ms": write_ms,
        "read_ms": read_ms,
        "error": None if back == data else "read back differs from what was written",
        "mounted": os.path.ismount(directory),
    }


def decrypt(ciphertext_b64: str, function_name: str, expected_sha256: str, kms: Any = None) -> dict[str, Any]:
    """Decrypt an environment variable encrypted client-side, as the console's helper does.

    The helper encrypts with `EncryptionContext={"LambdaFunctionName": <name>}`; decrypting needs the
    same context and `kms:Decrypt` on the key. Errors are the result (AccessDenied is the answer to
    `--without-decrypt-permission`), never raised.
    """
    started = time.perf_counter()
    client_ms = 0.0
    try:
        if kms is None:
            import boto3  # present in the Lambda runtime; lazily, see the module's docstring

            kms = boto3.client("kms")
            client_ms = _ms(started)  # importing boto3 and building a client: a cold call's share
            started = time.perf_counter()
        answer = kms.decrypt(
            CiphertextBlob=base64.b64decode(ciphertext_b64),
            EncryptionContext={"LambdaFunctionName": function_name},
        )
    except Exception as exc:  # a botocore ClientError, duck-typed: botocore is not imported here
        error = getattr(exc, "response", {}).get("Error", {})
        return {
            "ok": False,
            "client_ms": client_ms,
            "decrypt_ms": _ms(started),
            "error_code": error.get("Code") or type(exc).__name__,
            "error": error.get("Message") or str(exc),
        }
    plaintext: bytes = answer["Plaintext"]
    matches = hashlib.sha256(plaintext).hexdigest() == expected_sha256
    return {
        "ok": matches,
        "client_ms": client_ms,
        "decrypt_ms": _ms(started),
        "matches": matches,
        "error_code": None,
        "error": None if matches else "decrypted value differs from what was encrypted",
    }


def run(config: dict[str, Any], request: str, environ: Any = None) -> dict[str, Any]:
    """The feature `config["kind"]` asks for, with its result (under `feature`, the kind)."""
    env = os.environ if environ is None else environ
    kind = config.get("kind")
    if kind == "vpc":
        result = tcp_connect(str(config["host"]), int(config["port"]))
    elif kind == "efs":
        result = file_round_trip(str(config.get("path", MOUNT_PATH)), f"lambdaprobe-{request or 'probe'}.bin")
    elif kind == "env-encryption":
        result = decrypt(
            env.get("LAMBDAPROBE_SECRET", ""),
            env.get("AWS_LAMBDA_FUNCTION_NAME", ""),
            str(config.get("sha256", "")),
        )
    else:  # code-signing: that the function runs at all is the whole result
        result = {"ok": True}
    return {"feature": kind, **result}
