"""Where failed and finished async events go: the function's DLQ and its destinations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from lambdaprobe.observation import DeadLetter, DestinationRecord, Observations
from lambdaprobe.rules import RuleId
from lambdaprobe.scenario import AsyncConfig, DestinationKind
from lambdaprobe.sim.engine import Clock
from lambdaprobe.sim.records import Ids, dlq_attributes, eventbridge_envelope
from lambdaprobe.sim.service import ACCOUNT_ID, REGION

SIM_PREFIX = "lambdaprobe-sim"

# A Lambda destination is a function of its own; the event-source layer may chain it.
LambdaDestinationHook = Callable[[dict[str, Any], str], None]


def target_name(kind: str, role: str) -> str:
    """The resource name a run gives each DLQ and destination (the AWS target uses the same roles)."""
    return f"{kind}:{SIM_PREFIX}-{role}"


class Sinks:
    def __init__(self, clock: Clock, obs: Observations, config: AsyncConfig, ids: Ids) -> None:
        self.clock = clock
        self.obs = obs
        self.config = config
        self.ids = ids
        self.lambda_destination: LambdaDestinationHook | None = None
        self.rules = obs.rules

    def wants(self, on: Literal["on_success", "on_failure"]) -> bool:
        """Whether a destination is configured for `on` (records are built only then)."""
        return (self.config.on_success if on == "on_success" else self.config.on_failure) is not None

    def dead_letter(self, request_id: str, aws_request_id: str, payload: Any, code: int, message: str) -> bool:
        """[dlq.message] the original event, unchanged, with RequestID/ErrorCode/ErrorMessage. True if sent."""
        if self.config.dlq is None:
            return False
        self.obs.rules.add(RuleId.DLQ_MESSAGE)
        self.obs.dead_letters.append(
            DeadLetter(
                t=self.clock.now,
                queue=target_name(self.config.dlq, "dlq"),
                body=payload,
                attributes=dlq_attributes(self.config.dlq, aws_request_id, code, message),
                request_id=request_id,
            )
        )
        return True

    def destination(
        self, on: Literal["on_success", "on_failure"], request_id: str, record: dict[str, Any], function_arn: str
    ) -> bool:
        """[destinations.record] the invocation record to the configured destination. True if one is configured."""
        kind: DestinationKind | None = self.config.on_success if on == "on_success" else self.config.on_failure
        if kind is None:
            return False
        self.obs.rules.add(RuleId.DESTINATIONS_RECORD)
        if on == "on_failure" and self.config.dlq is not None:
            self.obs.rules.add(RuleId.DESTINATIONS_WITH_DLQ)
        role = "on-success" if on == "on_success" else "on-failure"
        if kind == "s3":
            # [destinations.s3] one object per failure, holding the record (destinations.s3-object)
            self.rules.update((RuleId.DESTINATIONS_S3, RuleId.DESTINATIONS_S3_OBJECT))
        shaped = record
        if kind == "eventbridge":
            self.obs.rules.add(RuleId.DESTINATIONS_EVENTBRIDGE)
            bus_arn = f"arn:aws:events:{REGION}:{ACCOUNT_ID}:event-bus/{SIM_PREFIX}-{role}"
            shaped = eventbridge_envelope(
                self.clock.now, record, on == "on_success", function_arn, self.ids.request_id(), bus_arn
            )
        self.obs.destinations.append(
            DestinationRecord(
                t=self.clock.now, kind=on, target=target_name(kind, role), record=shaped, request_id=request_id
            )
        )
        if kind == "lambda" and self.lambda_destination is not None:
            self.lambda_destination(record, request_id)
        return True
