"""No import cycle anywhere in lambdaprobe: neither between modules nor between its packages.

The graph is read by grimp (import-linter's engine), so imports made inside functions and under
TYPE_CHECKING count too: a cycle hidden that way is still a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import grimp
import pytest


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of nodes that reach each other (only groups of two or more)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


@pytest.fixture(scope="module")
def imports() -> dict[str, set[str]]:
    graph = grimp.build_graph("lambdaprobe")
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def packages_of(imports: Mapping[str, set[str]], depth: int) -> dict[str, set[str]]:
    """The graph with every module folded into its package `depth` names deep (a package's own
    __init__ imports of its children do not count: a package may gather its modules)."""

    def fold(module: str) -> str:
        return ".".join(module.split(".")[:depth])

    folded: dict[str, set[str]] = {}
    for module, targets in imports.items():
        source = fold(module)
        folded.setdefault(source, set()).update(
            fold(t) for t in targets if fold(t) != source and not t.startswith(module + ".")
        )
    return folded


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_back(imports: dict[str, set[str]]) -> None:
    assert len(imports) > 50  # the whole package was read
    assert strongly_connected(imports) == []


@pytest.mark.parametrize("depth", [2, 3])
def test_no_package_imports_itself_back(imports: dict[str, set[str]], depth: int) -> None:
    assert strongly_connected(packages_of(imports, depth)) == []


def test_no_module_imports_a_private_name_of_another() -> None:
    """A name with a leading underscore is its module's own: another module importing it couples the
    two behind the names' backs (the planner's parts once shared a private class that way)."""
    import ast
    from pathlib import Path

    import lambdaprobe

    root = Path(lambdaprobe.__file__).parent
    taken: list[str] = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lambdaprobe"):
                taken += [f"{path.relative_to(root)}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert taken == []
