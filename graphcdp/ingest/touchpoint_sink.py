"""Bulk import of touchpoints: the importer's record sink, answered by the touchpoint service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.model.identity import ItemError, RecordAction, RecordResult, UpsertOutcome
from graphcdp.model.profiles import TouchpointInput
from graphcdp.profiles.service import ProfileService
from graphcdp.profiles.touchpoint_input import decode_touchpoint
from graphcdp.profiles.touchpoints import ParsedTouchpoints


class DryRunUnsupportedError(GraphCDPError):
    code = ErrorCode.DRY_RUN_UNSUPPORTED


class TouchpointSink:
    """Lets `import_file` send JSON Lines of touchpoints to `trackTouchpoints`' service."""

    def __init__(self, profiles: ProfileService) -> None:
        self.profiles = profiles

    @staticmethod
    def decode_item(index: int, raw: Mapping[str, Any]) -> TouchpointInput | ItemError:
        """A JSON line as the TouchpointInput `trackTouchpoints` takes, or its item error."""
        return decode_touchpoint(index, raw)

    async def upsert_records(self, items: Sequence[TouchpointInput], dry_run: bool = False) -> UpsertOutcome:
        _refuse_dry_run(dry_run)
        return await self.upsert_parsed(self.parse_batch(items))

    def parse_batch(self, items: Sequence[TouchpointInput]) -> ParsedTouchpoints:
        """The batch validated, no database work: the importer parses the next batch while one is stored."""
        return self.profiles.parse_batch(items)

    async def upsert_parsed(self, batch: ParsedTouchpoints, dry_run: bool = False) -> UpsertOutcome:
        _refuse_dry_run(dry_run)
        outcome = await self.profiles.track(batch)
        return UpsertOutcome(
            results=[
                RecordResult(index=r.index, person_id=r.person_id or "", action=RecordAction(r.action.value))
                for r in outcome.results
            ],
            errors=outcome.errors,
            persons_created=outcome.persons_created,
            persons_merged=outcome.persons_merged,
        )


def _refuse_dry_run(dry_run: bool) -> None:
    if dry_run:
        raise DryRunUnsupportedError("--dry-run is for records; touchpoints are checked as they are stored")
