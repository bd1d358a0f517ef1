"""Drift checks: the committed schema and the Cypher files match what the code uses."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import graphcdp
from graphcdp.api.schema import export_sdl
from graphcdp.store.cypher import DEFAULT_ROOT, DIALECTS, SCHEMA_PREFIX, declared_statements, statement_files

ROOT = Path(__file__).parents[2]

# Every module, so every statement any of them declares is known (the CLI's matching commands and the
# benchmarks are imported by nothing the API imports).
for module in pkgutil.walk_packages(graphcdp.__path__, "graphcdp."):
    importlib.import_module(module.name)


def test_schema_graphql_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == export_sdl(), "schema.graphql is stale: run `graphcdp export-schema -o schema.graphql`"


def test_every_cypher_file_is_used() -> None:
    used = declared_statements()
    for dialect in DIALECTS:
        unused = [
            f"{path.relative_to(ROOT)}"
            for name, path in statement_files(dialect, DEFAULT_ROOT).items()
            if name not in used and not name.startswith(SCHEMA_PREFIX)
        ]
        assert unused == [], f"Cypher files no code declares ({dialect})"


def test_every_declared_statement_has_a_file_in_each_dialect() -> None:
    for dialect in DIALECTS:
        files = statement_files(dialect, DEFAULT_ROOT)
        assert sorted(name for name in declared_statements() if name not in files) == []


def test_both_dialects_bootstrap_the_same_keys() -> None:
    def schema_names(dialect: str) -> list[str]:
        return sorted(n for n in statement_files(dialect) if n.startswith(SCHEMA_PREFIX))

    assert schema_names("neo4j") == schema_names("falkordb")
