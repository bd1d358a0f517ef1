"""Every statement the product runs declares the typed row its results decode into, and that row's
columns are exactly the `returns:` columns of the statement's file (in every dialect that has it)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from pydantic import BaseModel

import graphcdp
from graphcdp.store.cypher import DIALECTS, CypherCatalog, Query, declared_queries


def _product_queries() -> list[Query[Any]]:
    for module in pkgutil.walk_packages(graphcdp.__path__, "graphcdp."):
        importlib.import_module(module.name)
    return sorted(
        (q for q in declared_queries() if not q.name.startswith("test/")),
        key=lambda q: q.name,
    )


def _columns(row: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in row.model_fields.items()}


QUERIES = _product_queries()


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_every_statement_declares_a_typed_row(query: Query[Any]) -> None:
    assert isinstance(query.row, type) and issubclass(query.row, BaseModel), (
        f"{query.name} still returns raw dict rows: declare its row type with statement(name, RowType)"
    )


@pytest.mark.parametrize("dialect", DIALECTS)
def test_row_types_match_the_returns_header(dialect: str) -> None:
    catalog = CypherCatalog.load(dialect)
    wrong = []
    for query in QUERIES:
        if not (isinstance(query.row, type) and issubclass(query.row, BaseModel)):
            continue
        returns = set(catalog.get(query.name).returns)
        if _columns(query.row) != returns:
            wrong.append(f"{query.name}: row {sorted(_columns(query.row))} != returns {sorted(returns)}")
    assert not wrong, "\n".join(wrong)
