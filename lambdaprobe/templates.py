"""Event templates per source, shared by both targets.

The templates are plain JSON files in the repository's top-level `payloads/` folder, installed as the
data package `lambdaprobe.payloads` (a package-dir mapping in pyproject.toml).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def _load(name: str) -> Any:
    path = resources.files("lambdaprobe").joinpath("payloads").joinpath(f"{name}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def template(name: str) -> Any:
    """A fresh copy of the template `name` (e.g. "invoke", "sqs-record")."""
    return copy.deepcopy(_load(name))


def invoke_event(
    request_id: str, directive: dict[str, Any], base: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The event a direct invoke sends: `base` (the user's `--payload`, else the invoke template)
    with the correlation id and the probe's directive set on top.

    A shallow copy: the directive is replaced (and may be shared between events, which are never
    mutated), and the base's own values are never mutated either.
    """
    event: dict[str, Any] = dict(_load("invoke") if base is None else base)
    event["request"] = request_id
    event["lambdaprobe"] = directive
    return event
