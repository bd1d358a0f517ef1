"""A matching report split by record: what each request of a group of upserts is told it matched."""

from __future__ import annotations

from graphcdp.identity.matching.link_kind import LinkKind
from graphcdp.identity.matching.matcher import MatchReport


def test_a_report_of_some_records_counts_their_pairs_and_their_oversized_blocks() -> None:
    report = MatchReport(blocks={"a": ["b:smith", "b:1990"], "c": ["b:jones"]})
    report.count("a", "x", LinkKind.MATCHED)
    report.count("a", "c", LinkKind.POSSIBLE_MATCH)
    report.count("c", "y", LinkKind.NONE)
    report.skipped_blocks = {"b:smith": 900, "b:jones": 700}

    of_a = report.of({"a"})
    assert (of_a.pairs_scored, of_a.matched, of_a.possible) == (2, 1, 1)
    assert of_a.skipped_blocks == {"b:smith": 900}
    of_c = report.of({"c"})
    assert (of_c.pairs_scored, of_c.matched, of_c.possible) == (2, 0, 1)  # a pair of two requests counts for both
    assert of_c.skipped_blocks == {"b:jones": 700}
    assert report.of({"z"}).pairs_scored == 0

    whole = MatchReport()
    whole.add(of_a)
    whole.add(report.of({"c"}))
    assert (whole.pairs_scored, whole.skipped_blocks) == (4, {"b:smith": 900, "b:jones": 700})
