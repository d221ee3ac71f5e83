"""Records kept in columns read back as appended, and a report from columns equals the report from lists."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from lambdaprobe.analysis import analyse
from lambdaprobe.analysis_compact import Requests
from lambdaprobe.columns import Columns
from lambdaprobe.observation import Attempt, Observations
from lambdaprobe.render import render_report
from lambdaprobe.report import Report
from lambdaprobe.scenario import Scenario
from lambdaprobe.scenarios import concurrency, retry
from lambdaprobe.sim.target import SimTarget

attempts = st.builds(
    Attempt,
    request_id=st.sampled_from(["r1", "r2", "r3"]),
    n=st.integers(1, 3),
    start=st.floats(0, 1e6, allow_nan=False),
    end=st.floats(0, 1e6, allow_nan=False),
    outcome=st.sampled_from(["success", "error", "timeout"]),
    execution_id=st.text(min_size=1, max_size=4),
    cold=st.booleans(),
    init_s=st.one_of(st.floats(0, 10), st.integers(0, 10)),
    error=st.one_of(st.none(), st.text(max_size=5)),
    receive_count=st.one_of(st.none(), st.integers(1, 5)),
    version=st.sampled_from(["1", "2", "$LATEST"]),
    environment_id=st.text(max_size=3),
    provisioned=st.booleans(),
    billed_ms=st.one_of(st.none(), st.integers(-(2**70), 2**70)),
)


@settings(max_examples=60, deadline=None)
@given(chunks=st.lists(st.lists(attempts, max_size=20), max_size=5))
def test_columns_read_back_what_was_appended(chunks: list[list[Attempt]]) -> None:
    columns = Columns(Attempt)
    for chunk in chunks:
        for a in chunk:
            columns.append(a)
        columns.flush()
    flat = [a for chunk in chunks for a in chunk]
    assert list(columns) == flat
    assert len(columns) == len(flat)
    for i, a in enumerate(flat):
        back = columns[i]
        assert back == a and [type(getattr(back, f)) for f in columns.names] == [type(getattr(a, f)) for f in
                                                                                 columns.names]
    if flat:
        assert columns[-1] == flat[-1]
    assert columns[1:-1:2] == flat[1:-1:2]


def test_a_chunk_of_one_value_is_kept_once() -> None:
    columns = Columns(Attempt)
    for i in range(1000):
        columns.append(Attempt(f"r{i}", 1, float(i), i + 0.5, "success", f"x{i}"))
    columns.flush()
    outcome = columns._chunks[0][columns.names.index("outcome")]
    start = columns._chunks[0][columns.names.index("start")]
    assert not isinstance(outcome, list) and list(columns.column("outcome")) == ["success"] * 1000
    assert start.typecode == "d"


def as_lists(obs: Observations) -> Observations:
    return replace(obs, sent=list(obs.sent), attempts=list(obs.attempts), client_results=list(obs.client_results),
                   throttles=list(obs.throttles), settled=list(obs.settled))


def rendered(report: Report) -> str:
    out = io.StringIO()
    render_report(report, Console(file=out, width=120, color_system=None), max_rows=7)
    return out.getvalue()


def check_same(scenario: Scenario, *, expect_compact: bool = True) -> None:
    obs = SimTarget().run(scenario)
    compact = analyse(scenario, obs)
    general = analyse(scenario, as_lists(obs))
    assert isinstance(compact.requests, Requests) is expect_compact
    assert not isinstance(general.requests, Requests)
    assert compact.to_json() == general.to_json()
    assert compact.requests[2:5] == general.requests[2:5]
    assert rendered(compact) == rendered(general)


@settings(max_examples=30, deadline=None)
@given(
    reserved=st.integers(0, 6), provisioned=st.integers(0, 3), count=st.integers(1, 60),
    interval=st.sampled_from([0.0, 0.05, 0.3, 1.0]), duration=st.sampled_from([0.1, 1.0, 4.0]),
    mode=st.sampled_from(["sync", "async"]), arrivals=st.sampled_from(["even", "poisson:5", "even+burst:7@1"]),
)
def test_a_report_from_columns_is_the_report_from_lists(
    reserved: int, provisioned: int, count: int, interval: float, duration: float, mode: str, arrivals: str
) -> None:
    scenario = concurrency.build(
        reserved=max(reserved, provisioned), provisioned=provisioned, qualifier="alias", count=count,
        interval=interval, duration=duration, mode=mode, init=0.3, timeout=None, seed=1, arrivals=arrivals,
    )
    check_same(scenario)
    obs = SimTarget().run(scenario)
    assert concurrency.findings(analyse(scenario, obs)) == concurrency.findings(analyse(scenario, as_lists(obs)))


@pytest.mark.parametrize(
    "options",
    [
        retry.RetryOptions(source="async", dlq="sqs", on_failure="lambda", count=4, interval=0.0),
        retry.RetryOptions(source="sqs", count=30, fail="first:1", batch_size=4, interval=0.0),
        retry.RetryOptions(source="sqs-fifo", count=8, fail="first:2", message_groups=2),
        retry.RetryOptions(source="kinesis", count=9, fail="first:1", bisect=True, max_retry_attempts=2),
        retry.RetryOptions(source="sync", sdk_retries="standard", read_timeout=1.0, duration=2.0, count=3),
        retry.RetryOptions(source="sns", count=2, fail="always"),
    ],
    ids=lambda o: o.source,
)
def test_every_source_reports_the_same_from_columns(options: retry.RetryOptions) -> None:
    scenario = retry.build(options)
    obs = SimTarget().run(scenario)
    assert analyse(scenario, obs).to_json() == analyse(scenario, as_lists(obs)).to_json()


@settings(max_examples=80, deadline=None)
@given(
    steps=st.lists(st.tuples(st.floats(0, 50, allow_nan=False), st.integers(-1, 9)), max_size=40),
    width=st.integers(1, 30),
)
def test_chart_peaks_of_arrays_are_the_peaks_of_pairs(steps: list[tuple[float, int]], width: int) -> None:
    from array import array

    from lambdaprobe.analysis_compact import Series
    from lambdaprobe.render.chart import column_peaks, peak
    from lambdaprobe.render.frame import Frame

    steps.sort()
    frame = Frame(2, 3, 4, width, 50.0)
    series = Series(array("d", [t for t, _ in steps]), array("q", [n for _, n in steps]))
    assert column_peaks(series, frame) == column_peaks(list(steps), frame)
    assert peak(series) == peak(list(steps))


def test_columns_where_a_request_never_settled_take_the_general_path() -> None:
    from lambdaprobe.observation import Sent, Settled
    from lambdaprobe.sim.target import compact_observations

    obs = compact_observations("sim")
    for rid in ("r1", "r2"):
        obs.sent.append(Sent(rid, 0.0))
    obs.attempts.append(Attempt("r1", 1, 0.0, 1.0, "success", "x1"))
    obs.attempts.append(Attempt("r2", 1, 0.0, 2.0, "error", "x2"))
    obs.settled.append(Settled("r1", 1.0, "succeeded"))  # r2 is left for analysis to infer
    scenario = concurrency.build(reserved=None, provisioned=0, qualifier="alias", count=2, interval=0.0,
                                 duration=1.0, mode="sync", init=0.0, timeout=None, seed=0)
    report = analyse(scenario, obs)
    assert not isinstance(report.requests, Requests)
    assert [r.final for r in report.requests] == ["succeeded", "failed"]
    assert report.summary.max_concurrency == 2
