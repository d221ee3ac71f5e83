"""A probe's options, declared once: each field of a probe's options dataclass carries its help, its
choices, its range and the sources (or callers) it applies to. From that one declaration follow the
CLI signature and --help (`lambdaprobe.cli_common`), the range and "not for this source" checks, and
the run's `params` (the options that applied, with the values that were used).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lambdaprobe.errors import InputError

T = TypeVar("T")


@dataclass(frozen=True)
class Spec:
    """How one option reads on the command line.

    choices   the allowed values of a text option (case-insensitive on the CLI, listed in --help)
    low/high  a fixed allowed range, checked for every value given, shown in --help
    range     the range in words, when it depends on something else (e.g. the source)
    applies   the values of the probe's `applies_by` option this option is for; () = always
    names     the CLI spellings when not `--the-name` (e.g. "--bisect", "--mount-target/--no-mount-target")
    default_text  the default in words, when the field's default is None ("per source")
    """

    help: str
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    range: str = ""
    applies: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    default_text: str = ""
    metavar: str | None = None
    param: bool = True  # False: folded into another option (an alias), not a param of its own

    def range_text(self) -> str:
        if self.range:
            return self.range
        if self.low is None and self.high is None:
            return ""
        if self.high is None:
            return f">= {_num(self.low or 0)}"
        return f"{_num(self.low or 0)}..{_num(self.high)}"


@dataclass(frozen=True)
class Declared:
    """One declared option: the field's name, its type, its default and its Spec."""

    name: str
    kind: Any
    default: Any
    spec: Spec

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def help_text(self, applies_by: str) -> str:
        text = self.spec.help
        if self.spec.applies:
            text = f"[{applies_by} {', '.join(self.spec.applies)}] {text}"
        rng = self.spec.range_text()
        if rng:
            text += f" Range: {rng}."
        if self.spec.default_text:
            text += f" Default: {self.spec.default_text}."
        return text


def option(default: Any, help: str, **spec: Any) -> Any:
    """A dataclass field that is also a CLI option (see Spec for the keywords)."""
    return field(default=default, metadata={"option": Spec(help, **spec)})


def declared(cls: type[Any]) -> list[Declared]:
    """The options of a probe's options dataclass, in declaration order (fields without a Spec,
    such as the seed, are not options of their own)."""
    hints = typing.get_type_hints(cls)
    return [
        Declared(f.name, hints[f.name], f.default, f.metadata["option"])
        for f in dataclasses.fields(cls)
        if "option" in f.metadata
    ]


def applies_by(cls: type[Any]) -> str:
    """The option that decides which others apply (e.g. `source`), or "" when all always apply."""
    return str(getattr(cls, "APPLIES_BY", ""))


def applies(d: Declared, key: str) -> bool:
    return not d.spec.applies or key in d.spec.applies


def check(values: Any) -> None:
    """Every fixed range and every "applies only to" of the declaration, as one-line errors."""
    by = applies_by(type(values))
    key = str(getattr(values, by)) if by else ""
    for d in declared(type(values)):
        value = getattr(values, d.name)
        if by and not applies(d, key) and value != d.default:
            raise InputError(
                d.flag, f"applies only to --{by} {'|'.join(d.spec.applies)} (got --{by} {key})"
            )
        if d.spec.choices and value is not None and value not in d.spec.choices:
            raise InputError(d.flag, f"{value!r} is not allowed; allowed: {', '.join(d.spec.choices)}")
        if isinstance(value, int | float) and not isinstance(value, bool) and (
            d.spec.low is not None or d.spec.high is not None
        ):
            low = d.spec.low if d.spec.low is not None else float("-inf")
            high = d.spec.high if d.spec.high is not None else float("inf")
            if not low <= value <= high:
                raise InputError(d.flag, f"{_num(value)} is out of range; allowed: {d.spec.range_text()}")


def params(values: Any, resolved: Mapping[str, Any] | None = None) -> tuple[tuple[str, object], ...]:
    """The run's params: every option that applied, in declaration order, with the value used
    (`resolved` holds the defaults a builder settled, e.g. the source's batch size)."""
    resolved = resolved or {}
    by = applies_by(type(values))
    key = str(getattr(values, by)) if by else ""
    specs = {d.name: d for d in declared(type(values))}
    out: list[tuple[str, object]] = []
    for f in dataclasses.fields(values):
        d = specs.get(f.name)
        if d is None:  # a field that is not an option of its own, e.g. the seed, at its place
            out.append((f.name, getattr(values, f.name)))
        elif applies(d, key) and d.spec.param:
            out.append((d.name, resolved.get(d.name, getattr(values, d.name))))
    return tuple(out)


def choose(option: str, value: str, allowed: tuple[T, ...]) -> T:
    """`value` as one of `allowed` (a Literal's values), so the type follows without a cast."""
    for candidate in allowed:
        if candidate == value:
            return candidate
    raise InputError(option, f"{value!r} is not allowed; allowed: {', '.join(map(str, allowed))}")


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)
