"""The plan of a run: a Scenario turned into API calls and the queues to watch, built once. Pure.

Nothing here talks to AWS. `run.apply` carries the plan out, `plan.show` prints it for `--dry-run`
and for the confirmation. Values known only once an earlier call has run (a role ARN, a queue URL)
are `Ref`s to the name that call `produces`; `Fmt` and `Json` build strings out of them.

Every resource is named `lambdaprobe-<run id>-<role>` and tagged `lambdaprobe:run=<run id>` where
the API takes tags, so `cleanup` can find leftovers.

`build_plan` calls the plan's parts in order, each a function of the `PlanBuilder`: the role, the
DLQ and destinations (`plan.destinations`), the source's resources (`lambdaprobe.aws.sources`), the
role's policy and the function (`plan.function`), an AWS-only feature (`plan.features`), the
source's wiring, and what stands between caller and function (`plan.callers`).
"""

from __future__ import annotations

import json

from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.plan import callers, destinations, features, function
from lambdaprobe.aws.plan.blocks import PROBE, PlanBuilder
from lambdaprobe.aws.plan.bundle import HANDLER
from lambdaprobe.aws.plan.records import ApiCall, Json, Plan, Ref
from lambdaprobe.aws.sources import SOURCES
from lambdaprobe.scenario import Scenario


def build_plan(scenario: Scenario, options: AwsOptions) -> Plan:
    """The API calls that deploy `scenario`, in order, with what the driver and collector need."""
    s = scenario
    b = PlanBuilder(scenario, options)
    source = SOURCES[s.source.kind]
    # the account the role's policy is scoped to (ARNs name it)
    b.add(ApiCall("sts", "GetCallerIdentity", {}, produces="account", output="Account", mutating=False))
    role(b)
    dlq_arn = destinations.dead_letter_queue(b)
    results = {
        "on_success": destinations.destination(b, "on_success", s.async_config.on_success),
        "on_failure": destinations.destination(b, "on_failure", s.async_config.on_failure),
    }
    source_arn = source.resources(b)
    role_policy(b, function.policy(b, source.policy(b)))
    destinations.relay_functions(b)
    feature = features.plan_feature(b)  # vpc, efs, code-signing, env-encryption; nothing otherwise
    env = function.function_env(s.function.directive)
    spec = s.source.sqs or s.source.stream
    if spec is not None and spec.report_batch_item_failures:
        env["LAMBDAPROBE_PARTIAL_BATCH"] = "1"
    env.update(feature.env)
    b.function(PROBE, HANDLER, function.function_timeout_s(s), env, dlq_arn, feature.function_params)
    function.versions(b)
    function.concurrency(b)
    if s.is_async:
        function.event_invoke_config(b, PROBE, s.called_qualifier, results)
    source.wiring(b, source_arn)
    callers.extend(b)  # a second version, an API in front
    return Plan(
        calls=tuple(b.calls),
        watches=tuple(b.watches),
        function=options.name(PROBE),
        log_group=log_group(options),
        source=source.endpoint(b),
        new_version=Ref("new_version") if s.deployment is not None else None,
        api_id=Ref("api_id") if s.sdk.caller == "apigateway" else None,
    )


def log_group(options: AwsOptions) -> str:
    """Where the probe function logs its JSON lines and REPORT lines."""
    return f"/aws/lambda/{options.name(PROBE)}"


def role(b: PlanBuilder) -> None:
    b.add(
        ApiCall(
            "iam",
            "CreateRole",
            {
                "RoleName": b.name("role"),
                "AssumeRolePolicyDocument": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                    sort_keys=True,
                ),
                "Description": "lambdaprobe run role (deleted at teardown)",
                "Tags": b.tag_list(),
            },
            produces="role_arn",
            output="Role.Arn",
            teardown=ApiCall("iam", "DeleteRole", {"RoleName": b.name("role")}),
        )
    )


def role_policy(b: PlanBuilder, document: dict[str, object]) -> None:
    b.add(
        ApiCall(
            "iam",
            "PutRolePolicy",
            {
                "RoleName": b.name("role"),
                "PolicyName": b.name("policy"),
                "PolicyDocument": Json(document),  # its ARNs name the account, known once the run starts
            },
            teardown=ApiCall(
                "iam",
                "DeleteRolePolicy",
                {"RoleName": b.name("role"), "PolicyName": b.name("policy")},
            ),
        )
    )
