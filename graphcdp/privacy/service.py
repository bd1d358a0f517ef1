"""PrivacyService: erasure (forgetPerson), suppression (liftSuppression) and subject export (exportPerson),
as the API and the command line use them."""

from __future__ import annotations

from typing import Any

from graphcdp.identity.listeners import ChangedData
from graphcdp.identity.service import IdentityService
from graphcdp.model.privacy import Erasure
from graphcdp.privacy.compaction import CompactionSchedule
from graphcdp.privacy.erasure import forget_person
from graphcdp.privacy.export import export_person
from graphcdp.settings import Settings


class PrivacyService:
    def __init__(self, identity: IdentityService, settings: Settings) -> None:
        self.identity = identity
        self.store = identity.store
        self.compaction = CompactionSchedule(identity.store, settings.erasure_compaction)

    async def forget_person(self, person_id: str) -> Erasure:
        """Erase a person and tombstone her identifiers; her values leave the disk at the next compaction."""
        erasure = await forget_person(self.store, self.identity.rules, self.identity.suppression, person_id)
        # Her Person nodes are gone with their memberships; the persons her kept identifiers went to change.
        await self.identity.listeners.changed(erasure.person_ids, {ChangedData.EVIDENCE})
        await self.compaction.erased()
        return erasure

    async def lift_suppression(self, type_: str, value: str) -> bool:
        """Let records and touchpoints with this identifier in again; whether it was suppressed."""
        return await self.identity.suppression.lift(self.identity.normalize_key(type_, value))

    async def export_person(self, person_id: str) -> dict[str, Any]:
        return await export_person(self.store, await self.identity.person(person_id), person_id)

    async def close(self) -> None:
        """Run a compaction still owed to an erasure before the database stops."""
        await self.compaction.close()
