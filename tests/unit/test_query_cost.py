"""How graphcdp/api/cost.py measures an operation: each fragment once (linear in the document), fields and aliases
counted, page sizes, list sizes and graph steps multiplying what they select."""

from __future__ import annotations

import time

from graphql import parse

from graphcdp.api.cost import DEFAULT_PAGE, GRAPH_STEP_COST, Measure, measure


def measured(document: str, **variables: object) -> Measure:
    [operation] = measure(parse(document), variables)
    return operation.measure


def test_fields_and_aliases_count_one_each() -> None:
    assert measured("{ version a: version b: version }") == Measure(depth=0, cost=3, batch_items=0, batch_calls=0)


def test_a_page_multiplies_what_it_selects() -> None:
    found = measured('{ searchPersons(query: "ada", first: 50) { edges { node { id } } } }')
    assert found.cost == 50 * (1 + (1 + (1 + 1))) and found.depth == 3
    assert measured('{ searchPersons(query: "ada") { totalCount } }').cost == DEFAULT_PAGE * 2
    assert measured('query($n: Int!) { searchPersons(query: "ada", first: $n) { totalCount } }', n=7).cost == 14


def test_identity_graph_depth_weighs_per_step() -> None:
    found = measured('{ identityGraph(identifier: {type: "email", value: "a@b.c"}, depth: 6) { depth } }')
    assert found.cost == GRAPH_STEP_COST * 6 * 2


def test_batch_items_of_every_call_add_up() -> None:
    document = (
        "mutation($a: [RecordInput!]!) { x: upsertRecords(records: $a) { ok } y: upsertRecords(records: $a) { ok } }"
    )
    found = measured(document, a=[{}] * 3)
    assert (found.batch_items, found.batch_calls, found.cost) == (6, 2, 2 * 3 * 2)


def test_fragments_are_measured_once_each_and_multiplied_by_their_spreads() -> None:
    levels = 200  # 2**200 fields: walking every spread would never end
    fragments = ["fragment F0 on Query { version }"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    started = time.monotonic()
    found = measured(f"{{ ...F{levels} }} " + " ".join(fragments))
    assert time.monotonic() - started < 5  # a bound, not a measurement: the exponential walk never ends
    assert found.cost == 2**levels and found.depth == 0


def test_a_fragment_cycle_counts_nothing_more() -> None:
    found = measured("{ ...A } fragment A on Query { version ...B } fragment B on Query { ...A }")
    assert found.cost == 1
