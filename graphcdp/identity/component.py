"""Read one evidence component: the records and identifiers reachable from some seeds through non-blocked
identifiers, the probabilistic links of the seeds, and the members of every person reached, with the persons
they belong to now. The cost grows with the component, never with the graph: each hop is one indexed lookup
per key.

Probabilistic links are followed from the seeds (and from records no person holds yet) only. A link between
two other records either lies inside one person, whose members are read anyway, or was refused: following
those too chained whole neighbourhoods of households into components of thousands of records, read and
re-planned on every upsert that touched them. A refused link can only become acceptable when a person it
was refused against loses records; graphcdp/identity/resolver.py re-resolves from those records then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.clustering import UnionFind
from graphcdp.model.identity import ComponentHop, ComponentIdentifierRow, ComponentPerson, ComponentRecordRow
from graphcdp.model.node_ref import identifier_ref, person_ref, record_ref
from graphcdp.store import GraphStore, statement

COMPONENT_HOP = statement("identity/component_hop", ComponentHop)


class ComponentTooLargeError(GraphCDPError):
    code = ErrorCode.COMPONENT_TOO_LARGE


@dataclass
class RecordState:
    key: str
    source: str
    observed_at: int
    traits: dict[str, Any]
    detached: bool
    version: int
    degree: int  # HAS edges (blocked identifiers included), MATCHED and NOT_MATCHED edges
    identifiers: list[str]  # linking (non-blocked) identifiers
    content_hash: str | None
    person: str | None
    matches: list[MatchEdge] = field(default_factory=list)
    cannot: list[str] = field(default_factory=list)  # records a reviewer said are someone else


@dataclass(frozen=True)
class MatchEdge:
    """A probabilistic link (MATCHED edge) as stored: scored at ingest, or accepted by a reviewer."""

    other: str
    score: float
    reviewed: bool
    rule: str


@dataclass
class IdentifierState:
    key: str
    type: str
    blocked: bool
    shared: bool
    records: list[str]
    person: str | None


@dataclass
class PersonState:
    id: str
    created_at: int
    rejections: list[str]  # JSON of the rejections recorded so far
    traits: dict[str, Any] | None = None  # golden traits as stored (the change feed says which keys change)


@dataclass
class Component:
    records: dict[str, RecordState] = field(default_factory=dict)
    identifiers: dict[str, IdentifierState] = field(default_factory=dict)
    persons: dict[str, PersonState] = field(default_factory=dict)
    # What holds what together. Nodes are node references (graphcdp.model.node_ref): a source may be
    # called anything, so a bare record key could equal an identifier key.
    pieces: UnionFind = field(default_factory=UnionFind)

    def join(self, node: str, others: Iterable[str]) -> None:
        self.pieces.add(node)
        for other in others:
            self.pieces.add(other)
            self.pieces.union(node, other)

    def largest_piece(self) -> int:
        """Records in the largest connected piece. A batch reads the pieces of all its records at once; the
        limit is on one piece, not on their sum (a batch of 5,000 touchpoints reaches more than 10,000
        records of unrelated people)."""
        sizes: dict[str, int] = {}
        for key in self.records:
            root = self.pieces.find(record_ref(key))
            sizes[root] = sizes.get(root, 0) + 1
        return max(sizes.values(), default=0)

    def note_person(self, row: ComponentRecordRow | ComponentIdentifierRow) -> None:
        """A person met on a record or an identifier; what the plan needs of her comes with the next hop, which
        expands every person noted."""
        if row.person and row.person not in self.persons:
            self.persons[row.person] = PersonState(row.person, 0, [])


@dataclass(frozen=True)
class CreatedRecords:
    """Records a write just created, as the component read's first hop would read them (identity/upsert_records'
    `held`, with the links matching stored): their rows, and their linking identifiers' with every record that holds
    each and the person who owns it, are taken instead of read. The commit checks them as it checks what it reads.

    A bulk write answers for its records without their identifiers (`identifiers` None; asking it to read them costs
    more than the hop, docs/performance.md): the records' rows are still taken, with their identifiers as the write
    was given them, and the first hop reads those identifiers, every one, to learn which are blocked as stored."""

    records: list[ComponentRecordRow]
    identifiers: list[ComponentIdentifierRow] | None


async def read_component(
    store: GraphStore,
    record_keys: Iterable[str],
    identifier_keys: Iterable[str],
    max_records: int,
    created: CreatedRecords | None = None,
) -> Component:
    component = Component()
    seeds = set(record_keys)
    pending_records, pending_identifiers = set(seeds), set(identifier_keys)
    pending_persons: set[str] = set()
    expanded: set[str] = set()  # persons whose members are in the component
    given = created
    asked = set(pending_identifiers)
    while pending_records or pending_identifiers or pending_persons:
        records: list[ComponentRecordRow] = []
        identifiers: list[ComponentIdentifierRow] = []
        persons: list[ComponentPerson] = []
        unconfirmed: list[ComponentRecordRow] = []  # taken from a bulk write: their identifiers read in this hop
        if given is not None:  # the first hop: what the write said of the seeds it created is not read back
            records, identifiers, unconfirmed = _taken(given, seeds)
            pending_records -= {row.key for row in records + unconfirmed}
            pending_identifiers |= {key for row in unconfirmed for key, _ in row.held}
            given = None
        if pending_records or pending_identifiers or pending_persons:
            # One round trip per hop: the records asked for and those of the persons reached (everything a touched
            # person holds now, even what no evidence reaches any more: so it can split), with the identifiers they
            # hold and the persons own.
            params = {
                "records": sorted(pending_records),
                "identifiers": sorted(pending_identifiers),
                "persons": sorted(pending_persons),
                "knownRecords": _known_records(component, pending_persons),
                "known": _known_identifiers(component, pending_persons),
            }
            for hop in await store.run(COMPONENT_HOP, params):
                records += hop.records
                identifiers += hop.identifiers
                persons += hop.persons
        if unconfirmed:
            records, identifiers = _confirmed(unconfirmed, records, identifiers, asked)
        expanded |= pending_persons
        for row in sorted(records, key=lambda r: r.key):
            _add_record(component, row)
        pending_records = {
            m.other for r in component.records.values() if r.key in seeds or r.person is None for m in r.matches
        } - component.records.keys()
        if len(component.records) > max_records and component.largest_piece() > max_records:
            raise ComponentTooLargeError(
                f"more than {max_records} records are linked together; block the identifier that joins "
                "them (GRAPHCDP_BLOCKLIST_EXTRA) or raise GRAPHCDP_MAX_COMPONENT_RECORDS"
            )
        for id_row in sorted(identifiers, key=lambda i: i.key):
            state = IdentifierState(
                id_row.key, id_row.type, id_row.blocked, id_row.shared, sorted(id_row.records), id_row.person
            )
            component.identifiers[state.key] = state
            component.note_person(id_row)
            if not state.blocked:
                component.join(identifier_ref(state.key), [record_ref(k) for k in state.records])
                pending_records.update(k for k in state.records if k not in component.records)
        for person in persons:
            if (met := component.persons.get(person.id)) is not None:
                met.created_at, met.rejections = person.created_at or 0, list(person.rejections or [])
                met.traits = person.traits
        pending_identifiers = set()
        pending_persons = component.persons.keys() - expanded
    return component


def _taken(
    given: CreatedRecords, seeds: set[str]
) -> tuple[list[ComponentRecordRow], list[ComponentIdentifierRow], list[ComponentRecordRow]]:
    """What a write said of the seeds it created: records taken as read, their linking identifiers, and (a bulk
    write's) records whose identifiers the hop reads."""
    rows = [row for row in given.records if row.key in seeds]
    if given.identifiers is None:
        return [], [], rows
    linking = {key for row in rows for key, blocked in row.held if not blocked}
    return rows, list({row.key: row for row in given.identifiers if row.key in linking}.values()), []


def _confirmed(
    unconfirmed: list[ComponentRecordRow],
    records: list[ComponentRecordRow],
    identifiers: list[ComponentIdentifierRow],
    asked: set[str],
) -> tuple[list[ComponentRecordRow], list[ComponentIdentifierRow]]:
    """A bulk write's created records as the hop would have read them, now that their identifiers are read: each
    holds those it was written with, blocked as stored (an identifier blocked since it was first seen stays blocked).
    The blocked ones were read only to learn that: a read of the records would not have returned them, unless the
    caller asked for them."""
    stored = {row.key: row for row in identifiers}
    confirmed = [
        row.model_copy(update={"held": [(key, stored[key].blocked) for key, _ in row.held if key in stored]})
        for row in unconfirmed
    ]
    only_read_for_them = {key for row in unconfirmed for key, _ in row.held} - asked
    kept = [row for row in identifiers if not (row.blocked and row.key in only_read_for_them)]
    return records + confirmed, kept


def _known_records(component: Component, persons: set[str]) -> list[str]:
    """The records read already that the next hop would meet again: those of the persons it expands (the other
    records it reads were never read). FalkorDB checks `IN` a list one element at a time, so sending every
    record read made a hop of a 5,000-record batch quadratic (docs/performance.md, "The component hop: a list as a
    grouping key, and `IN` lists")."""
    return sorted(k for k, r in component.records.items() if r.person in persons)


def _known_identifiers(component: Component, persons: set[str]) -> list[str]:
    """The identifiers read already that the next hop would meet again: those of the persons it expands, and
    those held by a record not read yet (the hop reads every identifier of the records it reads). Anything
    a concurrent writer added since is read again, which the commit's check covers as it covers every read."""
    return sorted(
        k
        for k, i in component.identifiers.items()
        if i.person in persons or any(holder not in component.records for holder in i.records)
    )


def _add_record(component: Component, row: ComponentRecordRow) -> None:
    # In key order: the order a read meets them in is the graph's, not the evidence's.
    matches = sorted(
        (MatchEdge(o, score or 0.0, reviewed, rule or "") for o, score, reviewed, rule in row.matched),
        key=lambda m: m.other,
    )
    component.records[row.key] = held = RecordState(
        key=row.key,
        source=row.source,
        observed_at=row.observed_at,
        traits=row.traits,
        detached=row.detached,
        version=row.version,
        degree=len(row.held) + len(matches) + len(row.cannot),
        identifiers=sorted(key for key, blocked in row.held if not blocked),
        content_hash=row.content_hash,
        person=row.person,
        matches=matches,
        cannot=sorted(row.cannot),
    )
    component.note_person(row)
    component.join(
        record_ref(held.key),
        [identifier_ref(k) for k in held.identifiers]
        + [record_ref(m.other) for m in matches]
        + ([person_ref(held.person)] if held.person else []),
    )
