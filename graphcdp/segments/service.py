"""SegmentService: segments saved, deleted, read, previewed and explained, and their members kept current.

A segment's members are `(Person)-[:IN {since}]->(Segment)` edges. They are written by one compiled refresh
statement (graphcdp/segments/compiler.py) that evaluates a set of segments for a set of persons and makes the
edges agree, with an event in each person's history per change: in full when a segment is saved, for the
persons a mutation changed before it returns (graphcdp/segments/maintenance.py), and for time-dependent
segments on a timer (graphcdp/segments/sweep.py).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from graphcdp.clock import now_ms
from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.service import IdentityService
from graphcdp.model.identity import Membership, Person
from graphcdp.model.segments import (
    ActiveIdentifier,
    ConditionOutcome,
    Explanation,
    MemberPage,
    Preview,
    StoredSegment,
)
from graphcdp.predictions.service import PredictionService
from graphcdp.profiles.metrics import MetricsConfig
from graphcdp.segments.compiler import compile_explain, compile_preview, compile_refresh, dialect_of
from graphcdp.segments.definition import (
    Definition,
    Dependency,
    InvalidSegment,
    Reads,
    SegmentError,
    check_segment_key,
    parse_definition,
    reads,
    referenced_segments,
    time_dependent,
    touches,
)
from graphcdp.segments.explanation import explanation
from graphcdp.segments.selection import Need, reached
from graphcdp.segments.store import SegmentStore
from graphcdp.segments.sweep_windows import SweepWindows, sweep_windows
from graphcdp.settings import Settings
from graphcdp.store import GraphStore, statement
from graphcdp.webhooks.consent import ConsentRule, consenting

log = logging.getLogger(__name__)

ACTIVE_IDENTIFIERS = statement("segments/active_identifiers", ActiveIdentifier)

CONSENT_SCAN_PAGE = 500  # members read at a time for a consent-filtered page
MAX_SCANNED = 10_000  # members a consent-filtered page reads at most before it answers

MAX_TEXT = 1000  # characters of a name or description
SWEEP_BATCH = 1000  # persons re-checked by one refresh statement of a sweep
# How far before the last sweep's clock the next one looks back: a refresh of a mutation that read the clock
# before that sweep may have written its answer after it.
SWEEP_OVERLAP_MS = 10 * 60 * 1000


class SegmentNotFoundError(GraphCDPError):
    code = ErrorCode.SEGMENT_NOT_FOUND


class SegmentInUseError(GraphCDPError):
    code = ErrorCode.SEGMENT_IN_USE


class PersonNotFoundError(GraphCDPError):
    code = ErrorCode.PERSON_NOT_FOUND


@dataclass(frozen=True)
class SweepResult:
    """What a sweep did: memberships changed, persons re-checked for the `targeted` segments (those whose
    windows bound who can change), and the segments re-evaluated over every person (`full`)."""

    changes: int
    rechecked: int
    targeted: tuple[str, ...]
    full: tuple[str, ...]


@dataclass(frozen=True)
class Segment:
    """A stored segment with its parsed definition."""

    stored: StoredSegment
    definition: Definition
    reads: Reads

    @property
    def key(self) -> str:
        return self.stored.key


class SegmentService:
    def __init__(
        self,
        store: GraphStore,
        identity: IdentityService,
        settings: Settings,
        clock: Callable[[], int] = now_ms,
        predictions: PredictionService | None = None,
    ) -> None:
        self.store = store
        self.dialect = dialect_of(store)
        self.base_metrics = MetricsConfig.from_settings(settings)  # what metric conditions compare, as Person.metrics
        self.predictions = predictions  # probabilityAlive conditions compare with the prediction model in force
        self.segments = SegmentStore(store)
        self.identity = identity
        self.clock = clock  # epoch ms; tests move it to let time pass
        self._parsed: dict[str, Definition] = {}  # fingerprint → definition, parsed once
        # The stored segments as last read, with the version they were read at (see `stored`).
        self._cached: tuple[tuple[int, int], dict[str, Segment]] | None = None
        self._swept_at: int | None = None  # the clock of the last complete sweep of this process
        # Persons re-evaluated per segment key by `refresh` and `refresh_needs` (what maintenance costs; the
        # tests read it to see which segments a change re-evaluated).
        self.refreshed: Counter[str] = Counter()

    @property
    def metrics(self) -> MetricsConfig:
        """The metrics' settings, with the BG/NBD parameters of the prediction model in force (probabilityAlive)."""
        alive = self.predictions.alive_parameters if self.predictions else None
        return replace(self.base_metrics, alive=alive) if alive else self.base_metrics

    # --- reading the stored segments ---------------------------------------------------------------------

    def _segment(self, stored: StoredSegment) -> Segment:
        definition = self._parsed.get(stored.fingerprint)
        if definition is None:
            definition = parse_definition(stored.definition, self.identity.policy)
            self._parsed[stored.fingerprint] = definition
        return Segment(stored, definition, reads(definition))

    async def stored(self) -> dict[str, Segment]:
        """Every stored segment by key. Another process may have saved or deleted one since the last call:
        every save and delete raises the stored version (in the same statement), which is read first here, so
        the copy kept is reused only while nothing changed (a copy read after a newer save is merely read
        again next time)."""
        version = await self.segments.version()
        if self._cached is not None and self._cached[0] == version:
            return dict(self._cached[1])
        current = {s.key: self._segment(s) for s in await self.segments.all()}
        self._cached = (version, current)
        return dict(current)

    async def every(self) -> list[StoredSegment]:
        return await self.segments.all()

    async def by_key(self, keys: Sequence[str]) -> list[StoredSegment | None]:
        return await self.segments.by_key(keys)

    async def sizes(self, keys: Sequence[str]) -> list[int]:
        return await self.segments.sizes(keys)

    async def members(self, key: str, first: int, after: str | None, consent: ConsentRule | None = None) -> MemberPage:
        """A page of members by person id; with a consent rule, only those whose consent in force allows it (as
        for webhook destinations and exports). Such a page reads at most MAX_SCANNED members, so a segment of
        few consenting members cannot hold a request: it may come back short, resuming where it stopped."""
        if consent is None:
            return await self.segments.members(key, first, after or "")
        kept: list[Person] = []
        cursor, scanned = after or "", 0
        while True:
            page = await self.segments.members(key, max(first, CONSENT_SCAN_PAGE), cursor)
            allowed = await consenting(self.store, consent, [p.id for p in page.members])
            for index, person in enumerate(page.members):
                if person.id in allowed:
                    kept.append(person)
                if len(kept) == first:
                    more = index + 1 < len(page.members) or page.has_next
                    read = scanned + index + 1
                    return MemberPage(
                        members=kept, total=page.total, has_next=more, resume_after=person.id, scanned=read
                    )
            scanned += len(page.members)
            if not page.has_next or not page.members:
                return MemberPage(members=kept, total=page.total, has_next=False, scanned=scanned)
            cursor = page.members[-1].id
            if scanned >= MAX_SCANNED:
                return MemberPage(members=kept, total=page.total, has_next=True, resume_after=cursor, scanned=scanned)

    async def memberships(self, persons: Sequence[str]) -> list[list[Membership]]:
        return await self.segments.memberships(persons)

    # --- saving and deleting -----------------------------------------------------------------------------

    async def save(
        self, key: str, raw: object, name: str | None = None, description: str | None = None
    ) -> StoredSegment:
        """Create or replace a segment and evaluate it over every person (and the segments built on it).
        A name or description left out keeps the stored one."""
        problems = _check_texts(key, name, description)
        try:
            definition = parse_definition(raw, self.identity.policy)
        except InvalidSegment as exc:
            raise InvalidSegment([*problems, *exc.errors]) from None
        if problems:
            raise InvalidSegment(problems)
        stored = await self.stored()
        _check_references(key, definition, stored)
        previous = stored.get(key)
        segment = StoredSegment(
            key=key,
            name=name if name is not None else previous.stored.name if previous else None,
            description=description if description is not None else previous.stored.description if previous else None,
            definition=definition.canonical_json(),
            fingerprint=definition.fingerprint(),
            dependencies=sorted(d.value for d in touches(definition)),
            references=sorted(referenced_segments(definition)),
            time_dependent=time_dependent(definition),
            created_at=0,
            updated_at=0,
        )
        saved = await self.segments.save(segment, self.clock())
        stored[key] = Segment(saved, definition, reads(definition))
        self._parsed[saved.fingerprint] = definition
        if previous is None:  # nobody can be a member yet, nor can any segment be built on it
            await self._evaluate([key], stored, persons=None, fresh=True)
        elif previous.stored.fingerprint != saved.fingerprint:
            await self._evaluate(with_dependents([key], stored), stored, persons=None)
        return saved

    async def delete(self, key: str) -> bool:
        """Delete a segment and its memberships; refused while other segments are built on it."""
        stored = await self.stored()
        if key not in stored:
            return False
        users = sorted(k for k, s in stored.items() if key in s.stored.references and k != key)
        if users:
            raise SegmentInUseError(f"segment {key!r} is used by {', '.join(repr(u) for u in users)}")
        return await self.segments.delete(key, self.clock())

    # --- previews and explanations -----------------------------------------------------------------------

    async def preview(self, raw: object, sample: int) -> Preview:
        definition = parse_definition(raw, self.identity.policy)
        _check_references(None, definition, await self.stored())
        compiled = compile_preview(definition, self.dialect, self.clock(), sample, metrics=self.metrics)
        rows = await compiled.run(self.store)
        ids = rows[0].sample if rows else []
        return Preview(size=rows[0].size if rows else 0, sample=await self.segments.persons(ids) if ids else [])

    async def explain(self, key: str, person_id: str) -> Explanation:
        """Each condition of the segment for the person (a merged-away id: her survivor), evaluated now."""
        (found,) = await self.segments.by_key([key])
        if found is None:
            raise SegmentNotFoundError(f"no segment {key!r}")
        segment = self._segment(found)
        compiled = compile_explain(segment.definition, self.dialect, self.clock(), metrics=self.metrics)
        rows = await compiled.run(self.store, person=person_id)
        if not rows:
            raise PersonNotFoundError(f"no person {person_id!r}")
        explained = explanation(segment.definition, rows[0])
        return Explanation(
            member=explained.member,
            person=explained.person,
            conditions=[ConditionOutcome(path=c.path, held=c.held, detail=c.detail) for c in explained.conditions],
        )

    # --- keeping members current -------------------------------------------------------------------------

    async def refresh(
        self, persons: Collection[str], changed: Collection[Dependency], retired: Iterable[str] = ()
    ) -> int:
        """Re-evaluate these persons against the segments whose conditions read what changed (and the
        segments built on those), in one statement that also drops the memberships of `retired` persons
        (merged away or emptied: members of nothing, with no exit event). Changes made."""
        stored = await self.stored()
        touched = [k for k, s in stored.items() if touches(s.definition) & set(changed)]
        if not touched or not (persons or retired):
            return 0
        every = sorted({*persons, *retired})
        return await self._refresh(with_dependents(touched, stored), stored, every)

    async def refresh_needs(
        self, needs: Mapping[str, Need], retired: Iterable[str] = (), stored: dict[str, Segment] | None = None
    ) -> int:
        """Re-evaluate each person against the segments her `Need` can change (graphcdp/segments/selection.py)
        and those built on them: one statement per distinct set of segments (a single upsert: at most one), none
        for a person whose need reaches no segment. `retired` persons lose their memberships in the same
        statement (in one of their own when nobody else is refreshed). `stored`: as `stored()` just gave them.
        Changes made."""
        if stored is None:
            stored = await self.stored()
        if not stored:
            return 0
        by_segment = {key: segment.reads for key, segment in stored.items()}
        groups: dict[tuple[str, ...], list[str]] = {}
        for person, need in sorted(needs.items()):
            if need and (keys := reached(by_segment, need)):
                groups.setdefault(keys, []).append(person)
        gone = sorted(set(retired))
        if gone and not groups:
            groups[tuple(sorted(stored))] = []
        changes = 0
        for keys, persons in groups.items():
            changes += await self._refresh(with_dependents(keys, stored), stored, [*persons, *gone])
            gone = []
        return changes

    async def active_identifiers(self, keys: Sequence[str]) -> set[str]:
        """Those of these identifier keys with touchpoints or consent statements."""
        return {row.key for row in await self.store.run(ACTIVE_IDENTIFIERS, {"keys": list(keys)})}

    async def _refresh(self, keys: Sequence[str], stored: dict[str, Segment], persons: Sequence[str]) -> int:
        for key in keys:
            self.refreshed[key] += len(persons)
        return await self._evaluate(keys, stored, persons=persons)

    async def sweep(self) -> SweepResult:
        """Bring the segments whose membership changes as time passes (and those built on them) up to the clock.

        The first pass of a process re-evaluates them over every person. Later ones re-check, for segments whose
        time-dependent conditions have windows (graphcdp/segments/sweep_windows.py), only the persons with
        something in the windows since the last pass (the segments built on them with the same persons, in the
        same statement), and re-evaluate the others in full. A pass that fails leaves the next one to start over."""
        now = self.clock()
        if self.predictions is not None:
            await self.predictions.current()  # a model another process fitted since
        since, self._swept_at = self._swept_at, None
        stored = await self.stored()
        timed = [k for k, s in stored.items() if s.stored.time_dependent]
        windows: dict[str, SweepWindows | None] = {
            k: None
            if since is None or since > now
            else sweep_windows(stored[k].definition, self.metrics, since - SWEEP_OVERLAP_MS, now)
            for k in timed
        }
        full = with_dependents([k for k in timed if windows[k] is None], stored) if timed else []
        # A segment built on one evaluated in full is evaluated in full, after the targeted ones it reads.
        targeted = [k for k in with_dependents([k for k in timed if windows[k] is not None], stored) if k not in full]
        changes, rechecked = 0, 0
        if targeted:
            wanted = SweepWindows()
            for key in targeted:
                if (found := windows.get(key)) is not None:
                    wanted.add(found)
            candidates = await wanted.persons(self.store)
            rechecked = len(candidates)
            for start in range(0, len(candidates), SWEEP_BATCH):
                batch = candidates[start : start + SWEEP_BATCH]
                changes += await self._evaluate(targeted, stored, persons=batch, now=now)
        if full:
            changes += await self._evaluate(full, stored, persons=None, now=now)
        self._swept_at = now
        return SweepResult(changes=changes, rechecked=rechecked, targeted=tuple(targeted), full=tuple(full))

    async def _evaluate(
        self,
        keys: Sequence[str],
        stored: dict[str, Segment],
        persons: Sequence[str] | None,
        *,
        fresh: bool = False,
        now: int | None = None,
    ) -> int:
        ordered = [(k, stored[k].definition) for k in keys]
        at = self.clock() if now is None else now
        compiled = compile_refresh(
            ordered, self.dialect, at, all_persons=persons is None, metrics=self.metrics, fresh=fresh, counted=True
        )
        rows = await (compiled.run(self.store) if persons is None else compiled.run(self.store, persons=list(persons)))
        changes = sum(row.changes for row in rows)
        await self.identity.settle.wrote(changes)
        return changes


def with_dependents(keys: Iterable[str], stored: dict[str, Segment]) -> list[str]:
    """These segments and every segment built on them (transitively), each after the ones it is built on."""
    wanted = set(keys)
    grew = True
    while grew:
        more = {k for k, s in stored.items() if k not in wanted and wanted & set(s.stored.references)}
        grew = bool(more)
        wanted |= more
    ordered: list[str] = []
    done: set[str] = set()

    def visit(key: str) -> None:
        if key in done:
            return
        done.add(key)
        for ref in sorted(stored[key].stored.references):
            if ref in wanted and ref in stored:
                visit(ref)
        ordered.append(key)

    for key in sorted(wanted):
        visit(key)
    return ordered


def _check_texts(key: str, name: str | None, description: str | None) -> list[SegmentError]:
    problems: list[SegmentError] = []
    if (why := check_segment_key(key)) is not None:
        problems.append(SegmentError("key", why))
    for field, text in (("name", name), ("description", description)):
        if text is not None and (len(text) > MAX_TEXT or any(ord(c) < 32 and c not in "\n\t" for c in text)):
            problems.append(SegmentError(field, f"at most {MAX_TEXT} characters, without control characters"))
    return problems


def _check_references(key: str | None, definition: Definition, stored: dict[str, Segment]) -> None:
    """Every segment referenced exists, and saving `key` would not close a cycle."""
    references = referenced_segments(definition)
    problems = [
        SegmentError("segment", f"no segment {ref!r}") for ref in sorted(references) if ref not in stored and ref != key
    ]
    if key is not None and (cycle := _cycle(key, references, stored)):
        problems.append(SegmentError("segment", "a segment cannot be built on itself: " + " -> ".join(cycle)))
    if problems:
        raise InvalidSegment(problems)


def _cycle(key: str, references: Iterable[str], stored: dict[str, Segment]) -> list[str] | None:
    """The path key -> ... -> key the new references would close, if any (depth first over stored edges)."""
    stack: list[tuple[str, list[str]]] = [(ref, [key, ref]) for ref in sorted(references)]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        if node == key:
            return path
        if node in seen or node not in stored:
            continue
        seen.add(node)
        stack.extend((ref, [*path, ref]) for ref in sorted(stored[node].stored.references))
    return None
