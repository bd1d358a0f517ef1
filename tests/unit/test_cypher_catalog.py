from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphcdp.errors import ConfigurationError, UnknownStatementError
from graphcdp.model.base import NoRow
from graphcdp.store import cypher
from graphcdp.store.cypher import CypherCatalog, Mode, parameters_in


@pytest.fixture(autouse=True)
def no_declared_statements(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests load catalogs from scratch folders that hold none of the service's statements."""
    monkeypatch.setattr(cypher, "_declared", set())
    monkeypatch.setattr(cypher, "_queries", {})


HEADER = "// {what}\n// mode: {mode}\n// params: {params}\n// returns: {returns}\n"


def write(root: Path, name: str, body: str, *, mode: str = "read", params: str = "none", returns: str = "x") -> None:
    path = root / f"{name}.cypher"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER.format(what=name, mode=mode, params=params, returns=returns) + body)


def test_lines_for_neo4j_only_are_left_out_for_falkordb(tmp_path: Path) -> None:
    """The write locks a Neo4j commit takes before its checks: FalkorDB runs one write at a time and pays for them."""
    body = "MATCH (r:R {k: $k})\nSET r.lockedAt = $now  // neo4j only\nRETURN r.k AS x"
    write(tmp_path, "area/commit", body, mode="write", params="k, now")
    neo4j = CypherCatalog.load("neo4j", roots=(tmp_path,)).get("area/commit")
    falkordb = CypherCatalog.load("falkordb", roots=(tmp_path,)).get("area/commit")
    assert "lockedAt" in neo4j.text
    assert "lockedAt" not in falkordb.text
    assert "MATCH (r:R {k: $k})" in falkordb.text and "RETURN r.k AS x" in falkordb.text
    assert falkordb.params == neo4j.params == {"k", "now"}  # the caller passes the same either way


def test_the_commits_check_without_locks_on_falkordb() -> None:
    falkordb = CypherCatalog.load("falkordb")
    for name in ("identity/commit_resolution", "identity/commit_additions"):
        text = falkordb.get(name).text
        assert "r.lockedAt" not in text and "i.lockedAt" not in text, name
        assert "feed.lockedAt" in text, name  # the change feed's block stays as every copy has it
        assert "r.lockedAt" in CypherCatalog.load("neo4j").get(name).text, name


def test_dialect_files_override_shared_ones(tmp_path: Path) -> None:
    write(tmp_path, "area/lookup", "RETURN 1 AS x")
    write(tmp_path, "neo4j/area/lookup", "RETURN 2 AS x")
    write(tmp_path, "falkordb/schema/index", "CREATE INDEX FOR (n:A) ON (n.k)", mode="write", returns="none")
    neo4j = CypherCatalog.load("neo4j", roots=(tmp_path,))
    falkordb = CypherCatalog.load("falkordb", roots=(tmp_path,))
    assert "RETURN 2" in neo4j.get("area/lookup").text
    assert "RETURN 1" in falkordb.get("area/lookup").text
    assert [s.name for s in falkordb.schema_statements()] == ["schema/index"]
    assert neo4j.schema_statements() == []
    assert falkordb.get("schema/index").mode is Mode.WRITE


def test_header_must_match_the_parameters_used(tmp_path: Path) -> None:
    write(tmp_path, "area/q", "MATCH (n {key: $key}) RETURN n.x AS x", params="key, other")
    with pytest.raises(ConfigurationError, match=r"header params \['key', 'other'\] differ.*\['key'\]"):
        CypherCatalog.load("neo4j", roots=(tmp_path,))


def test_header_needs_a_mode(tmp_path: Path) -> None:
    (tmp_path / "q.cypher").write_text("// params: none\n// returns: x\nRETURN 1 AS x")
    with pytest.raises(ConfigurationError, match="mode"):
        CypherCatalog.load("neo4j", roots=(tmp_path,))


def test_a_declared_statement_without_a_file_fails_at_load() -> None:
    cypher.statement("identity/no_such_file", NoRow)
    with pytest.raises(ConfigurationError, match="identity/no_such_file"):
        CypherCatalog.load("falkordb")


def test_unknown_name_at_query_time(tmp_path: Path) -> None:
    write(tmp_path, "a/b", "RETURN 1 AS x")
    with pytest.raises(UnknownStatementError, match="a/c"):
        CypherCatalog.load("neo4j", roots=(tmp_path,)).get("a/c")


def test_unknown_dialect() -> None:
    with pytest.raises(ConfigurationError, match="unknown Cypher dialect 'oracle'"):
        CypherCatalog.load("oracle")


def test_parameters_in_ignores_comments_and_strings() -> None:
    text = "// uses $not_me\nMATCH (n {k: $key}) WHERE n.s = '$literal' OR n.t = \"$also\" RETURN $other AS o"
    assert parameters_in(text) == {"key", "other"}


def test_only_writes_that_append_to_the_feed_or_touch_webhooks_wake_its_followers() -> None:
    catalog = CypherCatalog.load("falkordb")
    wakes = {name for name in catalog.names() if catalog.get(name).wakes_followers}
    # Every statement that appends to the change feed holds the emit fragment; webhook writes wake the dispatcher.
    emit = (cypher.DEFAULT_ROOT / "feed" / "emit.fragment").read_text(encoding="utf-8")
    holders = {name for name in catalog.names() if emit.strip() in catalog.get(name).text}
    webhook_writes = {n for n in catalog.names() if n.startswith("webhooks/") and catalog.get(n).mode is Mode.WRITE}
    assert holders and webhook_writes and holders | webhook_writes <= wakes
    assert {"identity/commit_resolution", "privacy/record_consent", "webhooks/redeliver"} <= wakes
    # An upsert's own writes before its resolution, and every read, wake nobody.
    assert not wakes & {"identity/upsert_records", "matching/index_records", "matching/write_links"}
    assert all(catalog.get(name).mode is Mode.WRITE for name in wakes)


def test_no_write_calls_a_function_whose_value_the_database_picks() -> None:
    # FalkorDB writes such a query into its append-only file as "effects", and replaying effects is not safe
    # (tests/integration/test_embedded_replay.py). Times come from the caller ($now), ids from the caller too.
    for dialect in ("falkordb", "neo4j"):
        catalog = CypherCatalog.load(dialect)
        writes = [catalog.get(name) for name in catalog.names() if catalog.get(name).mode is Mode.WRITE]
        assert writes
        calling = [w.name for w in writes if re.search(r"\b(timestamp|rand|randomUUID)\s*\(", _code(w.text), re.I)]
        assert calling == [], f"{dialect}: {calling}"


def _code(text: str) -> str:
    """A statement without its comments."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
