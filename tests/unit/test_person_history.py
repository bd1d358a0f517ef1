"""A person's history as the API shows it: stored texts decoded, in time order, an entry stored twice counted once."""

from __future__ import annotations

from graphcdp.model.identity import Person
from graphcdp.segments.compiler import ENTERED, _event


def test_an_entry_stored_before_entries_were_read_from_the_edges_counts_once() -> None:
    # Older builds stored each segment entry as an event; now her IN edge gives the same text as well.
    entry = _event(ENTERED, {"at": 5, "segment": "vip"})
    created = '{"at": 1, "kind": "created"}'
    person = Person.model_validate({"id": "p", "history": [created, entry, entry]})
    assert [(e.kind, e.at, e.detail) for e in person.history] == [
        ("created", 1, {}),
        ("segment_entered", 5, {"segment": "vip"}),
    ]


def test_the_edge_derived_entry_is_the_stored_text_byte_for_byte() -> None:
    # cypher/identity/person_by_id.cypher and the other reads build this text from the IN edge; the refresh
    # builds it with entered_event: both must equal what older builds stored, or the duplicate would stay.
    from graphcdp.store.cypher import DEFAULT_ROOT

    text = (DEFAULT_ROOT / "identity" / "person_by_id.cypher").read_text(encoding="utf-8")
    expected = _event(ENTERED, {"at": 5, "segment": "vip"})
    template = (
        """'{"at": ' + toString(heldIn.since) + ', "kind": "segment_entered", "segment": "' + heldSegment.key + '"}'"""
    )
    assert template in text
    assert (
        template.replace("' + toString(heldIn.since) + '", "5").replace("' + heldSegment.key + '", "vip")[1:-1]
        == expected
    )
