"""How concurrent upsert calls are put into groups (graphcdp/identity/upsert_groups.py), with a write that records
what it was given: which calls go together, in which order, and that a slow group does not hold up the others."""

from __future__ import annotations

import asyncio

from graphcdp.identity.upsert_groups import Items, UpsertGroups
from graphcdp.model.identity import RecordAction, RecordInput, RecordResult, UpsertOutcome


def record(source_id: str) -> RecordInput:
    return RecordInput.model_validate({"source": "crm", "sourceId": source_id, "traits": {"n": 1}})


class Writes:
    """The groups written, in order; a write whose first record is named in `held` waits for `release`."""

    def __init__(self, held: frozenset[str] = frozenset()) -> None:
        self.groups: list[list[list[str]]] = []
        self.held = held
        self.release = asyncio.Event()

    async def __call__(self, calls: list[Items]) -> list[UpsertOutcome]:
        names = [[item.source_id for item in items if isinstance(item, RecordInput)] for items in calls]
        self.groups.append(names)
        if names[0][0] in self.held:
            await self.release.wait()
        return [UpsertOutcome(results=[result(n, i) for n, i in enumerate(c)]) for c in names]


def result(index: int, source_id: str) -> RecordResult:
    return RecordResult(index=index, person_id=f"p-{source_id}", action=RecordAction.CREATED)


async def test_calls_arriving_while_a_group_is_written_go_together_in_arrival_order() -> None:
    writes = Writes(held=frozenset({"a"}))
    groups = UpsertGroups(writes, max_records=3)
    first = asyncio.create_task(groups.upsert([record("a")]))
    await asyncio.sleep(0.01)  # "a" is being written
    rest = [asyncio.create_task(groups.upsert([record(name)])) for name in ("b", "c", "d", "e")]
    await asyncio.sleep(0.01)
    writes.release.set()
    answers = await asyncio.gather(first, *rest)
    # At most three records a group: b, c and d together, then e.
    assert writes.groups == [[["a"]], [["b"], ["c"], ["d"]], [["e"]]]
    assert [a.results[0].person_id for a in answers] == ["p-a", "p-b", "p-c", "p-d", "p-e"]


async def test_a_call_naming_a_record_of_the_group_waits_for_the_next_one() -> None:
    writes = Writes(held=frozenset({"a"}))
    groups = UpsertGroups(writes, max_records=10)
    first = asyncio.create_task(groups.upsert([record("a")]))
    await asyncio.sleep(0.01)
    rest = [asyncio.create_task(groups.upsert([record(name)])) for name in ("b", "b", "c")]
    await asyncio.sleep(0.01)
    writes.release.set()
    await asyncio.gather(first, *rest)
    # The second "b" is not written with the first; "c", behind it, keeps its place.
    assert writes.groups == [[["a"]], [["b"]], [["b"], ["c"]]]


async def test_a_group_slower_than_the_patience_does_not_hold_up_the_calls_behind_it() -> None:
    writes = Writes(held=frozenset({"slow"}))
    groups = UpsertGroups(writes, max_records=10, patience=0.05)
    slow = asyncio.create_task(groups.upsert([record("slow")]))
    await asyncio.sleep(0.1)  # the slow group has been written for longer than the patience
    quick = await asyncio.wait_for(groups.upsert([record("quick")]), timeout=5)
    assert quick.results[0].person_id == "p-quick" and not slow.done()
    writes.release.set()
    assert (await slow).results[0].person_id == "p-slow"


async def test_within_the_patience_a_call_waits_for_the_group_being_written() -> None:
    writes = Writes(held=frozenset({"a"}))
    groups = UpsertGroups(writes, max_records=10, patience=60)
    first = asyncio.create_task(groups.upsert([record("a")]))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(groups.upsert([record("b")]))
    await asyncio.sleep(0.05)
    assert not second.done() and writes.groups == [[["a"]]]
    writes.release.set()
    await asyncio.gather(first, second)
    assert writes.groups == [[["a"]], [["b"]]]


async def test_a_failed_write_fails_each_call_of_its_group_and_the_next_group_goes_on() -> None:
    calls = 0

    async def write(group: list[Items]) -> list[UpsertOutcome]:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        if calls == 2:
            raise RuntimeError("the database went away")
        return [UpsertOutcome() for _ in group]

    groups = UpsertGroups(write, max_records=10)
    first = asyncio.create_task(groups.upsert([record("a")]))
    await asyncio.sleep(0)
    failing = [asyncio.create_task(groups.upsert([record(n)])) for n in ("b", "c")]
    answers = await asyncio.gather(first, *failing, return_exceptions=True)
    assert isinstance(answers[0], UpsertOutcome)
    assert [str(a) for a in answers[1:]] == ["the database went away"] * 2
    assert isinstance(await groups.upsert([record("d")]), UpsertOutcome)


async def test_a_call_arriving_as_the_last_group_ends_is_written() -> None:
    """A call that arrives in the same turn of the event loop as the writer finishing its last group, before the
    writer's task has run its done callbacks, must still get a writer. It was left waiting until another call came
    (at the end of a benchmark: for ever, the clients timing out)."""
    loop = asyncio.get_running_loop()
    writes = Writes(held=frozenset({"a"}))
    groups = UpsertGroups(writes, max_records=10)
    first = asyncio.create_task(groups.upsert([record("a")]))
    await asyncio.sleep(0.01)  # "a" is being written, held
    arriving: list[asyncio.Task[UpsertOutcome]] = []
    # In this order in one turn: the write is released (its task runs next), then "b" arrives; the writer finds no
    # call waiting and ends, and "b" asks for a writer before the ended one is forgotten.
    loop.call_soon(writes.release.set)
    loop.call_soon(lambda: arriving.append(asyncio.ensure_future(groups.upsert([record("b")]))))
    await asyncio.wait_for(first, timeout=5)
    answer = await asyncio.wait_for(arriving[0], timeout=5)
    assert answer.results[0].person_id == "p-b"
    assert writes.groups == [[["a"]], [["b"]]]
