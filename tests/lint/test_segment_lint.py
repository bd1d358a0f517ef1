"""The statements segment definitions compile to pass Neo4j's linter, like every file in cypher/.

A corpus of definitions of every kind, operator and metric (tests/segment_corpus.py) is compiled into one refresh
(every fragment the compiler has), and the other statement shapes (refresh of every person, preview, explanation
with the details of every kind, the metrics read) from smaller definitions. Neo4j's text is linted; FalkorDB's is
the same text without the write lock Neo4j takes first, which the last test checks. The linter needs about a
second per 1,000 characters, so the corpus is compiled into a few large statements rather than hundreds."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.profiles.metrics import MetricsConfig
from graphcdp.segments.compiler import (
    Dialect,
    compile_explain,
    compile_metrics,
    compile_preview,
    compile_refresh,
)
from graphcdp.segments.definition import Definition, parse_definition
from graphcdp.settings import Settings
from tests.lint.test_cypher_lint import ERROR, LINT_SECONDS, WARNING, _relevant, _run_lint
from tests.segment_corpus import CORPUS, ONE_OF_EACH_KIND

NOW = 1_780_000_000_000
METRICS = MetricsConfig.from_settings(Settings())
POLICY = IdentifierPolicy()
NEO4J_LOCK = ("SET p.segmentsCheckedAt = $now", "WITH segs, present, p")


def definitions(raws: list[dict[str, object]]) -> list[Definition]:
    return [parse_definition(raw, POLICY) for raw in raws]


def corpus_refresh(dialect: Dialect) -> str:
    segments = [(f"s{n}", d) for n, d in enumerate(definitions(CORPUS))]
    return compile_refresh(segments, dialect, NOW, all_persons=False, metrics=METRICS).text


def other_shapes(dialect: Dialect) -> list[str]:
    each = parse_definition({"any": ONE_OF_EACH_KIND}, POLICY)
    small = parse_definition({"all": [{"trait": "a", "eq": 1}, {"not": {"segment": "vip"}}]}, POLICY)
    return [
        compile_refresh([("s", small)], dialect, NOW, all_persons=True, metrics=METRICS).text,
        *(  # a first evaluation, from each kind of anchor and from none
            compile_refresh([("s", d)], dialect, NOW, all_persons=True, metrics=METRICS, fresh=True).text
            for d in definitions(
                [
                    {"segment": "vip"},
                    {"consent": {"purpose": "m", "channel": "e"}},
                    {"any": [{"trait": "a", "in": ["x", "y"]}, {"age": {"gte": 18}}]},
                    {"metric": "orders", "gte": 1},
                    {"identifier": "email"},
                    {
                        "all": [
                            {"trait": "a", "eq": 1},
                            {"identifier": "email", "eq": "ada@example.com"},
                            {"metric": "orders", "gte": 1},
                        ]
                    },
                ]
            )
        ),
        compile_preview(small, dialect, NOW, 10, metrics=METRICS).text,
        compile_explain(each, dialect, NOW, metrics=METRICS).text,
        compile_metrics(dialect, NOW, metrics=METRICS).text,
    ]


def lint_clean(texts: list[str], folder: Path) -> list[str]:
    files = []
    for n, text in enumerate(texts):
        path = folder / f"{n}.cypher"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    results = _run_lint(files)
    return [
        f"{path.name}:{d['line']}:{d['column']}: {d['message']}"
        for path in files
        for severity in (ERROR, WARNING)
        for d in _relevant(results[str(path)], severity)
    ]


@pytest.mark.timeout(LINT_SECONDS + 60)
def test_the_refresh_of_the_whole_corpus_lints_clean(tmp_path: Path) -> None:
    assert lint_clean([corpus_refresh("neo4j")], tmp_path) == []


@pytest.mark.timeout(LINT_SECONDS + 60)
def test_every_other_compiled_shape_lints_clean(tmp_path: Path) -> None:
    assert lint_clean(other_shapes("neo4j"), tmp_path) == []


def test_falkordb_runs_the_same_text_without_the_lock() -> None:
    for neo4j, falkordb in zip(
        [corpus_refresh("neo4j"), *other_shapes("neo4j")],
        [corpus_refresh("falkordb"), *other_shapes("falkordb")],
        strict=True,
    ):
        assert [line for line in neo4j.splitlines() if line not in NEO4J_LOCK] == falkordb.splitlines()
