"""RULES, by id: the one registry every rule of the model is read from."""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

from lambdaprobe.rules.assumptions import ASSUMPTIONS
from lambdaprobe.rules.documented import DOCUMENTED
from lambdaprobe.rules.ids import RuleId
from lambdaprobe.rules.model import Rule


def _index(rules: tuple[Rule, ...]) -> MappingProxyType[RuleId, Rule]:
    by_id: dict[RuleId, Rule] = {}
    for r in rules:
        if r.id in by_id:
            raise ValueError(f"rule {r.id.value} defined twice")
        by_id[r.id] = r
    missing = [i.value for i in RuleId if i not in by_id]
    if missing:
        raise ValueError(f"rule ids without a rule: {', '.join(missing)}")
    return MappingProxyType(by_id)


RULES = _index(DOCUMENTED + ASSUMPTIONS)


def in_order(ids: Iterable[RuleId]) -> list[Rule]:
    """The rules of `ids`, in the registry's order (documented first, then assumptions)."""
    wanted = set(ids)
    return [r for i, r in RULES.items() if i in wanted]


def rule(rid: RuleId | str) -> Rule:
    """The rule `rid`; a string must be an existing id (ValueError otherwise)."""
    return RULES[RuleId(rid)]
