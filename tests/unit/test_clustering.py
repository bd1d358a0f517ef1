"""The clustering is a function of the evidence, not of the order it arrived in."""

from __future__ import annotations

import itertools

from graphcdp.identity.clustering import RecordNode, cluster

TYPES = {"customer_id:A": "customer_id", "customer_id:B": "customer_id", "email:f": "email", "cookie_id:k": "cookie_id"}
PRIORITY = {"customer_id": 10, "email": 40, "cookie_id": 70}
LIMIT = {"customer_id": 1, "email": 5, "cookie_id": 50}


def partition(records: list[RecordNode]) -> set[frozenset[str]]:
    result = cluster(records, TYPES, PRIORITY.__getitem__, LIMIT.__getitem__)
    return {frozenset(g.records) for g in result.groups if g.records}


RECORDS = [
    RecordNode("r1", 1, ("customer_id:A", "email:f")),
    RecordNode("r2", 2, ("customer_id:B", "email:f")),
    RecordNode("r3", 3, ("email:f", "cookie_id:k")),
    RecordNode("r4", 4, ("cookie_id:k",)),
]


def test_same_clusters_in_every_arrival_order() -> None:
    expected = partition(RECORDS)
    assert expected == {frozenset({"r1", "r3", "r4"}), frozenset({"r2"})}
    for order in itertools.permutations(RECORDS):
        assert partition(list(order)) == expected


def test_merge_protection_records_the_refused_link() -> None:
    result = cluster(RECORDS, TYPES, PRIORITY.__getitem__, LIMIT.__getitem__)
    assert [(r.record, r.identifier) for r in result.rejections] == [("r2", "email:f")]
    assert "customer_id" in result.rejections[0].reason


def test_detached_record_stands_alone() -> None:
    records = [RecordNode("r1", 1, ("email:f",)), RecordNode("r2", 2, ("email:f", "cookie_id:k"), detached=True)]
    result = cluster(records, {"email:f": "email", "cookie_id:k": "cookie_id"}, PRIORITY.__getitem__, LIMIT.__getitem__)
    groups = {frozenset(g.records): set(g.identifiers) for g in result.groups}
    assert groups == {frozenset({"r1"}): {"email:f"}, frozenset({"r2"}): {"cookie_id:k"}}
