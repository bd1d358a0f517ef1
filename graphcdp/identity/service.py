"""Identity resolution as the API and the bulk import use it: upsert, detach, delete, look up, explain."""

from __future__ import annotations

import functools
import json
import logging
import time
from collections import Counter, defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from graphcdp.batch import check_batch_size, items_failed, parse_items
from graphcdp.batch import decode_item as decode_input
from graphcdp.clock import now_ms
from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.component import Component, CreatedRecords, IdentifierState, MatchEdge, RecordState
from graphcdp.identity.input import ParsedRecord, parse_record
from graphcdp.identity.listeners import ChangedData, PersonChanges
from graphcdp.identity.matching.active_model import MatchingRuntime
from graphcdp.identity.matching.link_kind import LinkKind
from graphcdp.identity.matching.matcher import Matcher, MatchInput, MatchReport, Prepared, ScoredPair
from graphcdp.identity.matching.review import ReviewItem, record_decision, review_page
from graphcdp.identity.matching.spec import MatchingModel, load_model, parse_model
from graphcdp.identity.matching.storage import active_model, active_model_version, store_model
from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.identity.pieces import MIN_BATCH, joined, resolve_batch
from graphcdp.identity.planner import Plan
from graphcdp.identity.reach import plan_reach
from graphcdp.identity.resolver import resolve
from graphcdp.identity.rules import ResolutionRules
from graphcdp.identity.startup import StartUp, StartUpReport
from graphcdp.identity.suppression import Suppression
from graphcdp.identity.upsert_groups import UpsertGroups
from graphcdp.lifecycle.runs import BEAT_SECONDS, ServiceRun
from graphcdp.model.feed import ChangeKind, change_for_statement
from graphcdp.model.identity import (
    ComponentIdentifierRow,
    ComponentRecordRow,
    DeletedRecord,
    DetachedRecord,
    EvidenceEdge,
    HopKind,
    ItemError,
    ItemWarning,
    KeyedPerson,
    LinkExplanation,
    LinkHop,
    MatchLink,
    MatchSummary,
    Person,
    RecordAction,
    RecordInput,
    RecordResult,
    RejectedLink,
    SkippedBlock,
    SourceRecord,
    UpsertedRecord,
    UpsertOutcome,
)
from graphcdp.model.node_ref import identifier_ref, record_ref
from graphcdp.model.node_ref import record_key as node_record_key
from graphcdp.settings import Settings
from graphcdp.store import GraphStore, statement
from graphcdp.store.settle import SettleAfterWrites

UPSERT_RECORDS = statement("identity/upsert_records", UpsertedRecord)
PERSON_BY_ID = statement("identity/person_by_id", Person)
PERSON_BY_IDENTIFIER = statement("identity/person_by_identifier", KeyedPerson)
RECORD_BY_KEY = statement("identity/record_by_key", SourceRecord)
PERSON_EVIDENCE = statement("identity/person_evidence", EvidenceEdge)
PERSON_MATCHES = statement("identity/person_matches", MatchLink)
DETACH_RECORD = statement("identity/detach_record", DetachedRecord)
DELETE_RECORD = statement("identity/delete_record", DeletedRecord)


class RecordNotFoundError(GraphCDPError):
    code = ErrorCode.RECORD_NOT_FOUND


log = logging.getLogger(__name__)


def record_key(source: str, source_id: str) -> str:
    """The key of a record named as a caller names it (surrounding blanks ignored, as when it was stored)."""
    return node_record_key(source.strip(), source_id.strip())


class IdentityService:
    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.policy = IdentifierPolicy.from_settings(settings)
        self.max_batch = settings.max_batch_size
        self.matching = MatchingRuntime(
            load_model(settings.matching_model), enabled=settings.matching, identifying=settings.identifying_traits
        )
        self.matcher = Matcher(store, self.matching)
        self.suppression = Suppression(store)  # tombstones of erased identifiers: SUPPRESSED items
        self.listeners = PersonChanges()  # told of the persons each mutation changed, before it returns
        self.settle = SettleAfterWrites(store, settings.settle_after_items)  # also counts touchpoints, segments
        self.groups = UpsertGroups(self._upsert_requests, settings.upsert_group_records)
        self._model_refresh = settings.matching_model_refresh
        self._model_checked = time.monotonic()
        self._stored_version: int | None = None  # of the stored model in force; None: the file's or the shipped
        self.rules = ResolutionRules(
            policy=self.policy,
            source_priority=tuple(settings.source_priority),
            shared_after_rejections=settings.shared_after_rejections,
            max_component_records=settings.max_component_records,
            retries=settings.resolution_retries,
            matching=self.matching if settings.matching else None,
        )
        self.run = ServiceRun(store)  # this process's run, recorded on the graph: a crash is repaired at the next start
        self.startup = StartUp(store, self.rules, self.run, self.load_stored_model)

    # --- the matching model --------------------------------------------------------------------

    async def start(
        self, *, repair: bool = False, beat_seconds: float = BEAT_SECONDS, background: bool = False
    ) -> StartUpReport:
        """Start-up work (graphcdp/identity/startup.py): record this run, the migrations an older graph needs, the
        stored model, the repairs a run that ended without finishing its writes calls for. `repair`: the
        migrations and the repairs whatever the graph says (`graphcdp repair`); `background`: the repairs beside
        the service (`graphcdp serve`)."""
        return await self.startup.start(repair=repair, beat_seconds=beat_seconds, background=background)

    async def close(self) -> None:
        """Stop the start-up repairs if they still run; remove this run's record, or leave it marked when a write
        was cut short (the next start repairs)."""
        await self.startup.stop()
        await self.run.close()

    async def load_stored_model(self) -> None:
        """Use the active model stored in the graph, if any (a trained or admin-set one beats the file)."""
        self._model_checked = time.monotonic()
        if (model := await active_model(self.store)) is not None:
            self.matching.activate(model)
            self._stored_version = model.version

    async def set_matching_model(self, data: object) -> MatchingModel:
        """Validate, store as the next version and activate; a refused model leaves the running one."""
        model = await store_model(self.store, parse_model(data, "setMatchingModel"))
        self.matching.activate(model)
        self._stored_version = model.version
        return model

    async def _refresh_model(self) -> None:
        """Switch to a model another process stored since (trained, or set through its admin API)."""
        if time.monotonic() - self._model_checked < self._model_refresh:
            return
        self._model_checked = time.monotonic()
        version = await active_model_version(self.store)
        if version is None or version == self._stored_version:
            return
        try:
            await self.load_stored_model()
        except GraphCDPError as exc:  # a running service keeps matching with the model it has
            log.error("stored matching model version %s not used: %s", version, exc.message)

    # --- the review queue ---------------------------------------------------------------------

    async def review_queue(self, first: int, after: str | None) -> tuple[list[ReviewItem], bool]:
        return await review_page(self.store, first, after)

    async def resolve_match(self, match_id: str, accept: bool) -> list[str]:
        """Accept (link) or reject (never again) a pair of records; their persons afterwards."""
        a, b = await record_decision(self.store, match_id, accept)
        plan = await resolve(self.store, self.rules, record_keys=[a, b])
        await self.resolved(plan)
        return sorted({plan.person_of_record[a], plan.person_of_record[b]})

    async def resolved(self, plan: Plan, *kinds: ChangedData) -> None:
        """Tell the listeners what a committed resolution changed (and what else the mutation did)."""
        await self.listeners.changed(
            plan.persons, {ChangedData.EVIDENCE, *kinds}, retired=plan.retired, reach=plan_reach(plan)
        )

    def normalize_key(self, type_: str, value: str) -> str:
        return self.policy.normalize(type_, value).key

    # --- writes -------------------------------------------------------------------------------

    @staticmethod
    def decode_item(index: int, raw: Mapping[str, Any]) -> RecordInput | ItemError:
        """A bulk import line as a record input (graphcdp.ingest.bulk.RecordSink)."""
        return decode_input(RecordInput, index, raw)

    async def upsert_records(self, items: Sequence[RecordInput | ItemError], dry_run: bool = False) -> UpsertOutcome:
        """Upsert records; an ItemError in `items` is an input that did not decode: it answers for itself,
        at its own index, and the rest go on. A small upsert arriving while this process writes another waits
        and is written with the others that waited (graphcdp/identity/upsert_groups.py)."""
        check_batch_size(len(items), self.max_batch, "records", "upsertRecords")
        if not dry_run and self.groups.takes(len(items)):
            return await self.groups.upsert(items)
        return (await self._upsert_requests([items], dry_run))[0]

    def parse_batch(self, items: Sequence[RecordInput | ItemError]) -> ParsedBatch:
        """A bulk import's batch parsed, with its match features and keys: no database work, safe in a thread, so the
        importer parses the next batch while this one is written (graphcdp/ingest/bulk.py)."""
        check_batch_size(len(items), self.max_batch, "records", "upsertRecords")
        records, errors = parse_items(items, functools.partial(self._parse, 0))
        features = self.matcher.prepare(_match_input(r) for r in records) if self.matching.enabled else None
        return ParsedBatch(len(items), records, errors, features)

    async def upsert_parsed(self, batch: ParsedBatch, dry_run: bool = False) -> UpsertOutcome:
        """`upsert_records` of a batch `parse_batch` parsed (never grouped: a bulk batch is written on its own)."""
        return (await self._upsert_requests([batch], dry_run))[0]

    async def _upsert_requests(
        self, requests: Sequence[Sequence[RecordInput | ItemError] | ParsedBatch], dry_run: bool = False
    ) -> list[UpsertOutcome]:
        """The requests' items (or a parsed batch) written as one batch; each request's answer about its own items."""
        spans: list[range] = []
        combined = UpsertOutcome()
        parsed: list[ParsedRecord] = []
        features = None
        for items in requests:
            base = spans[-1].stop if spans else 0
            if isinstance(items, ParsedBatch):  # parsed at index 0: the only request
                spans.append(range(base, base + items.size))
                parsed += items.records
                combined.errors += items.errors
                features = items.features
                continue
            spans.append(range(base, base + len(items)))
            valid, invalid = parse_items(items, functools.partial(self._parse, base))
            parsed += valid
            combined.errors += invalid
        if parsed and dry_run:  # a write refuses erased identifiers in its own statement (_upsert)
            parsed, suppressed = await self.suppression.refuse(parsed, lambda r: r.identifiers, lambda r: r.index)
            combined.errors += suppressed
        report = MatchReport()
        plan = None
        if parsed:
            if dry_run:
                await self._dry_run(parsed, combined)
            else:
                with self.run.finishing():  # stores, then resolves: cut short in between, the next start repairs
                    report, plan = await self._upsert(parsed, combined, spans, features)
        combined.results.sort(key=lambda r: r.index)
        combined.errors.sort(key=lambda e: e.index)
        refused = {e.index for e in combined.errors}
        combined.warnings = [w for record in parsed for w in record.warnings if record.index not in refused]
        if len(spans) == 1:
            return [combined]
        return _split(combined, report, plan, parsed, spans)

    def _parse(self, base: int, index: int, item: RecordInput | ItemError) -> ParsedRecord | ItemError:
        """Item `index` of a request whose items start at `base` of the batch (graphcdp/identity/upsert_groups.py)."""
        if isinstance(item, ItemError):
            return item.model_copy(update={"index": base + index})
        return parse_record(base + index, item, self.policy)

    async def _upsert(
        self,
        records: list[ParsedRecord],
        outcome: UpsertOutcome,
        spans: Sequence[range],
        features: Prepared | None = None,
    ) -> tuple[MatchReport, Plan | None]:
        hashes = await self.suppression.hashes(i.key for r in records for i in r.identifiers)
        params = [record_param(r) | {"hashes": sorted({hashes[i.key] for i in r.identifiers})} for r in records]
        prepared = None
        if self.matching.enabled:  # the write files each changed record under its match keys too
            await self._refresh_model()
            inputs = [_match_input(r) for r in records]
            # Parsed ahead under the model in force then: computed again if another model is in force now.
            covered = features is not None and features.covers(inputs, self.matching.model)
            prepared = features if covered and features is not None else self.matcher.prepare(inputs)
            for param in params:
                param["matchKeys"] = prepared.keys(param["key"])
        first_hop = len(params) < MIN_BATCH
        rows = await self.store.run(UPSERT_RECORDS, {"now": now_ms(), "records": params, "firstHop": first_hop})
        by_index = {row.index: row for row in rows}
        if refused := [r for r in records if r.index not in by_index]:  # an erased identifier: not written
            outcome.errors += await self.suppression.explain(refused, lambda r: r.identifiers, lambda r: r.index)
            records = [r for r in records if r.index in by_index]
        changed = [r for r in records if not by_index[r.index].unchanged]
        report = MatchReport()
        plan = None
        if changed:
            matched = not self.matching.enabled
            try:
                if not matched:
                    report.add(await self._match(changed, by_index, prepared))
                    matched = True
                created = created_records(changed, by_index, params, report, answered=first_hop)
                plan = await resolve_batch(self.store, self.rules, [r.key for r in changed], created)
            except GraphCDPError as exc:
                if len(spans) == 1:
                    self.run.mark_unfinished()  # stored, not resolved: the next start (or beat) resolves them
                    outcome.errors += items_failed((r.index for r in changed), exc)
                else:  # one request's trouble (a component too large, ...) stays its own: each resolved alone
                    plan = await self._resolve_each(
                        changed, by_index, spans, outcome, report, matched=matched, prepared=prepared
                    )
        if plan:
            await self.resolved(plan)
        self._report(records, by_index, plan, outcome)
        outcome.matching = _summary(report)
        await self.settle.wrote(len(records))
        return report, plan

    async def _resolve_each(
        self,
        changed: list[ParsedRecord],
        rows: Mapping[int, UpsertedRecord],
        spans: Sequence[range],
        outcome: UpsertOutcome,
        report: MatchReport,
        *,
        matched: bool,
        prepared: Prepared | None,
    ) -> Plan | None:
        """The changed records of a group whose resolution failed, resolved request by request (and matched, unless
        the group's matching was done: `report` has it, and gains each request's otherwise)."""
        plans = []
        for span in spans:
            theirs = [r for r in changed if r.index in span]
            if not theirs:
                continue
            try:
                if not matched:
                    report.add(await self._match(theirs, rows, prepared))
                plans.append(await resolve_batch(self.store, self.rules, [r.key for r in theirs]))
            except GraphCDPError as exc:
                self.run.mark_unfinished()
                outcome.errors += items_failed((r.index for r in theirs), exc)
        return joined(plans, now_ms()) if plans else None

    async def _match(
        self, records: list[ParsedRecord], rows: Mapping[int, UpsertedRecord], prepared: Prepared | None
    ) -> MatchReport:
        """Probabilistic matching of changed records, which the write filed under their match keys (its `rows`
        answered with the keys' sizes, `prepared` their features): links stored before they are resolved."""
        # Only changed records are matched here: their old links are stale whatever they scored.
        created = {r.key for r in records if rows[r.index].created}
        sizes = {k.key: k.size for r in records for k in rows[r.index].key_sizes}
        inputs = [_match_input(r) for r in records]
        return await self.matcher.match(
            inputs, now_ms(), new_content=True, fresh=created, indexed=sizes, prepared=prepared
        )

    async def _dry_run(self, records: list[ParsedRecord], outcome: UpsertOutcome) -> None:
        incoming = {r.key: r for r in records}  # the last of duplicates wins, as when writing
        stored_hashes: dict[str, str | None] = {}
        links: list[ScoredPair] = []
        if self.matching.enabled:
            await self._refresh_model()
            report, scored = await self.matcher.preview([_match_input(r) for r in incoming.values()])
            outcome.matching = _summary(report)
            links = [pair for pair in scored if pair.kind == LinkKind.MATCHED]
        linked = sorted({key for pair in links for key in (pair.a, pair.b)} - incoming.keys())

        def add_incoming(component: Component) -> None:
            for record in incoming.values():
                existing = component.records.get(record.key)
                if existing is not None:
                    stored_hashes[record.key] = existing.content_hash
                for identifier in record.identifiers:
                    state = component.identifiers.setdefault(
                        identifier.key,
                        IdentifierState(identifier.key, identifier.type, identifier.blocked, False, [], None),
                    )
                    if record.key not in state.records:
                        state.records.append(record.key)
                component.records[record.key] = RecordState(
                    key=record.key,
                    source=record.source,
                    observed_at=record.observed_at,
                    traits=record.traits,
                    detached=existing.detached if existing else False,
                    version=existing.version if existing else 0,
                    degree=len(record.identifiers),
                    identifiers=sorted(i.key for i in record.identifiers if not i.blocked),
                    content_hash=record.content_hash,
                    person=existing.person if existing else None,
                    matches=existing.matches if existing else [],
                    cannot=existing.cannot if existing else [],
                )
            if self.matching.enabled:
                _preview_links(component, stored_hashes, incoming, links, self.matching.rule)

        identifier_keys = [i.key for r in records for i in r.identifiers if not i.blocked]
        plan = await resolve(
            self.store,
            self.rules,
            record_keys=[*incoming, *linked],
            identifier_keys=identifier_keys,
            patch=add_incoming,
            commit=False,
        )
        by_index = {  # what writing would have answered
            r.index: UpsertedRecord(
                index=r.index,
                key=r.key,
                created=r.key not in stored_hashes,
                unchanged=stored_hashes.get(r.key) == r.content_hash,
            )
            for r in records
        }
        self._report(records, by_index, plan, outcome)

    def _report(
        self,
        records: list[ParsedRecord],
        rows: Mapping[int, UpsertedRecord],
        plan: Plan | None,
        outcome: UpsertOutcome,
    ) -> None:
        failed = {e.index for e in outcome.errors}
        for record in records:
            if record.index in failed:
                continue
            row = rows[record.index]
            person = plan.person_of_record.get(record.key) if plan else None
            if row.unchanged or person is None:
                action = RecordAction.UNCHANGED
                person = person or row.person or ""
            elif plan and plan.merged_into(person):
                action = RecordAction.MERGED
            else:
                action = RecordAction.CREATED if row.created else RecordAction.UPDATED
            outcome.results.append(RecordResult(index=record.index, person_id=person, action=action))
        if plan:
            outcome.persons_created = plan.created
            outcome.persons_merged = sorted(plan.retired)
            outcome.links_rejected = [
                RejectedLink(record=r.record, identifier=r.identifier, reason=r.reason) for r in plan.rejections
            ]

    async def detach_record(self, source: str, source_id: str) -> list[str]:
        key = record_key(source, source_id)
        removed = change_for_statement(ChangeKind.RECORD_REMOVED, {"source": source, "how": "DETACHED"})
        if not await self.store.run(DETACH_RECORD, {"key": key, "now": now_ms(), "change": removed}):
            raise RecordNotFoundError(f"no record {key!r}")
        plan = await resolve(self.store, self.rules, record_keys=[key])
        await self.resolved(plan)
        return plan.persons

    async def delete_record(self, source: str, source_id: str) -> list[str]:
        key = record_key(source, source_id)
        removed = change_for_statement(ChangeKind.RECORD_REMOVED, {"source": source, "how": "DELETED"})
        rows = await self.store.run(DELETE_RECORD, {"key": key, "now": now_ms(), "change": removed})
        if not rows:
            raise RecordNotFoundError(f"no record {key!r}")
        deleted = rows[0]
        with self.run.finishing():  # a person left without its record, if cut short before resolving
            plan = await resolve(
                self.store,
                self.rules,
                record_keys=deleted.matched,
                identifier_keys=deleted.identifiers,
                extra_persons=[deleted.person] if deleted.person else [],
            )
        await self.resolved(plan)
        return plan.persons

    # --- reads --------------------------------------------------------------------------------

    async def person(self, person_id: str) -> Person | None:
        rows = await self.store.run(PERSON_BY_ID, {"id": person_id})
        return rows[0] if rows else None

    async def profile(self, type_: str, value: str) -> Person | None:
        return (await self.profiles_by_key([self.normalize_key(type_, value)]))[0]

    async def profiles_by_key(self, keys: Sequence[str]) -> list[Person | None]:
        """The persons of normalized identifier keys, in one round trip (the DataLoader's batch function)."""
        found: dict[str, Person] = {
            row.key: row for row in await self.store.run(PERSON_BY_IDENTIFIER, {"keys": list(keys)})
        }
        return [found.get(k) for k in keys]

    async def record(self, source: str, source_id: str) -> SourceRecord | None:
        rows = await self.store.run(RECORD_BY_KEY, {"key": record_key(source, source_id)})
        return rows[0] if rows else None

    async def explain_link(self, a: tuple[str, str], b: tuple[str, str]) -> LinkExplanation:
        key_a, key_b = self.normalize_key(*a), self.normalize_key(*b)
        person_a, person_b = await self.profiles_by_key([key_a, key_b])
        if not person_a or not person_b:
            missing = key_a if not person_a else key_b
            return LinkExplanation(linked=False, person_id=None, hops=[], reason=f"{missing} belongs to no person")
        if person_a.id != person_b.id:
            return LinkExplanation(
                linked=False, person_id=None, hops=[], reason="the identifiers belong to different persons"
            )
        person = person_a.id
        evidence = await self.store.run(PERSON_EVIDENCE, {"id": person})
        matches = await self.store.run(PERSON_MATCHES, {"id": person})
        hops = _evidence_path(evidence, matches, key_a, key_b)
        return LinkExplanation(linked=True, person_id=person, hops=hops, reason=_link_reason(hops))


@dataclass(frozen=True)
class ParsedBatch:
    """A batch of `size` items parsed before any database work: its valid records, the item errors of the others
    (indexes within the batch) and, with matching on, the records' match features and keys."""

    size: int
    records: list[ParsedRecord]
    errors: list[ItemError]
    features: Prepared | None


def _split(
    combined: UpsertOutcome, report: MatchReport, plan: Plan | None, records: list[ParsedRecord], spans: Sequence[range]
) -> list[UpsertOutcome]:
    """A group's outcome (graphcdp/identity/upsert_groups.py) as each request's answer about its own items, at
    its own indexes. Persons created or merged, and links refused, go to the first request with a record
    there (as if the requests had come one after another); whatever names none of them, to the first."""
    owner = {r.key: n for n, span in enumerate(spans) for r in records if r.index in span}
    person_owner: dict[str, int] = {}
    for result in combined.results:
        n = next(n for n, span in enumerate(spans) if result.index in span)
        person_owner[result.person_id] = min(n, person_owner.get(result.person_id, n))
    outcomes = []
    for n, span in enumerate(spans):
        outcomes.append(
            UpsertOutcome(
                results=[_shift(r, span) for r in combined.results if r.index in span],
                errors=[_shift(e, span) for e in combined.errors if e.index in span],
                warnings=[_shift(w, span) for w in combined.warnings if w.index in span],
                matching=_summary(report.of({key for key, of in owner.items() if of == n})),
            )
        )
    if plan is not None:
        for person in plan.created:
            outcomes[person_owner.get(person, 0)].persons_created.append(person)
        for retired, into in sorted(plan.retired.items()):
            outcomes[person_owner.get(into or "", 0)].persons_merged.append(retired)
        for link in combined.links_rejected:
            outcomes[owner.get(link.record, 0)].links_rejected.append(link)
    return outcomes


Indexed = TypeVar("Indexed", RecordResult, ItemError, ItemWarning)


def _shift(item: Indexed, span: range) -> Indexed:
    """A result, error or warning of a group at its index within its own request."""
    return item.model_copy(update={"index": item.index - span.start})


def _match_input(record: ParsedRecord) -> MatchInput:
    linking = tuple(i.key for i in record.identifiers if not i.blocked)
    return MatchInput(record.key, record.traits, linking, record.content_hash)


def _summary(report: MatchReport) -> MatchSummary:
    return MatchSummary(
        pairs_scored=report.pairs_scored,
        matched=report.matched,
        possible=report.possible,
        blocks_skipped=[SkippedBlock(key=k, size=n) for k, n in sorted(report.skipped_blocks.items())],
    )


def _preview_links(
    component: Component,
    stored_hashes: Mapping[str, str | None],
    incoming: Mapping[str, ParsedRecord],
    links: Sequence[ScoredPair],
    rule: str,
) -> None:
    """A dry run's component as matching would leave it: an incoming record with new content loses the
    links scored from its old content (a reviewer's stay) and gains those the preview scored MATCHED."""
    changed = {k for k, r in incoming.items() if stored_hashes.get(k) != r.content_hash}
    for record in component.records.values():
        record.matches = [
            m for m in record.matches if m.reviewed or (record.key not in changed and m.other not in changed)
        ]
    for pair in links:
        if pair.a in component.records and pair.b in component.records:
            probability = pair.score.probability
            component.records[pair.a].matches.append(MatchEdge(pair.b, probability, False, rule))
            component.records[pair.b].matches.append(MatchEdge(pair.a, probability, False, rule))


def created_records(
    records: list[ParsedRecord],
    rows: Mapping[int, UpsertedRecord],
    params: list[dict[str, Any]],
    report: MatchReport,
    *,
    answered: bool,
) -> CreatedRecords | None:
    """The records the write created (its rows' `held`), as the component's first hop would read them: their
    identifiers as stored, with every record holding each and the person owning it, and the links matching stored
    for them. Resolution takes these instead of reading them back. A bulk write (not asked for `held`) answers for
    the records it created without their identifiers (`answered` false): the first hop reads those (CreatedRecords)."""
    links: dict[str, list[tuple[str, float | None, bool, str | None]]] = defaultdict(list)
    for link in report.links:
        links[link.a].append((link.b, link.score, False, link.rule))
        links[link.b].append((link.a, link.score, False, link.rule))
    written = {param["key"]: param for param in params}
    # A key sent twice in one write is stored as its last copy, and the first copy's row speaks of another content.
    sent = Counter(param["key"] for param in params)
    found: list[ComponentRecordRow] = []
    identifiers: list[ComponentIdentifierRow] = []
    for record in records:
        row = rows[record.index]
        held = row.held
        if not row.created or (answered and held is None) or sent[record.key] > 1:
            continue
        found.append(
            ComponentRecordRow(
                key=record.key,
                source=record.source,
                observed_at=record.observed_at,
                traits=json.loads(written[record.key]["traits"]),  # as stored, so as a read gives them
                version=row.version,
                content_hash=record.content_hash,
                # A bulk write's: as it was given them, blocked as the first hop reads them (CreatedRecords).
                held=[(i.key, i.blocked) for i in held] if held is not None else _as_given(record),
                matched=links.get(record.key, []),
                cannot=[],
            )
        )
        identifiers += [
            ComponentIdentifierRow(
                key=i.key, type=i.type, blocked=False, shared=i.shared, records=i.records, person=i.person
            )
            for i in held or ()
            if not i.blocked
        ]
    if not found:
        return None
    return CreatedRecords(found, identifiers if answered else None)


def _as_given(record: ParsedRecord) -> list[tuple[str, bool]]:
    """A record's identifiers as its write was given them, each once: (key, blocked by today's policy)."""
    return list({i.key: (i.key, i.blocked) for i in record.identifiers}.values())


def record_param(record: ParsedRecord) -> dict[str, Any]:
    return {
        "index": record.index,
        "key": record.key,
        "source": record.source,
        "sourceId": record.source_id,
        "observedAt": record.observed_at,
        "traits": json.dumps(record.traits, sort_keys=True, default=str),
        "traitKeys": sorted(record.traits),
        "contentHash": record.content_hash,
        "identifiers": [
            {"key": i.key, "type": i.type, "value": i.value, "blocked": i.blocked} for i in record.identifiers
        ],
    }


def _match_hop(link: MatchLink, towards: str) -> LinkHop:
    """A probabilistic hop between two records, towards `towards` ("a" or "b")."""
    if towards == "a":
        key, source, source_id, away = link.a, link.a_source, link.a_source_id, link.b
    else:
        key, source, source_id, away = link.b, link.b_source, link.b_source_id, link.a
    return LinkHop(
        from_key=record_ref(away),
        to_key=record_ref(key),
        source=source,
        source_id=source_id,
        at=link.at,
        kind=HopKind.MATCH,
        score=link.score,
        rule=link.rule,
        reviewed=link.reviewed,
        explanation=link.detail,
    )


def _evidence_path(evidence: list[EvidenceEdge], matches: list[MatchLink], start: str, goal: str) -> list[LinkHop]:
    """Shortest path inside one person (breadth first) between two identifier keys: identifier → record →
    identifier hops, and record → record hops where a probabilistic match links them. Nodes are node
    references (graphcdp.model.node_ref): a record key may equal an identifier key."""
    neighbours: dict[str, list[tuple[str, LinkHop]]] = {}
    for edge in sorted(evidence, key=lambda e: (e.record, e.identifier)):
        record, identifier = record_ref(edge.record), identifier_ref(edge.identifier)
        neighbours.setdefault(identifier, []).append(
            (
                record,
                LinkHop(from_key=identifier, to_key=record, source=edge.source, source_id=edge.source_id, at=edge.at),
            )
        )
        neighbours.setdefault(record, []).append(
            (
                identifier,
                LinkHop(from_key=record, to_key=identifier, source=edge.source, source_id=edge.source_id, at=edge.at),
            )
        )
    for link in sorted(matches, key=lambda m: (m.a, m.b)):
        neighbours.setdefault(record_ref(link.a), []).append((record_ref(link.b), _match_hop(link, "b")))
        neighbours.setdefault(record_ref(link.b), []).append((record_ref(link.a), _match_hop(link, "a")))
    start, goal = identifier_ref(start), identifier_ref(goal)
    came_from: dict[str, tuple[str, LinkHop] | None] = {start: None}
    queue = deque([start])
    while queue and goal not in came_from:
        node = queue.popleft()
        for nxt, hop in neighbours.get(node, []):
            if nxt not in came_from:
                came_from[nxt] = (node, hop)
                queue.append(nxt)
    if goal not in came_from or start == goal:
        return []
    hops: list[LinkHop] = []
    node = goal
    while (step := came_from[node]) is not None:
        node, hop = step
        hops.append(hop)
    return hops[::-1]


def _link_reason(hops: Sequence[LinkHop]) -> str:
    """One line on what the path rests on: shared identifiers alone, or probabilistic matches too."""
    if not hops:
        return "same identifier"
    matches = [hop for hop in hops if hop.kind == HopKind.MATCH]
    if not matches:
        return "linked through shared records"
    reviewed = sum(hop.reviewed for hop in matches)
    counts = [
        f"{n} {how}" for n, how in ((len(matches) - reviewed, "automatic"), (reviewed, "accepted by a reviewer")) if n
    ]
    return f"linked through shared records and matches: {', '.join(counts)}"
