"""A leftover of an earlier run, and what finding one takes: paging, tags, its creation time, its
run's id and liveness, and what in it the run did not make."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from lambdaprobe.aws.client import ApiCaller
from lambdaprobe.aws.options import CREATED_TAG, EXPIRES_TAG, NAME_PREFIX, RUN_ID_PATTERN

RUN_ID = re.compile(RUN_ID_PATTERN)

Step = tuple[str, str, dict[str, Any]]  # (service, operation, params)


@dataclass(frozen=True)
class Leftover:
    """One resource of an earlier run and the calls that delete it (in order)."""

    kind: str
    name: str
    run_id: str
    created: float | None
    steps: tuple[Step, ...]
    expires: float | None = None  # the run's live-until tag, when the resource carries one
    blocked: str = ""  # why it must not be deleted (something not the run's own is in it)
    verify: tuple[Step, ...] = ()  # reads that must find nothing of the run once it is deleted

    def describe(self) -> str:
        return f"{self.kind} {self.name} (run {self.run_id})"


def created_at(tags: dict[str, str], fallback: Any = None) -> float | None:
    if CREATED_TAG in tags:
        try:
            return float(tags[CREATED_TAG])
        except ValueError:
            pass
    if fallback is None:
        return None
    if hasattr(fallback, "timestamp"):
        return float(fallback.timestamp())
    try:
        value = float(fallback)
    except (TypeError, ValueError):
        return None
    return value / 1000 if value > 1e11 else value  # milliseconds from some APIs


def tags_from_list(items: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in items or []}


def run_prefix(run_id: str) -> str:
    return f"{NAME_PREFIX}{run_id}-"


def valid_run_id(value: str) -> bool:
    return RUN_ID.fullmatch(value) is not None


def expires_at(tags: dict[str, str]) -> float | None:
    try:
        return float(tags[EXPIRES_TAG])
    except (KeyError, ValueError):
        return None


def blocked_by(foreign: list[str]) -> str:
    if not foreign:
        return ""
    more = f" (and {len(foreign) - 3} more)" if len(foreign) > 3 else ""
    return f"holds what the run did not make: {'; '.join(foreign[:3])}{more}"


class Inspector(Protocol):
    """What a finder offers the per-kind finders: the client, the ownership rule, and inspecting
    one resource at a time (one that cannot be read is skipped and noted)."""

    client: ApiCaller

    def owned(self, name: str, tags: dict[str, str]) -> str | None: ...

    def each(self, kind: str, name: str, fn: Callable[[], Leftover | None]) -> Leftover | None: ...
