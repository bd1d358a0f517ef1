"""The compiler's text depends on the shape of definitions only: values travel as parameters, so definitions that
differ in values share one statement (and one cached plan), and no value is ever in the text."""

from __future__ import annotations

from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.profiles.metrics import MetricsConfig
from graphcdp.segments.compiler import compile_explain, compile_preview, compile_refresh
from graphcdp.segments.definition import parse_definition
from graphcdp.settings import Settings
from tests.segment_corpus import CORPUS

NOW = 1_780_000_000_000
METRICS = MetricsConfig.from_settings(Settings())
POLICY = IdentifierPolicy()


def test_definitions_of_one_shape_compile_to_one_text_with_their_values_as_parameters() -> None:
    a = parse_definition({"all": [{"trait": "address.region", "eq": "CA"}, {"consent": {"purpose": "news"}}]}, POLICY)
    b = parse_definition({"all": [{"trait": "loyalty.tier", "eq": "gold"}, {"consent": {"purpose": "ads"}}]}, POLICY)
    for compile_ in (
        lambda d, now: compile_preview(d, "falkordb", now, 10, metrics=METRICS),
        lambda d, now: compile_explain(d, "neo4j", now, metrics=METRICS),
        lambda d, now: compile_refresh([("k", d)], "falkordb", now, all_persons=False, metrics=METRICS),
    ):
        first, second = compile_(a, NOW), compile_(b, NOW + 1)
        assert first.text == second.text and first.generated.query.name == second.generated.query.name
        assert "address.region=CA" in first.params.values() and "loyalty.tier=gold" in second.params.values()
        for value in ("CA", "gold", "news", "ads", "address.region", "loyalty.tier"):
            assert f"'{value}" not in first.text and value not in first.text.replace("CASE", ""), value


def test_every_parameter_a_compiled_statement_is_given_is_one_its_text_uses() -> None:
    for raw in CORPUS:
        definition = parse_definition(raw, POLICY)
        for compiled in (
            compile_preview(definition, "neo4j", NOW, 3, metrics=METRICS),
            compile_explain(definition, "neo4j", NOW, metrics=METRICS),
            compile_refresh([("k", definition)], "neo4j", NOW, all_persons=True, metrics=METRICS),
        ):
            assert set(compiled.params) == set(compiled.generated.statement.params), raw


def test_a_metric_condition_computes_only_what_its_metric_needs() -> None:
    orders = compile_preview(parse_definition({"metric": "orders", "gte": 2}, POLICY), "neo4j", NOW, 3, metrics=METRICS)
    assert "m_ord" in orders.text and "m_eng" not in orders.text and "m_rev" not in orders.text
    monetary = parse_definition({"metric": "monetaryScore", "gte": 3}, POLICY)
    text = compile_preview(monetary, "neo4j", NOW, 3, metrics=METRICS).text
    assert "m_rev" in text and "m_retd" in text and "m_eng" not in text and "m_before" not in text
