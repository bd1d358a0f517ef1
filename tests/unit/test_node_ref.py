from __future__ import annotations

import pytest

from graphcdp.model.node_ref import NodeKind, identifier_ref, parse_node_ref, person_ref, record_ref


def test_references_round_trip_keys_that_contain_colons() -> None:
    assert record_ref("crm:42") == "record:crm:42"
    assert parse_node_ref(record_ref("crm:42")) == (NodeKind.RECORD, "crm:42")
    assert parse_node_ref(identifier_ref("email:a@b.co")) == (NodeKind.IDENTIFIER, "email:a@b.co")
    assert parse_node_ref(person_ref("p-1")) == (NodeKind.PERSON, "p-1")


def test_a_source_named_like_an_identifier_type_stays_a_record() -> None:
    assert record_ref("email:1") != identifier_ref("email:1")


@pytest.mark.parametrize("ref", ["crm42", "r:crm:42", "id:email:a@b.co", ""])
def test_unknown_kinds_are_refused(ref: str) -> None:
    with pytest.raises(ValueError, match="not a node reference"):
        parse_node_ref(ref)
