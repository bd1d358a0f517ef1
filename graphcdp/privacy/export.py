"""Subject export (exportPerson, `graphcdp export person`): everything held about a person, with sources
and times, as one JSON document.

Parts: the person (ids retired into her, created/updated, history), her records (source, sourceId,
observedAt, traits, the identifiers each holds and since when), her identifiers, the golden traits with the
records each value came from, the touchpoints done with her identifiers, every consent statement (the
history) and those in force, the probabilistic links, review pairs and reviewers' decisions touching her
records, and her segments (graphcdp has no segments yet: always an empty list).
"""

from __future__ import annotations

from typing import Any

from graphcdp.clock import now_ms
from graphcdp.model.identity import Person
from graphcdp.model.privacy import (
    ExportIdentifier,
    ExportMatch,
    ExportRecord,
    ExportTouchpoint,
    Subject,
    export_document,
)
from graphcdp.privacy.consent import consent_statements, effective_consents
from graphcdp.privacy.erasure import PersonNotFoundError, subject
from graphcdp.store import GraphStore, statement

EXPORT_RECORDS = statement("privacy/export_records", ExportRecord)
EXPORT_IDENTIFIERS = statement("privacy/export_identifiers", ExportIdentifier)
EXPORT_TOUCHPOINTS = statement("privacy/export_touchpoints", ExportTouchpoint)
EXPORT_MATCHES = statement("privacy/export_matches", ExportMatch)
EXPORT_FORMAT = 1


async def export_person(store: GraphStore, person: Person | None, person_id: str) -> dict[str, Any]:
    """The export of the person `person_id` leads to (`person`: her profile, read by the caller)."""
    if person is None:
        raise PersonNotFoundError("no person has this id")
    found: Subject = await subject(store, person.id)
    params = {"id": person.id}
    records = sorted(await store.run(EXPORT_RECORDS, params), key=lambda r: (r.observed_at or 0, r.key))
    identifiers = sorted(await store.run(EXPORT_IDENTIFIERS, params), key=lambda i: i.key)
    touchpoints = sorted(await store.run(EXPORT_TOUCHPOINTS, params), key=lambda t: (t.occurred_at or 0, t.id))
    matches = sorted(await store.run(EXPORT_MATCHES, params), key=lambda m: (m.kind, m.record, m.other))
    statements = (await consent_statements(store, [person.id]))[0]
    return export_document(
        format=EXPORT_FORMAT,
        exportedAt=now_ms(),
        person={
            "id": person.id,
            "askedFor": person_id,
            "retiredIds": sorted(p for p in found.persons if p != person.id),
            "createdAt": person.created_at,
            "updatedAt": person.updated_at,
            "history": person.history,
        },
        records=records,
        identifiers=identifiers,
        goldenTraits=_golden_with_sources(person.traits, records),
        touchpoints=touchpoints,
        consents={"history": statements, "inForce": effective_consents(statements)},
        matchDecisions=matches,
        segments=[],  # graphcdp has no segments yet
    )


def _golden_with_sources(golden: dict[str, Any], records: list[ExportRecord]) -> list[dict[str, Any]]:
    """Each golden trait with the records that hold its value (the one it was taken from among them)."""
    return [
        {
            "trait": trait,
            "value": value,
            "sources": [
                {"source": r.source, "sourceId": r.source_id, "observedAt": r.observed_at}
                for r in records
                if r.traits.get(trait) == value
            ],
        }
        for trait, value in sorted(golden.items())
    ]
