"""What a start does before the service answers, and what it may skip.

Migrations bring a graph an older graphcdp wrote up to date; each scans the whole graph, so each runs until the
graph records it as done (graphcdp/lifecycle/migrations.py). The crash repairs (graphcdp/identity/repair.py) also
scan every record and every person, so they run only when a recorded run of graphcdp ended without finishing its
writes (graphcdp/lifecycle/runs.py), or on a graph from before runs were recorded; the process that starts keeps
looking for such runs at each beat, so a worker that died is repaired without waiting for the next start. At
100,000 people the scans took 11 s of every start; at 10 million they would take minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from graphcdp.errors import GraphCDPError
from graphcdp.identity.facet_repair import fill_missing_facets
from graphcdp.identity.matching.review import rank_stored_entries
from graphcdp.identity.repair import empty_recordless_persons, rekey_records, resolve_unresolved_records
from graphcdp.identity.rules import ResolutionRules
from graphcdp.lifecycle.migrations import migrate_once, migrations_done
from graphcdp.lifecycle.runs import BEAT_SECONDS, ServiceRun
from graphcdp.store import GraphStore

log = logging.getLogger(__name__)

# Migrations, by the name a graph records them under once done.
REKEYED = "record-keys-escaped"  # records of a source holding ':' or '\' under their unambiguous key
RANKED = "review-queue-ranked"  # review queue entries with the rank the queue is read by
RUNS_RECORDED = "runs-recorded"  # the crash repairs run once on a graph from before runs were recorded
FACETS = "segment-facets"  # persons and touchpoints with the facets segment conditions read


async def _nothing() -> None:
    """RUNS_RECORDED's own work: none beyond the repairs its absence asks for."""


@dataclass
class StartUpReport:
    """What a start found to do (`graphcdp repair` prints it)."""

    rekeyed: int = 0  # records given their unambiguous key
    ranked: int = 0  # review queue entries given a rank
    resolved: int = 0  # records a cut-short write left without a person
    emptied: int = 0  # persons left without a record
    repaired: bool = False  # whether the crash repairs ran


class StartUp:
    def __init__(
        self, store: GraphStore, rules: ResolutionRules, run: ServiceRun, load_model: Callable[[], Awaitable[None]]
    ) -> None:
        self.store = store
        self.rules = rules
        self.run = run
        self.load_model = load_model
        self._repairing = asyncio.Lock()  # the start's repair and a beat's
        self.report = StartUpReport()
        self._background: asyncio.Task[None] | None = None

    async def start(
        self, *, repair: bool = False, beat_seconds: float = BEAT_SECONDS, background: bool = False
    ) -> StartUpReport:
        """Record this run; the migrations a graph has not had; the stored model; the crash repairs if a run ended
        without finishing its writes (at each beat too). `repair`: every migration and repair, whatever the
        graph records. `background`: the crash repairs run beside the service (`graphcdp serve`), which answers
        meanwhile: what they resolve was never acknowledged, and resolution is correct beside other writers; a
        start after a crash at millions of customers would otherwise not answer for minutes."""
        await self.run.open(beat_seconds, watch=self.repair_if_needed)
        done = await migrations_done(self.store)
        await migrate_once(self.store, REKEYED, self._rekey_records, done, again=repair)
        await migrate_once(self.store, RANKED, self._rank_review_queue, done, again=repair)
        await self.load_model()  # before the repairs: they resolve, and match, with it
        always = repair or RUNS_RECORDED not in done
        repairs = self._repair_then_record(always=always, done=done, reraise=not background)
        if background:
            self._background = asyncio.create_task(repairs, name="graphcdp-start-up-repairs")
        else:
            await repairs
        await migrate_once(self.store, FACETS, lambda: fill_missing_facets(self.store), done, again=repair)
        return self.report

    async def _repair_then_record(self, *, always: bool, done: set[str], reraise: bool) -> None:
        """The crash repairs, then the record that a graph from before runs were recorded had them. `reraise`: a
        failure stops the start; beside the service it is logged instead (by its code: messages may name records)."""
        try:
            await self.repair_if_needed(always=always)
        except Exception as exc:
            if reraise:
                raise
            why = exc.code.value if isinstance(exc, GraphCDPError) else type(exc).__name__
            log.error("the start-up repairs failed (the next start tries again): %s", why)
            return
        await migrate_once(self.store, RUNS_RECORDED, _nothing, done)

    async def repaired(self) -> None:
        """Wait for the start-up repairs running in the background, if any."""
        if self._background is not None:
            await asyncio.shield(self._background)

    async def stop(self) -> None:
        """Stop the start-up repairs if they still run (what they did not reach, the next start repairs)."""
        if self._background is not None and not self._background.done():
            self._background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._background

    async def repair_if_needed(self, *, always: bool = False) -> None:
        """Resolve the records a cut-short write left without a person and empty the persons a cut-short delete
        left without a record, if a recorded run ended without finishing its writes, this one did not finish one,
        or `always`. Runs found ended are forgotten once repaired."""
        async with self._repairing:
            ended = await self.run.ended_runs()
            own = self.run.unfinished
            if not (always or ended or own):
                return
            if ended or own:
                log.warning(
                    "runs of graphcdp that ended without finishing their writes: %d; repairing", len(ended) + int(own)
                )
            self.run.unfinished = False  # a write cut short from now on marks the run again
            try:
                if repaired := await resolve_unresolved_records(self.store, self.rules):
                    log.warning("resolved %d records stored without a person (an interrupted upsert)", repaired)
                if emptied := await empty_recordless_persons(self.store, self.rules):
                    log.warning("emptied %d persons without a record (an interrupted delete)", emptied)
                self.report.resolved += repaired
                self.report.emptied += emptied
                self.report.repaired = True
            except BaseException:
                self.run.unfinished = self.run.unfinished or own
                raise
            await self.run.forget(ended)

    async def _rekey_records(self) -> None:
        self.report.rekeyed += (rekeyed := await rekey_records(self.store))
        if rekeyed:
            log.warning("re-keyed %d records whose source holds ':' or '\\' (unambiguous record keys)", rekeyed)

    async def _rank_review_queue(self) -> None:
        self.report.ranked += (ranked := await rank_stored_entries(self.store))
        if ranked:
            log.info("ranked %d review queue entries stored before the queue was ranked", ranked)
