"""What a scored record pair becomes, by the model's thresholds: a link, a review queue entry, or nothing.
The values are the relationship types the graph stores (cypher/matching/write_links.cypher)."""

from __future__ import annotations

from enum import StrEnum

from graphcdp.identity.matching.spec import Thresholds


class LinkKind(StrEnum):
    MATCHED = "MATCHED"  # linked: resolution may join the two records' persons
    POSSIBLE_MATCH = "POSSIBLE_MATCH"  # waits in the review queue for a person to decide
    NONE = "NONE"  # below review: no link (an old one goes)


def classify(probability: float, thresholds: Thresholds) -> LinkKind:
    if probability >= thresholds.auto:
        return LinkKind.MATCHED
    return LinkKind.POSSIBLE_MATCH if probability >= thresholds.review else LinkKind.NONE
