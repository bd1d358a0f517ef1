"""Segment definitions compiled to Cypher: the one sanctioned place where Cypher text is assembled in Python.

Nothing from a definition is ever put into the text. Values are parameters with generated names (`$c0`, `$c1`,
…); condition kinds, operators and metric names pick fixed fragments from the dicts below; trait paths and
property names only reach the database inside parameter values (facets, `path=text`). The text of a statement is
therefore a function of the shape of its definitions alone, which `tests/unit/test_segment_compiler.py` checks
by asserting that no input string appears in it, and `tests/lint` runs Neo4j's linter over a corpus.

Three statements per definition, evaluating each condition with the same expression (so membership, preview
and explanation can never disagree):
- `compile_refresh`: WRITE; evaluates several segments for some or all live persons and makes their `IN` edges
  and histories (SegmentEvents nodes) agree, returning one row per change;
- `compile_preview`: READ; how many live persons the definition selects and the first ids;
- `compile_explain`: READ for `$person`; every condition in tree order, whether it held and what it looked at.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any as TypingAny
from typing import Generic, Literal, overload

from graphcdp.model.facets import facet
from graphcdp.model.feed import ChangeKind, change_for_statement
from graphcdp.model.segments import ExplainRow, MembershipChange, MetricsRow, PreviewRow, RefreshCount
from graphcdp.profiles.metrics import DAY_MS, MetricsConfig
from graphcdp.segments.definition import (
    BIRTH_DATE,
    AgeCondition,
    All,
    Any,
    Comparison,
    Condition,
    ConsentCondition,
    Definition,
    IdentifierCondition,
    Metric,
    MetricCondition,
    Not,
    Op,
    SegmentCondition,
    TouchpointCondition,
    TraitCondition,
    walk,
)
from graphcdp.segments.metric_expressions import AMOUNT, METRIC_VARS, metric_stages
from graphcdp.store import GraphStore
from graphcdp.store.cypher import DEFAULT_ROOT, GeneratedStatement, Mode, RowT, generated_statement

Dialect = Literal["falkordb", "neo4j"]
# The change feed's one append block (docs/change-feed.md), put in refreshes as it is but for the label: segment
# membership events are SegmentChange nodes, numbered from the same counter without Change's uniqueness constraint
# (checking it costs about 60 µs per event on FalkorDB, the largest share of a large segment's evaluation).
FEED_EMIT = (DEFAULT_ROOT / "feed" / "emit.fragment").read_text(encoding="utf-8")
CHANGE_NODE, SEGMENT_CHANGE_NODE = "CREATE (:Change {", "CREATE (:SegmentChange {"
SEGMENT_FEED_EMIT = FEED_EMIT.replace(CHANGE_NODE, SEGMENT_CHANGE_NODE)
assert SEGMENT_FEED_EMIT.count(SEGMENT_CHANGE_NODE) == 1, "cypher/feed/emit.fragment creates one Change node"
# A full evaluation (every person) appends its events in batches of FEED_BATCH persons, one SegmentChanges node
# each: one indexed node per member cost more than the rest of a large segment's evaluation.
FEED_BATCH_EMIT = (DEFAULT_ROOT / "feed" / "emit_batches.fragment").read_text(encoding="utf-8")
FEED_BATCH = 1000
ENTERED, EXITED = "segment_entered", "segment_exited"
# A person's history holds her entries into the segments she is in as the `since` of her IN edges (statements
# returning `history` add one event per edge: `entered_event`), so entering writes nothing more. Leaving writes
# both events, the entry (from the edge, before it goes) and the exit, to a SegmentEvents node of her own, never
# onto the Person: updating a Person updates every index of the label (about 50 µs a member on FalkorDB).
HISTORY_APPEND = "CREATE (p)-[:SEGMENT_EVENTS]->(:SegmentEvents {at: $now, events: "


def entered_event(since: str, key: str) -> str:
    """Cypher for the stored text of a segment entry event (`_event(ENTERED, {"at": since, "segment": key})`,
    byte for byte) from the expressions of the edge's `since` and the segment key (keys are letters, digits and
    `_ . : -`, so they need no escaping in JSON)."""
    return f"""'{{"at": ' + toString({since}) + ', "kind": "{ENTERED}", "segment": "' + {key} + '"}}'"""


ISO_DATE_LENGTH = 10
MAX_GENERATED = 512  # statements kept by text (_compiled)
_GENERATED: dict[tuple[str, str, Mode, str], GeneratedStatement[TypingAny]] = {}

# The fixed fragments operators map to; nothing else becomes an operator in the text.
_COMPARE = {Op.EQ: "=", Op.NE: "<>", Op.GT: ">", Op.GTE: ">=", Op.LT: "<", Op.LTE: "<="}
_LIVE = "p.mergedInto IS NULL AND coalesce(p.emptied, false) = false"
_FACETS = "coalesce(p.traitFacets, [])"


@dataclass(frozen=True)
class CompiledStatement(Generic[RowT]):
    """A generated statement, run through the GraphStore like a file's (`run`), its rows decoded into `query.row`.

    `params` holds everything the definition and the clock give; the caller adds what names the persons:
    `persons` for a refresh that is not `all_persons`, `person` for an explanation."""

    generated: GeneratedStatement[RowT]
    params: dict[str, object]

    async def run(self, store: GraphStore, **extra: object) -> list[RowT]:
        store.catalog.register(self.generated.statement)
        return await store.run(self.generated.query, {**self.params, **extra})

    @property
    def text(self) -> str:
        return self.generated.statement.text


def dialect_of(store: GraphStore) -> Dialect:
    """The dialect a store's statements are written in."""
    dialect = store.catalog.dialect
    if dialect not in ("falkordb", "neo4j"):
        raise ValueError(f"no segment compiler for the {dialect} dialect")
    return "neo4j" if dialect == "neo4j" else "falkordb"


# --- the expression builder ----------------------------------------------------------------------------------


@dataclass
class _Leaf:
    held: str  # a boolean expression, never null
    detail: list[str]  # expressions shown in an explanation


@dataclass
class _Builder:
    now: int
    metrics: MetricsConfig
    params: dict[str, object] = field(default_factory=dict)
    needs: set[str] = field(default_factory=set)  # ids, tps, consents, memberOf, metrics
    metrics_wanted: set[Metric] = field(default_factory=set)
    values: list[tuple[str, str]] = field(default_factory=list)  # (variable, expression) the conditions read
    leaves: dict[str, _Leaf] = field(default_factory=dict)  # by condition path, per definition
    local: dict[str, str] = field(default_factory=dict)  # segment key -> variable computed earlier in the statement
    _count: int = 0

    def param(self, value: object) -> str:
        name = f"c{self._count}"
        self._count += 1
        self.params[name] = value
        return f"${name}"

    def var(self, expression: str) -> str:
        name = f"v{len(self.values)}"
        self.values.append((name, expression))
        return name

    # --- conditions ----------------------------------------------------------------------------------------

    def held(self, condition: Condition, scope: str) -> str:
        """The boolean expression of a condition (compiled once per scope: one definition in one statement)."""
        if isinstance(condition, All):
            return "(" + " AND ".join(self.held(c, scope) for c in condition.conditions) + ")"
        if isinstance(condition, Any):
            return "(" + " OR ".join(self.held(c, scope) for c in condition.conditions) + ")"
        if isinstance(condition, Not):
            return f"(NOT {self.held(condition.condition, scope)})"
        return self.leaf(condition, scope).held

    def detail(self, condition: Condition, scope: str) -> list[str]:
        if isinstance(condition, All | Any):
            children = ", ".join(self.held(c, scope) for c in condition.conditions)
            return [f"size([x IN [{children}] WHERE x])", str(len(condition.conditions))]
        if isinstance(condition, Not):
            return [self.held(condition.condition, scope)]
        return self.leaf(condition, scope).detail

    def leaf(self, condition: Condition, scope: str) -> _Leaf:
        key = f"{scope}{condition.path}"
        if key not in self.leaves:
            self.leaves[key] = self._compile_leaf(condition)
        return self.leaves[key]

    def _compile_leaf(self, condition: Condition) -> _Leaf:
        compile_kind = getattr(self, _LEAF_KINDS[type(condition)])
        leaf: _Leaf = compile_kind(condition)
        return leaf

    def _compare(self, value: str, comparisons: Sequence[Comparison]) -> str:
        parts = [f"{value} {_COMPARE[c.op]} {self.param(c.value)}" for c in comparisons]
        return "coalesce(" + " AND ".join(parts) + ", false)"

    def _trait(self, c: TraitCondition) -> _Leaf:
        prefix = f"{c.trait}="
        found = self.var(f"[f IN {_FACETS} WHERE f STARTS WITH {self.param(prefix)}]")
        text = f"substring(f, {self.param(len(prefix))})"
        value = c.value
        if c.op is Op.EXISTS:
            held = f"size({found}) > 0" if value else f"size({found}) = 0"
        elif c.op in (Op.EQ, Op.NE):
            assert not isinstance(value, tuple)
            test = f"{self.param(facet(c.trait, value))} IN {found}"
            held = test if c.op is Op.EQ else f"NOT {test}"
        elif c.op is Op.IN:
            assert isinstance(value, tuple)
            wanted = [facet(c.trait, v) for v in value]
            held = f"any(f IN {found} WHERE f IN {self.param(wanted)})"
        elif c.op is Op.CONTAINS:
            held = f"any(f IN {found} WHERE {text} CONTAINS {self.param(value)})"
        elif c.op is Op.STARTS_WITH:
            assert isinstance(value, str)
            held = f"any(f IN {found} WHERE f STARTS WITH {self.param(prefix + value)})"
        elif isinstance(value, str):  # gt, gte, lt, lte on text (such as ISO dates)
            held = f"any(f IN {found} WHERE {text} {_COMPARE[c.op]} {self.param(value)})"
        else:
            held = f"any(f IN {found} WHERE toFloat({text}) {_COMPARE[c.op]} {self.param(value)})"
        return _Leaf(f"coalesce({held}, false)", [found])

    def _age(self, c: AgeCondition) -> _Leaf:
        prefix = f"{BIRTH_DATE}="
        found = self.var(
            f"[f IN {_FACETS} WHERE f STARTS WITH {self.param(prefix)} "
            f"AND size(f) = {self.param(len(prefix) + ISO_DATE_LENGTH)}]",
        )
        today = datetime.fromtimestamp(self.now / 1000, UTC).date()

        def at_least(years: int) -> str:  # born on or before the day `years` years ago
            return f"any(f IN {found} WHERE f <= {self.param(prefix + years_before(today, years).isoformat())})"

        has = f"size({found}) > 0"
        parts: list[str] = []
        for comparison in c.comparisons:
            n = int(comparison.value)
            parts.append(
                {
                    Op.GTE: at_least(n),
                    Op.GT: at_least(n + 1),
                    Op.LT: f"({has} AND NOT {at_least(n)})",
                    Op.LTE: f"({has} AND NOT {at_least(n + 1)})",
                    Op.EQ: f"({at_least(n)} AND NOT {at_least(n + 1)})",
                    Op.NE: f"({has} AND NOT ({at_least(n)} AND NOT {at_least(n + 1)}))",
                }[comparison.op]
            )
        return _Leaf("coalesce(" + " AND ".join(parts) + ", false)", [found])

    def _identifier(self, c: IdentifierCondition) -> _Leaf:
        self.needs.add("ids")
        found = self.var(f"[k IN ids WHERE k STARTS WITH {self.param(c.type + ':')}]")
        held = f"size({found}) > 0" if c.key is None else f"{self.param(c.key)} IN {found}"
        return _Leaf(held, [f"size({found})"])

    def _touchpoint(self, c: TouchpointCondition) -> _Leaf:
        self.needs.add("tps")
        tests = []
        if c.type is not None:
            tests.append(f"t.type = {self.param(c.type)}")
        if c.channel is not None:
            tests.append(f"t.channel = {self.param(c.channel)}")
        if c.facets:
            tests.append(f"all(f IN {self.param(list(c.facets))} WHERE f IN coalesce(t.facets, []))")
        if c.within_days is not None:
            tests.append(f"t.occurredAt >= {self.param(self.now - int(c.within_days * DAY_MS))}")
        chosen = f"[t IN tps WHERE {' AND '.join(tests)}]" if tests else "tps"
        count = self.var(f"size({chosen})")
        held = [self._compare(count, c.count)]
        detail = [count]
        if c.sum:
            total = self.var(f"reduce(s = 0.0, t IN {chosen} | s + {AMOUNT})")
            held.append(self._compare(total, c.sum))
            detail.append(total)
        return _Leaf(" AND ".join(held), detail)

    def _metric(self, c: MetricCondition) -> _Leaf:
        self.needs.update({"tps", "metrics"})
        self.metrics_wanted.add(c.metric)
        value = METRIC_VARS[c.metric]
        return _Leaf(self._compare(value, c.comparisons), [value])

    def _consent(self, c: ConsentCondition) -> _Leaf:
        self.needs.add("consents")
        purpose = self.param(c.purpose)
        if c.channel is not None:
            winner = self.var(_winner(f"[y IN cs WHERE y.purpose = {purpose} AND y.channel = {self.param(c.channel)}]"))
            return _Leaf(f"coalesce({winner}.status = 'GRANTED', false)", [f"{winner}.status"])
        channels = f"[y IN cs WHERE y.purpose = {purpose} | y.channel]"
        winners = self.var(
            f"[ch IN {channels} | {_winner(f'[y IN cs WHERE y.purpose = {purpose} AND y.channel = ch]')}]"
        )
        return _Leaf(
            f"coalesce(any(w IN {winners} WHERE w.status = 'GRANTED'), false)",
            [f"[w IN {winners} | w.channel + '=' + w.status]"],
        )

    def _segment(self, c: SegmentCondition) -> _Leaf:
        if c.key in self.local:
            return _Leaf(self.local[c.key], [self.local[c.key]])
        self.needs.add("memberOf")
        held = f"{self.param(c.key)} IN memberOf"
        return _Leaf(held, [held])

    # --- the statement's stages ------------------------------------------------------------------------

    def stages(self, carried: list[str]) -> list[str]:
        """The clauses that compute every collection and value the conditions use, after `carried` (which holds
        `p`); `carried` is extended with what they add."""
        lines: list[str] = []

        def with_(*new: str) -> None:
            lines.append("WITH " + ", ".join([*carried, *new]))

        if "tps" in self.needs:
            lines.append("OPTIONAL MATCH (p)<-[:OF]-(:Identifier)<-[:BY]-(t:Touchpoint)")
            with_("collect(DISTINCT t) AS tps")
            carried.append("tps")
        if "consents" in self.needs:
            lines.append("OPTIONAL MATCH (p)<-[:OF]-(:Identifier)<-[:FOR]-(c:Consent)")
            with_("collect(DISTINCT c) AS cs")
            carried.append("cs")
        if "ids" in self.needs:
            with_("[(p)<-[:OF]-(i:Identifier) | i.key] AS ids")
            carried.append("ids")
        if "memberOf" in self.needs:
            with_("[(p)-[:IN]->(s:Segment) | s.key] AS memberOf")
            carried.append("memberOf")
        if "metrics" in self.needs:
            lines.extend(
                metric_stages(carried, self.now, self.metrics, self.param, self.params, wanted=self.metrics_wanted)
            )
        if self.values:
            with_(*(f"{expression} AS {name}" for name, expression in self.values))
            carried.extend(name for name, _ in self.values)
        return lines


# The method of _Builder that compiles each kind of leaf (the parser makes no other kind).
_LEAF_KINDS: dict[type, str] = {
    TraitCondition: "_trait",
    AgeCondition: "_age",
    IdentifierCondition: "_identifier",
    MetricCondition: "_metric",
    TouchpointCondition: "_touchpoint",
    ConsentCondition: "_consent",
    SegmentCondition: "_segment",
}


def _winner(statements: str) -> str:
    """The consent statement in force among `statements` (graphcdp/privacy/consent.py effective_consents): the one
    that counts from the latest time (the earlier of `at` and `recordedAt`), then the protective one, then the
    later recorded, then the greater id."""

    def counts(x: str) -> str:
        return f"(CASE WHEN {x}.at < {x}.recordedAt THEN {x}.at ELSE {x}.recordedAt END)"

    def protective(x: str) -> str:
        return f"(CASE WHEN {x}.status = 'GRANTED' THEN 0 ELSE 1 END)"

    beats = (
        f"{counts('c')} > {counts('w')} OR ({counts('c')} = {counts('w')} AND ({protective('c')} > {protective('w')} "
        f"OR ({protective('c')} = {protective('w')} AND (c.recordedAt > w.recordedAt "
        "OR (c.recordedAt = w.recordedAt AND c.id > w.id)))))"
    )
    return f"reduce(w = null, c IN {statements} | CASE WHEN w IS NULL OR {beats} THEN c ELSE w END)"


def years_before(today: date, years: int) -> date:
    """The same day `years` years earlier; 29 February becomes 28 February in a year without it."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


# --- the three statements ----------------------------------------------------------------------------------


def _compiled(
    kind: str,
    dialect: Dialect,
    mode: Mode,
    body: list[str],
    builder: tuple[dict[str, object], type[RowT]],
    *,
    returns: Sequence[str],
) -> CompiledStatement[RowT]:
    params, row = builder
    text = "\n".join(body) + "\n"
    # The text depends on the shape of the definitions only: a process's mutations keep compiling the same few
    # texts (their parameters change with the clock), so each text's statement is made once.
    generated: GeneratedStatement[RowT] | None = _GENERATED.get((kind, dialect, mode, text))
    if generated is None:
        digest = hashlib.sha256(f"{dialect}\n{mode}\n{text}".encode()).hexdigest()[:24]
        what = f"Compiled segment {kind} (segments/compiler.py)."
        generated = generated_statement(f"{kind}-{dialect}-{digest}", text, mode, returns, row, what=what)
        if len(_GENERATED) >= MAX_GENERATED:  # shapes come and go as segments are edited
            _GENERATED.clear()
        _GENERATED[(kind, dialect, mode, text)] = generated
    # A fragment built but not used (the text of a facet when the operator needs none) leaves its parameter out.
    return CompiledStatement(generated, {k: v for k, v in params.items() if k in generated.statement.params})


@dataclass(frozen=True)
class _Anchor:
    """A condition every member satisfies that picks persons cheaply: a test in the persons' MATCH (`where`) or
    MATCH lines that reach them from elsewhere (`lines`, binding `p` and keeping `segs` and `present`, ending in
    a WITH; `where` then filters what they reach)."""

    where: str = ""
    lines: tuple[str, ...] = ()
    exact: tuple[Condition, ...] = ()  # conditions that hold for every person the anchor picks (not tested again)
    rank: int = 0  # among anchors with lines, the lower is taken (the cheaper to read and the likelier selective)


def _anchor(condition: Condition, builder: _Builder) -> _Anchor | None:
    """A necessary condition of `condition` that needs no per-person collection, if there is one: a facet a
    trait or age condition requires, the members of a segment it is built on, the persons a granted consent
    statement is for, the persons an identifier of a type (or key) is of. Used only where nobody is a member
    yet (`fresh`), so nobody outside it can have to leave."""
    if isinstance(condition, All):
        parts = [a for c in condition.conditions if (a := _anchor(c, builder)) is not None]
        reached = min((a for a in parts if a.lines), key=lambda a: a.rank, default=None)
        # One anchor reaches the persons; every facet test of the others filters them in the same step.
        tests = [a for a in parts if a.where and not a.lines]
        used = ([reached] if reached else []) + tests
        if not used:
            return None
        where = " AND ".join(a.where for a in used if a.where)
        exact = tuple(c for a in used for c in a.exact)
        return _Anchor(where=where, lines=reached.lines if reached else (), exact=exact)
    if isinstance(condition, Any):
        anchors = [_anchor(c, builder) for c in condition.conditions]
        if all(a is not None and a.where and not a.lines for a in anchors):
            return _Anchor(where="(" + " OR ".join(a.where for a in anchors if a is not None) + ")")
        return None
    return _leaf_anchor(condition, builder)


def _leaf_anchor(condition: Condition, builder: _Builder) -> _Anchor | None:
    if isinstance(condition, TraitCondition):
        return _trait_anchor(condition, builder)
    if isinstance(condition, AgeCondition):
        return _Anchor(where=f"any(f IN {_FACETS} WHERE f STARTS WITH {builder.param(BIRTH_DATE + '=')})")
    if isinstance(condition, SegmentCondition) and condition.key not in builder.local:
        return _Anchor(
            lines=(
                f"MATCH (:Segment {{key: {builder.param(condition.key)}}})<-[:IN]-(p:Person) WHERE {_LIVE}",
                "WITH DISTINCT segs, present, p",
            ),
            exact=(condition,),
            rank=0,
        )
    if isinstance(condition, ConsentCondition):  # the statement in force is GRANTED: one granted exists
        channel = "" if condition.channel is None else f", channel: {builder.param(condition.channel)}"
        return _Anchor(
            lines=(
                f"MATCH (granted:Consent {{purpose: {builder.param(condition.purpose)}{channel}, status: 'GRANTED'}})",
                f"MATCH (granted)-[:FOR]->(:Identifier)-[:OF]->(p:Person) WHERE {_LIVE}",
                "WITH DISTINCT segs, present, p",
            ),
            rank=1,
        )
    if isinstance(condition, IdentifierCondition):  # her identifiers of the type, found by the index on key
        if condition.key is not None:
            held = f"MATCH (held:Identifier {{key: {builder.param(condition.key)}}})"
        else:
            held = f"MATCH (held:Identifier) WHERE held.key STARTS WITH {builder.param(condition.type + ':')}"
        return _Anchor(
            lines=(held, f"MATCH (held)-[:OF]->(p:Person) WHERE {_LIVE}", "WITH DISTINCT segs, present, p"),
            exact=(condition,),
            rank=2,
        )
    return None


def _trait_anchor(condition: TraitCondition, builder: _Builder) -> _Anchor | None:
    if condition.op is Op.EQ and not isinstance(condition.value, tuple):
        return _Anchor(
            where=f"{builder.param(facet(condition.trait, condition.value))} IN {_FACETS}", exact=(condition,)
        )
    if condition.op is Op.IN and isinstance(condition.value, tuple):
        wanted = [facet(condition.trait, v) for v in condition.value]
        return _Anchor(where=f"any(f IN {_FACETS} WHERE f IN {builder.param(wanted)})", exact=(condition,))
    if condition.op is Op.NE or (condition.op is Op.EXISTS and not condition.value):
        return None  # holds without the facet
    if condition.op is Op.STARTS_WITH and isinstance(condition.value, str):  # the text starts the facet's value
        starts = builder.param(f"{condition.trait}={condition.value}")
        return _Anchor(where=f"any(f IN {_FACETS} WHERE f STARTS WITH {starts})", exact=(condition,))
    exists = condition.op is Op.EXISTS  # (true); any other operator needs a value, so the facet
    return _Anchor(
        where=f"any(f IN {_FACETS} WHERE f STARTS WITH {builder.param(condition.trait + '=')})",
        exact=(condition,) if exists else (),
    )


def _write_tail(
    carried: list[str],
    held_vars: list[tuple[str, str]],
    entries: list[str],
    *,
    fresh: bool,
    counted: bool,
    batched: bool,
    one: str | None = None,
) -> list[str]:
    """The clauses after every segment's value is computed: compare with her edges (unless `fresh`), write the
    edges, the exits' history events and the feed events, and return the changes (or their number). `batched`:
    the feed events in SegmentChanges batches (a full evaluation), else one SegmentChange node each. `one`: the
    key of the only segment of a fresh evaluation."""
    if one is not None:
        return _fresh_one_tail(carried, held_vars[0][0], one, counted=counted, batched=batched)
    body: list[str] = []
    if fresh:  # nobody to leave: only those for whom one holds go on, and none is compared with her edges
        body += [
            f"WITH {', '.join(carried)} WHERE {' OR '.join(var for var, _ in held_vars)}",
            f"WITH segs, p, [r IN [{', '.join(entries)}] WHERE r[1] AND r[0] IN present] AS entering",
            "WHERE size(entering) > 0",
            "WITH segs, p, entering, [] AS leaving",
        ]
    else:
        entry = entered_event("membership.since", "old.key")
        body += [
            f"WITH segs, present, p, [{', '.join(entries)}] AS results",
            # Only segments have IN edges: no label to check on the way.
            "WITH segs, p, [r IN results WHERE r[0] IN present] AS results, [(p)-[:IN]->(s) | s.key] AS current",
            "WITH segs, p, [r IN results WHERE r[1] AND NOT r[0] IN current] AS entering,",
            "     [r IN results WHERE NOT r[1] AND r[0] IN current] AS leaving",
            "WHERE size(entering) > 0 OR size(leaving) > 0",
            "OPTIONAL MATCH (p)-[membership:IN]->(old:Segment) WHERE old.key IN [r IN leaving | r[0]]",
            # Her history keeps each membership she leaves: its entry, read from the edge before it goes, and
            # the exit. (A pattern comprehension reading the edges' `since` gave nulls on FalkorDB 4.16.)
            f"WITH segs, p, entering, leaving, collect(membership) AS ending, collect({entry}) AS entries",
            "FOREACH (membership IN ending | DELETE membership)",
            "WITH segs, p, entering, leaving, entries + [r IN leaving | r[2]] AS ended",
            "FOREACH (events IN CASE WHEN size(leaving) = 0 THEN [] ELSE [ended] END |",
            f"  {HISTORY_APPEND}events}}))",
            "WITH segs, p, entering, leaving",
        ]
    body += [
        "FOREACH (joined IN [s IN segs WHERE s.key IN [r IN entering | r[0]]] |",
        "  CREATE (p)-[:IN {since: $now}]->(joined))",
        "WITH p, entering, leaving",
        "UNWIND [r IN entering | [r[0], true]] + [r IN leaving | [r[0], false]] AS change",
        # Every change becomes its feed event in this statement (an outbox), appended at once after the last.
        "WITH collect({person: p.id, segment: change[0], entered: change[1]}) AS done",
    ]
    if batched:  # one run of events per segment and kind, cut into batches
        body += [
            "WITH done, [k IN $keys | [k, true]] + [k IN $keys | [k, false]] AS kinds",
            "WITH done, [g IN kinds | {kind: CASE WHEN g[1] THEN 'SEGMENT_ENTERED' ELSE 'SEGMENT_EXITED' END,",
            "     data: head([e IN $feedData WHERE e[0] = g[0] | e[1]]),",
            "     ids: [d IN done WHERE d.segment = g[0] AND d.entered = g[1] | d.person]}] AS runs",
            *_batches("done", "reduce(all = [], run IN runs | all + "
                      "[start IN range(0, size(run.ids) - 1, $feedBatch) | "
                      "{kind: run.kind, data: run.data, personIds: run.ids[start..start + $feedBatch]}])"),
        ]  # fmt: skip
    else:
        body += [
            "WITH done, [d IN done | {kind: CASE WHEN d.entered THEN 'SEGMENT_ENTERED' ELSE 'SEGMENT_EXITED' END,",
            "     personId: d.person, data: head([e IN $feedData WHERE e[0] = d.segment | e[1]])}] AS changes",
            SEGMENT_FEED_EMIT.rstrip("\n"),
        ]
    body.append("WITH done")
    if counted:  # the caller needs how many, not which: no row per change to send and decode
        body.append("RETURN size(done) AS changes")
    else:
        body += ["UNWIND done AS d", "RETURN d.person AS person, d.segment AS segment, d.entered AS entered"]
    return body


def _batches(carried: str, batches: str) -> list[str]:
    """The clauses appending `batches` (an expression of [{kind, data, personIds}]) to the feed, carrying
    `carried` through."""
    return [
        f"WITH {carried}, {batches} AS batches",
        f"WITH {carried}, batches, reduce(ends = [0], b IN batches | ends + [ends[size(ends) - 1] + size(b.personIds)])"
        " AS ends",
        FEED_BATCH_EMIT.rstrip("\n"),
    ]


def _fresh_one_tail(carried: list[str], held: str, key: str, *, counted: bool, batched: bool) -> list[str]:
    """`_write_tail` for one segment nobody is a member of yet (`saveSegment` of a new key): each person for whom
    it holds enters it, so the write needs no per-person list of entries and the feed events come from her id
    alone. What it writes is what `_write_tail` writes for her."""
    body = [
        f"WITH {', '.join(carried)} WHERE {held}",
        "WITH head(segs) AS seg, p WHERE seg IS NOT NULL",
        "CREATE (p)-[:IN {since: $now}]->(seg)",
        "WITH collect(p.id) AS entered",
    ]
    if batched:
        body += _batches(
            "entered",
            "[start IN range(0, size(entered) - 1, $feedBatch) | "
            "{kind: 'SEGMENT_ENTERED', data: $feedData[0][1], personIds: entered[start..start + $feedBatch]}]",
        )
    else:
        body += [
            "WITH entered, [id IN entered | {kind: 'SEGMENT_ENTERED', personId: id, data: $feedData[0][1]}] AS changes",
            SEGMENT_FEED_EMIT.rstrip("\n"),
        ]
    body.append("WITH entered")
    if counted:
        return [*body, "RETURN size(entered) AS changes"]
    return [*body, "UNWIND entered AS id", f"RETURN id AS person, {key} AS segment, true AS entered"]


@overload
def compile_refresh(
    segments: Sequence[tuple[str, Definition]],
    dialect: Dialect,
    now_ms: int,
    *,
    all_persons: bool,
    metrics: MetricsConfig,
    fresh: bool = False,
    counted: Literal[False] = False,
) -> CompiledStatement[MembershipChange]: ...


@overload
def compile_refresh(
    segments: Sequence[tuple[str, Definition]],
    dialect: Dialect,
    now_ms: int,
    *,
    all_persons: bool,
    metrics: MetricsConfig,
    fresh: bool = False,
    counted: Literal[True],
) -> CompiledStatement[RefreshCount]: ...


def compile_refresh(
    segments: Sequence[tuple[str, Definition]],
    dialect: Dialect,
    now_ms: int,
    *,
    all_persons: bool,
    metrics: MetricsConfig,
    fresh: bool = False,
    counted: bool = False,
) -> CompiledStatement[MembershipChange] | CompiledStatement[RefreshCount]:
    """WRITE: evaluate `segments` (key, definition; a segment condition on one listed earlier uses the value
    computed here, on any other the stored IN edge) for the live persons of `$persons` (pass `persons=[ids]`
    to `run`) or for every live person, and make the IN edges and person histories agree. One row per change.

    `fresh` says nobody is a member of any of `segments` yet (a segment just created, evaluated in full): then
    only persons for whom one holds can change, so the others skip the comparison with their edges, and a
    single segment with an anchor (`_anchor`) reads only the persons the anchor picks. `counted`: one row with
    the number of changes instead of one per change."""
    builder = _Builder(now_ms, metrics, {"now": now_ms})
    anchor = _anchor(segments[0][1].root, builder) if fresh and all_persons and len(segments) == 1 else None
    for exact in anchor.exact if anchor is not None else ():
        # Every person the anchor reads satisfies that condition (a member of the segment it is built on, a trait
        # facet, an identifier of the type): it holds, with no second test and no read of her edges.
        builder.leaves[f"s0{exact.path}"] = _Leaf("true", ["true"])
    entries: list[str] = []
    held_vars: list[tuple[str, str]] = []  # (variable, its expression) per segment, in order
    first_key: str | None = None  # the first segment's key, as a parameter
    for n, (key, definition) in enumerate(segments):
        expression = builder.held(definition.root, f"s{n}")
        var = f"s{n}"
        held_vars.append((var, expression))
        builder.local[key] = var
        event = {"at": now_ms, "segment": key}
        key_param = builder.param(key)
        entries.append(f"[{key_param}, {var}, {builder.param(_event(EXITED, event))}]")
        first_key = first_key or key_param
    builder.params["keys"] = [key for key, _ in segments]
    # A person retired by a merge (or emptied) is in no segment any more: her edges go, with no exit event.
    retired = _LIVE.replace("p.", "gone.")
    if fresh:  # retired persons lost their edges when they retired; none can lead to a new segment
        body = []
    elif all_persons:
        body = [f"MATCH (gone:Person) WHERE NOT ({retired})"]
    else:  # each by its id (indexed), never a scan of every person
        body = ["UNWIND $persons AS gid", f"MATCH (gone:Person {{id: gid}}) WHERE NOT ({retired})"]
        builder.params["persons"] = []
    if body:
        body += [
            "OPTIONAL MATCH (gone)-[stale:IN]->(:Segment)",
            "DELETE stale",
            "WITH count(*) AS dropped",
        ]
    # The segment nodes, found once: each person's edges are created to these, with no lookup per person.
    body += [
        "OPTIONAL MATCH (seg:Segment) WHERE seg.key IN $keys",
        "WITH collect(seg) AS segs, collect(seg.key) AS present",
    ]
    if anchor is not None and anchor.lines:
        body += [*anchor.lines, *([f"WHERE {anchor.where}"] if anchor.where else [])]
    elif all_persons:
        body.append(f"MATCH (p:Person) WHERE {_LIVE}" + (f" AND {anchor.where}" if anchor else ""))
    else:
        body += ["UNWIND $persons AS pid", f"MATCH (p:Person {{id: pid}}) WHERE {_LIVE}"]
    if dialect == "neo4j":  # a write lock on the person before reading her: concurrent refreshes queue here
        body += ["SET p.segmentsCheckedAt = $now", "WITH segs, present, p"]
    carried = ["segs", "present", "p"]
    body += builder.stages(carried)
    for var, expression in held_vars:
        body.append("WITH " + ", ".join([*carried, f"{expression} AS {var}"]))
        carried.append(var)
    one = first_key if fresh and len(segments) == 1 else None
    body += _write_tail(carried, held_vars, entries, fresh=fresh, counted=counted, batched=all_persons, one=one)
    builder.params["feedBatch"] = FEED_BATCH
    # The data of a segment's events, by key ({"segment": key}; the same for entering and leaving).
    builder.params["feedData"] = [
        [key, change_for_statement(ChangeKind.SEGMENT_ENTERED, {"segment": key})["data"]] for key, _ in segments
    ]
    if counted:
        return _compiled(
            "refresh-count", dialect, Mode.WRITE, body, (builder.params, RefreshCount), returns=("changes",)
        )
    return _compiled(
        "refresh",
        dialect,
        Mode.WRITE,
        body,
        (builder.params, MembershipChange),
        returns=("person", "segment", "entered"),
    )


def compile_preview(
    definition: Definition, dialect: Dialect, now_ms: int, sample: int, *, metrics: MetricsConfig
) -> CompiledStatement[PreviewRow]:
    """READ: how many live persons the definition selects (segment conditions read the stored IN edges), and the
    first `sample` of their ids in id order."""
    builder = _Builder(now_ms, metrics, {"now": now_ms})
    expression = builder.held(definition.root, "d")
    builder.params["sample"] = max(sample, 0)
    carried = ["p"]
    body = [f"MATCH (p:Person) WHERE {_LIVE}"]
    body += builder.stages(carried)
    body += [
        "WITH " + ", ".join(carried) + f" WHERE {expression}",
        "WITH p.id AS id ORDER BY id",
        "WITH collect(id) AS ids",
        "RETURN size(ids) AS size, ids[0..$sample] AS sample",
    ]
    return _compiled("preview", dialect, Mode.READ, body, (builder.params, PreviewRow), returns=("size", "sample"))


def compile_explain(
    definition: Definition, dialect: Dialect, now_ms: int, *, metrics: MetricsConfig
) -> CompiledStatement[ExplainRow]:
    """READ for `$person` (pass `person=id` to `run`; a retired id answers for the person it merged into): each
    condition in tree order with whether it held and the values it looked at. No row for an unknown person.
    `graphcdp.segments.explanation.explanation` turns the row into texts."""
    builder = _Builder(now_ms, metrics, {"now": now_ms})
    nodes = list(walk(definition.root))
    held = [builder.held(node, "d") for node in nodes]
    details = [builder.detail(node, "d") for node in nodes]
    builder.params["person"] = ""
    carried = ["p"]
    body = [
        "MATCH (asked:Person {id: $person})",
        "OPTIONAL MATCH (asked)-[:MERGED_INTO*1..32]->(survivor:Person) WHERE survivor.mergedInto IS NULL",
        "WITH coalesce(survivor, asked) AS p",
        f"WHERE {_LIVE}",
    ]
    body += builder.stages(carried)
    conditions = ", ".join(
        f"{{path: {builder.param(node.path)}, held: {h}, detail: [{', '.join(d)}]}}"
        for node, h, d in zip(nodes, held, details, strict=True)
    )
    body.append(f"RETURN p.id AS person, [{conditions}] AS conditions")
    return _compiled(
        "explain", dialect, Mode.READ, body, (builder.params, ExplainRow), returns=("person", "conditions")
    )


def compile_metrics(dialect: Dialect, now_ms: int, *, metrics: MetricsConfig) -> CompiledStatement[MetricsRow]:
    """READ for `$person`: every metric as segment conditions compute it (what `compute_metrics` gives)."""
    builder = _Builder(now_ms, metrics, {"now": now_ms})
    builder.needs.update({"tps", "metrics"})
    builder.metrics_wanted.update(Metric)
    builder.params["person"] = ""
    carried = ["p"]
    body = ["MATCH (p:Person {id: $person})", *builder.stages(carried)]
    fields = ", ".join(f"{_snake(metric)}: {var}" for metric, var in METRIC_VARS.items())
    body.append(f"RETURN p.id AS person, {{{fields}}} AS metrics")
    return _compiled("metrics", dialect, Mode.READ, body, (builder.params, MetricsRow), returns=("person", "metrics"))


def _snake(metric: Metric) -> str:
    return "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in metric.value)


def _event(kind: str, detail: dict[str, object]) -> str:
    """A history event as persons store them (graphcdp/identity/commit.py event_json)."""
    return json.dumps({"kind": kind, **detail}, sort_keys=True)
