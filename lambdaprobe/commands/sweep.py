"""`lambdaprobe sweep PROBE --OPTION RANGE ...`: run a probe over a grid of option values."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Annotated, Any

import typer

from lambdaprobe.cli_common import OutputFormat, app

EXAMPLE = "lambdaprobe sweep concurrency --reserved 10:100:10 --provisioned 0,10,20 --arrivals file:traffic.csv"


@app.command(
    "sweep",
    short_help="Which reserved/provisioned concurrency does my traffic need? (a grid, with costs)",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    epilog=(
        f"Example: {EXAMPLE} --goal throttled=0\n\n"
        "Any numeric option of the probe takes START:STOP:STEP (STOP included) or A,B,C; the other options "
        "are passed to every point as given. Cost per month: provisioned concurrency for 730 hours, plus the "
        "run's invocations (requests and billed duration) as if its traffic repeated for 730 hours (traffic sent "
        "at one instant counts as a minute's), at the "
        "published x86 prices of --region (first duration tier, no free tier)."
    ),
)
def sweep_command(
    ctx: typer.Context,
    probe: Annotated[str, typer.Argument(help="The probe to sweep: concurrency, retry, deploy-preference, invoke, abort, timeout, destinations.")],
    goal: Annotated[list[str] | None, typer.Option(metavar="METRIC<OP>N[%]", help="A goal a point must meet, e.g. throttled=0 or cold_starts<=1% (of requests); repeatable. The cheapest point meeting all is marked.")] = None,
    executor: Annotated[str, typer.Option(help="Where points run: local (a process pool), serial (this process) or dask://HOST:PORT (a Dask scheduler; needs the dask extra).")] = "local",
    workers: Annotated[int | None, typer.Option(min=1, help="Processes of the local pool (>= 1). Default: one per CPU.")] = None,
    region: Annotated[str, typer.Option(help="Region whose prices are used: us-east-1, us-east-2, us-west-2, eu-west-1 (or any in --price-file).")] = "us-east-1",
    price_file: Annotated[str | None, typer.Option(metavar="FILE", help="JSON price table to use instead of the published prices shipped with lambdaprobe (same shape: regions -> request_per_million, duration_gb_s, provisioned_gb_s, provisioned_duration_gb_s).")] = None,
    output: Annotated[OutputFormat, typer.Option(help="table for people; json prints the grid as one object.")] = OutputFormat.table,
    seed: Annotated[int, typer.Option(help="Seed of every point's random draws: same seed, same grid.")] = 0,
) -> None:
    """Run a probe over a grid of option values in parallel: throttles, cold starts, init latency, cost."""
    from lambdaprobe import executors, sweep
    from lambdaprobe.errors import InputError

    if probe not in sweep.PROBES:
        raise InputError("PROBE", f"{probe!r} cannot be swept; allowed: {', '.join(sweep.PROBES)}")
    goals = [sweep.parse_goal(g) for g in goal or []]
    prices = sweep.load_prices(region, price_file)
    fixed, axes = _split_args(probe, list(ctx.args))
    points = sweep.grid(axes)
    params = [_point_params(probe, fixed, point, seed) for point in points]
    _check_some_point_builds(probe, params)
    with executors.executor(executor, workers) as pool, _progress(len(params)) as advance:
        results = executors.run_all(pool, sweep.run_point, [(probe, p) for p in params], advance)
    rows = []
    for point, result in zip(points, results, strict=True):
        row: dict[str, Any] = {**point, **result}
        if result["error"] is None:
            row |= sweep.monthly_cost(result, prices)
        rows.append(row)
    best = sweep.cheapest(rows, goals)
    if output == OutputFormat.json:
        print(json.dumps(_grid_json(probe, fixed, axes, rows, best, goals, prices, seed), indent=2))
        return
    _print_table(probe, axes, rows, best, goals, prices)


def _split_args(probe: str, args: list[str]) -> tuple[list[str], list[tuple[str, tuple[Any, ...]]]]:
    """The probe's options as given: those fixed for every point, and the swept ones (axes)."""
    from lambdaprobe import sweep
    from lambdaprobe.errors import InputError

    command = _probe_command(probe)
    by_opt = {opt: p for p in command.params for opt in (*p.opts, *getattr(p, "secondary_opts", ()))}
    fixed: list[str] = []
    axes: list[tuple[str, tuple[Any, ...]]] = []
    i = 0
    while i < len(args):
        token = args[i]
        name, eq, inline = token.partition("=")
        param = by_opt.get(name)
        if param is None or not name.startswith("-"):
            raise InputError(token, f"not an option of {probe}; see `lambdaprobe {probe} --help`")
        if param.name in ("target", "output", "save", "expect", "seed", "yes", "dry_run", "compare", "deadline"):
            raise InputError(name, "not for a sweep: points run on the simulator (the sweep has its own --output and --seed)")
        if getattr(param, "is_flag", False):
            fixed.append(token)
            i += 1
            continue
        if eq:
            value = inline
        elif i + 1 < len(args):
            value = args[i + 1]
            i += 1
        else:
            raise InputError(name, "needs a value")
        i += 1
        kind = _numeric_kind(param)
        if kind is not None and (":" in value or "," in value):
            if any(axis == name for axis, _ in axes):
                raise InputError(name, "given twice")
            axes.append((name, sweep.axis_values(name, value, integer=kind is int)))
        else:
            fixed += [name, value]
    return fixed, axes


def _numeric_kind(param: Any) -> type | None:
    """int or float for a numeric option (by its declared type), else None."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None:
        kind = descriptor.annotation
    else:  # plain click
        kind = {"integer": int, "float": float}.get(getattr(getattr(param, "type", None), "name", ""))
    return kind if kind in (int, float) else None


def _probe_command(probe: str) -> Any:
    group = typer.main.get_command(app)
    return group.commands[probe]  # type: ignore[attr-defined]


def _point_params(probe: str, fixed: list[str], point: dict[str, Any], seed: int) -> dict[str, Any]:
    """One point's options, parsed and defaulted by the probe's own command line."""
    argv = [*fixed, "--seed", str(seed)]
    for name, value in point.items():
        argv += [name, str(value)]
    ctx = _probe_command(probe).make_context(probe, argv)
    return {k: (v.value if isinstance(v, Enum) else v) for k, v in ctx.params.items()}


def _check_some_point_builds(probe: str, params: list[dict[str, Any]]) -> None:
    """Bad input common to every point (a bad traffic file, a bad --mode) is exit 2 before anything runs;
    a point that is invalid only for its own values (provisioned above reserved) is a row saying why."""
    from lambdaprobe import sweep
    from lambdaprobe.errors import LambdaprobeError

    first: LambdaprobeError | None = None
    for p in params:
        try:
            sweep.build(probe, p)
            return
        except LambdaprobeError as err:
            first = first or err
    if first is not None:
        raise first


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None] | None]:
    """A bar on stderr for sweeps of more than one point, only when stderr is a terminal: yields
    what to call as each point finishes (or None)."""
    if total < 2 or not sys.stderr.isatty():
        yield None
        return
    from lambdaprobe.render.progress import bar

    with bar("sweep", total) as advance:
        yield lambda _point: advance(1)


FIGURES = (
    ("requests", "requests"), ("throttled", "throttled"), ("cold_starts", "cold starts"),
    ("p50_init_ms", "p50 init ms"), ("p99_init_ms", "p99 init ms"),
    ("cost_provisioned_month", "provisioned $/mo"), ("cost_invocations_month", "invocations $/mo"),
    ("cost_month", "total $/mo"),
)


def _print_table(probe: str, axes: list[tuple[str, tuple[Any, ...]]], rows: list[dict[str, Any]], best: int | None,
                 goals: list[Any], prices: Any) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = max(console.width, 200)  # a file or a pipe: keep each point on one line
    title = f"lambdaprobe sweep {probe} on sim: {len(rows)} points"
    table = Table(title=title, title_justify="left", box=None, pad_edge=False)
    for name, _ in axes:
        table.add_column(name.lstrip("-"), justify="right", no_wrap=True)
    for _, label in FIGURES:
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("goal" if goals else "", no_wrap=True)
    for i, row in enumerate(rows):
        cells = [Text(str(row[name])) for name, _ in axes]
        if row["error"] is not None:
            reason = row["error"].split(";")[0]
            table.add_row(*cells, *[Text("-", style="dim")] * len(FIGURES), Text(f"not valid: {reason}", style="dim"))
            continue
        cells += [Text(_fmt(row[key])) for key, _ in FIGURES]
        mark = ""
        if goals:
            mark = "meets" if all(g.holds(row) for g in goals) else ""
        if i == best:
            mark = "◀ cheapest meeting the goals" if goals else "◀ cheapest"
        cells.append(Text(mark, style="bold green" if i == best else ""))
        table.add_row(*cells)
    with console.capture() as captured:
        console.print(table)
        console.print()
        if goals:
            what = ", ".join(str(g) for g in goals)
            console.print(Text(f"goals: {what}; " + ("no point meets them" if best is None else
                                                      f"cheapest meeting them: point {best + 1}")))
        console.print(Text(
            f"prices: {prices.region}, as of {prices.as_of}, {prices.source}; a month is 730 hours and the run's "
            "traffic is taken to repeat for all of it"
        ))
    # each line without the padding rich gives a table, as the probes print theirs
    from lambdaprobe.runner import write_out

    write_out("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _grid_json(probe: str, fixed: list[str], axes: list[tuple[str, tuple[Any, ...]]], rows: list[dict[str, Any]],
               best: int | None, goals: list[Any], prices: Any, seed: int) -> dict[str, Any]:
    from dataclasses import asdict

    return {
        "schema": "lambdaprobe.sweep/1",
        "probe": probe,
        "target": "sim",
        "seed": seed,
        "options": fixed,
        "axes": {name.lstrip("-"): list(values) for name, values in axes},
        "goals": [str(g) for g in goals],
        "prices": asdict(prices),
        "points": [{k.lstrip("-"): v for k, v in row.items()} | {"meets_goals": row["error"] is None and
                   all(g.holds(row) for g in goals)} for row in rows],
        "cheapest": best,
    }
