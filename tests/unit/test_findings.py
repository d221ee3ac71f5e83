"""Every probe opens with its answer: 1 to 4 findings, each citing rules the registry knows; the
numbers in them are the report's; on --target aws nothing is claimed that was not observed."""

from __future__ import annotations

from typing import Any

import pytest

from lambdaprobe.analysis import analyse
from lambdaprobe.observation import Observations, Sent
from lambdaprobe.report import Report
from lambdaprobe.rules import RULES
from lambdaprobe.scenarios import abort, concurrency, deploy_preference, destinations, invoke, retry, timeout
from lambdaprobe.sim.target import SimTarget

KNOWN = {str(getattr(k, "value", k)) for k in RULES}

CASES: list[tuple[Any, dict[str, Any]]] = [
    (concurrency, {"reserved": 20, "provisioned": 10}),
    (concurrency, {"reserved": 1, "provisioned": 1}),
    (concurrency, {"reserved": 1, "provisioned": 1, "qualifier": "latest"}),
    (concurrency, {"reserved": 1, "provisioned": 1, "mode": "async"}),
    (concurrency, {}),
    (invoke, {}),
    (invoke, {"mode": "async", "fail": "always"}),
    (destinations, {}),
    (timeout, {}),
    (timeout, {"init": 12, "duration": 1, "timeout": 3}),
    (abort, {}),
    (abort, {"caller": "sdk", "read_timeout": 10, "duration": 30}),
    (deploy_preference, {}),
    (deploy_preference, {"new_version_fails": True, "rollback_on_error": True}),
    *[(retry, {"source": s}) for s in ("sync", "async", "sqs", "sqs-fifo", "sns", "eventbridge", "kinesis",
                                        "dynamodb", "destination")],
]


def run(module: Any, kwargs: dict[str, Any]) -> Report:
    scenario = module.build(**kwargs)
    return analyse(scenario, SimTarget().run(scenario))


@pytest.mark.parametrize(("module", "kwargs"), CASES, ids=[f"{m.__name__.split('.')[-1]}-{k}" for m, k in CASES])
def test_every_probe_answers_in_one_to_four_findings_citing_known_rules(module: Any, kwargs: dict[str, Any]) -> None:
    report = run(module, kwargs)
    found = module.findings(report)
    assert 1 <= len(found) <= 4
    for finding in found:
        assert finding.text and not finding.text.startswith("finding")
        assert set(finding.rules) <= KNOWN, finding.rules
        assert "(s)" not in finding.text


def test_concurrency_20_10_names_the_spillover_and_the_wrong_answer() -> None:
    found = concurrency.findings(run(concurrency, {"reserved": 20, "provisioned": 10}))
    assert found[0].text.startswith("0 of 20 throttled: 10 ran on provisioned concurrency (warm, no init), "
                                    "10 spilled over to on-demand with cold starts")
    assert found[1].text.startswith("not 10 throttled, as often claimed")


def test_concurrency_1_1_says_19_throttled_and_why() -> None:
    found = concurrency.findings(run(concurrency, {"reserved": 1, "provisioned": 1}))
    assert found[0].text.startswith("19 of 20 throttled: 1 ran on provisioned concurrency")
    assert "429 ReservedFunctionConcurrentInvocationLimitExceeded" in found[1].text
    assert "throttle.error" in found[1].rules


def test_on_aws_an_unobserved_run_says_missing_instead_of_answering() -> None:
    scenario = concurrency.build(reserved=1, provisioned=1)
    obs = Observations("aws", sent=[Sent(f"r{i:02d}", float(i)) for i in range(1, 4)])
    found = concurrency.findings(analyse(scenario, obs))
    assert len(found) == 1 and found[0].text.startswith("missing: 3 requests of 3 left no observation")
    for module, kwargs in ((invoke, {}), (abort, {}), (timeout, {}), (retry, {"source": "async"}),
                           (deploy_preference, {})):
        sc = module.build(**kwargs)
        (only,) = module.findings(analyse(sc, Observations("aws", sent=[Sent("r01", 0.0)])))
        assert only.text.startswith("missing:"), module
    sc = destinations.build()
    (only,) = destinations.findings(analyse(sc, Observations("aws", sent=[Sent("r01", 0.0), Sent("r02", 0.0)])))
    assert only.text.startswith("missing: 2 requests of 2")
