"""The API Gateway caller: POSTs to the stage URL, as a browser or a service behind the API would.

API Gateway never retries; it answers 504 "Endpoint request timed out" when the integration
timeout passes (the function runs on: [apigateway.integration-timeout] [caller.gives-up]), 502
when the function fails. This client waits longer than the gateway can, so what it records is
the gateway's answer, not its own give-up.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from lambdaprobe.aws.client import AwsClient
from lambdaprobe.aws.plan.callers import stage_url
from lambdaprobe.aws.run.ledger import Ledger
from lambdaprobe.aws.run.schedule import Sender, hold_until
from lambdaprobe.errors import AwsError
from lambdaprobe.observation import ClientResult, Final, Observations, Sent, Settled

CLIENT_MARGIN_S = 30.0  # beyond the integration timeout: the gateway always answers first
# statuses that mean the gateway handed the request to the function (it ran, whatever it returned)
REACHED = frozenset({200, 502, 504})


def gateway_message(body: bytes) -> str | None:
    """`{"message": "Endpoint request timed out"}` -> the message (API Gateway's error body)."""
    try:
        data = json.loads(body.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return str(data["message"]) if isinstance(data, dict) and "message" in data else None


def wait_reachable(
    url: str, within_s: float = 60.0, sleep: Callable[[float], None] = time.sleep
) -> float:
    """Wait until the stage answers at all; returns the seconds waited.

    A new API's hostname may not resolve for some seconds. A GET is answered by the gateway itself
    (403: only POST is defined) and invokes nothing, so it can be repeated freely.
    """
    started = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="GET"), timeout=10) as response:
                response.read()
            return time.monotonic() - started
        except urllib.error.HTTPError:
            return time.monotonic() - started  # an HTTP answer: the stage is there
        except OSError:
            if time.monotonic() - started >= within_s:
                raise
            sleep(2.0)


Signer = Callable[[str, bytes, dict[str, str]], dict[str, str]]


def sigv4_signer(credentials: Any, region: str) -> Signer:
    """Headers that sign a POST for API Gateway's IAM authorization (SigV4, service execute-api)."""

    def sign(url: str, body: bytes, headers: dict[str, str]) -> dict[str, str]:
        request = AWSRequest(method="POST", url=url, data=body, headers=headers)
        SigV4Auth(credentials, "execute-api", region).add_auth(request)
        return dict(request.headers.items())

    return sign


def gateway_sender(
    url: str,
    ids: list[str],
    payload: Callable[[str], bytes],
    wait_s: float,
    ledger: Ledger,
    record: Callable[..., None],
    unanswered: Callable[[str], None],
    sign: Signer | None = None,
) -> Sender:
    def send(i: int, t: float, due: float) -> float | None:
        rid = ids[i]
        body = payload(rid)
        headers = {"Content-Type": "application/json"}
        if sign is not None:
            headers = sign(url, body, headers)
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        on_wire = hold_until(due)
        status, error = 0, None
        try:
            with urllib.request.urlopen(request, timeout=wait_s + CLIENT_MARGIN_S) as response:
                response.read()
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            status, error = int(exc.code), gateway_message(exc.read()) or exc.reason
        except OSError as exc:  # no answer at all (connection refused, our own timeout)
            error = type(exc).__name__
            unanswered(f"POST {url}: {type(exc).__name__}: {exc}")
        answered = time.monotonic()
        if status in REACHED:
            ledger.reached(rid)
        latency = answered - on_wire
        items: list[Any] = [Sent(rid, t + (on_wire - due), "invoke")]
        items.append(ClientResult(rid, t + (on_wire - due) + latency, status, latency, error, None))
        if status:
            final: Final = "succeeded" if status == 200 else "failed"
            items.append(Settled(rid, t + (on_wire - due) + latency, final))
        record(*items)
        return on_wire

    return send


def gateway_caller(
    client: AwsClient,
    api_id: str,
    wait: float,
    obs: Observations,
    ids: list[str],
    payload: Callable[[str], bytes],
    ledger: Ledger,
    record: Callable[..., None],
    unanswered: Callable[[str], None],
) -> Sender:
    """The driver's sender for --caller apigateway, once the new stage answers; `wait` is the
    integration timeout."""
    options = client.options
    region = options.region or str(client.session.region_name)
    url = stage_url(api_id, region, options.endpoint_url)
    try:
        waited = wait_reachable(url)
    except OSError as exc:
        raise AwsError(f"the API's stage never answered: GET {url}: {type(exc).__name__}: {exc}") from exc
    if waited >= 1.0:
        obs.notes.append(f"the new API's stage answered {waited:.0f} s after deployment (DNS, propagation)")
    obs.notes.append(
        f"caller: POST {url} through API Gateway (REST, AWS_PROXY to alias live, IAM authorization, each call "
        f"SigV4-signed; integration timeout {wait:g} s; the gateway never retries)"
    )
    credentials = client.session.get_credentials()
    if credentials is None:
        raise AwsError("the API takes only signed calls (IAM authorization), and no AWS credentials were found")
    sign = sigv4_signer(credentials.get_frozen_credentials(), region)
    return gateway_sender(url, ids, payload, wait, ledger, record, unanswered, sign)
