"""Incremental matching at ingest: index each changed record under its match keys, find candidates through
its blocks (indexed lookups only; an oversized block is skipped and counted), score every candidate pair and
store the links: MATCHED from the auto threshold, POSSIBLE_MATCH (the review queue) from the review threshold.
Resolution then decides who is who from those links (graphcdp/identity/linking.py).

Only records with traits take part: touchpoint and consent evidence carries identifiers alone, which
deterministic linking already uses in full.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphcdp.identity.matching.active_model import MatchingRuntime
from graphcdp.identity.matching.features import Features, record_features, stored_features
from graphcdp.identity.matching.keys import BLOCK, TERM, blocking_keys, term_keys
from graphcdp.identity.matching.link_kind import LinkKind, classify
from graphcdp.identity.matching.scoring import PairScore, TermCounts
from graphcdp.identity.matching.spec import MatchingModel
from graphcdp.model.identity import KeySize
from graphcdp.model.matching import BlockMember, LinksWritten
from graphcdp.store import GraphStore, statement

INDEX_RECORDS = statement("matching/index_records", KeySize)
KEY_SIZES = statement("matching/key_sizes", KeySize)
BLOCK_MEMBERS = statement("matching/block_members", BlockMember)
WRITE_LINKS = statement("matching/write_links", LinksWritten)


@dataclass(frozen=True)
class MatchInput:
    key: str
    traits: dict[str, Any]
    identifiers: tuple[str, ...]  # linking identifier keys
    content_hash: str  # what the record holds now: a link remembers the content it was scored from


@dataclass(frozen=True)
class Prepared:
    """Records' features and match keys under one model. The write that files a changed record under its keys
    and the scoring after it both need them: computed once (they were a tenth of an import's matching time)."""

    model: MatchingModel
    features: dict[str, Features]
    blocks: dict[str, list[str]]  # blocking keys
    terms: dict[str, list[str]]  # term keys

    def keys(self, key: str) -> list[str]:
        """What the record is filed under: its blocking keys, then its term keys."""
        return self.blocks[key] + self.terms[key]

    def covers(self, records: Iterable[MatchInput], model: MatchingModel) -> bool:
        return model is self.model and all(r.key in self.features for r in records)


@dataclass(frozen=True)
class AutoLink:
    """A MATCHED link a match stored, as a component read gives it back: not reviewed."""

    a: str
    b: str
    score: float
    rule: str


@dataclass
class MatchReport:
    pairs_scored: int = 0
    matched: int = 0
    possible: int = 0
    skipped_blocks: dict[str, int] = field(default_factory=dict)  # oversized block → its size
    pairs: list[tuple[str, str, LinkKind]] = field(default_factory=list)  # what was scored, for `of`
    blocks: dict[str, list[str]] = field(default_factory=dict)  # each matched record's blocks, for `of`
    links: list[AutoLink] = field(default_factory=list)  # the MATCHED links stored

    def count(self, a: str, b: str, kind: LinkKind) -> None:
        self.pairs_scored += 1
        self.matched += kind == LinkKind.MATCHED
        self.possible += kind == LinkKind.POSSIBLE_MATCH
        self.pairs.append((a, b, kind))

    def of(self, records: Collection[str]) -> MatchReport:
        """The part of this report about `records` (some of the matched ones): the pairs scored with one of them,
        the oversized blocks one of them falls in."""
        part = MatchReport()
        for a, b, kind in self.pairs:
            if a in records or b in records:
                part.count(a, b, kind)
        theirs = {block for key in records for block in self.blocks.get(key, ())}
        part.skipped_blocks = {k: n for k, n in self.skipped_blocks.items() if k in theirs}
        part.blocks = {key: self.blocks[key] for key in records if key in self.blocks}
        part.links = [link for link in self.links if link.a in records or link.b in records]
        return part

    def add(self, other: MatchReport) -> None:
        """`other`'s counts added to these (reports of different records)."""
        for a, b, kind in other.pairs:
            self.count(a, b, kind)
        self.skipped_blocks |= other.skipped_blocks
        self.blocks |= other.blocks
        self.links += other.links


@dataclass(frozen=True)
class ScoredPair:
    a: str  # a < b
    b: str
    ha: str  # the content hashes the pair was scored from
    hb: str
    kind: LinkKind
    score: PairScore


@dataclass
class _Candidate:
    features: Features
    content_hash: str
    blocks: set[str]
    cannot: set[str]
    detached: bool


RANK_SCALE = 10**12  # ranks are whole numbers below 2**53: exact as a double, in FalkorDB and Neo4j alike


def review_rank(probability: float) -> int:
    """Where a pair stands in the review queue, highest score first: an indexed whole number."""
    return round((1 - probability) * RANK_SCALE)


def review_order(probability: float, a: str, b: str) -> str:
    """The review queue's sort key: its rank, then the pair; compared as a string, exactly."""
    return f"{review_rank(probability):013d}|{a}|{b}"


class Matcher:
    def __init__(self, store: GraphStore, runtime: MatchingRuntime) -> None:
        self.store = store
        self.runtime = runtime

    def prepare(self, records: Iterable[MatchInput]) -> Prepared:
        """Each record's features and match keys under the current model: `keys` is what identity/upsert_records
        files a changed record under when it is given them (`matchKeys`); `match` reuses the rest."""
        model = self.runtime.model
        features = {r.key: record_features(r.traits, r.identifiers, model.fields) if r.traits else {} for r in records}
        blocks = {key: blocking_keys(model, f) for key, f in features.items()}
        terms = {key: term_keys(model, f) for key, f in features.items()}
        return Prepared(model, features, blocks, terms)

    async def match(
        self,
        records: Sequence[MatchInput],
        now: int,
        *,
        new_content: bool = False,
        fresh: Collection[str] = (),
        indexed: Mapping[str, int] | None = None,
        prepared: Prepared | None = None,
    ) -> MatchReport:
        """Score the records against their candidates and store the links; the caller resolves afterwards.
        `new_content`: the records were just stored with content they did not have, so every link they had
        is stale and goes anyway; the pairs scored below review (most of them) then need not be sent.
        `fresh`: records created just now: a link to one can only be another writer's, scored from the content
        it has, so none is stale and, with no pair to store, nothing is written.
        `indexed`: the records were filed under their `match_keys` by the write that stored them, which
        answered with these keys' sizes; else they are filed here (identity/index_records).
        `prepared`: the records' features and keys, if computed under the current model."""
        report, scored = await self._score(records, index=True, indexed=indexed, prepared=prepared)
        pairs = []
        for pair in scored:
            if pair.kind == LinkKind.NONE and new_content:
                continue
            param: dict[str, Any] = {"a": pair.a, "b": pair.b, "ha": pair.ha, "hb": pair.hb, "kind": pair.kind.value}
            if pair.kind != LinkKind.NONE:
                param |= {
                    "order": review_order(pair.score.probability, pair.a, pair.b),
                    "rank": review_rank(pair.score.probability),
                    "score": pair.score.probability,
                    "weight": pair.score.weight,
                    "detail": json.dumps(pair.score.to_dict(), sort_keys=True),
                }
            pairs.append(param)
        if pairs or any(r.key not in fresh for r in records):  # even with nothing scored: stale links go
            # Only records stored before can hold stale links: looking for them on 5,000 new records cost FalkorDB
            # 0.3 to 0.5 s of an import batch's write (an undirected two-type traversal per record, in a write).
            stale = sorted(r.key for r in records if r.key not in fresh)
            rule = self.runtime.rule
            params = {"records": stale, "pairs": pairs, "rule": rule, "now": now}
            for written in await self.store.run(WRITE_LINKS, params):
                report.links += [AutoLink(a, b, score, rule) for a, b, score in written.matched]
        return report

    async def preview(self, records: Sequence[MatchInput]) -> tuple[MatchReport, list[ScoredPair]]:
        """What `match` would score and link, writing nothing (a dry run): the records are not indexed, so
        they meet their candidates, and each other, from their blocks as they would be."""
        return await self._score(records, index=False)

    async def _score(
        self,
        records: Sequence[MatchInput],
        *,
        index: bool,
        indexed: Mapping[str, int] | None = None,
        prepared: Prepared | None = None,
    ) -> tuple[MatchReport, list[ScoredPair]]:
        model = self.runtime.model
        if prepared is None or not prepared.covers(records, model):  # the model changed since: compute again
            prepared = self.prepare(records)
        features = {r.key: prepared.features[r.key] for r in records}
        blocks = {key: prepared.blocks[key] for key in features}
        report = MatchReport(blocks=blocks)
        terms = {key: prepared.terms[key] for key in features}
        sizes: dict[str, int] = {}
        if index and indexed is not None:
            sizes = dict(indexed)
        elif index:  # the statement that indexes the records answers with the sizes of their keys
            filed = [{"key": k, "keys": blocks[k] + terms[k]} for k in sorted(features)]
            sizes = {row.key: row.size for row in await self.store.run(INDEX_RECORDS, {"records": filed})}
        wanted = sorted({k for keys in (*blocks.values(), *terms.values()) for k in keys})
        if not wanted:
            return report, []
        if not index:
            sizes = {row.key: row.size for row in await self.store.run(KEY_SIZES, {"keys": wanted})}
        cap = model.blocking.max_block_size
        report.skipped_blocks = {k: sizes[k] for k in wanted if k.startswith(BLOCK) and sizes.get(k, 0) > cap}
        usable = [k for k in wanted if k.startswith(BLOCK) and sizes.get(k, 0) <= cap]
        if index:  # every usable block holds at least the record itself now
            usable = [k for k in usable if sizes.get(k, 0) > 0]
        candidates = await self._candidates(usable) if usable else {}
        if not index:
            for r in records:  # as the record would be stored: its new content under its new blocks
                stored = candidates.get(r.key)
                candidates[r.key] = _Candidate(
                    features=features[r.key],
                    content_hash=r.content_hash,
                    blocks=set(blocks[r.key]),
                    cannot=stored.cannot if stored else set(),
                    detached=stored.detached if stored else False,
                )
        counts: TermCounts = {k.removeprefix(TERM): v for k, v in sizes.items() if k.startswith(TERM)}
        hashes = {r.key: r.content_hash for r in records} | {k: c.content_hash for k, c in candidates.items()}
        scored = []
        for a, b, score in self._score_pairs(records, features, blocks, candidates, counts):
            kind = classify(score.probability, model.thresholds)
            report.count(a, b, kind)
            scored.append(ScoredPair(a, b, hashes[a], hashes[b], kind, score))
        return report, scored

    async def _candidates(self, blocks: list[str]) -> dict[str, _Candidate]:
        fields = tuple(self.runtime.model.fields)
        found = {}
        for row in await self.store.run(BLOCK_MEMBERS, {"blocks": blocks}):
            found[row.key] = _Candidate(
                features=stored_features(
                    row.hash, row.traits or "{}", row.identifiers, fields, none_without_traits=True
                ),
                content_hash=row.hash or "",
                blocks=set(row.blocks),
                cannot=set(row.cannot),
                detached=row.detached,
            )
        return found

    def _score_pairs(
        self,
        records: Iterable[MatchInput],
        features: dict[str, Features],
        blocks: dict[str, list[str]],
        candidates: dict[str, _Candidate],
        counts: TermCounts,
    ) -> Iterable[tuple[str, str, PairScore]]:
        members: dict[str, list[str]] = {}
        for key, candidate in candidates.items():
            for block in candidate.blocks:
                members.setdefault(block, []).append(key)
        seen: set[tuple[str, str]] = set()
        for record in records:
            mine = features[record.key]
            if not mine:
                continue
            for key in sorted({k for block in blocks[record.key] for k in members.get(block, ())}):
                candidate = candidates[key]
                pair = (min(record.key, key), max(record.key, key))
                if key == record.key or pair in seen or candidate.detached or not candidate.features:
                    continue
                if record.key in candidate.cannot:
                    continue  # a reviewer said they are different people: never proposed again
                seen.add(pair)
                first, second = (mine, candidate.features) if record.key < key else (candidate.features, mine)
                yield pair[0], pair[1], self.runtime.scorer.score(first, second, counts)
