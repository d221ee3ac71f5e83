"""Deploy and teardown against moto: nothing of any kind is left behind, whatever happens."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import botocore.client
import botocore.exceptions
import pytest

from lambdaprobe.aws.client import AwsClient
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.planner import build_plan
from lambdaprobe.aws.run.apply import Executor
from lambdaprobe.aws.target import AwsTarget
from lambdaprobe.errors import AwsError, ExitStatus
from tests.functional.aws_helpers import KINDS, inventory, scenario


def options(endpoint: str, run_id: str, **kw: Any) -> AwsOptions:
    return AwsOptions(region="us-east-1", endpoint_url=endpoint, run_id=run_id, **kw)


def no_sleep(_: float) -> None:
    return None


_WARM: dict[str, AwsClient] = {}


def warm_client(opts: AwsOptions, client: AwsClient | None = None) -> AwsClient:
    """Share boto3 clients between runs: creating them is most of a moto deploy's time."""
    client = client or AwsClient(opts, sleep=no_sleep)
    warm = _WARM.setdefault(str(opts.endpoint_url), AwsClient(opts, sleep=no_sleep))
    client._session = warm.session
    client._clients = warm._clients
    return client


@pytest.mark.parametrize("kind", KINDS)
def test_deploy_then_teardown_leaves_nothing(moto_endpoint: str, kind: str) -> None:
    run_id = f"lpd{KINDS.index(kind):05d}"
    opts = options(moto_endpoint, run_id)
    executor = Executor(warm_client(opts))
    deployment = executor.apply(build_plan(scenario(kind), opts).calls)
    deployed = inventory(moto_endpoint, run_id)
    assert deployed["functions"] and deployed["roles"] and deployed["log groups"]
    assert executor.teardown(deployment) == []
    assert deployment.already_gone == []  # every teardown call named something that existed
    assert inventory(moto_endpoint, run_id) == {}


class FailingClient(AwsClient):
    """Makes the k-th mutating call of the deploy fail, as AWS would refuse it."""

    def __init__(self, opts: AwsOptions, mutating: set[tuple[str, str]], fail_at: int) -> None:
        super().__init__(opts, sleep=no_sleep)
        self.mutating = mutating
        self.fail_at = fail_at
        self.seen = 0
        self.failed: str | None = None

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if (service, operation) in self.mutating and self.failed is None:
            self.seen += 1
            if self.seen == self.fail_at:
                self.failed = f"{service}.{operation}"
                response: Any = {
                    "Error": {"Code": "AccessDeniedException", "Message": "injected failure"},
                    "ResponseMetadata": {"HTTPStatusCode": 403},
                }
                raise botocore.exceptions.ClientError(response, operation)
        return super().call(service, operation, params)


@pytest.mark.parametrize("kind", ["async", "dynamodb", "sqs"])
def test_each_mutating_call_failing_rolls_back_everything(moto_endpoint: str, kind: str) -> None:
    base = options(moto_endpoint, "lpf00000")
    sc = scenario(kind)
    mutating = {(c.service, c.operation) for c in build_plan(sc, base).calls if c.mutating}
    total = sum(1 for c in build_plan(sc, base).calls if c.mutating)
    assert total >= 10
    for k in range(1, total + 1):
        run_id = f"lpf{KINDS.index(kind)}{k:04d}"
        opts = dataclasses.replace(base, run_id=run_id)
        client = warm_client(opts, FailingClient(opts, mutating, k))
        assert isinstance(client, FailingClient)
        with pytest.raises(AwsError) as info:
            Executor(client).apply(build_plan(sc, opts).calls)
        message = str(info.value)
        assert "\n" not in message and client.failed is not None and message.startswith(client.failed)
        assert "injected failure" in message
        # when the first mutating call fails nothing exists; later, the message says what was deleted
        assert re.search(r"\((nothing had been created|the \d+ resources? created (was|were) deleted)\)$", message)
        assert k > 1 or message.endswith("(nothing had been created)")
        assert info.value.status == ExitStatus.AWS_ERROR
        assert inventory(moto_endpoint, run_id) == {}, f"call {k} ({client.failed}) left resources"


def test_target_turns_a_refused_deploy_into_aws_error(moto_endpoint: str) -> None:
    opts = options(moto_endpoint, "lpt00001", deadline_s=0.2, poll_s=0.05)
    sc = scenario("sync")
    mutating = {(c.service, c.operation) for c in build_plan(sc, opts).calls if c.mutating}
    with pytest.raises(AwsError, match=r"injected failure"):
        AwsTarget(opts, client=warm_client(opts, FailingClient(opts, mutating, 6)), sleep=no_sleep).run(sc)
    assert inventory(moto_endpoint, "lpt00001") == {}


def test_dry_run_makes_no_call(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a dry run made an API call: {args[1] if len(args) > 1 else args}")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)
    for kind in KINDS:
        target = AwsTarget(options(moto_endpoint, "lpdry000", dry_run=True))
        text = target.plan_only(scenario(kind))
        assert "lambda.CreateFunction" in text and "Teardown" in text
    assert inventory.__name__  # nothing to inventory: refuse() would have raised on any call


def test_a_role_not_yet_assumable_is_waited_for(moto_endpoint: str) -> None:
    """IAM is eventually consistent: CreateFunction right after CreateRole may be refused for a
    while. The deploy waits (tenacity, with the test's sleep) and goes on."""
    opts = options(moto_endpoint, "lpiam000")
    sleeps: list[float] = []
    client = warm_client(opts, AwsClient(opts, sleep=sleeps.append))
    heard: list[str] = []
    client.retry_listener = heard.append
    refusals = [2]

    def not_yet(**_: Any) -> None:
        if refusals[0]:
            refusals[0] -= 1
            response: Any = {
                "Error": {
                    "Code": "InvalidParameterValueException",
                    "Message": "The role defined for the function cannot be assumed by Lambda.",
                },
                "ResponseMetadata": {"HTTPStatusCode": 400},
            }
            raise botocore.exceptions.ClientError(response, "CreateFunction")

    lam = client.client("lambda")
    lam.meta.events.register("before-call.lambda.CreateFunction", not_yet)
    try:
        executor = Executor(client)
        deployment = executor.apply(build_plan(scenario("sync"), opts).calls)
    finally:
        lam.meta.events.unregister("before-call.lambda.CreateFunction", not_yet)
    assert refusals == [0] and len(sleeps) == 2
    assert sum("cannot be assumed" in m and "retry" in m for m in heard) == 2
    assert executor.teardown(deployment) == [] and inventory(moto_endpoint, "lpiam000") == {}
