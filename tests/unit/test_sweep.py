"""Sweep grids, goals, prices and costs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambdaprobe import sweep
from lambdaprobe.errors import InputError


def test_ranges_include_their_stop_and_lists_keep_their_order() -> None:
    assert sweep.axis_values("--reserved", "10:50:10", integer=True) == (10, 20, 30, 40, 50)
    assert sweep.axis_values("--provisioned", "20,0,10", integer=True) == (20, 0, 10)
    assert sweep.axis_values("--duration", "0.1:0.3:0.1", integer=False) == (0.1, 0.2, 0.3)
    assert sweep.axis_values("--count", "7", integer=True) == (7,)


@pytest.mark.parametrize("text", ["10:5:1", "1:5:0", "a,b", "1:2:3:4", "1.5,2"])
def test_bad_ranges_are_input_errors(text: str) -> None:
    with pytest.raises(InputError, match="--reserved"):
        sweep.axis_values("--reserved", text, integer=True)


def test_the_grid_varies_the_first_axis_slowest() -> None:
    points = sweep.grid([("--reserved", (1, 2)), ("--provisioned", (0, 1))])
    assert [tuple(p.values()) for p in points] == [(1, 0), (1, 1), (2, 0), (2, 1)]


def test_a_point_counts_throttles_cold_starts_and_init_latency() -> None:
    params = {"reserved": 3, "provisioned": 1, "qualifier": "alias", "count": 10, "interval": 0.0,
              "duration": 5.0, "mode": "sync", "init": 0.25, "timeout": None, "seed": 0, "arrivals": "even"}
    point = sweep.run_point("concurrency", params)
    assert point["error"] is None
    assert point["throttled"] == 7  # 10 at once against reserved 3
    assert point["cold_starts"] == 2  # one ran on the provisioned environment
    assert point["p99_init_ms"] == 250.0 and point["p50_init_ms"] == 250.0  # 2 of 3 that ran were cold
    assert point["provisioned_ms"] == 5000 and point["on_demand_ms"] == 2 * 5250


def test_an_invalid_point_says_why() -> None:
    params = {"reserved": 1, "provisioned": 2, "qualifier": "alias", "count": 1, "interval": 1.0,
              "duration": 1.0, "mode": "sync", "init": 0.3, "timeout": None, "seed": 0}
    assert "--provisioned" in sweep.run_point("concurrency", params)["error"]


def test_monthly_cost_from_prices() -> None:
    prices = sweep.load_prices("us-east-1")
    point = {"memory_mb": 1024, "window_s": sweep.MONTH_S, "provisioned": 2, "attempts": 1_000_000,
             "on_demand_ms": 1000 * 1000, "provisioned_ms": 0}
    cost = sweep.monthly_cost(point, prices)
    # 2 x 1 GB x 730 h of provisioned concurrency; 1M requests and 1,000 GB-s on demand
    assert cost["cost_provisioned_month"] == round(2 * sweep.MONTH_S * prices.provisioned_gb_s, 2)
    assert cost["cost_invocations_month"] == round(0.20 + 1000 * prices.duration_gb_s, 2)
    assert cost["cost_month"] == round(cost["cost_provisioned_month"] + cost["cost_invocations_month"], 2)


def test_a_price_file_overrides_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    good = tmp_path / "p.json"
    good.write_text(json.dumps({"source": "mine", "as_of": "2030-01-01", "regions": {"xx-test-1": {
        "request_per_million": 1, "duration_gb_s": 2, "provisioned_gb_s": 3, "provisioned_duration_gb_s": 4}}}))
    assert sweep.load_prices("xx-test-1", str(good)).provisioned_gb_s == 3.0
    with pytest.raises(InputError, match="--region"):
        sweep.load_prices("mars-1")
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    with pytest.raises(InputError, match="--price-file"):
        sweep.load_prices("us-east-1", str(bad))


def test_goals_in_counts_and_percent_of_requests() -> None:
    row = {"requests": 200, "throttled": 0, "cold_starts": 3, "cost_month": 1.0, "error": None}
    assert sweep.parse_goal("throttled=0").holds(row)
    assert not sweep.parse_goal("cold_starts<=1%").holds(row)  # 1.5 %
    assert sweep.parse_goal("cold_starts<=1.5%").holds(row)
    for bad in ("throttled", "speed<3", "p99_init_ms<=1%"):
        with pytest.raises(InputError, match="--goal"):
            sweep.parse_goal(bad)


def test_the_cheapest_point_meeting_the_goals() -> None:
    rows = [
        {"error": None, "requests": 10, "throttled": 2, "cost_month": 1.0},
        {"error": None, "requests": 10, "throttled": 0, "cost_month": 5.0},
        {"error": "invalid", "requests": 10, "throttled": 0, "cost_month": 0.0},
        {"error": None, "requests": 10, "throttled": 0, "cost_month": 3.0},
    ]
    assert sweep.cheapest(rows, [sweep.parse_goal("throttled=0")]) == 3
    assert sweep.cheapest(rows, []) == 0
    assert sweep.cheapest(rows, [sweep.parse_goal("throttled>5")]) is None


def test_the_cost_window_is_the_traffics_and_the_same_for_every_point() -> None:
    base = {"provisioned": 0, "qualifier": "alias", "count": 20, "interval": 0.5, "duration": 1.0, "mode": "sync",
            "init": 0.3, "timeout": None, "seed": 0}
    windows = {sweep.run_point("concurrency", base | {"reserved": r})["window_s"] for r in (1, 5, 50)}
    assert windows == {10.0}  # 20 sends half a second apart
    burst = sweep.run_point("concurrency", base | {"reserved": 5, "interval": 0.0})
    assert burst["window_s"] == sweep.BURST_WINDOW_S
