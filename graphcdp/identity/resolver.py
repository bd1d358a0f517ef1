"""Resolution of one component: read it, plan it (graphcdp/identity/planner.py) and commit the plan
(graphcdp/identity/commit.py) with an optimistic check: re-read and retry when a concurrent writer changed
the component between the read and the commit."""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from collections.abc import Callable, Iterable, Sequence

from graphcdp.clock import now_ms
from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.commit import commit as commit_plan
from graphcdp.identity.component import Component, CreatedRecords, read_component
from graphcdp.identity.planner import Plan, plan
from graphcdp.identity.rules import ResolutionRules
from graphcdp.store import GraphStore

RELEASE_ROUNDS = 3  # follow-up resolutions after a split, before the rest waits for the next change

log = logging.getLogger(__name__)


class ResolutionConflictError(GraphCDPError):
    code = ErrorCode.RESOLUTION_CONFLICT


async def resolve(
    store: GraphStore,
    rules: ResolutionRules,
    *,
    record_keys: Iterable[str] = (),
    identifier_keys: Iterable[str] = (),
    extra_persons: Iterable[str] = (),
    patch: Callable[[Component], None] | None = None,
    commit: bool = True,
    created: CreatedRecords | None = None,
) -> Plan:
    """Read the component of the seeds, plan it and (unless `commit` is false) commit it, retrying on conflict.
    Then resolve again from the records a split released, so a match refused only because of the records
    they were with gets its chance (bounded: what remains waits for the next change there). `created`: seeds a
    write just created, as it answered for them: not read back by the first attempt."""
    records, identifiers, extra = sorted(set(record_keys)), sorted(set(identifier_keys)), sorted(set(extra_persons))
    if not commit:  # a dry run: new persons get placeholder ids, nothing is written
        component = await read_component(store, records, identifiers, rules.max_component_records)
        if patch is not None:
            patch(component)
        placeholders = (f"new:{n}" for n in itertools.count(1))
        return plan(component, rules, now_ms(), extra, new_id=placeholders.__next__)
    component, result = await _resolve_once(
        store, rules, records, identifiers=identifiers, extra=extra, patch=patch, created=created
    )
    released = released_records(component, result)
    for _ in range(RELEASE_ROUNDS):
        if not released:
            break
        try:
            component, follow_up = await _resolve_once(store, rules, released)
        except ResolutionConflictError:
            break  # the caller's own change is committed; these wait for the next change, as below
        released = released_records(component, follow_up)
    if released:
        log.warning("%d records released by a split wait for their next change to be resolved again", len(released))
    return result


async def _resolve_once(
    store: GraphStore,
    rules: ResolutionRules,
    records: list[str],
    *,
    identifiers: Sequence[str] = (),
    extra: Sequence[str] = (),
    patch: Callable[[Component], None] | None = None,
    created: CreatedRecords | None = None,
) -> tuple[Component, Plan]:
    for attempt in range(rules.retries + 1):
        # After a conflict everything is read: what the write said may have changed since.
        first = created if attempt == 0 else None
        component = await read_component(store, records, identifiers, rules.max_component_records, first)
        if patch is not None:
            patch(component)
        result = plan(component, rules, now_ms(), extra)
        if await commit_plan(store, result):
            return component, result
        # Someone changed this component between our read and our commit: back off and read again.
        await asyncio.sleep(random.uniform(0, 0.005 * 2 ** min(attempt, 6)))  # noqa: S311 - jitter, not crypto
    raise ResolutionConflictError(
        f"the evidence kept changing under {rules.retries + 1} attempts; the record is stored and will be "
        "resolved with the next change to its component, or send it again"
    )


def released_records(component: Component, result: Plan) -> list[str]:
    """Records of a person that split, with probabilistic links the component did not follow (see
    graphcdp/identity/component.py): a link refused against the records they were with may hold now."""
    after: dict[str, set[str]] = {}
    for key, record in component.records.items():
        if record.person is not None:
            after.setdefault(record.person, set()).add(result.person_of_record.get(key, ""))
    split = {person for person, now in after.items() if len(now) > 1}
    return sorted(
        key
        for key, record in component.records.items()
        if record.person in split and any(m.other not in component.records for m in record.matches)
    )
