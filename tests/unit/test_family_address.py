"""Whether an email address names a family or one of the people who carry it (graphcdp/identity/family_address.py)."""

from __future__ import annotations

import pytest

from graphcdp.identity.family_address import Carrier, names_a_family


@pytest.mark.parametrize(
    ("email", "carriers", "family"),
    [
        ("themillers42@example.com", [("Anna", "Miller")], True),
        ("millerfamily@example.com", [("Frank", "Miller")], True),  # millerf is not his initial beside his surname
        ("themillers@example.com", [("Sarah", "Miller")], True),  # nor is millers
        ("anna.miller@example.com", [("Anna", "Miller")], False),
        ("amiller7@example.com", [("Anna", "Miller")], False),
        ("miller.a@example.com", [("Anna", "Miller")], False),
        ("rmiller@example.com", [("Becky", "Miller")], False),  # Rebecca's initial: Becky is her nickname
        ("margaret.m@example.com", [("Maggie", "Miller")], False),
        ("amiller7@example.com", [("Anna", None), (None, "Miller")], False),  # read together
        ("coolcat99@example.com", [("Anna", "Miller")], False),  # names no family either: nothing to tell
        ("themillers@example.com", [("Anna", None)], False),  # no surname known
    ],
)
def test_an_address_names_a_family_when_it_holds_the_surname_and_no_carrier(
    email: str, carriers: list[tuple[str | None, str | None]], family: bool
) -> None:
    assert names_a_family(email, [Carrier.of(first, last) for first, last in carriers]) is family
