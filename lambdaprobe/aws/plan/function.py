"""Planning the probe function's own settings: its role's policy, versions and alias, concurrency,
and its async invoke config. Pure; part of the planner (`plan._Planner`).
"""

from __future__ import annotations

from typing import Any

from lambdaprobe.aws.plan.blocks import PROBE, PlannerBase
from lambdaprobe.aws.plan.records import ApiCall, Poll, Ref
from lambdaprobe.scenario import ALIAS_NAME

PROVISIONED_READY_TIMEOUT_S = 900.0


class FunctionPlanner(PlannerBase):
    def policy(self) -> dict[str, Any]:
        s, run = self.s, self.o.run_id
        mine = f"lambdaprobe-{run}-*"
        statements: list[dict[str, Any]] = [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [self.pattern("logs", f"log-group:/aws/lambda/{mine}:*")],
            }
        ]
        sends_to = {s.async_config.dlq, s.async_config.on_success, s.async_config.on_failure}
        if s.source.stream is not None:
            sends_to.add(s.source.stream.on_failure)
        if "sqs" in sends_to or "lambda" in sends_to:
            statements.append(
                {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [self.pattern("sqs", mine)]}
            )
        if "sns" in sends_to:
            statements.append(
                {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [self.pattern("sns", mine)]}
            )
        if "eventbridge" in sends_to:
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": ["events:PutEvents"],
                    "Resource": [self.pattern("events", f"event-bus/{mine}")],
                }
            )
        if "lambda" in sends_to or s.source.kind == "destination":
            # a Lambda destination, or the upstream function handing its record to the probe
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": ["lambda:InvokeFunction"],
                    "Resource": [self.pattern("lambda", f"function:{mine}")],
                }
            )
        kind = s.source.kind
        if kind in ("sqs", "sqs-fifo"):
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": [
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                        "sqs:ChangeMessageVisibility",
                    ],
                    "Resource": [self.pattern("sqs", mine)],
                }
            )
        if kind == "kinesis":
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": [
                        "kinesis:DescribeStream",
                        "kinesis:DescribeStreamSummary",
                        "kinesis:GetRecords",
                        "kinesis:GetShardIterator",
                        "kinesis:ListShards",
                        "kinesis:SubscribeToShard",
                    ],
                    "Resource": [self.pattern("kinesis", f"stream/{mine}")],
                }
            )
        if kind == "dynamodb":
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": [
                        "dynamodb:DescribeStream",
                        "dynamodb:GetRecords",
                        "dynamodb:GetShardIterator",
                    ],
                    "Resource": [self.pattern("dynamodb", f"table/{mine}/stream/*")],
                }
            )
            # ListStreams takes no resource: the mapping's role check needs it account-wide
            statements.append({"Effect": "Allow", "Action": ["dynamodb:ListStreams"], "Resource": ["*"]})
        return {"Version": "2012-10-17", "Statement": statements}

    def publish(self, produces: str, description: str, label: str) -> None:
        """Publish the probe's code and configuration as a version, and wait until it is Active."""
        name = self.name(PROBE)
        self.add(
            ApiCall(
                "lambda",
                "PublishVersion",
                {"FunctionName": name, "Description": description},
                produces=produces,
                output="Version",
            )
        )
        self.add(
            ApiCall(
                "lambda",
                "GetFunctionConfiguration",
                {"FunctionName": name, "Qualifier": Ref(produces)},
                poll=Poll("State", ("Active",), ("Failed",), message=f"waiting for {label} Active"),
                mutating=False,
            )
        )

    def versions(self) -> None:
        name = self.name(PROBE)
        self.publish("version", "lambdaprobe", "version 1")
        self.add(
            ApiCall(
                "lambda",
                "CreateAlias",
                {"FunctionName": name, "Name": ALIAS_NAME, "FunctionVersion": Ref("version")},
            )
        )

    def concurrency(self) -> None:
        name, conc = self.name(PROBE), self.s.concurrency
        if conc.reserved is not None:
            self.add(
                ApiCall(
                    "lambda",
                    "PutFunctionConcurrency",
                    {"FunctionName": name, "ReservedConcurrentExecutions": conc.reserved},
                )
            )
        qualifier = self.s.provisioned_qualifier
        if qualifier is None:
            return
        self.add(
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
                    f"({conc.provisioned} x {self.s.function.memory_mb} MB, from READY until teardown)"
                ),
            )
        )
        self.add(
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
                        f"(usually 1-3 min; {conc.provisioned} x {self.s.function.memory_mb} MB is billed "
                        "from READY until teardown)"
                    ),
                ),
                mutating=False,
            )
        )

    def event_invoke_config(self, role: str, qualifier: str, destinations: dict[str, Any]) -> None:
        cfg = self.s.async_config
        params: dict[str, Any] = {
            "FunctionName": self.name(role),
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
        self.add(ApiCall("lambda", "PutFunctionEventInvokeConfig", params))
