"""Training on records with the blind spots real customer data has: a field that no two records of one person
both carry, and households whose members share a surname, a postal code and a street."""

from __future__ import annotations

import random

import pytest

from graphcdp.identity.matching.features import record_features
from graphcdp.identity.matching.scoring import Scorer
from graphcdp.identity.matching.spec import Comparison, MatchingModel, load_model
from graphcdp.identity.matching.training import TrainingRecord, train

FIRST_NAMES = ["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Lena", "Max"]


def _record(model: MatchingModel, key: str, identifiers: tuple[str, ...], **traits: object) -> TrainingRecord:
    return TrainingRecord(key, record_features(dict(traits), identifiers, model.fields), identifiers)


def households(model: MatchingModel, count: int = 80) -> list[TrainingRecord]:
    """Two people per household: same surname, postal code and street, different first names and birth dates.
    Each person has a CRM record with a birth date and a web record without one, joined by an email (what
    the identifiers prove); so no pair of one person's records carries two birth dates."""
    rng = random.Random(7)
    records = []
    for h in range(count):
        surname, postal, street = f"Surname{h}", f"{10000 + h}", f"Street {h}"
        for member in range(2):
            first = FIRST_NAMES[(2 * h + member) % len(FIRST_NAMES)] + ("" if member == 0 else "ia")
            email = (f"email:{first.lower()}.{h}@example.com",)
            address = {"postalCode": postal, "street": street}
            birth = f"19{rng.randint(40, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
            records.append(
                _record(model, f"crm:{h}-{member}", email, firstName=first, lastName=surname, birthDate=birth)
            )
            web = _record(model, f"web:{h}-{member}", email, firstName=first, lastName=surname, address=address)
            records.append(web)
    return records


def _comparison(model: MatchingModel, field: str) -> Comparison:
    return next(c for c in model.comparisons if c.field == field)


def _m(model: MatchingModel, field: str) -> list[float]:
    comparison = _comparison(model, field)
    return [level.m for level in comparison.levels] + [comparison.otherwise.m]


def _u(model: MatchingModel, field: str) -> list[float]:
    comparison = _comparison(model, field)
    return [level.u for level in comparison.levels] + [comparison.otherwise.u]


def test_a_field_the_proven_pairs_never_both_carry_keeps_its_m() -> None:
    model = load_model(None)
    trained = train(model, households(model), random_pairs=5_000)
    assert trained.trained is not None and trained.trained.labelled_pairs >= 50
    # The proven pairs say what first names do among matches; on birth dates they are silent, and the only
    # pairs with two birth dates are different members of one household: they must not teach its m.
    assert _m(trained, "birthDate") == _m(model, "birthDate")
    assert _m(trained, "firstName") != _m(model, "firstName")


@pytest.mark.parametrize("train_u", [False, True])
def test_a_comparison_marked_train_u_false_keeps_its_u(train_u: bool) -> None:
    shipped = load_model(None)
    assert _comparison(shipped, "address.street").train_u is False  # given the postal code: not from random pairs
    comparisons = [
        c.model_copy(update={"train_u": train_u}) if c.field == "address.street" else c for c in shipped.comparisons
    ]
    model = shipped.model_copy(update={"comparisons": comparisons})
    trained = train(model, households(model), random_pairs=5_000)
    assert (_u(trained, "address.street") == _u(model, "address.street")) is not train_u
    assert _u(trained, "lastName") != _u(model, "lastName")  # the others are trained as ever


def test_a_rule_whose_blocks_are_households_trains_nothing() -> None:
    # Without identifiers nothing proves a pair, and EM on a block of surname and postal code takes the two
    # members of each household for matches: a first name that differs would come out as common among matches.
    shipped = load_model(None)
    household_rule = next(r for r in shipped.blocking.rules if r.parts == ["lastName:prefix4", "address.postalCode"])
    assert household_rule.train is False
    rules = [r.model_copy(update={"train": True}) if r is household_rule else r for r in shipped.blocking.rules]
    trained_on_households = shipped.model_copy(
        update={"blocking": shipped.blocking.model_copy(update={"rules": rules})}
    )

    def household_pair(model: MatchingModel) -> float:
        trained = train(model, households(model), random_pairs=5_000, use_identifiers=False)
        address = {"postalCode": "10115", "street": "1 Oak Street"}
        anna = record_features({"firstName": "Anna", "lastName": "Miller", "address": address}, [], trained.fields)
        bert = record_features({"firstName": "Bert", "lastName": "Miller", "address": address}, [], trained.fields)
        return Scorer(trained).score(anna, bert).probability

    thresholds = shipped.thresholds
    assert household_pair(trained_on_households) >= thresholds.auto  # the two of a household would be linked
    assert household_pair(shipped) < thresholds.auto
