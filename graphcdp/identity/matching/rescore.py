"""Rescoring after a model change: what the model in force says of the links earlier models made, and
(applied) matching every record again, so links change and new candidate pairs are scored too.
A reviewer's decisions (accepted MATCHED, NOT_MATCHED) are never touched."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from graphcdp.identity.matching.features import record_features
from graphcdp.identity.matching.keys import TERM, term_keys
from graphcdp.identity.matching.matcher import KEY_SIZES, Matcher, MatchInput
from graphcdp.identity.matching.pages import record_pages
from graphcdp.identity.matching.runtime import MatchingRuntime
from graphcdp.identity.resolver import ResolutionRules, now_ms, resolve
from graphcdp.model.matching import RecordFeaturesRow, ScoredLinkRow
from graphcdp.store import GraphStore, statement

SCORED_LINKS = statement("matching/scored_links", ScoredLinkRow)
MATCH_RECORDS = statement("matching/match_records", RecordFeaturesRow)

MATCHED, POSSIBLE, NONE = "MATCHED", "POSSIBLE_MATCH", "none"


@dataclass
class RescoreReport:
    links: int = 0
    changes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (before, after) → pairs
    examples: list[dict[str, object]] = field(default_factory=list)  # a few changed pairs, for the report
    rematched: int = 0  # records matched again (--apply)

    def to_dict(self) -> dict[str, object]:
        return {
            "links": self.links,
            "changes": [{"from": a, "to": b, "pairs": n} for (a, b), n in sorted(self.changes.items())],
            "examples": self.examples,
            "rematched": self.rematched,
        }


def _kind(probability: float, runtime: MatchingRuntime) -> str:
    thresholds = runtime.model.thresholds
    if probability >= thresholds.auto:
        return MATCHED
    return POSSIBLE if probability >= thresholds.review else NONE


async def rescore_links(store: GraphStore, runtime: MatchingRuntime, examples: int = 10) -> RescoreReport:
    """What the model in force would make of every scored link (nothing is written)."""
    report = RescoreReport()
    links = await store.run(SCORED_LINKS, {})
    report.links = len(links)
    keys = sorted({link.a for link in links} | {link.b for link in links})
    model = runtime.model
    features = {}
    for start in range(0, len(keys), 1000):
        for row in await store.run(MATCH_RECORDS, {"keys": keys[start : start + 1000]}):
            features[row.key] = record_features(row.traits, row.identifiers, model.fields)
    terms = sorted({t for f in features.values() for t in term_keys(model, f)})
    counts = {r.key.removeprefix(TERM): r.size for r in await store.run(KEY_SIZES, {"keys": terms})}
    for link in links:
        score = runtime.scorer.score(features.get(link.a, {}), features.get(link.b, {}), counts)
        before, after = (MATCHED if link.matched else POSSIBLE), _kind(score.probability, runtime)
        if before != after:
            report.changes[(before, after)] += 1
            if len(report.examples) < examples:
                report.examples.append({"a": link.a, "b": link.b, "before": link.score, "after": score.probability})
    return report


async def rematch_all(
    store: GraphStore,
    rules: ResolutionRules,
    runtime: MatchingRuntime,
    *,
    batch: int = 500,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Match every record with traits again under the model in force and resolve; records matched."""
    matcher, done = Matcher(store, runtime), 0
    async for records in record_pages(store, batch):
        await matcher.match([MatchInput(r.key, r.traits, r.identifiers, r.content_hash) for r in records], now_ms())
        await resolve(store, rules, record_keys=[r.key for r in records])
        done += len(records)
        if progress:
            progress(len(records))
    return done
