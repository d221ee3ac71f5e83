"""Planning the probe function's own settings: its environment and timeout, its role's policy,
versions and alias, concurrency, and its async invoke config. Pure; parts of the plan.
"""

from __future__ import annotations

import json
import math
from typing import Any

from lambdaprobe.aws.plan.blocks import PROBE, PlanBuilder
from lambdaprobe.aws.plan.records import ApiCall, Poll, Ref
from lambdaprobe.function.directive import Directive
from lambdaprobe.scenario import ALIAS_NAME, Scenario

PROVISIONED_READY_TIMEOUT_S = 900.0


def function_timeout_s(scenario: Scenario) -> int:
    """Lambda takes whole seconds (1..900)."""
    return max(1, min(900, math.ceil(scenario.function.timeout_s)))


def function_env(directive: Directive) -> dict[str, str]:
    """The probe's environment: its cold start, and what it does when the event says nothing."""
    return {
        "LAMBDAPROBE_INIT_S": repr(directive.init_s),
        "LAMBDAPROBE_DIRECTIVE": json.dumps(directive.to_event(), sort_keys=True),
    }


def policy(b: PlanBuilder, source_statements: list[dict[str, Any]]) -> dict[str, Any]:
    """The run role's policy: logs, where results are sent, and what the source needs to be read."""
    s, run = b.s, b.o.run_id
    mine = f"lambdaprobe-{run}-*"
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [b.pattern("logs", f"log-group:/aws/lambda/{mine}:*")],
        }
    ]
    sends_to = {s.async_config.dlq, s.async_config.on_success, s.async_config.on_failure}
    if s.source.stream is not None:
        sends_to.add(s.source.stream.on_failure)
    if "sqs" in sends_to or "lambda" in sends_to:
        statements.append(
            {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [b.pattern("sqs", mine)]}
        )
    if "sns" in sends_to:
        statements.append(
            {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [b.pattern("sns", mine)]}
        )
    if "eventbridge" in sends_to:
        statements.append(
            {
                "Effect": "Allow",
                "Action": ["events:PutEvents"],
                "Resource": [b.pattern("events", f"event-bus/{mine}")],
            }
        )
    if "lambda" in sends_to or s.source.kind == "destination":
        # a Lambda destination, or the upstream function handing its record to the probe
        statements.append(
            {
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunction"],
                "Resource": [b.pattern("lambda", f"function:{mine}")],
            }
        )
    statements.extend(source_statements)
    return {"Version": "2012-10-17", "Statement": statements}


def publish(b: PlanBuilder, produces: str, description: str, label: str) -> None:
    """Publish the probe's code and configuration as a version, and wait until it is Active."""
    name = b.name(PROBE)
    b.add(
        ApiCall(
            "lambda",
            "PublishVersion",
            {"FunctionName": name, "Description": description},
            produces=produces,
            output="Version",
        )
    )
    b.add(
        ApiCall(
            "lambda",
            "GetFunctionConfiguration",
            {"FunctionName": name, "Qualifier": Ref(produces)},
            poll=Poll("State", ("Active",), ("Failed",), message=f"waiting for {label} Active"),
            mutating=False,
        )
    )


def versions(b: PlanBuilder) -> None:
    name = b.name(PROBE)
    publish(b, "version", "lambdaprobe", "version 1")
    b.add(
        ApiCall(
            "lambda",
            "CreateAlias",
            {"FunctionName": name, "Name": ALIAS_NAME, "FunctionVersion": Ref("version")},
        )
    )


def concurrency(b: PlanBuilder) -> None:
    name, conc = b.name(PROBE), b.s.concurrency
    if conc.reserved is not None:
        b.add(
            ApiCall(
                "lambda",
                "PutFunctionConcurrency",
                {"FunctionName": name, "ReservedConcurrentExecutions": conc.reserved},
            )
        )
    qualifier = b.s.provisioned_qualifier
    if qualifier is None:
        return
    b.add(
        ApiCall(
            "lambda",
            "PutProvisionedConcurrencyConfig",
            {
                "FunctionName": name,
                "Qualifier": qualifier,
                "ProvisionedConcurrentExecutions": conc.provisioned,
            },
            teardown=ApiCall(
                "lambda",
                "DeleteProvisionedConcurrencyConfig",
                {"FunctionName": name, "Qualifier": qualifier},
            ),
            note=(
                f"provisioned concurrency is billed per environment-second while it exists "
                f"({conc.provisioned} x {b.s.function.memory_mb} MB, from READY until teardown)"
            ),
        )
    )
    b.add(
        ApiCall(
            "lambda",
            "GetProvisionedConcurrencyConfig",
            {"FunctionName": name, "Qualifier": qualifier},
            poll=Poll(
                "Status",
                ("READY",),
                ("FAILED",),
                timeout_s=PROVISIONED_READY_TIMEOUT_S,
                interval_s=5.0,
                message=(
                    f"waiting for provisioned concurrency ({conc.provisioned}) READY on {qualifier} "
                    f"(usually 1-3 min; {conc.provisioned} x {b.s.function.memory_mb} MB is billed "
                    "from READY until teardown)"
                ),
            ),
            mutating=False,
        )
    )


def event_invoke_config(b: PlanBuilder, role: str, qualifier: str, destinations: dict[str, Any]) -> None:
    cfg = b.s.async_config
    params: dict[str, Any] = {
        "FunctionName": b.name(role),
        "Qualifier": qualifier,
        "MaximumRetryAttempts": cfg.max_retry_attempts,
        "MaximumEventAgeInSeconds": cfg.max_event_age_s,
    }
    dest: dict[str, Any] = {}
    if destinations["on_success"] is not None:
        dest["OnSuccess"] = {"Destination": destinations["on_success"]}
    if destinations["on_failure"] is not None:
        dest["OnFailure"] = {"Destination": destinations["on_failure"]}
    if dest:
        params["DestinationConfig"] = dest
    b.add(ApiCall("lambda", "PutFunctionEventInvokeConfig", params))
