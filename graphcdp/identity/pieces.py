"""Resolution of a large batch piece by piece: read its component once, plan each independent piece with the
resolver's own `plan`, and commit them together; when a concurrent writer changed part of what was read, only
the pieces it touched are resolved again, by the full resolver.

The full resolver (graphcdp/identity/resolver.py) commits a batch's whole component or nothing: its commit
checks every record and identifier of every person the batch touches (tens of thousands for a batch of
5,000 records), so one single upsert landing on any of them in the seconds between the read and the commit
makes the whole batch read and plan again, and after `GRAPHCDP_RESOLUTION_RETRIES` such rounds fail with
RESOLUTION_CONFLICT, though it touched one person of thousands.

Why the result is the full plan's. A piece is a connected part of the component: records joined through their
linking identifiers, their probabilistic links and their persons, with the identifiers and persons they hold.
Nothing of the plan crosses pieces: clustering only joins records through shared identifiers, household
conflicts only compare records carrying the same identifier, matches only join the two records they link,
and a person's id, retirement and history depend on her own members only. So `plan` of each piece gives, piece
for piece, what `plan` of the whole gives (person ids aside: new ones are random either way); the commit
statement is the resolver's own, with the parameters of several pieces joined, as the benchmark seeder joins
those of several components, and it checks every record and identifier of the pieces it commits. The records
a split released are resolved again as the full resolver does (graphcdp/identity/resolver.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from graphcdp.clock import now_ms
from graphcdp.identity.commit import commit
from graphcdp.identity.component import Component, CreatedRecords, read_component
from graphcdp.identity.planner import Plan, plan
from graphcdp.identity.resolver import ResolutionConflictError, released_records, resolve
from graphcdp.identity.rules import ResolutionRules
from graphcdp.model.node_ref import identifier_ref, person_ref, record_ref
from graphcdp.store import GraphStore

# Below this many changed records one plan of the whole is as cheap, and small writes keep the one road.
MIN_BATCH = 50
# A large batch's pieces are planned and committed in chunks of about this many records, each chunk's plan beside the
# commit of the one before. Smaller chunks overlap more and send more commits (each checks what it commits).
PLAN_CHUNK_RECORDS = 1000

log = logging.getLogger(__name__)


async def resolve_batch(
    store: GraphStore, rules: ResolutionRules, record_keys: Sequence[str], created: CreatedRecords | None = None
) -> Plan:
    """The changed records of a write resolved: piece by piece when they are many, else by one full plan (`created`:
    records the write created, as it answered for them: not read back)."""
    if len(set(record_keys)) >= MIN_BATCH:
        return await resolve_in_pieces(store, rules, record_keys, created)
    return await resolve(store, rules, record_keys=record_keys, created=created)


async def resolve_in_pieces(
    store: GraphStore, rules: ResolutionRules, record_keys: Sequence[str], created: CreatedRecords | None = None
) -> Plan:
    """Resolve the records as `resolve` does, committing the pieces of their component that nobody changed
    meanwhile and resolving the others again with the full resolver; one plan of everything done. `created`: as
    for `resolve_batch`, taken by the first hop only (the full resolver reads everything again)."""
    seeds = sorted(set(record_keys))
    component = await read_component(store, seeds, (), rules.max_component_records, created)
    now = now_ms()
    planned, stale = await _plan_and_commit(store, rules, split(component), now)
    done = [(piece, result) for piece, result in planned if id(result) not in stale]
    result = joined([r for _, r in done], now)
    again = [key for piece, r in planned if id(r) in stale for key in seeds if key in piece.records]
    if again:  # someone changed these pieces since they were read: the full resolver reads them again
        log.info("%d records of a batch met a concurrent change: resolved again", len(again))
        result = joined([result, await resolve(store, rules, record_keys=again)], now)
    released = sorted({key for piece, r in done for key in released_records(piece, r)})
    if released:
        try:  # as the full resolver does after a split (it bounds the rounds)
            await resolve(store, rules, record_keys=released)
        except ResolutionConflictError:
            log.warning("%d records released by a split wait for their next change to be resolved again", len(released))
    return result


async def _plan_and_commit(
    store: GraphStore, rules: ResolutionRules, pieces: list[Component], now: int
) -> tuple[list[tuple[Component, Plan]], set[int]]:
    """Plan the pieces and commit them, a chunk at a time: each chunk is planned in a worker thread while the database
    commits the chunk before it. Planning is Python's work and a commit the database's, so on two cores they overlap;
    one after the other, each waited for the other (the plan was a quarter of a records batch's Python time). The
    pieces are independent, so committing them in chunks leaves what one commit of all would. The plans, and the ids
    of those that stayed uncommitted."""
    planned: list[tuple[Component, Plan]] = []
    stale: set[int] = set()
    committing: asyncio.Task[set[int]] | None = None
    try:
        for chunk in _chunks(pieces, PLAN_CHUNK_RECORDS):
            chunk_plans = await asyncio.to_thread(_plan_each, chunk, rules, now)
            if committing is not None:
                stale |= await committing
            committing = asyncio.create_task(_commit(store, [result for _, result in chunk_plans]))  # noqa: RUF006 - awaited
            await asyncio.sleep(0)  # its parameters written and sent before the next chunk's plan takes the interpreter
            planned += chunk_plans
        if committing is not None:
            stale |= await committing
    except BaseException:
        if committing is not None and not committing.done():
            committing.cancel()
        raise
    return planned, stale


def _plan_each(pieces: list[Component], rules: ResolutionRules, now: int) -> list[tuple[Component, Plan]]:
    return [(piece, plan(piece, rules, now)) for piece in pieces]


def _chunks(pieces: list[Component], records: int) -> list[list[Component]]:
    """The pieces in order, in chunks of about `records` records each (a piece is never cut)."""
    chunks: list[list[Component]] = [[]]
    size = 0
    for piece in pieces:
        if size >= records:
            chunks.append([])
            size = 0
        chunks[-1].append(piece)
        size += len(piece.records)
    return chunks if chunks[0] else []


def split(component: Component) -> list[Component]:
    """The independent pieces of a component, each a component of its own (see the module docstring)."""
    pieces = component.pieces  # records already joined to their identifiers, links and persons as read

    def join(node: str, others: Sequence[str]) -> None:
        pieces.add(node)
        for other in others:
            pieces.add(other)
            pieces.union(node, other)

    for key, identifier in component.identifiers.items():
        # An identifier no record links here (refused by a type limit, or blocked since) stays with its person.
        holders = [] if identifier.blocked else [record_ref(k) for k in identifier.records if k in component.records]
        join(identifier_ref(key), holders + ([person_ref(identifier.person)] if identifier.person else []))
    for person in component.persons:
        join(person_ref(person), [])
    by_root: dict[str, Component] = {}
    for key, record in component.records.items():
        by_root.setdefault(pieces.find(record_ref(key)), Component()).records[key] = record
    for key, identifier_state in component.identifiers.items():
        by_root.setdefault(pieces.find(identifier_ref(key)), Component()).identifiers[key] = identifier_state
    for person, state in component.persons.items():
        by_root.setdefault(pieces.find(person_ref(person)), Component()).persons[person] = state
    return list(by_root.values())


async def _commit(store: GraphStore, plans: list[Plan]) -> set[int]:
    """Commit the plans together; when the graph changed under some of them, commit halves, and so on down to
    single pieces. The ids of the plans that stayed uncommitted."""
    if not plans:
        return set()
    if await commit(store, joined(plans, plans[0].now)):
        return set()
    if len(plans) == 1:
        return {id(plans[0])}
    half = len(plans) // 2
    return await _commit(store, plans[:half]) | await _commit(store, plans[half:])


def joined(plans: Sequence[Plan], now: int) -> Plan:
    """Plans of disjoint pieces as one plan: what the commit statement takes, and the caller reports."""
    result = Plan(now=now)
    persons: set[str] = set()
    for part in plans:
        result.person_of_record.update(part.person_of_record)
        result.created += part.created
        result.rejections += part.rejections
        result.persons += [p for p in part.persons if p not in persons]
        persons.update(part.persons)
        result.matches += part.matches
        result.refused_matches += part.refused_matches
        result.updates += part.updates
        result.retirements += part.retirements
        result.record_moves += part.record_moves
        result.identifier_moves += part.identifier_moves
        result.shared_flags += part.shared_flags
        result.records_read += part.records_read
        result.identifiers_read += part.identifiers_read
        result.resolved += part.resolved
        result.changes += part.changes
    return result
