"""On --target aws an outcome rests on an observation: a caller's 200 alone is not "succeeded"."""

from __future__ import annotations

import pytest

from lambdaprobe.aws.run.observed import observed_settled, require_observed, unobserved
from lambdaprobe.errors import ObservationTimeout
from lambdaprobe.observation import Attempt, ClientResult, DeadLetter, Observations, Sent, Settled
from tests.functional.aws_helpers import scenario


def observations() -> Observations:
    obs = Observations("aws")
    for rid in ("r01", "r02", "r03", "r04", "r05"):
        obs.sent.append(Sent(rid, 0.0))
    obs.client_results += [
        ClientResult("r01", 0.1, 200, 0.1),  # answered, never seen running
        ClientResult("r02", 0.1, 200, 0.1),  # answered and seen running
        ClientResult("r03", 0.1, 429, 0.1, "TooManyRequestsException"),  # throttled: itself observed
        ClientResult("r04", 0.1, 0, 5.0, "ReadTimeoutError"),  # the caller gave up
    ]
    obs.attempts.append(Attempt("r02", 1, 0.0, 0.1, "success", "e1"))
    obs.dead_letters.append(DeadLetter(1.0, "sqs:dlq", {}, {}, "r05"))
    obs.settled += [
        Settled("r01", 0.1, "succeeded"),
        Settled("r02", 0.1, "succeeded"),
        Settled("r03", 0.1, "throttled"),
        Settled("r04", 5.0, "failed"),
    ]
    return obs


def test_only_observed_outcomes_are_kept() -> None:
    obs = observations()
    kept = {s.request_id: s.final for s in observed_settled(obs)}
    assert kept == {"r02": "succeeded", "r03": "throttled", "r04": "failed"}


def test_requests_with_nothing_observed_make_the_run_incomplete() -> None:
    obs = observations()
    assert [m.split(":")[0] for m in unobserved(obs)] == ["r01", "r04"]
    with pytest.raises(ObservationTimeout) as info:
        require_observed(scenario("sync"), obs)
    assert obs.complete is False and info.value.observations is obs
    assert str(info.value).startswith("2 of 5 request(s) of retry with nothing observed")


def test_a_fully_observed_run_passes() -> None:
    obs = observations()
    obs.attempts += [Attempt("r01", 1, 0, 1, "success", "e2"), Attempt("r04", 1, 0, 1, "timeout", "e3")]
    require_observed(scenario("sync"), obs)
    assert obs.complete is True
