"""A moto server on 127.0.0.1 (real HTTP, real boto3) shared by the AWS functional tests."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cannot_run(self: object, event: object = None) -> tuple[str, bool, str]:
    return "", True, "lambdaprobe tests: moto does not execute functions"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.awslambda.models import LambdaFunction
    from moto.server import ThreadedMotoServer

    # moto would look for docker to run each invocation (slowly, then fail): fail at once instead.
    # What moto checks here is our API calls; what Lambda does is for the aws tier to see.
    patch = pytest.MonkeyPatch()
    patch.setattr(LambdaFunction, "_invoke_lambda", _cannot_run)
    saved = {k: os.environ.get(k) for k in DUMMY_ENV}
    os.environ.update(DUMMY_ENV)
    os.environ.pop("AWS_PROFILE", None)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        patch.undo()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(scope="session", autouse=True)
def loopback_only() -> Iterator[None]:
    """Any connection to an address other than loopback fails the test that makes it."""
    original = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0] if isinstance(address, tuple) else address
            if host not in LOOPBACK:
                raise AssertionError(f"a test tried to reach {address!r}: only loopback is allowed")
        original(self, address)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", connect)
        # boto3 looks for credentials at the instance-metadata address when none are configured
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield
