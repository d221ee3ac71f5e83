"""What every source driver shares: the stimulus schedule, the probe's message, AWS-looking names."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import Sent
from lambdaprobe.scenario import Scenario, request_ids
from lambdaprobe.sim.engine import Clock
from lambdaprobe.sim.records import EPOCH
from lambdaprobe.sim.service import ACCOUNT_ID, REGION
from lambdaprobe.sim.sinks import SIM_PREFIX
from lambdaprobe.sim.sources.context import SimContext
from lambdaprobe.templates import invoke_event

EPOCH_S = EPOCH.timestamp()


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message or record the driver sends: its request id, when, and what the handler is told."""

    index: int
    request_id: str
    t: float
    directive: Directive


def stimuli(scenario: Scenario) -> list[Delivery]:
    """`count` deliveries `interval_s` apart from t=0 (interval 0: a burst at t=0), or at the
    stimulus's own `times` (a traffic shape)."""
    stim = scenario.stimulus
    default = scenario.function.directive
    return [
        Delivery(i, rid, stim.at(i), stim.directive_for(i, default))
        for i, rid in enumerate(request_ids(stim.count))
    ]


def send_all(ctx: SimContext, stimuli: list[Delivery], kind: str, send: Callable[[Delivery], None]) -> None:
    """Record every Sent now and deliver each stimulus at its time.

    Stimuli sharing an instant go in one clock event, and each instant schedules the next, so a
    100,000-message burst costs one heap entry instead of 100,000.
    """
    ctx.obs.sent.extend(Sent(s.request_id, s.t, kind) for s in stimuli)
    groups: list[list[Delivery]] = []
    for s in stimuli:
        if groups and groups[-1][0].t == s.t:
            groups[-1].append(s)
        else:
            groups.append([s])
    if groups:
        ctx.clock.at(groups[0][0].t, _deliver, ctx.clock, groups, 0, send)


def _deliver(clock: Clock, groups: list[list[Delivery]], i: int, send: Callable[[Delivery], None]) -> None:
    for s in groups[i]:
        send(s)
    if i + 1 < len(groups):
        clock.at(groups[i + 1][0].t, _deliver, clock, groups, i + 1, send)


def probe_message(stimulus: Delivery) -> dict[str, Any]:
    """What the probe handler reads: `{"request": id, "lambdaprobe": directive}` (the invoke template)."""
    return invoke_event(stimulus.request_id, stimulus.directive.to_event())


_REQUEST_SLOT = "\x00request\x00"


@cache
def _body_around_request(directive: Directive) -> tuple[str, str]:
    """The JSON body for `directive`, cut where the request id goes."""
    body = json.dumps(invoke_event(_REQUEST_SLOT, directive.to_event()), separators=(",", ":"))
    before, after = body.split(json.dumps(_REQUEST_SLOT), 1)
    return before, after


def probe_body(stimulus: Delivery) -> str:
    """`probe_message` as a message body. A hot path (one call per SQS message), so the body is
    serialised once per directive and only the request id is encoded per message."""
    before, after = _body_around_request(stimulus.directive)
    return before + json.dumps(stimulus.request_id) + after


def message_id(seed: int, n: int) -> str:
    """A reproducible UUID-shaped id for the n-th message, made only when someone looks at it."""
    h = hashlib.md5(f"{seed}:{n}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"


def directive_of(body: str) -> Directive:
    """The directive as the deployed handler finds it in a message body."""
    return Directive.from_event(json.loads(body).get("lambdaprobe"))


def epoch_ms(t: float) -> str:
    """A virtual time as the millisecond epoch string SQS attributes carry."""
    return str(round((EPOCH_S + t) * 1000))


def epoch_s(t: float) -> float:
    return round(EPOCH_S + t, 3)


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT_ID}:{resource}"


def resource_name(role: str) -> str:
    return f"{SIM_PREFIX}-{role}"
