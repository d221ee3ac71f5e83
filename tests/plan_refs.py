"""What a planned call refers to: the outputs of earlier calls it needs (shared by the plan tests)."""

from __future__ import annotations

import re
from typing import Any

from lambdaprobe.aws.plan.records import Fmt, Json, Plan, Ref, Watch


def refs(value: Any) -> list[str]:
    if isinstance(value, Ref):
        return [value.name]
    if isinstance(value, Fmt):
        return re.findall(r"\{([^{}]+)\}", value.template)
    if isinstance(value, Json):
        return refs(value.value)
    if isinstance(value, dict):
        return [r for v in value.values() for r in refs(v)]
    if isinstance(value, list | tuple):
        return [r for v in value for r in refs(v)]
    return []


def run_plan(function: str = "f", watches: tuple[Watch, ...] = (), **fields: Any) -> Plan:
    """A deployed run's plan as the driver and collector read it: no calls, just the names."""
    return Plan(calls=(), watches=watches, function=function, log_group=f"/aws/lambda/{function}", **fields)
