"""What each source module gives the AWS target: its parts of the plan, how one stimulus is sent,
and what to expect of a request. Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lambdaprobe.aws.observe.expectations import Seen
from lambdaprobe.aws.plan.blocks import PlanBuilder
from lambdaprobe.aws.plan.records import SendTo, SourceEndpoint
from lambdaprobe.scenario import Scenario

# send(api, scenario, to, i, request id, body): sends stimulus i through `api` (a boto3 client)
Send = Callable[[Any, Scenario, SendTo, int, str, str], None]


@dataclass(frozen=True)
class AwsSource:
    """One source kind on AWS.

    sends_with      the boto3 service `send` is given a client of (None: the driver invokes directly)
    sent_kind       how the report calls what was sent: invoke, message, record
    receive_counts  an attempt's number is the message's receive count (not its order in the logs)
    policy          what the function's role needs to read the source
    resources       creates what the stimulus enters through; returns its ARN (a Ref) or None
    wiring          connects it to the probe (a mapping, a permission, a subscription, a rule)
    endpoint        where the driver sends
    per_request_s   how long one request may take to settle, given one execution's length
    missing         what is still missing of one request (None: nothing; UNBOUNDED: never settles)
    """

    sends_with: str | None
    sent_kind: str
    receive_counts: bool
    policy: Callable[[PlanBuilder], list[dict[str, Any]]]
    resources: Callable[[PlanBuilder], Any]
    wiring: Callable[[PlanBuilder, Any], None]
    endpoint: Callable[[PlanBuilder], SourceEndpoint | None]
    send: Send | None
    per_request_s: Callable[[Scenario, float], float]
    missing: Callable[[Scenario, Seen], str | None]
