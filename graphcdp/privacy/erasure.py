"""Erasure (forgetPerson): remove everything that identifies or describes a person, and leave tombstones.

What goes: her records (evidence records of her touchpoints and consent statements among them), the
identifiers only she holds, the touchpoints (orders among them) reached only through those, the consent
statements given through them, the review pairs, match links and reviewers' decisions touching her records,
the match keys only her records were filed under, and the Person node with every id retired into her (her
golden traits, history and search text are properties of those). Her ids then answer as unknown. Her events
leave the change feed, her ids the events of others; one ERASED event, naming only her ids, tells systems
downstream to erase her too.

What stays: an identifier a record of another person also holds (a household email) stays with that
person, with the touchpoints and consent statements given through it. The rest of her former cluster is
resolved again, as after deleteRecord.

Tombstones are written first, so a record carrying one of her identifiers that arrives during the erasure
is refused (SUPPRESSED) rather than resurrecting her. Erased values leave the database's files at the next
compaction (graphcdp/privacy/compaction.py).
"""

from __future__ import annotations

import json
import logging

from graphcdp.clock import now_ms
from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.feed.erasure import forget_changes
from graphcdp.identity.resolver import resolve
from graphcdp.identity.rules import ResolutionRules
from graphcdp.identity.suppression import Suppression
from graphcdp.model.feed import ChangeEvent, ChangeKind, change_params
from graphcdp.model.privacy import Erasure, PersonHistory, Removed, RemovedLinks, ScrubbedPerson, Subject
from graphcdp.store import GraphStore, statement

SUBJECT = statement("privacy/subject", Subject)
ERASE_MATCH_LINKS = statement("privacy/erase_match_links", RemovedLinks)
ERASE_MATCH_KEYS = statement("privacy/erase_match_keys", Removed)
ERASE_TOUCHPOINTS = statement("privacy/erase_touchpoints", Removed)
ERASE_CONSENTS = statement("privacy/erase_consents", Removed)
ERASE_RECORDS = statement("privacy/erase_records", Removed)
ERASE_IDENTIFIERS = statement("privacy/erase_identifiers", Removed)
ERASE_PERSONS = statement("privacy/erase_persons", Removed)
PERSON_HISTORIES = statement("privacy/person_histories", PersonHistory)
SCRUB_HISTORIES = statement("privacy/scrub_histories", ScrubbedPerson)
ERASED = "erased"  # what her keys become in the histories of the persons next to her

log = logging.getLogger(__name__)


class PersonNotFoundError(GraphCDPError):
    code = ErrorCode.PERSON_NOT_FOUND


async def subject(store: GraphStore, person_id: str) -> Subject:
    """The person an id leads to, with what an erasure must weigh; PERSON_NOT_FOUND for an unknown id."""
    rows = await store.run(SUBJECT, {"id": person_id})
    if not rows:
        raise PersonNotFoundError("no person has this id")
    return rows[0]


async def _scrub_histories(store: GraphStore, persons: list[str], keys: list[str]) -> None:
    """Her record and identifier keys out of the history and refused links of the persons next to her (a
    link refused between her record and one of theirs names her record)."""
    rewrite = [(json.dumps(key), json.dumps(ERASED)) for key in keys]
    rewrite += [(json.dumps(f"record:{key}"), json.dumps(f"record:{ERASED}")) for key in keys]

    def scrubbed(text: str) -> str:
        for needle, replacement in rewrite:
            text = text.replace(needle, replacement)
        return text

    changed = []
    for row in await store.run(PERSON_HISTORIES, {"persons": persons}):
        history, rejections = [scrubbed(e) for e in row.history], [scrubbed(r) for r in row.rejections]
        if history != row.history or rejections != row.rejections:
            changed.append({"id": row.id, "version": row.version, "history": history, "rejections": rejections})
    if changed:
        await store.run(SCRUB_HISTORIES, {"persons": changed})


def _removed(rows: list[Removed]) -> int:
    return rows[0].removed if rows else 0


async def forget_person(store: GraphStore, rules: ResolutionRules, suppression: Suppression, person_id: str) -> Erasure:
    """Erase the person `person_id` leads to; what was removed, and where the rest of her cluster went."""
    found = await subject(store, person_id)
    records = found.records
    erased = sorted(i.key for i in found.identifiers if i.others == 0)
    kept = sorted(i.key for i in found.identifiers if i.others > 0)
    result = Erasure(person=found.person, identifiers_kept=len(kept))
    # Placeholders (blocked values such as "unknown") are not hers to suppress: everyone would be refused.
    blocked = {i.key for i in found.identifiers if i.blocked}
    result.tombstones = await suppression.add([k for k in erased if k not in blocked])
    links = (await store.run(ERASE_MATCH_LINKS, {"records": records}))[0]
    result.pairs = links.pairs + links.links
    result.match_keys = _removed(await store.run(ERASE_MATCH_KEYS, {"records": records}))
    result.touchpoints = _removed(await store.run(ERASE_TOUCHPOINTS, {"identifiers": erased}))
    result.consents = _removed(await store.run(ERASE_CONSENTS, {"identifiers": erased}))
    result.records = _removed(await store.run(ERASE_RECORDS, {"records": records}))
    result.identifiers = _removed(await store.run(ERASE_IDENTIFIERS, {"identifiers": erased}))
    # Her Person nodes go before the rest is resolved: kept identifiers then belong to nobody, and the
    # resolution hands them to the persons of the records that hold them, with no trace of her.
    await forget_changes(store, found.persons)  # her events leave the feed; ERASED, appended below, stays
    gone = ChangeEvent(ChangeKind.ERASED, found.person, {"ids": sorted(found.persons)})
    result.persons = _removed(
        await store.run(ERASE_PERSONS, {"persons": found.persons, "now": now_ms(), "changes": change_params([gone])})
    )
    if kept or links.others:
        plan = await resolve(store, rules, record_keys=links.others, identifier_keys=kept)
        result.person_ids = plan.persons
        await _scrub_histories(store, plan.persons, [*records, *erased])
    log.info(
        "erased a person: %d records, %d identifiers (%d kept with others), %d touchpoints, %d consents",
        result.records,
        result.identifiers,
        len(kept),
        result.touchpoints,
        result.consents,
    )
    return result
