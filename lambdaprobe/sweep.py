"""Sweeps: one probe run over a grid of option values, each point's throttles, cold starts, added
latency and estimated monthly cost, and the cheapest point that meets the stated goals.

Pure except for reading the price file; the grid is run by any `concurrent.futures.Executor`
(`lambdaprobe.executors`), and a point's figures depend on its options alone, so every executor
gives the same grid.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import itertools
import json
import math
import operator
import re
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from lambdaprobe.columns import Columns
from lambdaprobe.errors import InputError, LambdaprobeError
from lambdaprobe.scenario import Scenario

# The probes a sweep can run: those the simulator answers (the AWS-only probes have no model).
PROBES = ("concurrency", "retry", "deploy-preference", "invoke", "abort", "timeout", "destinations")
MAX_POINTS = 10_000
# Cost per month: provisioned concurrency is billed while configured; the traffic is taken to repeat.
MONTH_S = 730 * 3600.0
BURST_WINDOW_S = 60.0
METRICS = (
    "requests", "succeeded", "throttled", "failed", "cold_starts", "attempts", "max_concurrency",
    "p50_init_ms", "p99_init_ms", "cost_month",
)
PERCENT_OF_REQUESTS = ("succeeded", "throttled", "failed", "cold_starts")

Number = int | float


def axis_values(option: str, text: str, integer: bool) -> tuple[Number, ...]:
    """`START:STOP:STEP` (STOP included), `A,B,C`, or one value, as ints or floats."""
    cast: Callable[[str], Number] = int if integer else float
    try:
        if ":" in text:
            start_s, stop_s, *step_s = text.split(":")
            if len(step_s) > 1:
                raise ValueError(text)
            start, stop = cast(start_s), cast(stop_s)
            step = cast(step_s[0]) if step_s else cast("1")
            if step <= 0 or stop < start:
                raise InputError(option, f"{text!r}: a range runs up with a step > 0; allowed: START:STOP:STEP")
            n = math.floor((stop - start) / step + 1e-9) + 1
            if n > MAX_POINTS:
                raise InputError(option, f"{text!r} has {n} values; allowed: up to {MAX_POINTS}")
            values = tuple(start + k * step for k in range(n))
            return values if integer else tuple(round(v, 9) for v in values)
        return tuple(cast(v) for v in text.split(","))
    except ValueError:
        kind = "whole numbers" if integer else "numbers"
        raise InputError(option, f"{text!r} is not START:STOP:STEP, A,B,C or one value ({kind})") from None


def grid(axes: Sequence[tuple[str, Sequence[Number]]]) -> list[dict[str, Number]]:
    """Every combination, the first axis varying slowest."""
    points = [dict(zip([name for name, _ in axes], combo, strict=True))
              for combo in itertools.product(*[values for _, values in axes])]
    if len(points) > MAX_POINTS:
        raise InputError("sweep", f"{len(points):,} points; allowed: up to {MAX_POINTS:,}")
    return points


def build(probe: str, params: dict[str, Any]) -> Scenario:
    """The probe's scenario for one point, built and validated by the probe's own builder from its
    options dataclass (the fields the command line declares)."""
    module = importlib.import_module(f"lambdaprobe.scenarios.{probe.replace('-', '_')}")
    hint = typing.get_type_hints(module.build).get("options")
    options = next((k for k in typing.get_args(hint) if dataclasses.is_dataclass(k)), hint)
    if dataclasses.is_dataclass(options):
        names = {f.name for f in dataclasses.fields(options)}
        return module.build(**{k: v for k, v in params.items() if k in names})  # type: ignore[no-any-return]
    names = set(inspect.signature(module.build).parameters)
    return module.build(**{k: v for k, v in params.items() if k in names})  # type: ignore[no-any-return]


def run_point(probe: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run one point on the simulator: its figures, or the one-line reason it is not a valid point.

    A module-level function of plain data in and out, so any executor can ship it to a worker.
    """
    from lambdaprobe.analysis import analyse
    from lambdaprobe.gc_pause import no_cycle_collection
    from lambdaprobe.sim.target import SimTarget

    try:
        scenario = build(probe, params)
    except LambdaprobeError as err:
        return {"error": str(err)}
    with no_cycle_collection():  # millions of acyclic records: see gc_pause
        obs = SimTarget().run(scenario)
        report = analyse(scenario, obs)
    s = report.summary
    first: dict[str, float] = {}
    on_demand_ms = provisioned_ms = 0
    attempts = obs.attempts
    rows: Iterable[tuple[str, bool, float, bool, int | None]] = (
        zip(*[attempts.column(name) for name in ("request_id", "cold", "init_s", "provisioned", "billed_ms")],
            strict=True)
        if isinstance(attempts, Columns)
        else ((a.request_id, a.cold, a.init_s, a.provisioned, a.billed_ms) for a in attempts)
    )
    for rid, cold, init_s, provisioned, billed_ms in rows:
        if rid not in first:
            first[rid] = init_s if cold else 0.0
        if provisioned:
            provisioned_ms += billed_ms or 0
        else:
            on_demand_ms += billed_ms or 0
    added = sorted(first.values())
    sent = list(obs.sent.column("t")) if isinstance(obs.sent, Columns) else [x.t for x in obs.sent]
    # The time the traffic stands for, the same for every point of a grid: its sends, one gap added
    # after the last; traffic sent at one instant stands for a minute.
    span = (max(sent) - min(sent)) * len(sent) / (len(sent) - 1) if len(sent) > 1 else 0.0
    return {
        "error": None,
        "requests": s.requests, "succeeded": s.succeeded, "throttled": s.throttled, "failed": s.failed,
        "cold_starts": s.cold_starts, "attempts": s.attempts, "max_concurrency": s.max_concurrency,
        "p50_init_ms": round(_percentile(added, 50) * 1000, 3),
        "p99_init_ms": round(_percentile(added, 99) * 1000, 3),
        "window_s": span if span > 0 else BURST_WINDOW_S,
        "memory_mb": scenario.function.memory_mb,
        "provisioned": scenario.concurrency.provisioned,
        "on_demand_ms": on_demand_ms,
        "provisioned_ms": provisioned_ms,
    }


def _percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q% of the values at or below it."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Prices:
    region: str
    source: str
    as_of: str
    request_per_million: float
    duration_gb_s: float
    provisioned_gb_s: float
    provisioned_duration_gb_s: float


def load_prices(region: str, path: str | None = None) -> Prices:
    """Published prices for `region`, from the table shipped with lambdaprobe or `--price-file`."""
    option = "--price-file" if path else "--region"
    try:
        text = Path(path).read_text(encoding="utf-8") if path else (
            resources.files("lambdaprobe").joinpath("data").joinpath("prices.json").read_text(encoding="utf-8")
        )
        data = json.loads(text)
        regions = data["regions"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError("--price-file", f"{path}: not a readable price file ({err})") from err
    if region not in regions:
        raise InputError(option, f"no prices for {region!r}; allowed: {', '.join(sorted(regions))}")
    row = regions[region]
    try:
        return Prices(
            region, str(data.get("source", path)), str(data.get("as_of", "unknown")),
            *(float(row[k]) for k in ("request_per_million", "duration_gb_s", "provisioned_gb_s",
                                      "provisioned_duration_gb_s")),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise InputError("--price-file", f"{path}: region {region} lacks a price ({err})") from err


def monthly_cost(point: dict[str, Any], prices: Prices) -> dict[str, float]:
    """Provisioned concurrency for a month, and the run's invocations as if its traffic repeated
    for a month (requests and duration, provisioned executions at their own duration price)."""
    gb = point["memory_mb"] / 1024
    scale = MONTH_S / point["window_s"]
    provisioned = point["provisioned"] * gb * MONTH_S * prices.provisioned_gb_s
    invocations = scale * (
        point["attempts"] * prices.request_per_million / 1e6
        + point["on_demand_ms"] / 1000 * gb * prices.duration_gb_s
        + point["provisioned_ms"] / 1000 * gb * prices.provisioned_duration_gb_s
    )
    return {
        "cost_provisioned_month": round(provisioned, 2),
        "cost_invocations_month": round(invocations, 2),
        "cost_month": round(provisioned + invocations, 2),
    }


_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, "<=": operator.le, "!=": operator.ne, "==": operator.eq, "=": operator.eq,
    ">": operator.gt, "<": operator.lt,
}
_GOAL = re.compile(r"^\s*([a-z0-9_]+)\s*(>=|<=|!=|==|=|>|<)\s*([0-9]+(?:\.[0-9]+)?)\s*(%?)\s*$")


@dataclass(frozen=True)
class Goal:
    metric: str
    op: str
    value: float
    percent: bool

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}{'%' if self.percent else ''}"

    def holds(self, point: dict[str, Any]) -> bool:
        found = float(point[self.metric])
        if self.percent:
            found = 100.0 * found / max(1, point["requests"])
        return _OPS[self.op](found, self.value)


def parse_goal(text: str) -> Goal:
    match = _GOAL.match(text)
    if match is None:
        raise InputError("--goal", f"{text!r} is not METRIC OP NUMBER[%] (e.g. throttled=0, cold_starts<=1%)")
    metric, op, value, percent = match.groups()
    if metric not in METRICS:
        raise InputError("--goal", f"unknown metric {metric!r}; allowed: {', '.join(METRICS)}")
    if percent and metric not in PERCENT_OF_REQUESTS:
        allowed = ", ".join(PERCENT_OF_REQUESTS)
        raise InputError("--goal", f"{metric} is not a count of requests; % allowed for: {allowed}")
    return Goal(metric, op, float(value), bool(percent))


def cheapest(points: Sequence[dict[str, Any]], goals: Sequence[Goal]) -> int | None:
    """The index of the cheapest valid point meeting every goal (the first such, on a tie)."""
    meeting = [i for i, p in enumerate(points) if p["error"] is None and all(g.holds(p) for g in goals)]
    return min(meeting, key=lambda i: points[i]["cost_month"], default=None)
