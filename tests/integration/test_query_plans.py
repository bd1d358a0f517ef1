"""The statements on the hot read path start from an index, never from a scan of a whole label.

FalkorDB's planner may start a pattern from whichever end has filters; a journey once started from a
scan of every Touchpoint (28 ms instead of 1.6 ms on 6,000 touchpoints). This pins the plans."""

from __future__ import annotations

import pytest

from graphcdp.store.cypher import Query, StatementName
from graphcdp.store.falkordb import SETTLE_ADJACENCY, FalkorDBStore

JOURNEY_REQUEST = {
    "key": "0", "person": "p", "types": ["order"], "channels": ["web"], "from": 0, "to": 2**62,
    "beforeAt": 2**62, "beforeId": "", "limit": 11,
}  # fmt: skip
HOT_READS = {
    "identity/person_by_identifier": {"keys": ["email:a@b.co"]},
    "identity/person_by_id": {"id": "p"},
    "profiles/journey": {"requests": [JOURNEY_REQUEST]},
    "profiles/activity": {"persons": ["p"]},
    "privacy/consents": {"persons": ["p"]},
    "identity/component_hop": {
        "records": ["crm:1"],
        "identifiers": ["email:a@b.co"],
        "persons": ["p"],
        "knownRecords": [],
        "known": [],
    },
    "matching/review_queue": {"after": "", "fromRank": 0, "toRank": 2**26, "first": 21},
    "privacy/suppressed": {"hashes": ["0" * 64]},  # every upsertRecords and trackTouchpoints batch
    "privacy/subject": {"id": "p"},
    "privacy/erase_touchpoints": {"identifiers": ["email:a@b.co"]},
    "privacy/export_touchpoints": {"id": "p"},
}


@pytest.mark.parametrize("name", sorted(HOT_READS))
async def test_hot_reads_start_from_an_index(falkordb_store: FalkorDBStore, name: str) -> None:
    plan = await falkordb_store.plan(Query(StatementName(name), dict), HOT_READS[name])
    assert "Index Scan" in plan, plan
    assert "Label Scan" not in plan and "All Node Scan" not in plan, plan


UPSERTED = {
    "index": 0, "key": "crm:1", "source": "crm", "sourceId": "1", "observedAt": 1, "traits": "{}", "traitKeys": [],
    "contentHash": "h", "identifiers": [{"key": "email:a@b.co", "type": "email", "value": "a@b.co", "blocked": False}],
    "hashes": ["0" * 64], "matchKeys": ["b:lastName=smith", "t:lastName=smith"],
}  # fmt: skip
# Writes of every single upsert: a scan in one of them holds every other command back (they run one at a time).
HOT_WRITES = {
    "identity/upsert_records": {"now": 1, "records": [UPSERTED], "firstHop": True},
    "matching/index_records": {"records": [{"key": "crm:1", "keys": ["b:lastName=smith"]}]},
}


@pytest.mark.parametrize("name", sorted(HOT_WRITES))
async def test_hot_writes_find_what_they_touch_by_index(falkordb_store: FalkorDBStore, name: str) -> None:
    plan = await falkordb_store.plan(Query(StatementName(name), dict), HOT_WRITES[name])
    assert "Label Scan" not in plan and "All Node Scan" not in plan, plan


async def test_a_bulk_write_traverses_no_first_hop(falkordb_store: FalkorDBStore) -> None:
    """A bulk write (no $firstHop) answers no first hop, and reads none: a filter placed after the traversal of each
    created record's identifiers still paid for it (GRAPH.PROFILE: a tenth of a 5,000-record write). Each record
    holds two identifiers; the traversal may produce one (empty) row per record, not one per identifier."""
    records = [
        UPSERTED | {"index": n, "key": f"crm:{n}", "sourceId": str(n), "identifiers": [
            {"key": f"email:{n}@b.co", "type": "email", "value": f"{n}@b.co", "blocked": False},
            {"key": f"phone:+4478{n}", "type": "phone", "value": f"+4478{n}", "blocked": False},
        ]}
        for n in range(3)
    ]  # fmt: skip
    query = Query(StatementName("identity/upsert_records"), dict)
    profile = await falkordb_store.profile(query, {"now": 1, "records": records, "firstHop": False})
    first_hop = [line for line in profile.splitlines() if "held:Identifier" in line]
    assert first_hop, profile
    produced = [int(line.split("Records produced: ")[1].split(",")[0]) for line in first_hop]
    assert max(produced) <= len(records), profile


async def test_the_settle_reads_edges_of_every_type(falkordb_store: FalkorDBStore) -> None:
    """Only a traversal of edges without a type makes FalkorDB synchronise its adjacency matrix, whose pending
    additions otherwise grow with every edge written (docs/performance.md, "Writes slow down with every edge
    written"): a typed traversal would leave them where they are."""
    plan = await falkordb_store.plan(SETTLE_ADJACENCY)
    assert "Traverse | (n)->(m)" in plan, plan
