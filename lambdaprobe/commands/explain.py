from enum import Enum
from typing import Annotated

import typer

from lambdaprobe.cli_common import TargetName, app

# Kept here (not imported from the explain package) so that --help stays light.
PERMISSIONS_HELP = (
    "lambda:GetFunctionConfiguration, lambda:GetFunctionConcurrency, lambda:ListProvisionedConcurrencyConfigs, "
    "lambda:GetFunctionEventInvokeConfig, lambda:ListEventSourceMappings, lambda:GetPolicy, lambda:GetAccountSettings, "
    "sqs:GetQueueUrl, sqs:GetQueueAttributes, kinesis:DescribeStreamSummary"
)
EPILOG = (
    "On --target aws, explain only reads; the IAM actions it needs: " + PERMISSIONS_HELP + ".\n\n"
    "Findings (stable ids): explain.sqs-visibility-timeout, explain.sqs-no-redrive, explain.sqs-max-receive-count-1, "
    "explain.dlq-on-sqs-only-function, explain.stream-retry-forever, explain.async-event-age-short, "
    "explain.async-no-failure-destination, explain.reserved-below-sqs-max-concurrency, explain.provisioned-on-latest, "
    "explain.reserved-exceeds-unreserved-minimum.\n\n"
    "Exit: 0 ok; 1 a finding at or above --fail-on; 2 bad input (or the explain extra missing for --template); "
    "3 AWS error."
)


class ExplainOutput(str, Enum):
    table = "table"
    json = "json"
    sarif = "sarif"


class FailOn(str, Enum):
    none = "none"
    warning = "warning"
    error = "error"


@app.command("explain", short_help="What does MY function do when an event fails or a burst comes? (template or account)", epilog=EPILOG)
def explain_command(
    template: Annotated[str | None, typer.Option(metavar="FILE", help="An AWS SAM or CloudFormation template (YAML or JSON; a CDK app's synthesized template works). Needs the extra: pip install 'lambdaprobe[explain]'.")] = None,
    function: Annotated[str | None, typer.Option(metavar="NAME", help="With --template: the function's logical id (default: every function). With --target aws: the function's name or ARN.")] = None,
    qualifier: Annotated[str | None, typer.Option(metavar="Q", help="[--target aws] An alias or version to explain (default: the unqualified function, $LATEST).")] = None,
    param: Annotated[list[str] | None, typer.Option(metavar="KEY=VALUE", help="[--template] Set a value the template leaves unresolved: a parameter name, LogicalId.Property, or QUEUE.VisibilityTimeout / QUEUE.maxReceiveCount for a queue outside the template (repeatable).")] = None,
    target: Annotated[TargetName, typer.Option(envvar="LAMBDAPROBE_TARGET", help="aws: read --function from the account (read-only). A template is read offline on either target; the journeys always run on the simulator.")] = TargetName.sim,
    output: Annotated[ExplainOutput, typer.Option(help="table for people; json (schema lambdaprobe.explain/1) or sarif (SARIF 2.1.0, findings on template lines) for CI.")] = ExplainOutput.table,
    fail_on: Annotated[FailOn, typer.Option(help="Exit 1 when a finding of this severity or worse is found: none, warning or error.")] = FailOn.none,
    duration: Annotated[float | None, typer.Option(metavar="SECONDS", help="How long a failing attempt and a burst call run, 0..900. Default: the function's timeout (the worst case).")] = None,
    init: Annotated[float, typer.Option(metavar="SECONDS", help="A cold start's init, 0..900 (not counted in the timeout).")] = 0.3,
    burst: Annotated[int, typer.Option(help="Sync calls in the burst journey, 1..100000.")] = 100,
    burst_interval: Annotated[float, typer.Option(metavar="SECONDS", help="Seconds between the burst's calls, 0..3600 (0: all at once).")] = 0.0,
    account_limit: Annotated[int | None, typer.Option(help="[--template] The account's concurrency limit, 1..1000000 (default 1000; new accounts may have less). On --target aws it is read.")] = None,
    region: Annotated[str | None, typer.Option(help="AWS Region (--target aws).")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS named profile (--target aws).")] = None,
    endpoint_url: Annotated[str | None, typer.Option(help="Any AWS-compatible endpoint instead of AWS (--target aws).")] = None,
) -> None:
    """Explain a real function: what a failing event goes through and what a burst does, per way it is invoked
    (async, SQS, streams, sync), by running the simulator with its exact settings; and flag what in its
    configuration loses events or money."""
    from lambdaprobe.explain.run import Request, run

    run(Request(
        template=template, function=function, qualifier=qualifier, params=tuple(param or ()), target=target.value,
        output=output.value, fail_on=fail_on.value, duration=duration, init=init, burst=burst,
        burst_interval=burst_interval, account_limit=account_limit, region=region, profile=profile,
        endpoint_url=endpoint_url,
    ))
