"""The typer app and the options every probe shares (commands register themselves on `app`)."""

import functools
import inspect
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, TypeVar

import typer

from lambdaprobe.options import CommonOptions

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="lambdaprobe",
    help=(
        "Answer the questions people argue about in AWS Lambda, by experiment.\n\n"
        "Each command is a probe: it sets up a function, sends a stimulus, watches what happens and prints a "
        "per-request timeline, the counts, the concurrency over time and the assumptions it relied on. "
        "The default target, sim, is an offline model of Lambda's documented behaviour on a virtual clock; "
        "--target aws runs the same experiment on real resources (torn down afterwards)."
    ),
    no_args_is_help=True,
    add_completion=False,
    # Plain help: rich help panels cost ~0.1 s per --help on these machines; the target is 0.2 s in all.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class TargetName(str, Enum):
    sim = "sim"
    aws = "aws"


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


# The --arrivals option of the probes that send load (the shapes are described in lambdaprobe.arrivals).
ARRIVALS_HELP = (
    "When calls are sent: even (one every --interval), poisson:RATE (--count calls at RATE/s, seeded), "
    "burst:N@T (N calls at T s), file:PATH (replay a CSV of times, or of TIME,COUNT per second or minute: "
    "a CloudWatch Invocations export); join with +, e.g. poisson:50+burst:200@30. "
    "On --target aws the same times are kept on the wall clock."
)


def _option(name: str, kind: Any, default: Any, *decls: str, **option: Any) -> inspect.Parameter:
    annotation = Annotated[kind, typer.Option(*decls, **option)]
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


# Options every probe takes, added to each command's signature by `probe_command`.
_COMMON = [
    _option(
        "target", TargetName, TargetName.sim, envvar="LAMBDAPROBE_TARGET",
        help="Where to run: sim (offline model, virtual clock) or aws (real, billable resources).",
    ),
    _option(
        "output", OutputFormat, OutputFormat.table,
        help="table for people; json prints one report object on stdout for scripts.",
    ),
    _option("seed", int, 0, help="Seed for the simulator's random draws: same seed, same report."),
    _option(
        "expect", list[str] | None, None, metavar="FIELD<OP>N",
        help="Check a summary count, e.g. throttled=19 or attempts>=3 (repeatable); exit 1 if one fails.",
    ),
    _option(
        "save", str | None, None, metavar="FILE",
        help="Also write the JSON report to FILE (see `lambdaprobe report`).",
    ),
    _option("max_rows", int, 40, min=1, help="Requests shown in the table timeline (json always lists all)."),
    _option("full", bool, False, "--full", help="Print DLQ messages and destination records whole, not shortened."),
    _option(
        "summary_only", bool, False, "--summary-only",
        help="For very large runs: the counts without per-request detail (json: no requests[] or "
        "concurrency[]; table: no timeline or chart).",
    ),
    _option("region", str | None, None, help="AWS Region (aws target)."),
    _option("profile", str | None, None, help="AWS named profile (aws target)."),
    _option("endpoint_url", str | None, None, help="Any AWS-compatible endpoint instead of AWS (aws target)."),
    _option("yes", bool, False, "--yes", "-y", help="Create billable resources without asking (for CI)."),
    _option("dry_run", bool, False, "--dry-run", help="Print the plan of AWS API calls; create nothing."),
    _option(
        "compare", bool, False, "--compare",
        help="Show what AWS did beside the simulator's prediction, deviations flagged.",
    ),
    _option(
        "deadline", float | None, None, metavar="SECONDS",
        help="Stop waiting for observations this long after the first stimulus (default: derived from the probe); "
        "then exit 4 with the partial report.",
    ),
]
_COMMON_NAMES = [p.name for p in _COMMON]


def assumptions_epilog(probe: str) -> str:
    """The simulator's assumptions `probe` may rely on, for its --help: the registry's, so the list
    is the one `lambdaprobe rules ID` and a run's rules[] agree with."""
    from lambdaprobe.rules import RULES

    lines = [f"- [{r.id.value}] {r.text}" for r in RULES.values() if r.kind == "assumption" and probe in r.probes]
    return (
        "Where AWS documents nothing, the simulator assumes (listed in a report's rules and notes when a run "
        "relies on one; --target aws measures them; `lambdaprobe rules ID` explains each):\n\n" + "\n\n".join(lines)
    )


def probe_command(fn: F) -> F:
    """Give a probe command the common options; it receives them as `common: CommonOptions`."""
    own = [p for p in inspect.signature(fn).parameters.values() if p.name != "common"]

    @functools.wraps(fn)
    def wrapper(**kwargs: Any) -> Any:
        common = CommonOptions(
            target=kwargs.pop("target").value,
            output=kwargs.pop("output").value,
            **{name: kwargs.pop(name) for name in _COMMON_NAMES if name not in ("target", "output")},
        )
        return fn(common=common, **kwargs)

    wrapper.__signature__ = inspect.Signature(own + _COMMON)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in own + _COMMON}
    return wrapper  # type: ignore[return-value]


