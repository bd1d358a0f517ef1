"""The benchmarks' own Cypher (bench/graphcdp_bench/cypher/): every file used, every declared name a file,
and loaded beside graphcdp's statements only where the benchmarks open their graphs."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import graphcdp_bench
from graphcdp.errors import ConfigurationError
from graphcdp.store.cypher import DEFAULT_ROOT, DIALECTS, CypherCatalog, declared_statements, statement_files
from graphcdp_bench.cypher import BENCH_CYPHER, check_bench_statements, declared_bench_statements

# Every module, so every statement any of them declares is known.
for module in pkgutil.walk_packages(graphcdp_bench.__path__, "graphcdp_bench."):
    importlib.import_module(module.name)


def test_every_benchmark_cypher_file_is_declared_and_every_declared_one_has_a_file() -> None:
    for dialect in DIALECTS:
        assert set(statement_files(dialect, BENCH_CYPHER)) == declared_bench_statements()


def test_graphcdp_alone_loads_without_the_benchmarks_statements() -> None:
    # Imported benchmarks declare nothing in graphcdp's catalog: graphcdp's own statements still load alone.
    assert not any(name.startswith("bench/") for name in declared_statements())
    for dialect in DIALECTS:
        assert "bench/raw_context" not in CypherCatalog.load(dialect).names()
        assert "bench/raw_context" in CypherCatalog.load(dialect, (DEFAULT_ROOT, BENCH_CYPHER)).names()


def test_a_declared_benchmark_statement_without_its_file_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="bench/raw_context"):
        check_bench_statements(CypherCatalog.load("falkordb"))
