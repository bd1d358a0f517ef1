"""Exploring the identity graph against the real database: neighbourhoods for drawing, person search."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from graphcdp.explore.graph import GraphDepthError, GraphExplorer
from graphcdp.explore.search import PersonSearch, SearchQueryError
from graphcdp.identity.normalize import IdentifierError
from graphcdp.identity.search_text import person_name, search_text
from graphcdp.identity.service import IdentityService
from graphcdp.model.explore import IdentityGraph
from graphcdp.settings import Settings, load_settings
from graphcdp.store import GraphStore
from tests.identity_helpers import rec


@pytest.fixture
async def identity(store: GraphStore) -> AsyncIterator[IdentityService]:
    yield IdentityService(store, load_settings())


def explorer(identity: IdentityService, settings: Settings | None = None) -> GraphExplorer:
    settings = settings or load_settings()
    return GraphExplorer(identity.store, identity.policy, settings.graph_max_depth, settings.graph_node_limit)


def drawn(graph: IdentityGraph | None) -> tuple[dict[str, int], set[tuple[str, str, str]]]:
    """Nodes (id → distance) and edges (source, type, target) of a graph."""
    assert graph is not None
    nodes = {n.id: n.distance for n in graph.nodes}
    edges = {(e.source, e.type, e.target) for e in graph.edges}
    assert {end for e in edges for end in (e[0], e[2])} <= nodes.keys(), "an edge leaves the returned nodes"
    return nodes, edges


# --- identityGraph ---------------------------------------------------------------------------------


async def test_graph_at_depth_one_and_two(identity: IdentityService) -> None:
    out = await identity.upsert_records(
        [
            rec("crm", "1", 1000, ("email", "a@x.com"), ("phone", "+14155552671"), firstName="Ada"),
            rec("web", "2", 2000, ("email", "A@x.com"), ("cookie_id", "k1")),
            rec("pos", "3", 3000, ("phone", "+1 415 555 2671")),
            rec("app", "9", 4000, ("cookie_id", "elsewhere")),
        ]
    )
    person = f"person:{out.results[0].person_id}"
    email, phone, cookie = "identifier:email:a@x.com", "identifier:phone:+14155552671", "identifier:cookie_id:k1"

    one = await explorer(identity).identity_graph("email", " A@X.com ", 1)
    assert drawn(one) == (
        {email: 0, "record:crm:1": 1, "record:web:2": 1, person: 1},
        {
            ("record:crm:1", "HAS", email),
            ("record:web:2", "HAS", email),
            (email, "OF", person),
            ("record:crm:1", "OF", person),
            ("record:web:2", "OF", person),
        },
    )
    assert one is not None and not one.truncated and one.depth == 1

    two = await explorer(identity).identity_graph("email", "a@x.com", 2)
    nodes, edges = drawn(two)
    assert nodes == {
        email: 0,
        "record:crm:1": 1,
        "record:web:2": 1,
        person: 1,
        phone: 2,
        cookie: 2,
        "record:pos:3": 2,  # through the person: a person node is a hop
    }
    assert edges == {
        ("record:crm:1", "HAS", email),
        ("record:web:2", "HAS", email),
        ("record:crm:1", "HAS", phone),
        ("record:web:2", "HAS", cookie),
        ("record:pos:3", "HAS", phone),
        *((member, "OF", person) for member in (email, phone, cookie, "record:crm:1", "record:web:2", "record:pos:3")),
    }
    assert two is not None and not two.truncated
    by_id = {n.id: n for n in two.nodes}
    assert by_id[person].label == "Ada" and by_id[person].properties["traits"] == {"firstName": "Ada"}
    assert by_id["record:crm:1"].properties["source"] == "crm" and by_id["record:crm:1"].label == "crm:1"
    assert by_id[email].properties["type"] == "email" and by_id[email].label == "a@x.com"
    has = next(e for e in two.edges if e.source == "record:web:2" and e.target == email)
    assert has.properties == {"at": 2000, "source": "web"}


async def test_the_person_of_the_outer_edge_is_drawn_but_not_expanded(identity: IdentityService) -> None:
    # Merge protection: crm:B carries fam@x.com, which belongs to crm:A's person (two customer ids).
    out = await identity.upsert_records(
        [
            rec("crm", "A", 1000, ("customer_id", "C1"), ("email", "fam@x.com")),
            rec("crm", "B", 2000, ("customer_id", "C2"), ("email", "fam@x.com")),
        ]
    )
    first, second = (f"person:{r.person_id}" for r in out.results)
    assert first != second
    nodes, edges = drawn(await explorer(identity).identity_graph("customer_id", "C2", 2))
    assert nodes == {
        "identifier:customer_id:C2": 0,
        "record:crm:B": 1,
        second: 1,
        "identifier:email:fam@x.com": 2,
        first: 3,  # whom the outer identifier belongs to; her other members stay out
    }
    assert ("identifier:email:fam@x.com", "OF", first) in edges
    assert "record:crm:A" not in nodes


async def test_node_limit_cuts_the_graph(identity: IdentityService) -> None:
    await identity.upsert_records(
        [rec("web", str(n), 1000 + n, ("email", "many@x.com"), ("cookie_id", f"c{n}")) for n in range(20)]
    )
    full = await explorer(identity).identity_graph("email", "many@x.com", 1)
    assert full is not None and not full.truncated
    assert len(full.nodes) == 22  # the email, its 20 records, their person

    exact = await explorer(identity, Settings(graph_node_limit=22)).identity_graph("email", "many@x.com", 1)
    assert exact is not None and not exact.truncated and len(exact.nodes) == 22

    cut = await explorer(identity, Settings(graph_node_limit=5)).identity_graph("email", "many@x.com", 2)
    assert cut is not None and cut.truncated and len(cut.nodes) == 5
    assert cut.nodes[0].id == "identifier:email:many@x.com"
    assert any(n.kind == "person" for n in cut.nodes), "persons are kept first when a level is cut"
    drawn(cut)

    one_short = await explorer(identity, Settings(graph_node_limit=21)).identity_graph("email", "many@x.com", 1)
    assert one_short is not None and one_short.truncated and len(one_short.nodes) == 21


async def test_match_links_between_records_are_walked_and_drawn_with_their_kind(identity: IdentityService) -> None:
    # First and last name agree and nothing else is known: each pair waits for a reviewer.
    await identity.upsert_records(
        [
            rec("crm", "1", 1000, ("email", "anna@example.com"), firstName="Anna", lastName="Ramirez"),
            rec("pos", "2", 2000, ("loyalty_id", "L2"), firstName="Anna", lastName="Ramirez"),
            rec("crm", "3", 3000, ("email", "bo@example.com"), firstName="Bo", lastName="Lindqvist"),
            rec("pos", "4", 4000, ("loyalty_id", "L4"), firstName="Bo", lastName="Lindqvist"),
        ]
    )
    anna, bo = "identifier:email:anna@example.com", "identifier:email:bo@example.com"
    nodes, edges = drawn(await explorer(identity).identity_graph("email", "anna@example.com", 2))
    assert nodes["record:pos:2"] == 2, "a record waiting for review with one drawn is a hop away"
    assert ("record:crm:1", "POSSIBLE_MATCH", "record:pos:2") in edges

    queue, _ = await identity.review_queue(10, None)
    await identity.resolve_match(next(i.id for i in queue if i.a == "crm:1"), accept=True)
    await identity.resolve_match(next(i.id for i in queue if i.a == "crm:3"), accept=False)

    accepted = await explorer(identity).identity_graph("email", "anna@example.com", 2)
    nodes, edges = drawn(accepted)
    assert ("record:crm:1", "MATCHED", "record:pos:2") in edges and nodes["record:pos:2"] == 2
    assert ("record:crm:1", "POSSIBLE_MATCH", "record:pos:2") not in edges
    assert accepted is not None
    link = next(e for e in accepted.edges if e.type == "MATCHED")
    assert link.properties["reviewed"] is True and link.properties["rule"] == "review"
    assert 0.5 <= link.properties["score"] < 0.95 and link.properties["at"] is not None

    refused = await explorer(identity).identity_graph("email", "bo@example.com", 2)
    nodes, edges = drawn(refused)
    assert ("record:crm:3", "NOT_MATCHED", "record:pos:4") in edges
    assert refused is not None
    persons = {n.id for n in refused.nodes if n.kind == "person"}
    assert len(persons) == 2, "the refused record keeps its own person, drawn beside"
    assert anna not in nodes and bo in nodes


async def test_depth_bounds_and_unknown_or_malformed_identifiers(identity: IdentityService) -> None:
    await identity.upsert_records([rec("crm", "1", 1000, ("email", "a@x.com"))])
    graphs = explorer(identity, Settings(graph_max_depth=3))
    for depth in (0, 4):
        with pytest.raises(GraphDepthError, match=r"must be between 1 and 3 \(GRAPHCDP_GRAPH_MAX_DEPTH\)"):
            await graphs.identity_graph("email", "a@x.com", depth)
    assert await graphs.identity_graph("email", "a@x.com", 3) is not None
    assert await graphs.identity_graph("email", "nobody@x.com", 2) is None
    with pytest.raises(IdentifierError) as bad:
        await graphs.identity_graph("email", "not-an-email", 2)
    assert bad.value.code == "INVALID_EMAIL"


# --- searchPersons ---------------------------------------------------------------------------------


def test_searchable_text_of_a_person() -> None:
    assert person_name({"firstName": "Zoë", "lastName": "Müller", "birthDate": "1990-01-01"}) == "zoë müller"
    assert person_name({"name": "Ada King", "lastName": "Lovelace"}) == "lovelace ada king"
    assert person_name({"firstName": "Ada", "lastName": "Lovelace", "name": "ada  lovelace"}) == "ada lovelace"
    assert person_name({"city": "London"}) is None
    text = search_text("zoë müller", [("email", "zoe.m1990@example.com"), ("phone", "+4915112345678")])
    words = text.split()
    assert words[:2] == ["zoe", "muller"]
    assert {"zoe", "m1990", "m", "1990", "example", "com", "zoem1990"} <= set(words)
    assert {"4915112345678", "15112345678", "5112345678", "5678"} <= set(words) and "678" not in words


async def search(identity: IdentityService, query: str) -> list[tuple[str, str]]:
    """(person id, matched on) of every result, best first."""
    return [(hit.person_id, hit.matched_on) for hit in await PersonSearch(identity.store, identity.policy).rank(query)]


async def test_ranking_by_name_email_and_phone_fragments(identity: IdentityService) -> None:
    out = await identity.upsert_records(
        [
            rec(
                "crm",
                "1",
                1000,
                ("email", "ada.lovelace@example.com"),
                ("phone", "+4915112345678"),
                firstName="Ada",
                lastName="Lovelace",
            ),
            rec("crm", "2", 2000, ("email", "ada@lovelock.org"), firstName="Ada", lastName="Lovelock"),
            rec("crm", "3", 3000, ("email", "grace@navy.mil"), firstName="Grace", lastName="Hopper"),
        ]
    )
    lovelace, lovelock, hopper = (r.person_id for r in out.results)

    assert await search(identity, "lovelace") == [(lovelace, "name"), (lovelock, "name")]
    assert await search(identity, "  LOVELACE ") == [(lovelace, "name"), (lovelock, "name")]
    assert (await search(identity, "ada.love"))[0] == (lovelace, "email:ada.lovelace@example.com")
    assert await search(identity, "adalove") == [(lovelace, "email:ada.lovelace@example.com")]
    assert await search(identity, "5112345") == [(lovelace, "phone:+4915112345678")]
    assert await search(identity, "0151 1234 5678") == [(lovelace, "phone:+4915112345678")]
    assert await search(identity, "lovelase") == [(lovelace, "name")]  # a typo
    assert await search(identity, "navy") == [(hopper, "email:grace@navy.mil")]
    assert await search(identity, "turing") == []

    ranked = await PersonSearch(identity.store, identity.policy).rank("+49 151 12345678")
    assert [(h.person_id, h.score, h.matched_on) for h in ranked] == [(lovelace, 100.0, "phone:+4915112345678")]


async def test_an_exact_email_beats_a_close_name(identity: IdentityService) -> None:
    out = await identity.upsert_records(
        [
            rec("crm", "1", 1000, ("email", "countess@example.com"), firstName="Ada", lastName="Lovelace"),
            rec("crm", "2", 2000, ("email", "ada.lovelace@example.com"), firstName="Grace", lastName="Hopper"),
            rec("crm", "3", 3000, ("email", "lovelace.ada@example.com"), firstName="Augusta", lastName="King"),
        ]
    )
    countess, owner, lookalike = (r.person_id for r in out.results)
    hits = await PersonSearch(identity.store, identity.policy).rank("Ada.Lovelace@Example.com")
    assert hits[0].person_id == owner and hits[0].matched_on == "email:ada.lovelace@example.com"
    assert hits[0].score == 100.0
    assert {h.person_id for h in hits[1:]} == {countess, lookalike}
    assert all(h.score < 100.0 for h in hits[1:])


async def test_pages_follow_each_other_without_duplicates(identity: IdentityService) -> None:
    await identity.upsert_records(
        [
            rec("crm", str(n), 1000 + n, ("email", f"p{n}@x.com"), firstName="Zed", lastName=f"Person{n}")
            for n in range(7)
        ]
    )
    people = PersonSearch(identity.store, identity.policy)
    seen: list[str] = []
    offset, pages = 0, 0
    while True:
        page = await people.search("zed", 3, offset)
        pages += 1
        seen += [hit.person.id for hit in page.hits]
        assert [hit.position for hit in page.hits] == list(range(offset, offset + len(page.hits)))
        if not page.has_next:
            break
        assert page.end_position is not None
        offset = page.end_position + 1
    assert pages == 3 and len(seen) == len(set(seen)) == 7
    ranked = await people.rank("zed")
    assert [h.person_id for h in ranked] == seen
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)
    assert (await people.search("zed", 3, 7)).hits == []


async def test_merged_away_and_emptied_persons_never_appear(identity: IdentityService) -> None:
    ann = {"firstName": "Ann", "lastName": "Merge"}
    a = await identity.upsert_records([rec("crm", "a", 1000, ("email", "ann@x.com"), **ann)])
    b = await identity.upsert_records([rec("pos", "b", 2000, ("phone", "+14155552671"), **ann)])
    survivor, retired = a.results[0].person_id, b.results[0].person_id
    assert sorted(p for p, _ in await search(identity, "ann merge")) == sorted([survivor, retired])

    await identity.upsert_records([rec("web", "c", 3000, ("email", "ann@x.com"), ("phone", "+14155552671"))])
    assert [p for p, _ in await search(identity, "ann merge")] == [survivor]
    assert [p for p, _ in await search(identity, "4155552671")] == [survivor]

    # A person whose only evidence goes away is emptied: her node stays (as a retired id), unsearchable.
    lone = await identity.upsert_records([rec("crm", "z", 4000, firstName="Zora")])
    assert await search(identity, "zora") == [(lone.results[0].person_id, "name")]
    await identity.delete_record("crm", "z")
    assert await search(identity, "zora") == []


async def test_queries_that_are_too_short(identity: IdentityService) -> None:
    people = PersonSearch(identity.store, identity.policy)
    for query in ("", "  a  ", "a b", "x" * 201):
        with pytest.raises(SearchQueryError):
            await people.rank(query)
