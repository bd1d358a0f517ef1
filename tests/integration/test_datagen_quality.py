"""Generated data through real identity resolution, judged against the generator's truth.

What deterministic resolution must do on this data follows from the data itself, not from magic numbers:
put its records into the connected components of the evidence (records linked by shared non-blocked
identifiers) and, inside a component, merge everything unless a type limit forbids it. So:

- a true person is necessarily split when her records lie in several components (an email typo or
  missing contact data left a record without a link), or when they hold more values of a type than its
  limit (a second customer account: merge protection);
- she can only be split in addition when her component holds other people too (shared identifiers:
  which side of a rejected link a record lands on depends on the evidence order);
- a predicted person holding several true people is only possible through identifiers the generator
  shared on purpose (family email, family tablet): every over-merge must be explained by them, and the
  wrongly paired records are at most the cross-person pairs inside multi-person components.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graphcdp.identity.input import ParsedRecord, parse_record_item
from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.identity.service import IdentityService
from graphcdp.model.identity import RecordInput
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from graphcdp_bench.datagen import GeneratorConfig, MessRates, QualityReport, evaluate, read_truth, write_dataset
from graphcdp_bench.datagen.quality import Truth, label_groups
from tests.identity_helpers import partition

BATCH = 500


@pytest.fixture
async def identity(store: GraphStore) -> AsyncIterator[IdentityService]:
    # What the evidence allows is derived for deterministic linking; matching is judged in bench/ (F1).
    yield IdentityService(store, load_settings(matching=False))


@dataclass
class Expected:
    components: int
    necessarily_split: set[int]
    may_split: set[int]
    over_accounts: set[int]  # true people holding two customer_ids
    cross_pairs: int  # pairs of records of different people inside one component


def _expected(records: list[ParsedRecord], truth: Truth, policy: IdentifierPolicy) -> Expected:
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    values: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for record in records:
        find(f"r:{record.key}")
        for identifier in record.identifiers:
            if not identifier.blocked:
                parent[find(f"r:{record.key}")] = find(f"i:{identifier.key}")
                values[truth.records[record.key]][identifier.type].add(identifier.key)
    component_of = {r.key: find(f"r:{r.key}") for r in records}
    components_of: dict[int, set[str]] = defaultdict(set)
    people_in: dict[str, set[int]] = defaultdict(set)
    sizes: Counter[tuple[str, int]] = Counter()
    for key, component in component_of.items():
        person = truth.records[key]
        components_of[person].add(component)
        people_in[component].add(person)
        sizes[(component, person)] += 1
    over_limit = {
        person
        for person, types in values.items()
        if any(len(keys) > policy.limit(type_) for type_, keys in types.items())
    }
    necessarily = {person for person, components in components_of.items() if len(components) > 1} | over_limit
    crowded = {component for component, people in people_in.items() if len(people) > 1}
    may = necessarily | {person for component in crowded for person in people_in[component]}
    component_sizes = Counter(component_of.values())
    cross = sum(math.comb(component_sizes[c], 2) for c in crowded) - sum(
        math.comb(n, 2) for (c, _), n in sizes.items() if c in crowded
    )
    accounts = {person for person, types in values.items() if len(types.get("customer_id", ())) > 1}
    return Expected(len(people_in), necessarily, may, accounts, cross)


async def _resolve(identity: IdentityService, out: Path, people: int, seed: int, rates: MessRates) -> tuple[
    QualityReport, Expected, dict[str, Any]
]:  # fmt: skip
    manifest = write_dataset(out, GeneratorConfig(people, seed, touchpoints=False, rates=rates), progress=False)
    items = [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    for start in range(0, len(items), BATCH):
        outcome = await identity.upsert_records([RecordInput.model_validate(i) for i in items[start : start + BATCH]])
        assert outcome.errors == []
    truth = read_truth(out / "truth.jsonl")
    report = evaluate(label_groups(await partition(identity.store)), truth.records, truth.shared)
    policy = IdentifierPolicy.from_settings(load_settings())
    parsed = [parse_record_item(i, item, policy) for i, item in enumerate(items)]
    records = [r for r in parsed if isinstance(r, ParsedRecord)]
    return report, _expected(records, truth, policy), manifest


async def test_messy_data_resolves_as_its_evidence_allows(identity: IdentityService, tmp_path: Path) -> None:
    report, expected, manifest = await _resolve(identity, tmp_path, 300, 7, MessRates())
    print(report.summary())
    mess = manifest["mess"]
    assert (report.items, report.missing, report.unknown) == (manifest["records"], 0, 0)
    assert report.true_people == 300

    # Splits: every forced one happens, and none beyond what shared identifiers make possible.
    assert mess["second_customer_account"]["injected"] > 0 and mess["email_typo"]["injected"] > 0
    assert len(expected.over_accounts) == mess["second_customer_account"]["injected"]
    assert expected.over_accounts <= expected.necessarily_split <= report.split <= expected.may_split
    assert report.recall < 1.0 and report.split_people >= len(expected.necessarily_split)
    assert report.predicted_persons >= expected.components

    # Over-merges: only through the family emails and tablets the generator shared.
    assert manifest["sharedIdentifiers"]["household_email"]["heldBySeveral"] > 0
    assert report.over_merged_via_shared == report.over_merged_persons
    assert report.false_positive_pairs <= expected.cross_pairs
    assert report.precision >= 1 - expected.cross_pairs / report.predicted_pairs


async def test_data_without_mess_resolves_exactly(identity: IdentityService, tmp_path: Path) -> None:
    report, expected, manifest = await _resolve(identity, tmp_path, 200, 8, MessRates.none())
    assert expected.necessarily_split == expected.may_split == set() and expected.components == 200
    assert (report.precision, report.recall) == (1.0, 1.0)
    assert report.predicted_persons == report.exact_people == report.true_people == 200
    assert report.items == manifest["records"]
