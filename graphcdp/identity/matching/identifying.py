"""Identifying traits (a national id, a tax number) declared once in settings (GRAPHCDP_IDENTIFYING_TRAITS)
become a comparison of the model in force, with a blocking rule of their own, unless the model compares the
trait already. They are added to every model the service activates (the file's, a trained or an admin-set one),
so declaring one is all an operator does; a model that compares it keeps its own levels and weights."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from graphcdp.identity.matching.spec import MatchingModel

# A national id agrees by chance about once in a million pairs; one typed wrong still agrees within one edit.
# Records of one person carry different values rarely (a typo beyond one edit, a wrong number), so a different
# value is evidence against, a little stronger than two different last names.
EXACT = {"kind": "exact", "m": 0.9, "u": 0.000001}
ONE_EDIT = {"kind": "damerauLevenshtein", "max": 1, "m": 0.06, "u": 0.00002}
DIFFERENT = {"m": 0.04, "u": 0.99998}


def with_identifying_traits(model: MatchingModel, traits: Iterable[str]) -> MatchingModel:
    """The model, comparing and blocking on each of `traits` it does not compare yet."""
    compared = {c.field for c in model.comparisons}
    missing = [trait for trait in traits if trait not in compared]
    if not missing:
        return model
    data: dict[str, Any] = json.loads(model.to_json())
    data["customTraits"] = [*data.get("customTraits", []), *(t for t in missing if t not in model.fields)]
    data["comparisons"] += [{"field": t, "levels": [EXACT, ONE_EDIT], "else": DIFFERENT} for t in missing]
    data["blocking"]["rules"] += [{"parts": [t]} for t in missing]
    return MatchingModel.model_validate(data)
