"""Ground truth of a generated data set, and how well a predicted partition meets it.

**truth.jsonl** has one JSON object per line, of three kinds:

    {"record": "crm:CRM00000012", "person": 17}
    {"record": "web:C000000031", "person": 17, "shared": ["email:thesmiths42@example.com"]}
    {"touchpoint": "tp-0000000001", "person": 17, "shared": ["device_id:5F0C…"]}
    {"sharedIdentifier": "email:thesmiths42@example.com", "kind": "household_email", "people": [17, 18]}

`record` is the record key graphcdp uses (`source:sourceId`), `touchpoint` a touchpoint id, `person` the
index (0 … people-1) of the true person behind it. `shared` lists the identifiers (normalized keys,
`type:value`) the item carries that the generator gave to several people on purpose: a household's
family email, a family tablet's device_id. The `sharedIdentifier` lines say who shares each of them.

**Evaluation** (`evaluate`) compares a predicted partition (item key → predicted person id) with the truth
(item key → true person). Only keys in both count; `missing` and `unknown` say how many were left out.
With n_pt the number of items of true person t in predicted person p, n_p and n_t the sizes:

- pairs: true-positive pairs TP = Σ C(n_pt, 2), predicted pairs Σ C(n_p, 2), true pairs Σ C(n_t, 2);
  precision = TP / predicted pairs, recall = TP / true pairs (1.0 when the denominator is 0), F1 their
  harmonic mean. Computed from the contingency counts, never by listing pairs: linear in the items.
- over-merged persons: predicted persons holding items of more than one true person;
- split people: true people whose items are spread over more than one predicted person;
- exact people: true people whose items make up exactly one predicted person, and nothing else;
- B-cubed precision and recall: per item, n_pt / n_p and n_pt / n_t, averaged over the items (each item's
  person against its true person); B-cubed F1 their harmonic mean. Unlike pairs, it weighs every item alike,
  not every pair, so one large wrong person does not dominate it.
- over-merged via shared identifiers: over-merged persons in which the items, grouped by true person,
  form one connected graph when two groups are adjacent if an item of each carries the same identifier
  the generator marked as shared (`shared_links`). Those are the merges shared identifiers explain; an
  over-merged person outside this count was merged through something else (a match, a collision).
  `shared_merge_share` = over-merged via shared / over-merged persons (None when nothing is over-merged).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SharedIdentifierTruth:
    kind: str
    people: tuple[int, ...]


@dataclass
class Truth:
    records: dict[str, int] = field(default_factory=dict)  # record key → true person
    touchpoints: dict[str, int] = field(default_factory=dict)  # touchpoint id → true person
    shared: dict[str, tuple[str, ...]] = field(default_factory=dict)  # record key / touchpoint id → shared keys
    shared_identifiers: dict[str, SharedIdentifierTruth] = field(default_factory=dict)


def truth_line(kind: str, key: str, person: int, shared: tuple[str, ...]) -> str:
    """One line of truth.jsonl for a record (`kind` "record") or a touchpoint ("touchpoint")."""
    line: dict[str, Any] = {kind: key, "person": person}
    if shared:
        line["shared"] = list(shared)
    return json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"


def shared_line(key: str, kind: str, people: Iterable[int]) -> str:
    return json.dumps({"sharedIdentifier": key, "kind": kind, "people": list(people)}, separators=(",", ":")) + "\n"


def read_truth(path: Path, *, touchpoints: bool = True) -> Truth:
    """The truth file as dictionaries; `touchpoints=False` skips touchpoint lines (much smaller)."""
    truth = Truth()
    with path.open(encoding="utf-8") as file:
        for line in file:
            if not touchpoints and line.startswith('{"touchpoint"'):
                continue
            item = json.loads(line)
            if "record" in item:
                key = item["record"]
                truth.records[key] = item["person"]
            elif "touchpoint" in item:
                key = item["touchpoint"]
                truth.touchpoints[key] = item["person"]
            else:
                truth.shared_identifiers[item["sharedIdentifier"]] = SharedIdentifierTruth(
                    item["kind"], tuple(item["people"])
                )
                continue
            if "shared" in item:
                truth.shared[key] = tuple(item["shared"])
    return truth


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass(frozen=True)
class QualityReport:
    items: int  # keys both in the truth and in the prediction: what the figures below are about
    missing: int  # in the truth, not in the prediction
    unknown: int  # in the prediction, not in the truth
    true_people: int
    predicted_persons: int
    true_pairs: int
    predicted_pairs: int
    true_positive_pairs: int
    precision: float
    recall: float
    f1: float
    exact_people: int
    over_merged_persons: int
    split_people: int
    over_merged_via_shared: int
    shared_merge_share: float | None
    bcubed_precision: float = 1.0
    bcubed_recall: float = 1.0
    over_merged: frozenset[str] = field(default=frozenset(), repr=False)  # their predicted person ids
    split: frozenset[int] = field(default=frozenset(), repr=False)  # the true people split

    @property
    def bcubed_f1(self) -> float:
        both = self.bcubed_precision + self.bcubed_recall
        return 2 * self.bcubed_precision * self.bcubed_recall / both if both else 0.0

    @property
    def false_positive_pairs(self) -> int:
        return self.predicted_pairs - self.true_positive_pairs

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "missing": self.missing,
            "unknown": self.unknown,
            "truePeople": self.true_people,
            "predictedPersons": self.predicted_persons,
            "truePairs": self.true_pairs,
            "predictedPairs": self.predicted_pairs,
            "truePositivePairs": self.true_positive_pairs,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "exactPeople": self.exact_people,
            "overMergedPersons": self.over_merged_persons,
            "splitPeople": self.split_people,
            "overMergedViaShared": self.over_merged_via_shared,
            "sharedMergeShare": self.shared_merge_share,
            "bcubedPrecision": self.bcubed_precision,
            "bcubedRecall": self.bcubed_recall,
            "bcubedF1": self.bcubed_f1,
        }

    def summary(self) -> str:
        return (
            f"{self.items:,} items: {self.predicted_persons:,} persons for {self.true_people:,} true people; "
            f"pairwise precision {self.precision:.4f}, recall {self.recall:.4f}, F1 {self.f1:.4f}; "
            f"{self.over_merged_persons:,} over-merged ({self.over_merged_via_shared:,} via shared identifiers), "
            f"{self.split_people:,} split, {self.exact_people:,} exact"
        )


def evaluate(
    predicted: Mapping[str, str],
    truth: Mapping[str, int],
    shared_links: Mapping[str, Collection[str]] | None = None,
) -> QualityReport:
    """How the predicted partition (item key → person id) meets the truth (item key → true person).

    `shared_links`: item key → the shared identifier keys it carries (`Truth.shared`). See the module
    docstring for every figure."""
    # Counting pairs of (predicted id, true person) runs in C; keys the prediction lacks count under None.
    counted: Counter[tuple[str | None, int]] = Counter(zip(map(predicted.get, truth), truth.values(), strict=True))
    joint: Counter[tuple[str, int]] = Counter()
    missing = 0
    for (predicted_id, person), n in counted.items():
        if predicted_id is None:
            missing += n
        else:
            joint[(predicted_id, person)] = n
    unknown = len(predicted) - (len(truth) - missing)

    predicted_sizes = Counter(filter(None, map(predicted.get, truth)))
    true_sizes = Counter(truth.values()) if not missing else Counter(t for k, t in truth.items() if k in predicted)
    people_in = Counter(map(itemgetter(0), joint))  # predicted person → distinct true people
    persons_of = Counter(map(itemgetter(1), joint))  # true person → distinct predicted persons
    together = sum(_pairs(n) for n in joint.values())
    predicted_pairs = sum(_pairs(n) for n in predicted_sizes.values())
    true_pairs = sum(_pairs(n) for n in true_sizes.values())
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    over_merged = frozenset(p for p, n in people_in.items() if n > 1)
    split = frozenset(t for t, n in persons_of.items() if n > 1)
    exact = sum(1 for (p, t) in joint if persons_of[t] == 1 and people_in[p] == 1)
    via_shared = _merged_via_shared(joint, over_merged, predicted, truth, shared_links or {})
    items = sum(joint.values())
    # B-cubed: per item, the share of its person that is its true person (precision) and the share of its true
    # person in its person (recall), averaged over the items: n_pt items each score n_pt / n_p and n_pt / n_t.
    bcubed_precision = sum(n * n / predicted_sizes[p] for (p, _), n in joint.items()) / items if items else 1.0
    bcubed_recall = sum(n * n / true_sizes[t] for (_, t), n in joint.items()) / items if items else 1.0
    return QualityReport(
        items=items,
        missing=missing,
        unknown=unknown,
        true_people=len(true_sizes),
        predicted_persons=len(predicted_sizes),
        true_pairs=true_pairs,
        predicted_pairs=predicted_pairs,
        true_positive_pairs=together,
        precision=precision,
        recall=recall,
        f1=f1,
        exact_people=exact,
        over_merged_persons=len(over_merged),
        split_people=len(split),
        over_merged_via_shared=via_shared,
        shared_merge_share=via_shared / len(over_merged) if over_merged else None,
        bcubed_precision=bcubed_precision,
        bcubed_recall=bcubed_recall,
        over_merged=over_merged,
        split=split,
    )


def _merged_via_shared(
    joint: Mapping[tuple[str, int], int],
    over_merged: frozenset[str],
    predicted: Mapping[str, str],
    truth: Mapping[str, int],
    shared_links: Mapping[str, Collection[str]],
) -> int:
    """How many over-merged persons are explained by shared identifiers (module docstring)."""
    if not over_merged:
        return 0
    holders: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))  # person → shared key → people
    for key, shared in shared_links.items():
        predicted_id = predicted.get(key)
        if predicted_id in over_merged and key in truth:
            for identifier in shared:
                holders[predicted_id][identifier].add(truth[key])
    people: dict[str, list[int]] = defaultdict(list)
    for predicted_id, person in joint:
        if predicted_id in over_merged:
            people[predicted_id].append(person)
    explained = 0
    for predicted_id, members in people.items():
        parent = {person: person for person in members}
        for group in holders.get(predicted_id, {}).values():
            first, *others = group
            for other in others:
                parent[_find(parent, other)] = _find(parent, first)
        if len({_find(parent, person) for person in members}) == 1:
            explained += 1
    return explained


def _find(parent: dict[int, int], x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def label_groups(groups: Iterable[Iterable[str]]) -> dict[str, str]:
    """A partition given as groups of keys, as key → group label (the group's position)."""
    return {key: str(position) for position, group in enumerate(groups) for key in group}
