"""A stored record's features, looked up by content (the household check's, matching's candidates', the match
decisions'): the same content is featured once, and a record whose traits changed is judged by its new ones."""

from __future__ import annotations

from typing import Any

import pytest

from graphcdp.identity import trait_conflict
from graphcdp.identity.component import Component, RecordState
from graphcdp.identity.input import ParsedRecord
from graphcdp.identity.matching import features as features_module
from graphcdp.identity.matching.scoring import Scorer
from graphcdp.identity.matching.spec import DEFAULT_MODEL, load_model
from graphcdp.identity.normalize import NormalizedIdentifier

EMAIL = "email:family@example.com"


def record(key: str, **traits: Any) -> RecordState:
    """A stored record as a component holds it, with the content hash the write gave it."""
    email = NormalizedIdentifier(type="email", value="family@example.com", key=EMAIL, blocked=False)
    parsed = ParsedRecord(0, "crm", key, 1000, (email,), traits)
    return RecordState(key, "crm", 1000, traits, False, 1, 1, [EMAIL], parsed.content_hash, None)


def conflicts(*records: RecordState) -> trait_conflict.TraitConflicts:
    component = Component(records={r.key: r for r in records})
    return trait_conflict.TraitConflicts(component, Scorer(load_model(DEFAULT_MODEL)), ("email",))


def test_a_record_is_judged_by_its_current_traits_whoever_held_its_key_before() -> None:
    anna = record("a", firstName="Anna", birthDate="1980-01-01")
    ben = record("b", firstName="Benjamin", birthDate="1975-06-30")
    assert conflicts(anna, ben).between(["a"], ["b"]) is not None

    renamed = record("b", firstName="Anna", birthDate="1980-01-01")  # the same record key, new content
    assert conflicts(anna, renamed).between(["a"], ["b"]) is None


def test_the_same_content_is_featured_once_across_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    computed: list[str] = []
    real = features_module.record_features

    def counted(traits: Any, identifiers: Any, fields: Any) -> Any:
        computed.append(traits["firstName"])
        return real(traits, identifiers, fields)

    monkeypatch.setattr(features_module, "record_features", counted)
    monkeypatch.setattr(features_module, "_STORED", {})
    anna = record("a", firstName="Anna", birthDate="1980-01-01")
    ben = record("b", firstName="Benjamin", birthDate="1975-06-30")
    first = conflicts(anna, ben).between(["a"], ["b"])
    second = conflicts(anna, ben).between(["a"], ["b"])  # the next batch's plan of the same persons
    assert first == second is not None
    assert sorted(computed) == ["Anna", "Benjamin"]


def test_a_stored_record_without_traits_has_no_features_for_matching_and_its_identifiers_count() -> None:
    traitless = features_module.stored_features("h1", "{}", ["phone:+15550100"], ("phone",), none_without_traits=True)
    assert traitless == {}
    assert features_module.stored_features("h1", "{}", ["phone:+15550100"], ("phone",)) == {"phone": ("15550100",)}
    # One of its identifiers blocked since (another blocklist): the same content no longer offers it.
    assert features_module.stored_features("h1", "{}", [], ("phone",)) == {}


def test_a_full_features_cache_keeps_the_contents_used_lately(monkeypatch: pytest.MonkeyPatch) -> None:
    """A records batch at 100,000 people meets 40,000 candidates, many of them the last batches' too: dropping every
    entry when the cache filled kept 31 % of them, dropping the half used longest ago 86 %."""
    monkeypatch.setattr(features_module, "_STORED", {})
    monkeypatch.setattr(features_module, "STORED_KEPT", 4)
    fields = ("firstName",)

    def featured(content: str) -> Any:
        return features_module.stored_features(content, {"firstName": content}, [], fields)

    for content in ("anna", "ben", "cleo", "dora"):
        featured(content)
    featured("anna")  # used again: now the most recent
    featured("emil")  # the cache is full: the two used longest ago (ben, cleo) go
    kept = {key[0] for key in features_module._STORED}  # the contents (their hashes) featured and kept
    assert kept == {"anna", "dora", "emil"}
