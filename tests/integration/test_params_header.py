"""Parameters written in one pass (graphcdp/store/params_header.py) are the client's own text, byte for byte, and the
real database reads them back as the values sent."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphcdp.store.falkordb import FalkorDBStore, _param

TRICKY_TEXT = [
    "",
    'a "quoted" word',
    "back\\slash, and \\u0041 written out",
    "line\nbreak\ttab\rreturn\bbackspace\fform feed, \x01 a control character",
    "é, 漢字, 😀",
    "{not a map}, [nor a list]",
    '",{"k":"v"},"',
    "ends with a backslash \\",
]


class Kind(enum.StrEnum):
    CREATED = "created"


def _client_header(store: FalkorDBStore, params: Mapping[str, Any]) -> str:
    return store._graph._build_params_header({key: _param(value) for key, value in params.items()})


async def _read_back(store: FalkorDBStore, header: str) -> Any:
    reply = await store._graph.execute_command(
        "GRAPH.RO_QUERY", store._graph_name, header + "RETURN $p AS p", "--compact"
    )
    return (await store._reply_rows(reply))[0]["p"]


async def test_every_kind_of_value_is_written_as_the_client_writes_it(falkordb_store: FalkorDBStore) -> None:
    value = {
        "texts": TRICKY_TEXT,
        "numbers": [0, -7, 2**62, 1.5, 1e-7, 1.5e300, -0.0],
        "flags": [True, False, None],
        "nested": {"a b": {"@type": [{"x-y": []}, {}]}, "emptyList": [], "emptyMap": {}},
        "pairs": [("key", True), ("other", 2.5)],
        "json": '{"firstName": "Ann", "note": "said \\"hi\\""}',
        "enum": Kind.CREATED,
    }
    params = {"p": value, "now": 1_700_000_000_000}
    ours = falkordb_store._params_header(params)
    assert ours == _client_header(falkordb_store, params)
    read = await _read_back(falkordb_store, ours)
    assert read["texts"] == TRICKY_TEXT
    assert read["flags"] == [True, False, None] and read["enum"] == "created"


@pytest.mark.parametrize("key", ["", "a ` backtick"], ids=["empty", "backtick"])
async def test_a_map_key_the_client_refuses_is_refused_the_same_way(falkordb_store: FalkorDBStore, key: str) -> None:
    with pytest.raises(ValueError, match="Cypher map key cannot"):
        falkordb_store._params_header({"p": [{key: 1}]})


# Any text the database can hold: no NUL (FalkorDB reads the query as a C string) and no lone surrogate (not UTF-8).
texts = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | texts
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(texts.filter(lambda k: k and "`" not in k), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=values)
async def test_generated_values_are_written_as_the_client_writes_them(
    falkordb_store: FalkorDBStore, value: Any
) -> None:
    params = {"p": value}
    ours = falkordb_store._params_header(params)
    assert ours == _client_header(falkordb_store, params)
    await _read_back(falkordb_store, ours)  # and the database takes it
