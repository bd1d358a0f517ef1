"""Every statement that writes change-feed events does it with the one block of cypher/feed/emit.fragment, copied
as it is: the numbering and the Neo4j lock that keeps sequences in commit order live in that block only."""

from __future__ import annotations

from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.profiles.metrics import MetricsConfig
from graphcdp.segments.compiler import FEED_BATCH_EMIT, SEGMENT_FEED_EMIT, compile_refresh
from graphcdp.segments.definition import parse_definition
from graphcdp.settings import Settings
from graphcdp.store.cypher import DEFAULT_ROOT, DIALECTS, statement_files

FRAGMENT = (DEFAULT_ROOT / "feed" / "emit.fragment").read_text(encoding="utf-8")
EMITTERS = {
    "identity/commit_additions",
    "identity/commit_resolution",
    "identity/detach_record",
    "identity/delete_record",
    "privacy/record_consent",
    "privacy/erase_persons",
    "segments/delete_segment",
}


def test_the_fragment_creates_the_events_and_numbers_them() -> None:
    assert "CREATE (:Change {sequence: feed.last + 1 + n" in FRAGMENT
    assert "SET feed.lockedAt = $now" in FRAGMENT


def test_every_statement_writing_changes_holds_the_fragment_as_it_is() -> None:
    for dialect in DIALECTS:
        writers = set()
        for name, path in statement_files(dialect).items():
            text = path.read_text(encoding="utf-8")
            if (":Change {" in text or "ChangeFeed" in text) and not name.startswith(("feed/", "schema/")):
                writers.add(name)
                assert FRAGMENT in text, f"{path}: copy cypher/feed/emit.fragment as it is"
        assert writers == EMITTERS, dialect


def test_every_compiled_refresh_holds_the_fragment_as_it_is_but_for_the_label() -> None:
    # Segment maintenance's statements are compiled, not files: the same block, read from the same file, with
    # its events as SegmentChange nodes (numbered by the same counter, without Change's uniqueness constraint);
    # a full evaluation (every person) appends them in batches with the block of emit_batches.fragment instead.
    assert FRAGMENT.replace("CREATE (:Change {", "CREATE (:SegmentChange {") == SEGMENT_FEED_EMIT
    assert SEGMENT_FEED_EMIT != FRAGMENT
    assert "SET feed.lockedAt = $now" in FEED_BATCH_EMIT
    definition = parse_definition({"trait": "loyalty.tier", "eq": "gold"}, IdentifierPolicy())
    for dialect in ("falkordb", "neo4j"):
        for all_persons in (True, False):
            for fresh in (True, False):
                compiled = compile_refresh(
                    [("gold", definition)],
                    dialect,
                    0,
                    all_persons=all_persons,
                    metrics=MetricsConfig.from_settings(Settings()),
                    fresh=fresh,
                )
                emit = FEED_BATCH_EMIT if all_persons else SEGMENT_FEED_EMIT
                assert emit in compiled.text, (dialect, all_persons, fresh)
