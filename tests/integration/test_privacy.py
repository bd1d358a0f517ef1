"""Erasure, suppression and subject export against the real database: forgetPerson leaves no trace of her
in the graph, evidence another person holds stays with that person, a replay of her data is refused
(SUPPRESSED) until the suppression is lifted, and the export holds everything that was ingested."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from graphcdp.errors import ErrorCode
from graphcdp.identity.suppression import SuppressedError
from graphcdp.model.profiles import ConsentStatus
from graphcdp.privacy.consent import ConsentRequest
from graphcdp.privacy.erasure import PersonNotFoundError
from graphcdp.settings import load_settings
from graphcdp.store import GraphStore
from graphcdp.wiring import Services, services_on
from tests.identity_helpers import rec
from tests.privacy_helpers import (
    ADA_COOKIE,
    ADA_EMAIL,
    ADA_PHONE_E164,
    ADA_VALUES,
    BOB_EMAIL,
    EVERYTHING,
    HOUSEHOLD,
    T0,
    graph_text,
    ingest_ada_and_bob,
    tp,
)


@pytest.fixture
async def services(store: GraphStore) -> AsyncIterator[Services]:
    async with services_on(store, load_settings(erasure_compaction=0)) as built:
        yield built


async def test_forget_person_leaves_no_trace_of_her_and_keeps_what_bob_holds(services: Services) -> None:
    ada = await ingest_ada_and_bob(services)
    before = await graph_text(services.store)
    assert all(value.lower() in before for value in ADA_VALUES)  # the search below can find them

    erased = await services.privacy.forget_person(ada)

    assert erased.person == ada
    assert erased.records >= 4  # crm, pos, and the evidence of her touchpoints and consent
    assert erased.identifiers == 4  # her email, phone, customer id, cookie
    assert erased.identifiers_kept == 1  # the household email, which Bob's record holds too
    assert erased.touchpoints == 3 and erased.consents == 2
    assert erased.tombstones == 4
    after = await graph_text(services.store)
    for value in ADA_VALUES:
        assert value.lower() not in after, value
    assert ada not in after  # her person id too: no node, no retired redirect, no history mentions her
    # Bob keeps his data and the household email, with the touchpoint done through it.
    bob = await services.identity.profile("email", HOUSEHOLD)
    assert bob is not None and bob.traits["firstName"] == "Bob"
    assert erased.person_ids == [bob.id]
    assert {i.key for i in bob.identifiers} >= {f"email:{HOUSEHOLD}", f"email:{BOB_EMAIL}"}
    assert "household-1" in after
    # Her ids answer as unknown.
    assert await services.identity.person(ada) is None
    assert await services.identity.profile("email", ADA_EMAIL) is None
    with pytest.raises(PersonNotFoundError):
        await services.privacy.forget_person(ada)


async def test_forget_person_removes_her_segment_history_and_keeps_bobs(services: Services) -> None:
    ada = await ingest_ada_and_bob(services)
    await services.segments.save("customers", {"identifier": "customer_id"})  # Ada and Bob enter
    bob = await services.identity.profile("email", BOB_EMAIL)
    assert bob is not None
    for person in (ada, bob.id):
        found = await services.identity.person(person)
        assert found is not None
        assert [(e.kind, e.detail) for e in found.history if e.kind.startswith("segment")] == [
            ("segment_entered", {"segment": "customers"})
        ]
    assert await segment_event_nodes(services.store) == 0  # an entry is her IN edge's `since`
    await services.segments.save("customers", {"not": {"identifier": "customer_id"}})  # both leave
    assert await segment_event_nodes(services.store) == 2  # one refresh, one node per person who left

    await services.privacy.forget_person(ada)

    assert await segment_event_nodes(services.store) == 1  # Bob's
    kept = await services.identity.person(bob.id)
    assert kept is not None
    assert [(e.kind, e.detail) for e in kept.history if e.kind.startswith("segment")] == [
        ("segment_entered", {"segment": "customers"}),
        ("segment_exited", {"segment": "customers"}),
    ]


async def segment_event_nodes(store: GraphStore) -> int:
    return sum("SegmentEvents" in row["labels"] for row in await store.run(EVERYTHING, {}))


async def test_a_retired_id_leads_to_her_and_goes_with_her(services: Services) -> None:
    identity = services.identity
    await identity.upsert_records([rec("web", "w1", T0, ("email", "old.kqz@example.com"))])
    await identity.upsert_records([rec("shop", "s1", T0 + 1, ("phone", "+33 1 23 45 67 89"))])
    retired = await identity.profile("phone", "+33 1 23 45 67 89")
    assert retired is not None
    await identity.upsert_records(
        [rec("crm", "c1", T0 + 2, ("email", "old.kqz@example.com"), ("phone", "+33 1 23 45 67 89"))]
    )
    survivor = await identity.profile("email", "old.kqz@example.com")
    assert survivor is not None and survivor.id != retired.id
    erased = await services.privacy.forget_person(retired.id)  # the retired id: it leads to her
    assert erased.person == survivor.id and erased.records == 3
    after = await graph_text(services.store)
    assert retired.id not in after and survivor.id not in after and "old.kqz" not in after


async def test_a_replay_of_her_data_is_suppressed_until_lifted(services: Services) -> None:
    ada = await ingest_ada_and_bob(services)
    await services.privacy.forget_person(ada)
    identity, profiles = services.identity, services.profiles

    replay = await identity.upsert_records(
        [
            rec("crm", "other-1", T0, ("email", "someone.new@example.com")),
            rec("crm", "cust-ada-771", T0, ("email", ADA_EMAIL.upper()), firstName="Adalbertina"),
            rec("crm", "other-2", T0, ("email", HOUSEHOLD)),  # Bob's household email is not suppressed
        ]
    )
    assert [(e.index, e.code) for e in replay.errors] == [(1, ErrorCode.SUPPRESSED)]
    assert ADA_EMAIL not in replay.errors[0].message and "(email)" in replay.errors[0].message
    assert sorted(r.index for r in replay.results) == [0, 2]
    track = await profiles.track(
        [tp("order-ada-1", T0, ("email", ADA_EMAIL), type_="order"), tp("pv-new", T0, ("cookie_id", "ck-new"))]
    )
    assert [(e.index, e.code) for e in track.errors] == [(0, ErrorCode.SUPPRESSED)]
    assert [r.index for r in track.results] == [1]
    with pytest.raises(SuppressedError):
        await profiles.set_consent(
            ConsentRequest("email", ADA_EMAIL, "marketing", "email", ConsentStatus.REVOKED, T0, None)
        )
    assert ADA_EMAIL not in await graph_text(services.store)

    assert await services.privacy.lift_suppression("email", ADA_EMAIL) is True
    assert await services.privacy.lift_suppression("email", ADA_EMAIL) is False
    back = await identity.upsert_records([rec("crm", "cust-ada-771", T0, ("email", ADA_EMAIL))])
    assert not back.errors
    assert await identity.profile("email", ADA_EMAIL) is not None
    # The other identifiers of hers stay suppressed.
    still = await profiles.track([tp("pv-ada-2", T0, ("cookie_id", ADA_COOKIE))])
    assert [e.code for e in still.errors] == [ErrorCode.SUPPRESSED]


async def test_the_export_holds_everything_ingested(services: Services) -> None:
    ada = await ingest_ada_and_bob(services)
    document = await services.privacy.export_person(ada)
    text = json.dumps(document)
    assert json.loads(text) == document  # plain JSON

    assert document["person"]["id"] == ada
    records = {(r["source"], r["sourceId"]) for r in document["records"]}
    assert {("crm", "cust-ada-771"), ("pos", "pos-ada-9")} <= records
    assert ("crm", "cust-bob-1") not in records
    assert all(r["observedAt"] for r in document["records"])
    crm = next(r for r in document["records"] if r["sourceId"] == "cust-ada-771")
    assert crm["traits"]["firstName"] == "Adalbertina"
    identifiers = {i["key"] for i in document["identifiers"]}
    assert identifiers >= {
        f"email:{ADA_EMAIL}",
        f"phone:{ADA_PHONE_E164}",
        "customer_id:cust-ada-771",
        f"cookie_id:{ADA_COOKIE}",
        f"email:{HOUSEHOLD}",
    }
    assert f"email:{BOB_EMAIL}" not in identifiers
    golden = {g["trait"]: g for g in document["goldenTraits"]}
    assert golden["firstName"]["value"] == "Adalbertina"
    assert golden["firstName"]["sources"][0]["sourceId"] == "cust-ada-771"
    assert {t["id"] for t in document["touchpoints"]} >= {"pv-ada-1", "login-ada-1", "order-ada-1"}
    order = next(t for t in document["touchpoints"] if t["id"] == "order-ada-1")
    assert order["amount"] == 42.5 and order["currency"] == "GBP"
    statuses = [(s["status"], s["source"]) for s in document["consents"]["history"]]
    assert statuses == [("GRANTED", "crm"), ("REVOKED", "web")]
    assert [s["status"] for s in document["consents"]["inForce"]] == ["REVOKED"]
    assert document["matchDecisions"] == [] and document["segments"] == []
    with pytest.raises(PersonNotFoundError):
        await services.privacy.export_person("no-such-person")


async def test_her_keys_leave_the_history_of_a_person_next_to_her(services: Services) -> None:
    # Bob's record matches Ada's, but one person cannot hold two customer ids: the refused link, told by the
    # record first in key order (Bob's), names her record in Bob's history and refused links.
    traits = {"firstName": "Adalbertina", "lastName": "Quixotel", "birthDate": "1815-12-10"}
    identity = services.identity
    await identity.upsert_records([rec("crm", "cust-ada-771", T0, ("customer_id", "cust-ada-771"), **traits)])
    await identity.upsert_records([rec("crm", "bob-1", T0 + 1, ("customer_id", "bob-1"), **traits)])
    ada, bob = (
        await identity.profile("customer_id", "cust-ada-771"),
        await identity.profile("customer_id", "bob-1"),
    )
    assert ada is not None and bob is not None and ada.id != bob.id
    assert any("cust-ada-771" in json.dumps(e.detail) for e in bob.history)

    erased = await services.privacy.forget_person(ada.id)

    assert erased.pairs == 1 and erased.person_ids == [bob.id]
    assert "cust-ada-771" not in await graph_text(services.store)
    after = await identity.person(bob.id)
    assert after is not None and any(e.detail.get("identifier") == "record:erased" for e in after.history)
