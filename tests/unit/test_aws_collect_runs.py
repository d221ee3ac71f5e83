"""Collector: what REPORT and timeout lines say about init, billing and timeouts, SDK resends as
attempts of one request, and the executed version, read the way the probes' findings read them."""

from __future__ import annotations

import pytest

from lambdaprobe.analysis import analyse
from lambdaprobe.aws.observe.log_parse import SUPPRESSED_INIT_NOTE, attempts_from_logs
from lambdaprobe.aws.sources.expect import outstanding
from lambdaprobe.observation import ClientResult, Observations, Sent
from lambdaprobe.scenarios import timeout as timeout_probe
from tests.unit.test_aws_collect import T0, ev, probe_line

ID_A = "11111111-2222-4333-8444-555555555555"
ID_B = "66666666-7777-4888-9999-aaaaaaaaaaaa"
ID_C = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff"
STREAM = "2026/11/27/[1]0123456789abcdef"


def report(aws_id: str, duration_ms: float, billed_ms: int, init_ms: float | None = None) -> str:
    init = f"\tInit Duration: {init_ms:.2f} ms" if init_ms is not None else ""
    return (
        f"REPORT RequestId: {aws_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed_ms} ms\t"
        f"Memory Size: 128 MB\tMax Memory Used: 41 MB{init}\t\n"
    )


def timed_out(aws_id: str, seconds: float) -> str:
    return f"2026-11-27T07:00:00.000Z {aws_id} Task timed out after {seconds:.2f} seconds\n"


def test_init_within_10_s_is_read_from_init_duration_and_not_counted() -> None:
    # timeout --init 5 --duration 2.5 --timeout 3: a 5 s init, then a 2.5 s handler that succeeds
    events = [
        ev(5.0, probe_line("start", 5.0, aws_id=ID_A, cold=True, init_s=5.001), STREAM),
        ev(7.5, probe_line("end", 7.5, aws_id=ID_A, cold=True, outcome="success"), STREAM),
        ev(7.51, report(ID_A, 2503.12, 7504, init_ms=5001.37), STREAM),
    ]
    notes: list[str] = []
    (a,), _ = attempts_from_logs(events, T0, notes=notes)
    assert a.cold and a.outcome == "success" and a.billed_ms == 7504
    assert a.init_s == pytest.approx(5.00137) and a.start == pytest.approx(5.0 - 5.00137, abs=1e-6)
    assert notes == []
    scenario = timeout_probe.build(init=5, duration=2.5, timeout=3, count=1, seed=0)
    obs = Observations("aws", sent=[Sent("r01", 0.0)], attempts=[a])
    finding = timeout_probe.findings(analyse(scenario, obs))[0].text
    assert "the call succeeded" in finding and "billed 7,504 ms" in finding


def test_suppressed_init_has_no_init_duration_so_it_is_derived_and_said() -> None:
    # --init 12 --duration 1 --timeout 30: the 12 s init is cut at 10 s, re-run inside the invoke
    events = [
        ev(22.0, probe_line("start", 22.0, aws_id=ID_A, cold=True, init_s=12.0), STREAM),
        ev(23.0, probe_line("end", 23.0, aws_id=ID_A, cold=True, outcome="success"), STREAM),
        ev(23.01, report(ID_A, 13001.0, 13001), STREAM),  # Duration includes the re-init
    ]
    notes: list[str] = []
    (a,), _ = attempts_from_logs(events, T0, notes=notes)
    assert a.cold and a.init_s == 10.0 and a.start == pytest.approx(0.0) and a.end == pytest.approx(23.0)
    assert notes == [SUPPRESSED_INIT_NOTE]


def test_a_cold_start_without_init_duration_and_a_short_init_is_not_a_suppressed_one() -> None:
    # a proactive init (done before the request) leaves no Init Duration either
    events = [
        ev(1.0, probe_line("start", 1.0, aws_id=ID_A, cold=True, init_s=0.3), STREAM),
        ev(1.1, probe_line("end", 1.1, aws_id=ID_A, cold=True, outcome="success"), STREAM),
        ev(1.11, report(ID_A, 100.0, 100), STREAM),
    ]
    notes: list[str] = []
    (a,), _ = attempts_from_logs(events, T0, notes=notes)
    assert a.init_s == pytest.approx(0.3) and a.start == pytest.approx(0.7) and notes == []


def test_suppressed_init_that_runs_out_of_time_leaves_only_report_and_timeout_lines() -> None:
    # --init 12 --duration 1 --timeout 3: the re-run init is killed by the timeout, no probe line
    events = [
        ev(13.0, timed_out(ID_A, 3.0), STREAM),
        ev(13.01, report(ID_A, 3000.0, 3000), STREAM),
    ]
    assert attempts_from_logs(events, T0) == ([], [])  # nothing names the request...
    notes: list[str] = []
    (a,), _ = attempts_from_logs(events, T0, requests={ID_A: "r01"}, notes=notes)  # ...the driver does
    assert (a.request_id, a.outcome, a.cold, a.init_s, a.billed_ms) == ("r01", "timeout", True, 10.0, 3000)
    assert a.error == "Task timed out after 3.00 seconds"
    assert a.end == pytest.approx(13.0) and a.start == pytest.approx(0.0)
    assert notes == [SUPPRESSED_INIT_NOTE]
    scenario = timeout_probe.build(init=12, duration=1, timeout=3, count=1, seed=0)
    obs = Observations("aws", sent=[Sent("r01", 0.0)], attempts=[a])
    finding = timeout_probe.findings(analyse(scenario, obs))[0].text
    assert "init 12 s exceeds the 10 s init limit" in finding and "outcome timeout after 13.0s" in finding


def test_a_timeout_line_ends_the_attempt() -> None:
    events = [
        ev(0.3, probe_line("start", 0.3, aws_id=ID_A, cold=True, init_s=0.3), STREAM),
        ev(3.3, timed_out(ID_A, 3.0), STREAM),
        ev(3.31, report(ID_A, 3000.0, 3300, init_ms=300.2), STREAM),
    ]
    (a,), _ = attempts_from_logs(events, T0)
    assert (a.outcome, a.billed_ms, a.error) == ("timeout", 3300, "Task timed out after 3.00 seconds")
    assert a.init_s == pytest.approx(0.3002) and a.end == pytest.approx(3.3)


def test_sdk_resends_are_attempts_of_one_request_and_are_waited_for() -> None:
    # abort --caller sdk --read-timeout 10 --sdk-retries standard --duration 30: three sends, three runs
    streams = ["2026/11/27/[1]aaaa", "2026/11/27/[1]bbbb", "2026/11/27/[1]cccc"]
    events = []
    for k, (aws_id, stream) in enumerate(zip((ID_A, ID_B, ID_C), streams, strict=True)):
        t = 10.5 * k
        events.append(ev(t, probe_line("start", t, aws_id=aws_id, cold=True, init_s=0.3), stream))
        events.append(ev(t + 30, probe_line("end", t + 30, aws_id=aws_id, cold=True, outcome="success"), stream))
        events.append(ev(t + 30.01, report(aws_id, 30000.0, 30300, init_ms=300.0), stream))
    attempts, _ = attempts_from_logs(events, T0)
    assert [(a.request_id, a.n) for a in attempts] == [("r01", 1), ("r01", 2), ("r01", 3)]
    assert sum(a.billed_ms or 0 for a in attempts) == 90900
    from lambdaprobe.scenarios import abort

    scenario = abort.build(
        caller="sdk", duration=30, timeout=None, read_timeout=10, sdk_retries="standard", init=0.3, seed=0
    )
    obs = Observations("aws", sent=[Sent("r01", 0.0)], attempts=attempts[:2])
    obs.client_results.append(ClientResult("r01", 31.0, 0, 31.0, "ReadTimeoutError"))
    assert outstanding(scenario, obs, {"r01": 3})[0] == ["r01: 2 of 3 executions seen"]
    obs.attempts = attempts
    assert outstanding(scenario, obs, {"r01": 3}) == ([], [])
    first, resent = abort.findings(analyse(scenario, obs))
    assert "no HTTP answer (ReadTimeoutError)" in first.text and "90,900 ms" in first.text
    assert "3 executions" in resent.text


def test_the_executed_version_comes_from_the_log_stream() -> None:
    events = [
        ev(1.0, probe_line("start", 1.0, aws_id=ID_A), "2026/11/27/[2]dddd"),
        ev(1.1, probe_line("end", 1.1, aws_id=ID_A, outcome="error", error="x"), "2026/11/27/[2]dddd"),
        ev(2.0, probe_line("start", 2.0, request="r02", aws_id=ID_B), "2026/11/27/[1]eeee"),
        ev(2.1, probe_line("end", 2.1, request="r02", aws_id=ID_B, outcome="success"), "2026/11/27/[1]eeee"),
    ]
    attempts, _ = attempts_from_logs(events, T0)
    assert [(a.request_id, a.version) for a in attempts] == [("r01", "2"), ("r02", "1")]


def test_deploy_preference_findings_on_an_aws_report() -> None:
    from lambdaprobe.observation import Attempt
    from lambdaprobe.scenarios import deploy_preference

    sc = deploy_preference.build(
        preference="Canary10Percent5Minutes", rollback_on_error=True, new_version_fails=True, rate=1, minutes=1,
        duration=0.1, init=0.3, seed=0,
    )
    runs = [("r01", 0.0, "1", "success"), ("r02", 1.0, "2", "error"), ("r03", 2.0, "1", "success")]
    obs = Observations(
        "aws",
        sent=[Sent(r, t) for r, t, _, _ in runs],
        attempts=[Attempt(r, 1, t, t + 0.1, o, f"x{t}", version=v) for r, t, v, o in runs],  # type: ignore[arg-type]
    )
    lines = deploy_preference.findings(analyse(sc, obs))
    assert lines[0].text.startswith("1 of 3 invocations ran version 2, the first at 1.0s")
    assert "lambdaprobe's rollback rule rolled traffic back" in lines[1].text
