"""Linking evidence from observations that are not source records: touchpoints and consent statements.

Each distinct set of linking identifiers becomes one evidence record (source `graphcdp.<kind>`), which
the resolver treats like any other record. So an identifier seen only on a touchpoint gets an anonymous
person, a touchpoint that carries a cookie and an email links them, and the merge rules, explanations
and splits are the ones records have.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphcdp.clock import now_ms
from graphcdp.identity.additions import MIN_BATCH, NewEvidence, resolve_additions
from graphcdp.identity.input import RESERVED_SOURCE_PREFIX
from graphcdp.identity.normalize import NormalizedIdentifier
from graphcdp.identity.pieces import resolve_batch
from graphcdp.identity.planner import Plan
from graphcdp.identity.rules import ResolutionRules
from graphcdp.model.identity import UpsertedEvidence
from graphcdp.model.node_ref import record_key
from graphcdp.store import GraphStore, statement

UPSERT_EVIDENCE = statement("identity/upsert_evidence", UpsertedEvidence)
MAX_READABLE_ID = 200  # longer identifier sets are named by their hash, to keep record keys short


@dataclass(frozen=True)
class Observation:
    identifiers: tuple[NormalizedIdentifier, ...]
    at: int  # epoch ms


@dataclass
class EvidenceOutcome:
    person_of: dict[str, str]  # evidence record key → person id after resolution
    plan: Plan | None  # of the records the full resolver resolved
    created: list[str] = field(default_factory=list)  # every person created, by either road


def evidence_key(kind: str, identifiers: Iterable[NormalizedIdentifier]) -> str | None:
    """The evidence record key of an identifier set, or None when nothing in it can link."""
    keys = sorted({i.key for i in identifiers if not i.blocked})
    if not keys:
        return None
    return record_key(f"{RESERVED_SOURCE_PREFIX}{kind}", _source_id(keys))


def _source_id(keys: list[str]) -> str:
    readable = "+".join(keys)
    return readable if len(readable) <= MAX_READABLE_ID else hashlib.sha256(readable.encode()).hexdigest()


def evidence_rows(kind: str, observations: Sequence[Observation]) -> list[dict[str, Any]]:
    """The evidence records of these observations (parameters of upsert_evidence): one per distinct set of
    linking identifiers, observed at the earliest observation that carried it."""
    source = f"{RESERVED_SOURCE_PREFIX}{kind}"
    sets: dict[str, tuple[int, int, list[NormalizedIdentifier]]] = {}  # key → first, last, identifiers
    for observation in observations:
        key = evidence_key(kind, observation.identifiers)
        if key is None:
            continue
        first, last, linking = sets.get(key, (observation.at, observation.at, []))
        linking = linking or sorted((i for i in observation.identifiers if not i.blocked), key=lambda i: i.key)
        sets[key] = (min(first, observation.at), max(last, observation.at), linking)
    return [
        {
            "key": key,
            "source": source,
            "sourceId": key.removeprefix(record_key(source, "")),
            "contentHash": hashlib.sha256(key.encode()).hexdigest(),
            "observedAt": first,
            "lastSeenAt": last,
            "identifiers": [{"key": i.key, "type": i.type, "value": i.value, "blocked": False} for i in linking],
        }
        for key, (first, last, linking) in sets.items()
    ]


async def record_evidence(
    store: GraphStore, rules: ResolutionRules, kind: str, observations: Sequence[Observation]
) -> EvidenceOutcome:
    """Write the evidence records of these observations and resolve the ones that are new or earlier: in a
    large batch, those that only add to one person (or make one) in a few statements
    (graphcdp/identity/additions.py), the others with the full resolver."""
    evidence = evidence_rows(kind, observations)
    if not evidence:
        return EvidenceOutcome({}, None)
    rows = await store.run(UPSERT_EVIDENCE, {"now": now_ms(), "evidence": evidence})
    person_of = {row.key: row.person for row in rows if row.person}
    changed = sorted(row.key for row in rows if not row.unchanged)
    created: list[str] = []
    if len(changed) >= MIN_BATCH:
        # New sets, and stored ones an earlier observation moved back (they keep their person).
        stale = {row.key: row.person for row in rows if not row.unchanged}
        new = [
            NewEvidence(ev["key"], tuple((i["key"], i["type"]) for i in ev["identifiers"]), stale[ev["key"]])
            for ev in evidence
            if ev["key"] in stale
        ]
        added = await resolve_additions(store, rules, new)
        person_of.update(added.person_of)
        created += added.created
        changed = [key for key in changed if key not in added.person_of]
    plan = None
    if changed:
        plan = await resolve_batch(store, rules, changed)
        person_of.update({k: plan.person_of_record[k] for k in changed if k in plan.person_of_record})
        created += plan.created
    return EvidenceOutcome(person_of, plan, created)
