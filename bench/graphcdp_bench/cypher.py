"""The benchmarks' own Cypher: the raw database doing graphcdp's work, and samples of a graph.

They live in `graphcdp_bench/cypher/bench/`, beside this package, not in graphcdp's catalog, so they
are declared here rather than with graphcdp's `statement()`: a process that imports the benchmarks can
still open a store on graphcdp's statements alone. `graphcdp_bench.graphs` loads them beside graphcdp's
and refuses to start when a declared one has no file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar, overload

from graphcdp.errors import ConfigurationError
from graphcdp.store import StatementName
from graphcdp.store.cypher import CypherCatalog, Query

RowT = TypeVar("RowT")

BENCH_CYPHER = Path(__file__).parent / "cypher"

_declared: set[StatementName] = set()


@overload
def bench_statement(name: str) -> Query[dict[str, Any]]: ...
@overload
def bench_statement(name: str, row: type[RowT]) -> Query[RowT]: ...
def bench_statement(name: str, row: type[Any] = dict) -> Query[Any]:
    """Declare a statement of the benchmarks and the row its results decode into (as graphcdp's
    `statement`); its file must be under BENCH_CYPHER."""
    query = Query(StatementName(name), row)
    _declared.add(query.name)
    return query


def declared_bench_statements() -> frozenset[StatementName]:
    return frozenset(_declared)


def check_bench_statements(catalog: CypherCatalog) -> None:
    missing = sorted(name for name in _declared if name not in catalog.names())
    if missing:
        raise ConfigurationError(f"benchmark Cypher statements without a file: {', '.join(missing)} ({BENCH_CYPHER})")
