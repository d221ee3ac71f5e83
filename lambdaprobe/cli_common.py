"""The typer app and the options every probe shares (commands register themselves on `app`)."""

import dataclasses
import functools
import inspect
import math
import typing
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
    # --install-completion / --show-completion: choices (sources, targets, ...) complete in the shell
    add_completion=True,
    # Plain help: rich help panels cost ~0.1 s per --help on these machines; the target is 0.2 s in all.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"lambdaprobe {version('lambdaprobe')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Answer the questions people argue about in AWS Lambda, by experiment."""


class TargetName(str, Enum):
    sim = "sim"
    aws = "aws"


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


def _option(name: str, kind: Any, default: Any, *decls: str, **option: Any) -> inspect.Parameter:
    annotation = Annotated[kind, typer.Option(*decls, **option)]
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


# Options every probe takes, added to each command's signature by `probe_command`.
_COMMON = [
    _option(
        "target", TargetName, TargetName.sim, envvar="LAMBDAPROBE_TARGET", case_sensitive=False,
        help="Where to run: sim (offline model, virtual clock) or aws (real, billable resources).",
    ),
    _option(
        "output", OutputFormat, OutputFormat.table, case_sensitive=False,
        help="table for people; json prints one report object on stdout for scripts.",
    ),
    _option("seed", int, 0, help="Seed for the simulator's random draws: same seed, same report. Range: any integer."),
    _option(
        "expect", list[str] | None, None, metavar="FIELD<OP>N",
        help="Check a summary count, e.g. throttled=19 or attempts>=3 (repeatable); exit 1 if one fails.",
    ),
    _option(
        "save", str | None, None, metavar="FILE",
        help="Also write the JSON report to FILE (with --dry-run: the plan; see `lambdaprobe report`).",
    ),
    _option(
        "max_rows", int, 40, min=1, help="Requests shown in the table timeline (json always lists all). Range: >= 1."
    ),
    _option("full", bool, False, "--full", help="Print DLQ messages and destination records whole, not shortened."),
    _option(
        "summary_only", bool, False, "--summary-only",
        help="For very large runs: the counts without per-request detail (json: no requests[] or "
        "concurrency[]; table: no timeline or chart).",
    ),
    _option("quiet", bool, False, "--quiet", "-q", help="Print only the Answer block (table output)."),
    _option(
        "verbose", bool, False, "--verbose", "-v", help="Add every request's attempts, line by line (table output)."
    ),
    _option(
        "region", str | None, None, metavar="REGION",
        help="AWS Region (aws target; ignored on sim). Default: AWS_REGION, then AWS_DEFAULT_REGION or the profile's.",
    ),
    _option("profile", str | None, None, metavar="PROFILE", help="AWS named profile (aws target; ignored on sim)."),
    _option(
        "endpoint_url", str | None, None, metavar="URL",
        help="Any AWS-compatible endpoint instead of AWS, e.g. http://127.0.0.1:4566 (aws target).",
    ),
    _option(
        "yes", bool, False, "--yes", "-y", help="Create billable resources without asking (for CI; ignored on sim)."
    ),
    _option("dry_run", bool, False, "--dry-run", help="Print where and the plan of AWS API calls; create nothing."),
    _option(
        "compare", bool, False, "--compare",
        help="Show what AWS did beside the simulator's prediction, deviations flagged.",
    ),
    _option(
        "deadline", float | None, None, metavar="SECONDS",
        help="Stop waiting for observations this long after the first stimulus (default: derived from the probe); "
        "then exit 4 with the partial report. Also bounds each AWS call's wait (at least 2 s). Range: > 0.",
    ),
]


def assumptions_epilog(probe: str) -> str:
    """The simulator's assumptions `probe` may rely on, for its --help: the registry's, so the list
    is the one `lambdaprobe rules ID` and a run's rules[] agree with."""
    from lambdaprobe.rules import RULES

    lines = [f"- [{r.id.value}] {r.text}" for r in RULES.values() if r.kind == "assumption" and probe in r.probes]
    return (
        "Where AWS documents nothing, the simulator assumes (listed in a report's rules and notes when a run "
        "relies on one; --target aws measures them; `lambdaprobe rules ID` explains each):\n\n" + "\n\n".join(lines)
    )


def finite_floats(values: dict[str, Any]) -> None:
    """nan and inf parse as floats; no option of lambdaprobe means either (exit 2, naming the option)."""
    from lambdaprobe.errors import InputError

    for name, value in values.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"--{name.replace('_', '-')}", f"{value} is not allowed; allowed: a finite number")


def choice_enum(name: str, values: tuple[str, ...]) -> type[Enum]:
    """A str Enum of `values`: typer lists them in --help, matches them case-insensitively and
    completes them in the shell. Built from the declaration's own tuple, so there is one list."""
    make: Any = Enum  # the functional API, with names computed from the values
    enum: type[Enum] = make(name, [(_member(v), v) for v in values], type=str)
    return enum


def _member(value: str) -> str:
    name = "".join(c if c.isalnum() else "_" for c in value)
    return name if name[:1].isalpha() else f"v_{name}"


def declared_parameters(options: type[Any]) -> list[inspect.Parameter]:
    """The CLI parameters of a probe's options dataclass (see lambdaprobe.scenarios.declare)."""
    from lambdaprobe.scenarios.declare import applies_by, declared

    by = applies_by(options)
    out = []
    for d in declared(options):
        kind = d.kind
        default = d.default
        if d.spec.choices:
            enum = choice_enum(d.name.title().replace("_", ""), d.spec.choices)
            kind = enum if default is not None else enum | None
            default = None if default is None else enum(default)
        names = d.spec.names or (d.flag,)
        extra: dict[str, Any] = {"case_sensitive": False} if d.spec.choices else {}
        if d.spec.metavar:
            extra["metavar"] = d.spec.metavar
        out.append(_option(d.name, kind, default, *names, help=d.help_text(by), **extra))
    return out


# What the AWS-only probes (vpc, efs, code-signing, env-encryption) have no use for: no simulator
# run to seed or compare with, two requests whose detail is always shown.
NOT_FOR_FEATURES = frozenset({"seed", "compare", "max_rows", "full", "verbose"})


@typing.overload
def probe_command(fn: F) -> F: ...
@typing.overload
def probe_command(*, options: type[Any] | None = None, without: frozenset[str] = ...) -> Callable[[F], F]: ...
def probe_command(
    fn: F | None = None, *, options: type[Any] | None = None, without: frozenset[str] = frozenset()
) -> F | Callable[[F], F]:
    """Give a probe command the common options (it receives `common: CommonOptions`) and, with
    `options`, the probe's declared options (it receives them as one `options` object). `without`
    names common options that do not apply to this probe: its --help does not list them."""
    common_params = [p for p in _COMMON if p.name not in without]
    common_names = [p.name for p in common_params]

    def decorate(fn: F) -> F:
        own = (
            declared_parameters(options)
            if options is not None
            else [p for p in inspect.signature(fn).parameters.values() if p.name != "common"]
        )

        @functools.wraps(fn)
        def wrapper(**kwargs: Any) -> Any:
            finite_floats(kwargs)
            common = CommonOptions(
                target=kwargs.pop("target").value,
                output=kwargs.pop("output").value,
                **{name: kwargs.pop(name) for name in common_names if name not in ("target", "output")},
            )
            values = {k: v.value if isinstance(v, Enum) else v for k, v in kwargs.items()}
            if options is None:
                return fn(common=common, **values)
            if any(f.name == "seed" for f in dataclasses.fields(options)):
                values["seed"] = common.seed
            return fn(common=common, options=options(**values))

        object.__setattr__(wrapper, "__signature__", inspect.Signature(own + common_params))  # what typer reads
        wrapper.__annotations__ = {p.name: p.annotation for p in own + common_params}
        return typing.cast(F, wrapper)

    return decorate(fn) if fn is not None else decorate


