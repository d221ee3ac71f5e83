"""Planning where async results go: the dead-letter queue, the on-success and on-failure
destinations (and the relay functions a Lambda destination needs). Pure; part of the planner.
"""

from __future__ import annotations

from typing import Any

from lambdaprobe.aws.plan.blocks import PlannerBase
from lambdaprobe.aws.plan.bundle import RELAY_HANDLER
from lambdaprobe.aws.plan.records import ApiCall, Fmt, Ref, Watch, WatchKind


class DestinationPlanner(PlannerBase):
    def dead_letter_queue(self) -> Any:
        kind = self.s.async_config.dlq
        if kind is None:
            return None
        label = f"{kind}:{self.name('dlq')}"
        if kind == "sqs":
            self.queue("dlq")
            self.watches.append(Watch("dlq_url", "dead_letter", label, "sqs"))
            return Ref("dlq_arn")
        obs = self.observed_topic("dlq")
        self.watches.append(Watch(f"{obs}_url", "dead_letter", label, "sns"))
        return Ref("dlq_arn")

    def destination(self, on: WatchKind, kind: str | None) -> Any:
        if kind is None:
            return None
        role = "on-success" if on == "on_success" else "on-failure"
        label = f"{kind}:{self.name(role)}"
        if kind == "sqs":
            self.queue(role)
            self.watches.append(Watch(f"{role}_url", on, label, "sqs"))
            return Ref(f"{role}_arn")
        if kind == "sns":
            obs = self.observed_topic(role)
            self.watches.append(Watch(f"{obs}_url", on, label, "sns"))
            return Ref(f"{role}_arn")
        if kind == "eventbridge":
            obs = self.queue(f"{role}-obs")
            self.bus(role)
            self.rule(role, {"source": ["lambda"]}, Ref(f"{obs}_arn"))
            self.allow_send(obs, "events.amazonaws.com", f"{role}_rule_arn")
            self.watches.append(Watch(f"{obs}_url", on, label, "eventbridge"))
            return Ref(f"{role}_bus_arn")
        # lambda: a relay function whose own on-success destination is a queue of this run
        obs = self.queue(f"{role}-obs")
        self.watches.append(Watch(f"{obs}_url", on, label, "lambda"))
        return Fmt("{" + role + "_arn}")

    def relay_functions(self) -> None:
        """Functions that exist only to pass records on: Lambda destinations and the upstream."""
        cfg = self.s.async_config
        for on, kind in (("on_success", cfg.on_success), ("on_failure", cfg.on_failure)):
            if kind != "lambda":
                continue
            role = "on-success" if on == "on_success" else "on-failure"
            self.function(role, RELAY_HANDLER, 10, {})
            self.add(
                ApiCall(
                    "lambda",
                    "PutFunctionEventInvokeConfig",
                    {
                        "FunctionName": self.name(role),
                        "MaximumRetryAttempts": 0,
                        "DestinationConfig": {"OnSuccess": {"Destination": Ref(f"{role}-obs_arn")}},
                    },
                )
            )
