"""Fault injection for the moto-backed tests, through botocore's event hooks on a run's clients.

`Faults` is an AwsClient whose every boto3 client carries the hooks registered on it:
- `before-send`: added latency, a signal sent while a request is in flight, or a canned HTTP answer
  (a 500, a throttle) instead of sending at all;
- `after-call`: the answer lost after the server acted (a KeyboardInterrupt raised as it arrives).
The hooks are removed from the shared (warm) clients when the test ends.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.awsrequest import AWSResponse

from lambdaprobe.aws.client import AwsClient
from lambdaprobe.aws.options import AwsOptions
from tests.functional.test_aws_deploy import no_sleep, warm_client


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


def canned(status: int, body: bytes, content_type: str = "application/x-amz-json-1.0") -> AWSResponse:
    """An HTTP answer botocore parses as if the endpoint had sent it."""
    return AWSResponse("http://127.0.0.1/", status, {"Content-Type": content_type}, _Raw(body))


def operation_of(event_name: str) -> str:
    """`before-send.sqs.CreateQueue` -> `CreateQueue` (botocore passes each hook its event's name)."""
    return event_name.rsplit(".", 1)[-1]


Hook = Callable[..., Any]


class Faults(AwsClient):
    """A run's client with fault hooks on every service client it hands out."""

    def __init__(self, options: AwsOptions, hooks: dict[str, Hook] | None = None) -> None:
        super().__init__(options, sleep=no_sleep)
        warm_client(options, self)  # share the warm boto3 clients (creating them is slow)
        self.hooks = dict(hooks or {})
        self._hooked: list[Any] = []

    def client(self, service: str, config: Any = None) -> Any:
        made = super().client(service, config)
        if made not in self._hooked:
            for event, hook in self.hooks.items():
                made.meta.events.register(event, hook, unique_id=f"fault-{id(self)}-{event}")
            self._hooked.append(made)
        return made

    def remove_hooks(self) -> None:
        for made in self._hooked:
            for event in self.hooks:
                made.meta.events.unregister(event, unique_id=f"fault-{id(self)}-{event}")
        self._hooked.clear()


@contextmanager
def faults(options: AwsOptions, hooks: dict[str, Hook]) -> Iterator[Faults]:
    client = Faults(options, hooks)
    try:
        yield client
    finally:
        client.remove_hooks()


class SignalAtCall:
    """A hook (`before-send`: the request is on its way; `after-call`: the server acted, its answer
    is on its way back): every mutating request waits `latency_s`, and during the k-th one `signum`
    is sent to this process (`repeat` times). Sent from the hook itself, so it arrives mid-call,
    never after the run (a late signal would interrupt the test session)."""

    def __init__(self, mutating: set[str], k: int, signum: int, latency_s: float = 0.03, repeat: int = 1) -> None:
        self.mutating = mutating
        self.k = k
        self.signum = signum
        self.latency_s = latency_s
        self.repeat = repeat
        self.seen = 0
        self.fired_at: str | None = None

    def __call__(self, event_name: str = "", **_: Any) -> None:
        op = operation_of(event_name)
        if op not in self.mutating:
            return
        time.sleep(self.latency_s / 2)
        if self.fired_at is None:
            self.seen += 1
            if self.seen == self.k:
                self.fired_at = op
                for _n in range(self.repeat):
                    os.kill(os.getpid(), self.signum)
                    time.sleep(self.latency_s / 2)
                return
        time.sleep(self.latency_s / 2)


def lose_answer(operation: str) -> Hook:
    """An `after-call` hook: the server did the call, the client never saw the answer."""

    def hook(model: Any = None, **_: Any) -> None:
        if getattr(model, "name", "") == operation:
            raise KeyboardInterrupt

    return hook


SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGHUP": signal.SIGHUP}
