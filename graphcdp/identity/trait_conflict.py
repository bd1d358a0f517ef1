"""When records that share an identifier are still different people: a household's email, a family tablet.

An identifier one person may hold several of (limit above 1) can be shared by the people of a household. Such
a shared identifier is evidence that trait disagreement outweighs, as entity-resolution engines treat generic
identifiers: two records whose first names disagree (the model weighs them as evidence against a match: not
even a nickname, a typo or a swap with the last name) while their birth dates do not agree are different
people, whatever identifier they share. Two groups of records are different people when some pair of them names
different people and no pair names one person (first names or birth dates agree as evidence for a match): one
person's records disagree among themselves too (Abby on one, a mistyped Abigial on another), and a record that
agrees with one of them is hers. Identifiers of limit 1 (a customer id, a CRM id, a national id) are an account
or a person, and always link. Last names and addresses do not count here: the members of a household share them.
"""

from __future__ import annotations

from collections.abc import Collection

from graphcdp.identity.component import Component
from graphcdp.identity.family_address import Carrier, names_a_family
from graphcdp.identity.matching.features import Features, stored_features
from graphcdp.identity.matching.scoring import ELSE, NULL, Scorer

FIRST_NAME, LAST_NAME, BIRTH_DATE = "firstName", "lastName", "birthDate"


class TraitConflicts:
    """The trait conflicts between the records of one component, each pair judged once."""

    def __init__(self, component: Component, scorer: Scorer, email_types: Collection[str] = ()) -> None:
        self.component = component
        self.scorer = scorer
        self.email_types = email_types  # identifier types whose values are email addresses
        self._features: dict[str, Features] = {}
        self._pairs: dict[tuple[str, str], bool | None] = {}
        self._names = {c.field for c in scorer.model.comparisons} >= {FIRST_NAME}
        # Only first names and birth dates are judged here (and last names looked at for a swap): the features
        # of those fields alone, a fraction of a record's, and the other comparisons left out.
        self._fields = scorer.fields_read({FIRST_NAME, LAST_NAME, BIRTH_DATE})

    def between(self, left: list[str], right: list[str]) -> str | None:
        """Why the records of `left` and of `right` are different people, or None: some pair of them names
        different people and no pair names one person."""
        if not self._names:
            return None
        conflicting: tuple[str, str] | None = None
        for a in left:
            for b in right:
                verdict = self._conflict(a, b)
                if verdict is False:
                    return None
                if verdict and conflicting is None:
                    conflicting = (a, b) if a < b else (b, a)
        if conflicting is None:
            return None
        return f"{conflicting[0]} and {conflicting[1]} name different people (first name and birth date disagree)"

    def named(self, key: str) -> bool:
        """Whether the record has a first name: what says which of a household's people it is."""
        return FIRST_NAME in self._features_of(key)

    def names_a_family(self, identifier: str, carriers: list[str]) -> bool:
        """Whether an email address names a family and none of the named records that carry it
        (graphcdp/identity/family_address.py)."""
        type_, _, value = identifier.partition(":")
        if type_ not in self.email_types:
            return False
        names = (self.component.records[key].traits for key in carriers)
        return names_a_family(value, [Carrier.of(t.get(FIRST_NAME), t.get(LAST_NAME)) for t in names])

    def _conflict(self, a: str, b: str) -> bool | None:
        """True: the two records name different people (their first names are evidence against a match under the
        model, as no level at all or names only alike, Amy and Mary, in the shipped one; and birth dates do not
        agree); False: they name one person (first names or birth dates are evidence for: exact, a nickname, a
        typo); None: neither (either has no first name, or the model weighs the names as no evidence)."""
        pair = (a, b) if a < b else (b, a)
        if pair not in self._pairs:
            fa, fb = self._features_of(pair[0]), self._features_of(pair[1])
            if FIRST_NAME not in fa or FIRST_NAME not in fb or _swapped(fa, fb):
                self._pairs[pair] = None
            else:
                fields = self.scorer.compare(fa, fb, (FIRST_NAME, BIRTH_DATE))
                name, born = fields[FIRST_NAME], fields.get(BIRTH_DATE)
                if name.weight > 0 or (born is not None and born.level not in (ELSE, NULL) and born.weight > 0):
                    self._pairs[pair] = False
                elif name.weight < 0 and (born is None or born.level in (ELSE, NULL)):
                    self._pairs[pair] = True
                else:
                    self._pairs[pair] = None
        return self._pairs[pair]

    def _features_of(self, key: str) -> Features:
        if key not in self._features:
            record = self.component.records[key]
            # Batch after batch plans the same persons again: most of their records were judged before.
            self._features[key] = stored_features(record.content_hash, record.traits, record.identifiers, self._fields)
        return self._features[key]


def _swapped(a: Features, b: Features) -> bool:
    """One record's first name is the other's last name (Diaz Patricia, and a sign-up as Patricia): first and
    last name written in each other's place, which says nothing of whether they are one person."""
    return bool(set(a[FIRST_NAME]) & set(b.get(LAST_NAME, ())) or set(b[FIRST_NAME]) & set(a.get(LAST_NAME, ())))
