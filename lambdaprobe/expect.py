"""`--expect` expressions over the report summary, e.g. `throttled=19`, `attempts>=3`."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, fields

from lambdaprobe.errors import InputError
from lambdaprobe.report import Summary

FIELDS = tuple(f.name for f in fields(Summary))
_OPS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "!=": operator.ne,
    "==": operator.eq,
    "=": operator.eq,
    ">": operator.gt,
    "<": operator.lt,
}
_EXPR = re.compile(r"^\s*([a-z_]+)\s*(>=|<=|!=|==|=|>|<)\s*(-?[0-9]+)\s*$")


@dataclass(frozen=True)
class Expectation:
    field: str
    op: str
    value: int

    def __str__(self) -> str:
        return f"{self.field}{'=' if self.op == '==' else self.op}{self.value}"

    def holds(self, summary: Summary) -> bool:
        return _OPS[self.op](int(getattr(summary, self.field)), self.value)


def parse(expr: str) -> Expectation:
    match = _EXPR.match(expr)
    if match is None:
        raise InputError(
            "--expect",
            f"{expr!r} is not FIELD OP NUMBER (OP one of = != >= <= > <; e.g. throttled=19)",
        )
    name, op, value = match.groups()
    if name not in FIELDS:
        raise InputError("--expect", f"unknown field {name!r}; allowed: {', '.join(FIELDS)}")
    return Expectation(name, op, int(value))


def failures(expectations: list[Expectation], summary: Summary) -> list[str]:
    """One line per expectation that does not hold, saying what was found instead."""
    return [
        f"expected {e}, got {e.field}={getattr(summary, e.field)}"
        for e in expectations
        if not e.holds(summary)
    ]
