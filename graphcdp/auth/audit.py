"""The audit trail: every admin and privacy action, who did it (the API key's name), what, on what, when.

Call `services.audit.record(actor, action, target)` after the action succeeded: `actor` is the request's key
name (`info.context.principal.name`, or `CLI_ACTOR` for a command), `action` one of `AuditAction` (or a new
dotted name), `target` something that names what was acted on without being personal data: a person id, a
key name, a model version, a record's source key. Entries are read newest first (`auditTrail`, scope admin).
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from enum import StrEnum

from graphcdp.clock import now_ms
from graphcdp.model.auth import AuditEntry
from graphcdp.model.base import NoRow
from graphcdp.model.node_ref import record_key
from graphcdp.store import GraphStore, statement

RECORD_ENTRY = statement("audit/record_entry", NoRow)
ENTRIES = statement("audit/entries", AuditEntry)

_SEQUENCE = itertools.count()
CLI_ACTOR = "cli"  # commands run where the database is (graphcdp keys ...)
SERVICE_ACTOR = "graphcdp serve"  # the service itself (the first admin key)


class AuditAction(StrEnum):
    API_KEY_CREATED = "apiKey.created"
    API_KEY_REVOKED = "apiKey.revoked"
    MATCHING_MODEL_SET = "matchingModel.set"
    RECORD_DELETED = "record.deleted"
    PERSON_FORGOTTEN = "person.forgotten"  # forgetPerson (privacy)
    PERSON_EXPORTED = "person.exported"  # exportPerson, graphcdp export person (privacy)
    SUPPRESSION_LIFTED = "suppression.lifted"  # liftSuppression (privacy)
    DESTINATION_CREATED = "destination.created"  # webhook destinations (admin)
    DESTINATION_PAUSED = "destination.paused"
    DESTINATION_RESUMED = "destination.resumed"
    DESTINATION_DELETED = "destination.deleted"
    DELIVERY_REDELIVERED = "delivery.redelivered"
    SEGMENT_EXPORTED = "segment.exported"  # graphcdp export segment (personal data leaves the service)


def record_target(source: str, source_id: str) -> str:
    """A deleted record as the trail names it: its source and a SHA-256 prefix of its id (an id may be personal,
    and the record is gone; whoever knows the id can check it)."""
    return record_key(source, f"sha256:{hashlib.sha256(source_id.encode('utf-8')).hexdigest()[:16]}")


class AuditTrail:
    def __init__(self, store: GraphStore) -> None:
        self._store = store

    async def record(self, actor: str, action: AuditAction | str, target: str) -> None:
        at = now_ms()
        # Ordered as written within a process (entries of one millisecond too), unique across processes.
        entry_id = f"{at:013d}-{next(_SEQUENCE):09d}-{uuid.uuid4().hex[:12]}"
        await self._store.run(
            RECORD_ENTRY, {"id": entry_id, "at": at, "actor": actor, "action": str(action), "target": target}
        )

    async def entries(self, limit: int, after: tuple[int, str] | None = None) -> list[AuditEntry]:
        """Up to `limit` entries, newest first, after the (at, id) of the last entry already seen."""
        after_at, after_id = after if after else (None, None)
        return await self._store.run(ENTRIES, {"afterAt": after_at, "afterId": after_id, "limit": limit})
