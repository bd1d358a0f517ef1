"""Rows are decoded once, at the store boundary: above `graphcdp/store/` no module handles a raw result row.

Every statement is declared with `statement(name, RowType)` (tests/unit/test_row_types.py checks each row
type against its `returns:` header); this scan makes sure nothing goes around that: no module outside
`store/` imports the raw `Row` type or builds a `Query` (or a bare `StatementName`) of its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import graphcdp

PACKAGE = Path(graphcdp.__file__).parent
# The benchmarks are tooling that leaves the shipped package (issue 15); they time raw statements on purpose.
OUTSIDE_THE_PRODUCT = {"store", "bench"}
RAW = {"Row", "Query", "StatementName"}


def _product_modules() -> list[Path]:
    return [
        path for path in sorted(PACKAGE.rglob("*.py")) if path.relative_to(PACKAGE).parts[0] not in OUTSIDE_THE_PRODUCT
    ]


def raw_row_uses(source: str) -> list[str]:
    """What a module's source takes from the store that only the store may handle."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("graphcdp.store"):
            found += [f"imports {alias.name}" for alias in node.names if alias.name in RAW]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in RAW
            and isinstance(node.value, ast.Name)
            and node.value.id in {"store", "cypher", "base"}
        ):
            found.append(f"uses {node.value.id}.{node.attr}")
    return found


def test_no_module_above_the_store_handles_raw_rows() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}: {use}"
        for path in _product_modules()
        for use in raw_row_uses(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "decode rows at the store boundary (statement(name, RowType)):\n" + "\n".join(offenders)


def test_the_scan_finds_raw_rows() -> None:
    source = (
        "from graphcdp.store import GraphStore, Row\n"
        "from graphcdp.store.cypher import Query\n"
        "from graphcdp import store\n"
        "name = store.StatementName('x')\n"
    )
    assert raw_row_uses(source) == ["imports Row", "imports Query", "uses store.StatementName"]
    assert raw_row_uses("from graphcdp.store import GraphStore, statement\n") == []
