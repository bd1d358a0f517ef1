"""Start-up repair: records a crash left without a person are resolved (issue 17, finding 11), persons without a
record are emptied (finding 3), and records stored under an older, ambiguous key are re-keyed (finding 9).

Upserting a batch stores its records, then resolves them; a service killed between the two leaves records that no
lookup reaches until their source sends them again. Every start looks for them, a page at a time, and resolves
each page as an upsert would have.
"""

from __future__ import annotations

import logging
import time

from graphcdp.errors import GraphCDPError
from graphcdp.identity.resolver import resolve
from graphcdp.identity.rules import ResolutionRules
from graphcdp.model.identity import RecordlessPerson, RekeyedRecord, UnresolvedRecord
from graphcdp.model.inputs import RESERVED_SOURCE_PREFIX
from graphcdp.store import GraphStore, statement

log = logging.getLogger(__name__)

UNRESOLVED_RECORDS = statement("identity/unresolved_records", UnresolvedRecord)
REPAIR_PAGE = 100  # records resolved together: a page is one resolution, its component bounded as any
PROGRESS_EVERY = 10.0  # seconds between two log lines of a long repair


class Progress:
    """A log line every PROGRESS_EVERY seconds while a repair goes on (one after a crash mid-import can take long)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.last = time.monotonic()

    def tell(self, done: int) -> None:
        if time.monotonic() - self.last >= PROGRESS_EVERY:
            self.last = time.monotonic()
            log.info("start-up repair: %d %s so far", done, self.what)


async def resolve_unresolved_records(store: GraphStore, rules: ResolutionRules, page: int = REPAIR_PAGE) -> int:
    """Resolve every record that has no person; how many there were. Each record is looked at once per start
    (paged by key), so one that cannot be resolved does not hold the start up."""
    repaired, after = 0, ""
    progress = Progress("records stored without a person resolved")
    while rows := await store.run(UNRESOLVED_RECORDS, {"after": after, "limit": page}):
        keys = [row.key for row in rows]
        await resolve(store, rules, record_keys=keys)
        repaired += len(keys)
        after = keys[-1]
        progress.tell(repaired)
    return repaired


RECORDLESS_PERSONS = statement("identity/recordless_persons", RecordlessPerson)


async def empty_recordless_persons(store: GraphStore, rules: ResolutionRules, page: int = REPAIR_PAGE) -> int:
    """Resolve again around every live person that holds no record (older builds made one of each identifier a
    type limit refused): resolution empties it, and its identifiers join the person of a record that links them,
    or none. How many there were; each is looked at once per start, as above."""
    emptied, after = 0, ""
    progress = Progress("persons without a record emptied")
    while rows := await store.run(RECORDLESS_PERSONS, {"after": after, "limit": page}):
        identifiers = [key for row in rows for key in row.identifiers]
        try:
            await resolve(store, rules, identifier_keys=identifiers, extra_persons=[row.id for row in rows])
            emptied += len(rows)
        except GraphCDPError as error:  # a component too large, say: the start goes on, the persons wait
            log.warning("%d persons without a record stay: %s", len(rows), error.code.value)
        after = rows[-1].id
        progress.tell(emptied)
    return emptied


PARK_RECORD_KEYS = statement("identity/park_record_keys", RekeyedRecord)
REKEY_RECORDS = statement("identity/rekey_records", RekeyedRecord)
PARKING = f"{RESERVED_SOURCE_PREFIX}rekey:"  # a key prefix no record has: clients cannot send a graphcdp. source


async def rekey_records(store: GraphStore) -> int:
    """Give every record stored under an older, ambiguous key (a source with `:` or `\\`) its escaped key; how
    many there were. Runs at each start: a label scan filtered on the source, cheap next to loading the graph. In
    two steps, parking first, as one record's new key may be the old key of another that moves too."""
    params = {"colon": ":", "backslash": "\\", "parking": PARKING}
    await store.run(PARK_RECORD_KEYS, params)
    return len(await store.run(REKEY_RECORDS, params))
