"""On --target aws a report states only what was observed. Pure.

The collector can end with nothing to wait for and still have seen no execution of a request (an
emulator that answers invokes without running anything; a stream whose poller never started). An
answer to the caller is not an execution: without an attempt in the logs, a DLQ message or a
destination record, a request's outcome is not known, and the run is incomplete.
"""

from __future__ import annotations

from lambdaprobe.errors import ObservationTimeout
from lambdaprobe.observation import Observations, Settled
from lambdaprobe.scenario import Scenario


def _evidence(obs: Observations) -> set[str]:
    """Requests with something observed of their fate (an execution, a DLQ message, a record)."""
    seen = {a.request_id for a in obs.attempts}
    seen |= {d.request_id for d in obs.dead_letters if d.request_id}
    seen |= {r.request_id for r in obs.destinations if r.request_id}
    return seen


def unobserved(obs: Observations) -> list[str]:
    """Each sent request whose fate nothing observed shows, as a `missing` line."""
    seen = _evidence(obs)
    throttled = {c.request_id for c in obs.client_results if c.status == 429}
    out = []
    for sent in obs.sent:
        rid = sent.request_id
        if rid in seen or rid in throttled:  # a 429 that never ran is itself the observation
            continue
        out.append(f"{rid}: no execution, DLQ message or destination record of it was observed")
    return out


def observed_settled(obs: Observations) -> list[Settled]:
    """The final states that rest on an observation: a caller's 200 alone does not make "succeeded"."""
    seen = _evidence(obs)
    return [s for s in obs.settled if s.request_id in seen or (s.final in ("throttled", "failed") and _gave_up(obs, s))]


def _gave_up(obs: Observations, settled: Settled) -> bool:
    """A throttle or a caller that stopped waiting is what the caller observed, ran or not."""
    for c in obs.client_results:
        if c.request_id == settled.request_id:
            return c.status == 429 or c.error == "ReadTimeoutError"
    return False


def require_observed(scenario: Scenario, obs: Observations) -> None:
    """Raise ObservationTimeout (exit 4, partial report) when a request's fate was not observed."""
    missing = unobserved(obs)
    if not missing:
        return
    obs.complete = False
    obs.missing = list(dict.fromkeys([*obs.missing, *missing]))
    raise ObservationTimeout(
        f"{len(missing)} of {len(obs.sent)} request(s) of {scenario.probe} with nothing observed of their fate; "
        f"first: {missing[0]}",
        obs,
    )
