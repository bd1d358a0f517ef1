"""Hostile strings at every field of a definition: each is refused as INVALID_SEGMENT or evaluated as a plain
value, never as Cypher. No compiled text contains the input, every compiled statement runs, and the graph is the
same afterwards, on the real database."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.identity.service import IdentityService
from graphcdp.model.profiles import ConsentStatus, TouchpointInput
from graphcdp.privacy.consent import ConsentRequest
from graphcdp.profiles.metrics import MetricsConfig
from graphcdp.profiles.service import ProfileService
from graphcdp.segments.compiler import compile_explain, compile_preview, compile_refresh, dialect_of
from graphcdp.segments.definition import InvalidSegment, parse_definition
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from tests.identity_helpers import rec
from tests.privacy_helpers import EVERYTHING
from tests.segment_corpus import CORPUS

NOW = 1_780_000_000_000
HOSTILE = [
    "x' OR 1=1 //",
    '"}) MATCH (n) DETACH DELETE n //',
    "}) MATCH (n) DETACH DELETE n //",
    "`backtick` RETURN 1 //",
    "\u00fcn\u00efc\u00f8d\u00e9 \u2603 \U0001d518\U0001d52b \ufdfd",
    "nul\x00byte",
    "line\nbreak */ /* x",
    "\\' \\\" \\u0027 quote",
    "x" * 5000,
    "' + $now + '",
]
Json = object


def mutations(raw: Json) -> Iterator[Json]:
    """`raw` with one place replaced by each hostile string: every value (strings, numbers, booleans, lists,
    objects) and every key of every object."""
    if isinstance(raw, dict):
        for key, value in raw.items():
            for hostile in HOSTILE:
                renamed = {(hostile if k == key else k): v for k, v in raw.items()}
                yield renamed
                yield {**raw, key: hostile}
            for inner in mutations(value):
                yield {**raw, key: inner}
    elif isinstance(raw, list):
        for n, value in enumerate(raw):
            for inner in mutations(value):
                changed = copy.copy(raw)
                changed[n] = inner
                yield changed
            for hostile in HOSTILE:
                changed = copy.copy(raw)
                changed[n] = hostile
                yield changed


async def snapshot(store: GraphStore) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True, default=str) for row in await store.run(EVERYTHING, {}))


async def test_hostile_strings_in_every_field_are_refused_or_plain_values(store: GraphStore) -> None:
    settings = load_settings()
    identity = IdentityService(store, settings)
    profiles = ProfileService(identity, settings)
    await identity.upsert_records([rec("crm", "1", NOW, ("email", "ada@example.com"), firstName=HOSTILE[1])])
    await profiles.track(
        [
            TouchpointInput.model_validate(
                {
                    "id": "t1",
                    "type": "page_view",
                    "occurredAt": NOW,
                    "properties": {"category": HOSTILE[0]},
                    "identifiers": [{"type": "email", "value": "ada@example.com"}],
                }
            )
        ]
    )
    await profiles.set_consent(
        ConsentRequest("email", "ada@example.com", "marketing", "email", ConsentStatus.GRANTED, NOW, None)
    )
    person = await identity.profile("email", "ada@example.com")
    assert person is not None
    before = await snapshot(store)
    dialect = dialect_of(store)
    metrics = MetricsConfig.from_settings(settings)
    policy = IdentifierPolicy()
    refused = accepted = 0
    for base in CORPUS:
        for raw in mutations(base):
            try:
                definition = parse_definition(raw, policy)
            except InvalidSegment as exc:
                refused += 1
                assert exc.errors and all(e.path.startswith("$") for e in exc.errors)
                assert not any(h in e.path or h in e.message for e in exc.errors for h in HOSTILE if len(h) > 64)
                continue
            accepted += 1
            statements = [
                compile_refresh([("hostile", definition)], dialect, NOW, all_persons=True, metrics=metrics),
                compile_preview(definition, dialect, NOW, 5, metrics=metrics),
                compile_explain(definition, dialect, NOW, metrics=metrics),
            ]
            for compiled in statements:
                text = compiled.text
                for hostile in HOSTILE:
                    assert hostile not in text and hostile.lower() not in text, (raw, hostile)
            # No Segment node "hostile" exists, so the refresh evaluates and changes nothing.
            assert await statements[0].run(store) == []
            preview = await statements[1].run(store)
            assert preview[0].size in (0, 1)
            explained = await statements[2].run(store, person=person.id)
            assert explained[0].conditions[0].path == "$"
    assert await snapshot(store) == before
    assert refused > 0 and accepted > 0
    # Evaluated as plain values: the hostile texts stored on Ada are found as they are.
    for raw in (
        {"trait": "firstName", "eq": HOSTILE[1]},
        {"trait": "firstName", "contains": "DETACH DELETE"},
        {"touchpoint": {"properties": {"category": HOSTILE[0]}}},
    ):
        preview = await compile_preview(parse_definition(raw, policy), dialect, NOW, 5, metrics=metrics).run(store)
        assert preview[0].sample == [person.id], raw
