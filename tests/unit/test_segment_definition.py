"""Segment definitions: every condition kind parses into its typed node with its JSON path, and every fault is
reported with the path at fault, all of them at once."""

from __future__ import annotations

import pytest

from graphcdp.errors import ErrorCode
from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.model.facets import facet_text, touchpoint_facets, trait_facets
from graphcdp.segments.definition import (
    MAX_CONDITIONS,
    MAX_DEPTH,
    AgeCondition,
    All,
    Any,
    Comparison,
    ConsentCondition,
    Dependency,
    IdentifierCondition,
    InvalidSegment,
    Metric,
    MetricCondition,
    Not,
    Op,
    SegmentCondition,
    TouchpointCondition,
    TraitCondition,
    check_segment_key,
    parse_definition,
    referenced_segments,
    time_dependent,
    touches,
    walk,
)

POLICY = IdentifierPolicy()


def parse(raw: object) -> object:
    return parse_definition(raw, POLICY).root


def faults(raw: object) -> list[tuple[str, str]]:
    with pytest.raises(InvalidSegment) as caught:
        parse_definition(raw, POLICY)
    assert caught.value.code is ErrorCode.INVALID_SEGMENT
    return [(e.path, e.message) for e in caught.value.errors]


def paths(raw: object) -> list[str]:
    return [p for p, _ in faults(raw)]


def test_every_condition_kind_parses_with_its_path() -> None:
    root = parse(
        {
            "all": [
                {"trait": "address.region", "eq": "CA"},
                {"age": {"gte": 18, "lt": 65}},
                {"identifier": "EMAIL", "eq": " Ada@Example.COM "},
                {"metric": "orders", "gte": 2},
                {
                    "touchpoint": {
                        "type": "Page_View",
                        "channel": "Web",
                        "properties": {"category": "shoes", "n": 2.0},
                    },
                    "withinDays": 30,
                    "count": {"gte": 3},
                    "sum": {"lt": 100.5},
                },
                {"consent": {"purpose": " Marketing", "channel": "EMAIL"}},
                {"any": [{"segment": "vip"}, {"not": {"metric": "engagementDeclining", "eq": True}}]},
            ]
        }
    )
    assert root == All(
        "$",
        (
            TraitCondition("$.all[0]", "address.region", Op.EQ, "CA"),
            AgeCondition("$.all[1]", (Comparison(Op.GTE, 18), Comparison(Op.LT, 65))),
            IdentifierCondition("$.all[2]", "email", "email:ada@example.com"),
            MetricCondition("$.all[3]", Metric.ORDERS, (Comparison(Op.GTE, 2),)),
            TouchpointCondition(
                "$.all[4]",
                "page_view",
                "web",
                ("category=shoes", "n=2"),
                30.0,
                (Comparison(Op.GTE, 3),),
                (Comparison(Op.LT, 100.5),),
            ),
            ConsentCondition("$.all[5]", "marketing", "email"),
            Any(
                "$.all[6]",
                (
                    SegmentCondition("$.all[6].any[0]", "vip"),
                    Not(
                        "$.all[6].any[1]",
                        MetricCondition("$.all[6].any[1].not", Metric.ENGAGEMENT_DECLINING, (Comparison(Op.EQ, True),)),
                    ),
                ),
            ),
        ),
    )


def test_defaults_and_every_trait_operator() -> None:
    assert parse({"touchpoint": {}}) == TouchpointCondition("$", None, None, (), None, (Comparison(Op.GTE, 1),), ())
    assert parse({"identifier": "phone"}) == IdentifierCondition("$", "phone", None)
    assert parse({"consent": {"purpose": "marketing"}}) == ConsentCondition("$", "marketing", None)
    for op, value in [
        ("eq", 1),
        ("ne", "x"),
        ("in", ["a", 2, True]),
        ("contains", "ak"),
        ("startsWith", "Oa"),
        ("gt", 1.5),
        ("gte", "2020-01-01"),
        ("lt", 3),
        ("lte", 4),
        ("exists", False),
    ]:
        node = parse({"trait": "a.b_c", op: value})
        assert isinstance(node, TraitCondition) and node.op == Op(op)
        assert node.value == (tuple(value) if isinstance(value, list) else value)


def test_a_definition_given_as_json_text_parses_the_same() -> None:
    assert parse('{"trait": "x", "eq": 1}') == parse({"trait": "x", "eq": 1})
    assert paths("{not json") == ["$"]


def test_every_fault_is_listed_with_its_path() -> None:
    found = faults(
        {
            "all": [
                {"trait": "address..region", "eq": "CA"},
                {"trait": "x", "like": "y"},
                {"metric": "lifetimeValue", "gte": 1},
                {"metric": "orders", "gte": "2"},
                {"metric": "engagementDeclining", "gt": 1},
                {"identifier": "passport"},
                {"identifier": "email", "eq": "not an email"},
                {"touchpoint": {"type": "x", "colour": "red"}, "withinDays": 0, "count": {"atLeast": 1}},
                {"touchpoint": {"properties": {"bad-name": 1, "ok": {"nested": 1}}}, "sum": 5},
                {"consent": {"channel": "email"}},
                {"segment": "no spaces"},
                {"age": {"gte": 18.5}},
                {"age": {"gte": 200}},
                {"unknown": 1},
                {"trait": "a", "eq": 1, "segment": "b"},
                "a string",
                {"any": []},
                {"not": {"all": "x"}},
                {"trait": "a", "eq": float("nan")},
                {"trait": "a", "in": []},
                {"trait": "a", "exists": "yes"},
                {"trait": "a", "gt": True},
                {"trait": "a", "eq": None},
                {"trait": "a", "eq": "x" * 257},
                {"trait": "a", "eq": "nul\x00"},
            ]
        }
    )
    assert [p for p, _ in found] == [
        "$.all[0].trait",
        "$.all[1].like",
        "$.all[1]",
        "$.all[2].metric",
        "$.all[3].gte",
        "$.all[4].gt",
        "$.all[5].identifier",
        "$.all[6].eq",
        "$.all[7].touchpoint.colour",
        "$.all[7].withinDays",
        "$.all[7].count.atLeast",
        '$.all[8].touchpoint.properties["bad-name"]',
        "$.all[8].touchpoint.properties.ok",
        "$.all[8].sum",
        "$.all[9].consent",
        "$.all[10].segment",
        "$.all[11].age.gte",
        "$.all[12].age.gte",
        "$.all[13]",
        "$.all[13].unknown",
        "$.all[14]",
        "$.all[15]",
        "$.all[16].any",
        "$.all[17].not.all",
        "$.all[18].eq",
        "$.all[19].in",
        "$.all[20].exists",
        "$.all[21].gt",
        "$.all[22].eq",
        "$.all[23].eq",
        "$.all[24].eq",
    ]
    messages = dict(found)
    assert "unknown metric" in messages["$.all[2].metric"]
    assert "unknown identifier type" in messages["$.all[5].identifier"]
    assert "exactly one of" in messages["$.all[14]"]
    assert "control character" in messages["$.all[24].eq"]


def test_bounds_depth_and_size() -> None:
    nested: dict[str, object] = {"trait": "a", "eq": 1}
    for _ in range(MAX_DEPTH):
        nested = {"not": nested}
    assert isinstance(parse(nested), Not)
    too_deep = {"not": nested}
    assert paths(too_deep) == ["$" + ".not" * MAX_DEPTH]
    wide = {"any": [{"trait": "a", "eq": n} for n in range(MAX_CONDITIONS)]}
    assert paths(wide) == ["$"]  # 51 conditions with the any
    assert paths({"trait": "a", "in": list(range(101))}) == ["$.in"]
    assert paths({"trait": "a." * 8 + "b", "eq": 1}) == ["$.trait"]  # 9 names


def test_a_long_or_control_key_is_never_echoed_in_a_path() -> None:
    assert paths({"trait": "a", "eq": 1, "x" * 300: 1}) == ['$["(key)"]']
    assert paths({"trait": "a", "eq": 1, "\x00": 1}) == ['$["(key)"]']


def test_references_dependencies_and_time() -> None:
    definition = parse_definition(
        {"any": [{"segment": "vip"}, {"not": {"segment": "churned"}}, {"trait": "x", "exists": True}]}, POLICY
    )
    assert referenced_segments(definition) == {"vip", "churned"}
    assert touches(definition) == {Dependency.SEGMENTS, Dependency.TRAITS}
    assert not time_dependent(definition)
    assert [n.path for n in walk(definition.root)] == ["$", "$.any[0]", "$.any[1]", "$.any[1].not", "$.any[2]"]
    for timed in (
        {"touchpoint": {}, "withinDays": 7},
        {"metric": "daysSinceLastActivity", "gt": 30},
        {"metric": "recencyScore", "gte": 4},
        {"age": {"gte": 18}},
    ):
        assert time_dependent(parse_definition(timed, POLICY)), timed
    untimed = parse_definition({"all": [{"touchpoint": {}}, {"metric": "orders", "gte": 1}]}, POLICY)
    assert not time_dependent(untimed)
    assert touches(untimed) == {Dependency.TOUCHPOINTS}
    both = parse_definition({"all": [{"identifier": "email"}, {"consent": {"purpose": "m"}}]}, POLICY)
    assert touches(both) == {Dependency.IDENTIFIERS, Dependency.CONSENT}


def test_segment_keys_and_fingerprints() -> None:
    assert check_segment_key("vip-2026.q1:ca_buyers") is None
    assert check_segment_key("") and check_segment_key("-x") and check_segment_key("a" * 65)
    a = parse_definition({"eq": 1, "trait": "x"}, POLICY)
    b = parse_definition('{"trait": "x", "eq": 1}', POLICY)
    assert a.fingerprint() == b.fingerprint() and a.canonical_json() == '{"eq":1,"trait":"x"}'


def test_facets_of_traits_and_properties() -> None:
    traits = {
        "firstName": "Ada",
        "address": {"region": "CA", "geo": {"lat": 37.8}},
        "tags": ["vip", "early", None],
        "score": 12.0,
        "ratio": 0.1,
        "active": True,
        "gone": None,
        "bad key": "x",
        "n": float("inf"),
        "long": "x" * 300,
    }
    assert trait_facets(traits) == [
        "active=true",
        "address.geo.lat=37.8",
        "address.region=CA",
        "firstName=Ada",
        "ratio=0.1",
        "score=12",
        "tags=early",
        "tags=vip",
    ]
    assert touchpoint_facets({"category": "shoes", "sizes": [38, 39.5], "nested": {"a": 1}, "bad-key": 1}) == [
        "category=shoes",
        "sizes=38",
        "sizes=39.5",
    ]
    assert touchpoint_facets(None) == []
    assert [facet_text(v) for v in (True, 3, 3.0, 2.5, "x")] == ["true", "3", "3", "2.5", "x"]


def test_date_time_metrics_take_iso_texts_as_epoch_milliseconds() -> None:
    node = parse({"metric": "lastOrderAt", "gte": "2026-01-01", "lt": "2026-02-01T00:00:00Z"})
    assert node == MetricCondition(
        "$", Metric.LAST_ORDER_AT, (Comparison(Op.GTE, 1_767_225_600_000), Comparison(Op.LT, 1_769_904_000_000))
    )
    assert paths({"metric": "lastOrderAt", "gte": "yesterday"}) == ["$.gte"]
    assert paths({"metric": "orders", "gte": "2026-01-01"}) == ["$.gte"]  # a count is no date
