"""What to expect of a run on AWS, by its source: the requests still outstanding, and the deadline
for collecting them. Pure."""

from __future__ import annotations

from collections.abc import Mapping

from lambdaprobe.aws.observe.expectations import UNBOUNDED, deadline_s, run_s, seen_by_request
from lambdaprobe.aws.sources import SOURCES
from lambdaprobe.observation import Observations
from lambdaprobe.scenario import Scenario


def derive_deadline_s(scenario: Scenario) -> float:
    """How long after the first stimulus collection may go on before giving up."""
    return deadline_s(scenario, SOURCES[scenario.source.kind].per_request_s(scenario, run_s(scenario)))


def outstanding(
    scenario: Scenario, obs: Observations, ran: Mapping[str, int] | None = None
) -> tuple[list[str], list[str]]:
    """(requests whose expected observations are not all in, requests that never settle by design).

    `ran`: for direct invokes, how many sends of each request reached the function (the driver's
    ledger): each is an execution to wait for, SDK resends and calls the caller gave up on included.

    The second list holds requests that retry without bound (an SQS queue without redrive, a stream
    with unlimited retries, and a directive that always fails): they are watched until the deadline.
    """
    source = SOURCES[scenario.source.kind]
    missing: list[str] = []
    unbounded: list[str] = []
    for seen in seen_by_request(obs, ran):
        verdict = source.missing(scenario, seen)
        if verdict == UNBOUNDED:
            unbounded.append(seen.request_id)
        elif verdict is not None:
            missing.append(verdict)
    return missing, unbounded
