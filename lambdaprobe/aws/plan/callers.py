"""Planning for what stands between the caller and the function: a second version to shift the
alias to (deploy-preference), and an API Gateway REST API in front of the alias (abort
--caller apigateway). Pure; `extend` is the plan's last part.
"""

from __future__ import annotations

from typing import Any

from lambdaprobe.aws.plan.blocks import PROBE, PlanBuilder
from lambdaprobe.aws.plan.function import function_env, publish
from lambdaprobe.aws.plan.records import ApiCall, Fmt, Poll, Ref
from lambdaprobe.scenario import ALIAS_NAME

STAGE = "lp"
RESOURCE_PATH = "probe"
# [apigateway.timeout-range] 50 ms..29 s; above 29 s only after a quota increase (Regional, private)


def extend(p: PlanBuilder) -> None:
    if p.s.deployment is not None:
        new_version(p)
    if p.s.sdk.caller == "apigateway":
        rest_api(p)


def new_version(p: PlanBuilder) -> None:
    """Version 2: the same code with the new version's directive in its environment.

    Version 1 (and the alias on it) is published by the base plan; the driver then shifts the
    alias's routing weights itself (no CodeDeploy).
    """
    assert p.s.deployment is not None
    name = p.name(PROBE)
    p.add(
        ApiCall(
            "lambda",
            "UpdateFunctionConfiguration",
            {"FunctionName": name, "Environment": {"Variables": function_env(p.s.deployment.new_directive)}},
        )
    )
    p.add(
        ApiCall(
            "lambda",
            "GetFunctionConfiguration",
            {"FunctionName": name},
            poll=Poll("LastUpdateStatus", ("Successful",), ("Failed",), message="waiting for the update"),
            mutating=False,
        )
    )
    publish(p, "new_version", "lambdaprobe new version", "version 2")


def integration_uri(p: PlanBuilder) -> Any:
    """The alias, as API Gateway names a Lambda integration (the region spelled out)."""
    region = p.o.region or "{region}"  # resolved by the target before a real run
    return Fmt(
        f"arn:{p.p}:apigateway:{region}:lambda:path/2015-03-31/functions/"
        "{" + PROBE + "_arn}:" + ALIAS_NAME + "/invocations"
    )


def rest_api(p: PlanBuilder) -> None:
    """POST /probe on stage `lp` -> AWS_PROXY integration -> alias `live`."""
    name = p.name("api")
    p.add(
        ApiCall(
            "apigateway",
            "CreateRestApi",
            {
                "name": name,
                "description": "lambdaprobe run API (deleted at teardown)",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "tags": p.tag_dict(),
            },
            produces="api_id",
            output="id",
            # deleting the API removes its resources, methods, integration, deployment and stage
            teardown=ApiCall("apigateway", "DeleteRestApi", {"restApiId": Ref("api_id")}),
        )
    )
    p.add(
        ApiCall(
            "apigateway",
            "GetRestApi",
            {"restApiId": Ref("api_id")},
            produces="api_root",
            output="rootResourceId",
            mutating=False,
        )
    )
    p.add(
        ApiCall(
            "apigateway",
            "CreateResource",
            {"restApiId": Ref("api_id"), "parentId": Ref("api_root"), "pathPart": RESOURCE_PATH},
            produces="api_resource",
            output="id",
        )
    )
    method = {"restApiId": Ref("api_id"), "resourceId": Ref("api_resource"), "httpMethod": "POST"}
    # IAM authorization: only SigV4-signed calls of the run's own credentials get through (the
    # driver signs its POSTs), so the API is not a public, unauthenticated invoker while it lives
    p.add(ApiCall("apigateway", "PutMethod", {**method, "authorizationType": "AWS_IAM"}))
    # As asked: above 29 s AWS accepts it only after the account's quota increase, else refuses (exit 3)
    wait_ms = round(p.s.sdk.read_timeout_s * 1000)
    p.add(
        ApiCall(
            "apigateway",
            "PutIntegration",
            {
                **method,
                "type": "AWS_PROXY",
                "integrationHttpMethod": "POST",  # Lambda's Invoke is a POST, whatever the method
                "uri": integration_uri(p),
                "timeoutInMillis": wait_ms,
            },
        )
    )
    p.permission("apigateway.amazonaws.com", source_arn(p))
    p.add(
        ApiCall(
            "apigateway",
            "CreateDeployment",
            {"restApiId": Ref("api_id"), "stageName": STAGE, "description": "lambdaprobe"},
            produces="api_deployment",
            output="id",
        )
    )


def source_arn(p: PlanBuilder) -> Any:
    """Only this API's POST /probe, in the run's account, may invoke the alias."""
    region = p.o.region or "{region}"
    return Fmt(f"arn:{p.p}:execute-api:{region}:" + "{account}:{api_id}/*/POST/" + RESOURCE_PATH)


def stage_url(api_id: str, region: str, endpoint_url: str | None) -> str:
    """Where the driver POSTs. With --endpoint-url, the emulator's path form (LocalStack's
    `/restapis/<id>/<stage>/_user_request_/<path>`; moto's server does not serve execute-api)."""
    if endpoint_url:
        return f"{endpoint_url.rstrip('/')}/restapis/{api_id}/{STAGE}/_user_request_/{RESOURCE_PATH}"
    return f"https://{api_id}.execute-api.{region}.amazonaws.com/{STAGE}/{RESOURCE_PATH}"

