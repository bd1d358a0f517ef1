"""Bulk import of touchpoints: the importer's record sink, answered by the touchpoint service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphcdp.errors import GraphCDPError
from graphcdp.model.identity import RecordAction, RecordResult, UpsertOutcome
from graphcdp.profiles.service import ProfileService
from graphcdp.profiles.touchpoint_input import decode_touchpoint


class DryRunUnsupportedError(GraphCDPError):
    code = "DRY_RUN_UNSUPPORTED"


class TouchpointSink:
    """Lets `import_file` send JSON Lines of touchpoints to `trackTouchpoints`' service."""

    def __init__(self, profiles: ProfileService) -> None:
        self.profiles = profiles

    async def upsert_records(self, items: Sequence[Mapping[str, Any]], dry_run: bool = False) -> UpsertOutcome:
        if dry_run:
            raise DryRunUnsupportedError("--dry-run is for records; touchpoints are checked as they are stored")
        outcome = await self.profiles.track([decode_touchpoint(index, item) for index, item in enumerate(items)])
        return UpsertOutcome(
            results=[
                RecordResult(index=r.index, person_id=r.person_id or "", action=RecordAction(r.action.value))
                for r in outcome.results
            ],
            errors=outcome.errors,
            persons_created=outcome.persons_created,
            persons_merged=outcome.persons_merged,
        )
