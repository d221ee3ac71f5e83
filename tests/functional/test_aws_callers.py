"""Against moto: the API Gateway front and the second version deploy and tear down leaving nothing,
and a traffic-shifting run updates the alias; an API Gateway caller on a local stand-in."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import boto3
import pytest

from lambdaprobe.aws.client import AwsClient
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.plan.records import Ref
from lambdaprobe.aws.planner import build_plan
from lambdaprobe.aws.run.apply import Executor
from lambdaprobe.aws.run.drive import Driver
from lambdaprobe.aws.target import AwsTarget
from lambdaprobe.errors import ObservationTimeout
from lambdaprobe.function.directive import Directive
from lambdaprobe.observation import Observations
from lambdaprobe.scenario import DeploymentSpec, FunctionSpec, Scenario, SdkConfig, SourceSpec, Stimulus
from lambdaprobe.scenarios import abort
from tests.functional.aws_helpers import inventory
from tests.functional.conftest import DUMMY_ENV
from tests.functional.test_aws_deploy import no_sleep, warm_client
from tests.plan_refs import run_plan


def opts(endpoint: str, run_id: str, **kw: object) -> AwsOptions:
    return AwsOptions(region="us-east-1", endpoint_url=endpoint, run_id=run_id, poll_s=0.05, **kw)  # type: ignore[arg-type]


def gateway_scenario() -> Scenario:
    return abort.build(
        caller="apigateway", duration=1, timeout=None, read_timeout=2, sdk_retries=None, init=0.3, seed=0
    )


def shifting_scenario(preference: str = "AllAtOnce") -> Scenario:
    return Scenario(
        probe="deploy-preference",
        function=FunctionSpec(timeout_s=3, directive=Directive(duration_s=0.1)),
        stimulus=Stimulus(count=2, interval_s=0.05, mode="sync"),
        source=SourceSpec(kind="sync"),
        deployment=DeploymentSpec(preference=preference, new_directive=Directive(duration_s=0.1, fail="always")),
    )


def rest_apis(endpoint: str, needle: str) -> list[str]:
    client = boto3.Session(region_name="us-east-1").client("apigateway", endpoint_url=endpoint)
    return [a["name"] for a in client.get_rest_apis()["items"] if needle in a["name"]]


@pytest.mark.parametrize("which", ["apigateway", "deploy-preference"])
def test_deploy_then_teardown_leaves_nothing(moto_endpoint: str, which: str) -> None:
    run_id = "lpcgw000" if which == "apigateway" else "lpcdp000"
    o = opts(moto_endpoint, run_id)
    sc = gateway_scenario() if which == "apigateway" else shifting_scenario()
    executor = Executor(warm_client(o))
    deployment = executor.apply(build_plan(sc, o).calls)
    if which == "apigateway":
        assert rest_apis(moto_endpoint, run_id) == [f"lambdaprobe-{run_id}-api"]
        assert {"api_id", "api_root", "api_resource", "api_deployment"} <= set(deployment.outputs)
    else:
        assert (deployment.outputs["version"], deployment.outputs["new_version"]) == ("1", "2")
    assert executor.teardown(deployment) == [] and deployment.already_gone == []
    assert inventory(moto_endpoint, run_id) == {} and rest_apis(moto_endpoint, run_id) == []


def test_cleanup_finds_a_rest_api_left_behind(moto_endpoint: str) -> None:
    from lambdaprobe.aws.cleanup.sweep import cleanup

    o = opts(moto_endpoint, "lpc9a002")
    Executor(warm_client(o)).apply(build_plan(gateway_scenario(), o).calls)  # no teardown: a crashed run
    asked: list[str] = []

    def confirm(items: list[str]) -> bool:
        asked.extend(items)
        return True

    result = cleanup(AwsOptions(region="us-east-1", endpoint_url=moto_endpoint), confirm, client=warm_client(o))
    assert "api gateway rest api lambdaprobe-lpc9a002-api (run lpc9a002)" in asked and result.failed == []
    assert rest_apis(moto_endpoint, "lpc9a002") == [] and inventory(moto_endpoint, "lpc9a002") == {}


def test_a_shifting_run_moves_the_alias_and_says_how(moto_endpoint: str) -> None:
    o = opts(moto_endpoint, "lpcdp001", deadline_s=0.3)
    target = AwsTarget(o, client=warm_client(o), sleep=no_sleep)
    with pytest.raises(ObservationTimeout) as info:  # moto does not run functions: no attempt comes
        target.run(shifting_scenario())
    notes = info.value.observations.notes
    assert any("not a CodeDeploy deployment" in n for n in notes)
    assert any(n.startswith("alias live: 100% of calls to version 2") for n in notes)
    assert inventory(moto_endpoint, "lpcdp001") == {}


def test_a_gateway_run_deploys_drives_and_tears_down(moto_endpoint: str) -> None:
    # moto's server does not serve execute-api URLs (it takes the POST for S3 and answers an error):
    # the answer is still recorded, as one that never reached the function; with no execution seen
    # the run is incomplete (exit 4), never "complete"
    o = opts(moto_endpoint, "lpcgw001", deadline_s=0.3)
    target = AwsTarget(o, client=warm_client(o), sleep=no_sleep)
    with pytest.raises(ObservationTimeout) as info:
        target.run(gateway_scenario())
    obs = info.value.observations
    assert obs.complete is False and obs.missing == [
        "r01: no execution, DLQ message or destination record of it was observed"
    ]
    (result,) = obs.client_results
    assert result.status not in (0, 200, 502, 504) and target.deployment is not None
    assert any("/restapis/" in n and "_user_request_/probe" in n for n in obs.notes)
    assert inventory(moto_endpoint, "lpcgw001") == {} and rest_apis(moto_endpoint, "lpcgw001") == []


class _Gateway(BaseHTTPRequestHandler):
    """API Gateway's answers: 504 after the integration timeout, 200 when the function was quick."""

    bodies: ClassVar[list[dict[str, object]]] = []
    authorizations: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).bodies.append(body)
        type(self).authorizations.append(str(self.headers.get("Authorization", "")))
        timed_out = body["request"] != "r02"
        status, answer = (504, {"message": "Endpoint request timed out"}) if timed_out else (200, {"ok": True})
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture()
def local_gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for k, v in DUMMY_ENV.items():
        monkeypatch.setenv(k, v)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_gateway_caller_records_504_and_that_the_function_was_reached(local_gateway: str) -> None:
    sc = Scenario(
        probe="abort",
        function=FunctionSpec(directive=Directive(duration_s=40)),
        stimulus=Stimulus(count=2, interval_s=0.02, mode="sync"),
        source=SourceSpec(kind="sync"),
        sdk=SdkConfig(read_timeout_s=29, caller="apigateway"),
    )
    client = AwsClient(AwsOptions(region="us-east-1", endpoint_url=local_gateway))
    obs = Observations("aws")
    driver = Driver(client, sc, run_plan("f", api_id=Ref("api_id")), {"api_id": "a1"})
    driver.run(obs)
    results = {c.request_id: (c.status, c.error) for c in obs.client_results}
    assert results == {"r01": (504, "Endpoint request timed out"), "r02": (200, None)}
    assert {s.request_id: s.final for s in obs.settled} == {"r01": "failed", "r02": "succeeded"}
    assert driver.ledger.ran == {"r01": 1, "r02": 1}
    assert [b["request"] for b in sorted(_Gateway.bodies, key=lambda b: str(b["request"]))] == ["r01", "r02"]
    assert any("integration timeout 29 s" in n for n in obs.notes)
    # IAM authorization: every POST is SigV4-signed for execute-api in the run's Region
    assert len(_Gateway.authorizations) >= 2 and all(
        a.startswith("AWS4-HMAC-SHA256 Credential=testing/") and "/us-east-1/execute-api/aws4_request" in a
        for a in _Gateway.authorizations[-2:]
    )


def test_the_stage_is_waited_for_with_a_get_that_invokes_nothing(local_gateway: str) -> None:
    from lambdaprobe.aws.run.drive_http import wait_reachable

    before = len(_Gateway.bodies)
    assert wait_reachable(f"{local_gateway}/restapis/a1/lp/_user_request_/probe") < 1.0  # 501 is an answer
    assert len(_Gateway.bodies) == before
    naps: list[float] = []
    with pytest.raises(OSError):
        wait_reachable("http://127.0.0.1:9/", within_s=0.0, sleep=naps.append)
    assert naps == []
