"""The packages of graphcdp import each other without a cycle: a layer never imports one that builds on it.
Each subpackage (graphcdp.identity, graphcdp.identity.matching, graphcdp.store, ...) is one node; a module
directly in graphcdp/ (settings, errors, clock, ...) is a node of its own. Every import counts, including
those inside functions and under TYPE_CHECKING: each is a dependency of the design."""

from __future__ import annotations

import ast
from pathlib import Path

import graphcdp

ROOT = Path(graphcdp.__file__).parent


def _node(module: str) -> str:
    """The node of a module: its package, or the module itself when it sits directly in graphcdp/."""
    path = ROOT.parent / module.replace(".", "/")
    if path.is_dir():
        return module
    parent = module.rpartition(".")[0]
    return module if parent == "graphcdp" else parent


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """The graphcdp modules (or packages) a module's code imports, relative imports resolved."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # `from graphcdp.identity import matching` imports the subpackage itself
            found |= {
                f"{base}.{a.name}" for a in node.names if (ROOT.parent / base.replace(".", "/") / a.name).is_dir()
            }
    return {name for name in found if name == "graphcdp" or name.startswith("graphcdp.")}


def import_graph() -> dict[str, dict[str, set[str]]]:
    """node -> imported node -> the modules whose imports draw that arrow."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        module = _module_of(path)
        source = _node(module) if path.name != "__init__.py" else module
        for name in _imported(ast.parse(path.read_text()), module, path.name == "__init__.py"):
            target = _node(name)
            if target not in (source, "graphcdp"):
                graph.setdefault(source, {}).setdefault(target, set()).add(module)
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """Strongly connected groups of more than one node (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_packages_import_each_other_without_a_cycle() -> None:
    graph = import_graph()
    arrows = [
        f"{source} -> {target} (in {', '.join(sorted(graph[source][target]))})"
        for group in cycles(graph)
        for source in group
        for target in sorted(graph.get(source, {}))
        if target in group
    ]
    assert arrows == []


def test_matching_builds_on_no_other_part_of_identity() -> None:
    """Resolution uses matching (scores, links, the model); matching never reaches back into resolution."""
    graph = import_graph()
    assert "graphcdp.identity.matching" in graph["graphcdp.identity"]
    assert "graphcdp.identity" not in graph.get("graphcdp.identity.matching", {})


def test_the_check_sees_a_cycle() -> None:
    """The cycle finder itself: two packages importing each other are reported, a chain is not."""
    assert cycles({"a": {"b": {"a.x"}}, "b": {"a": {"b.y"}}}) == [["a", "b"]]
    assert cycles({"a": {"b": {"a.x"}}, "b": {"c": {"b.y"}}}) == []
