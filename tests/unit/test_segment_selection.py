"""Which segments a change can touch (graphcdp/segments/selection.py), from what each definition reads."""

from __future__ import annotations

from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.segments.definition import Dependency, parse_definition, reads
from graphcdp.segments.selection import Need, reached

POLICY = IdentifierPolicy()
DEFINITIONS = {
    "us": {"trait": "address.country", "eq": "US"},
    "adults": {"age": {"gte": 18}},
    "cookies": {"identifier": "cookie_id"},
    "buyers": {"metric": "orders", "gte": 1},
    "mail-ok": {"consent": {"purpose": "marketing", "channel": "email"}},
    "us-or-phone": {"any": [{"trait": "address.city", "eq": "Oakland"}, {"not": {"identifier": "phone"}}]},
}
READS = {key: reads(parse_definition(raw, POLICY)) for key, raw in DEFINITIONS.items()}


def test_a_trait_change_reaches_the_segments_reading_its_top_level_key() -> None:
    assert reached(READS, Need(trait_keys=frozenset({"address"}))) == ("us", "us-or-phone")
    assert reached(READS, Need(trait_keys=frozenset({"birthDate"}))) == ("adults",)
    assert reached(READS, Need(trait_keys=frozenset({"firstName"}))) == ()


def test_an_identifier_change_reaches_the_segments_reading_its_type_even_under_not() -> None:
    assert reached(READS, Need(identifier_types=frozenset({"phone"}))) == ("us-or-phone",)
    assert reached(READS, Need(identifier_types=frozenset({"cookie_id", "email"}))) == ("cookies",)


def test_a_kind_of_data_reaches_every_segment_reading_it() -> None:
    assert reached(READS, Need(kinds=frozenset({Dependency.TOUCHPOINTS}))) == ("buyers",)
    assert reached(READS, Need(kinds=frozenset(Dependency))) == tuple(sorted(DEFINITIONS))
    assert not Need()
    assert Need(trait_keys=frozenset({"a"})) | Need(kinds=frozenset({Dependency.CONSENT})) == Need(
        frozenset({Dependency.CONSENT}), frozenset({"a"}), frozenset()
    )
