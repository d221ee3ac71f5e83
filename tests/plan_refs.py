"""What a planned call refers to: the outputs of earlier calls it needs (shared by the plan tests)."""

from __future__ import annotations

import re
from typing import Any

from lambdaprobe.aws.plan.planner import Fmt, Json, Ref


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
