"""Planning where async results go: the dead-letter queue, the on-success and on-failure
destinations (and the relay functions a Lambda destination needs). Pure; parts of the plan.
"""

from __future__ import annotations

from typing import Any

from lambdaprobe.aws.plan.blocks import PlanBuilder
from lambdaprobe.aws.plan.bundle import RELAY_HANDLER
from lambdaprobe.aws.plan.records import ApiCall, Fmt, Ref, Watch, WatchKind


def dead_letter_queue(b: PlanBuilder) -> Any:
    kind = b.s.async_config.dlq
    if kind is None:
        return None
    label = f"{kind}:{b.name('dlq')}"
    if kind == "sqs":
        b.queue("dlq")
        b.watches.append(Watch("dlq_url", "dead_letter", label, "sqs"))
        return Ref("dlq_arn")
    obs = b.observed_topic("dlq")
    b.watches.append(Watch(f"{obs}_url", "dead_letter", label, "sns"))
    return Ref("dlq_arn")


def destination(b: PlanBuilder, on: WatchKind, kind: str | None) -> Any:
    if kind is None:
        return None
    role = "on-success" if on == "on_success" else "on-failure"
    label = f"{kind}:{b.name(role)}"
    if kind == "sqs":
        b.queue(role)
        b.watches.append(Watch(f"{role}_url", on, label, "sqs"))
        return Ref(f"{role}_arn")
    if kind == "sns":
        obs = b.observed_topic(role)
        b.watches.append(Watch(f"{obs}_url", on, label, "sns"))
        return Ref(f"{role}_arn")
    if kind == "eventbridge":
        obs = b.queue(f"{role}-obs")
        b.bus(role)
        b.rule(role, {"source": ["lambda"]}, Ref(f"{obs}_arn"))
        b.allow_send(obs, "events.amazonaws.com", f"{role}_rule_arn")
        b.watches.append(Watch(f"{obs}_url", on, label, "eventbridge"))
        return Ref(f"{role}_bus_arn")
    # lambda: a relay function whose own on-success destination is a queue of this run
    obs = b.queue(f"{role}-obs")
    b.watches.append(Watch(f"{obs}_url", on, label, "lambda"))
    return Fmt("{" + role + "_arn}")


def relay_functions(b: PlanBuilder) -> None:
    """Functions that exist only to pass records on: Lambda destinations and the upstream."""
    cfg = b.s.async_config
    for on, kind in (("on_success", cfg.on_success), ("on_failure", cfg.on_failure)):
        if kind != "lambda":
            continue
        role = "on-success" if on == "on_success" else "on-failure"
        b.function(role, RELAY_HANDLER, 10, {})
        b.add(
            ApiCall(
                "lambda",
                "PutFunctionEventInvokeConfig",
                {
                    "FunctionName": b.name(role),
                    "MaximumRetryAttempts": 0,
                    "DestinationConfig": {"OnSuccess": {"Destination": Ref(f"{role}-obs_arn")}},
                },
            )
        )
