"""A leftover of an earlier run, and what finding one takes: paging, tags, its creation time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambdaprobe.aws.client import ApiCaller
from lambdaprobe.aws.options import CREATED_TAG

Step = tuple[str, str, dict[str, Any]]  # (service, operation, params)


@dataclass(frozen=True)
class Leftover:
    """One resource of an earlier run and the calls that delete it (in order)."""

    kind: str
    name: str
    run_id: str
    created: float | None
    steps: tuple[Step, ...]

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


def pages(
    client: ApiCaller,
    service: str,
    operation: str,
    params: dict[str, Any],
    key: str,
    token_in: str,
    token_out: str,
) -> list[Any]:
    out: list[Any] = []
    params = dict(params)
    while True:
        page = client.call(service, operation, params)
        out.extend(page.get(key, []))
        token = page.get(token_out)
        if not token:
            return out
        params[token_in] = token
