"""How deep a JSON value nests, measured without recursion.

A function's output, a queue message or a report file can nest thousands of levels deep; Python's
recursive walkers (json.dumps, the renderers) would overflow the stack. Values past MAX_DEPTH are
refused (report files) or shown as a placeholder (what AWS returned).
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 64  # lambdaprobe's own records nest about 6 levels; events and bodies a few more
TOO_DEEP = f"<nested deeper than {MAX_DEPTH} levels: not shown>"


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects in `value` nest more than `limit` levels."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def bounded(value: Any) -> Any:
    """`value`, or TOO_DEEP in its place when it nests past MAX_DEPTH."""
    return TOO_DEEP if too_deep(value) else value
