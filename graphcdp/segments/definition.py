"""A segment definition: JSON parsed and validated whole into a typed condition tree.

Every fault is collected with its JSON path (`$.all[1].trait`) and raised together as one `InvalidSegment`
(INVALID_SEGMENT), so a marketer fixes a definition in one round. Nothing here touches the database; the
compiler (`compiler.py`) turns the tree into Cypher, taking kinds, operators and metric names only from the
allow-lists below and every value as a parameter.

What conditions mean (the compiler holds to it):
- trait: `eq`/`in` match a value of the golden trait (a list trait matches if any element does; numbers match
  whatever their spelling, 12 = 12.0); `ne` holds when no value equals it, so also when the trait is missing;
  `gt`/`gte`/`lt`/`lte` with a number compare values read as numbers (a text that is no number fails), with a
  text compare texts (ISO dates order as dates); `contains`/`startsWith` on the text; `exists` true/false.
- age: whole years from the `birthDate` trait (YYYY-MM-DD) at the statement's `now`; no birth date, no age
  condition holds (`lt` included). A 29 February birthday counts from 1 March in other years.
- identifier: holds an identifier of the type (and with `eq`, that value, normalized as any input).
- metric: the value `Metrics` shows at `now`; a metric with no value (averageOrderValue with no order,
  daysSinceLastActivity with no touchpoint) fails every comparison. Several operators: all must hold.
- touchpoint: touchpoints of the type and channel (lower-cased, as stored) having every given property value,
  within `withinDays` before `now` if given; `count` defaults to at least one, `sum` compares their amounts.
- consent: the statement in force for the purpose and channel is GRANTED (without a channel: on some channel).
- segment: member of that segment (the stored membership, or the one computed earlier in the same refresh).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.normalize import IdentifierError, IdentifierPolicy
from graphcdp.model.facets import PROPERTY_NAME, TRAIT_PATH, Scalar, facet
from graphcdp.model.inputs import ItemInvalid, epoch_ms

MAX_DEPTH = 8  # nesting of all/any/not
MAX_CONDITIONS = 50  # nodes in the whole tree
MAX_TEXT = 256  # characters of any string
MAX_LIST = 100  # values of an `in` list, properties of a touchpoint
MAX_AGE = 150
MAX_DAYS = 36_500
MAX_ERRORS = 50  # faults listed; a definition with more is hopeless anyway
BIRTH_DATE = "birthDate"  # the golden trait an age condition reads (YYYY-MM-DD)
SEGMENT_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_BAD_CHAR = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_CONSENT_NAME = 64


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    IN = "in"
    CONTAINS = "contains"
    STARTS_WITH = "startsWith"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    EXISTS = "exists"


COMPARISON_OPS = (Op.EQ, Op.NE, Op.GT, Op.GTE, Op.LT, Op.LTE)
TRAIT_OPS = tuple(Op)


class Metric(StrEnum):
    """Every field of `Metrics` (graphcdp/profiles/metrics.py), by its GraphQL name."""

    TOUCHPOINTS = "touchpoints"
    ORDERS = "orders"
    REVENUE = "revenue"
    RETURNS = "returns"
    RETURNED_AMOUNT = "returnedAmount"
    NET_REVENUE = "netRevenue"
    AVERAGE_ORDER_VALUE = "averageOrderValue"
    FIRST_SEEN_AT = "firstSeenAt"
    LAST_SEEN_AT = "lastSeenAt"
    LAST_ORDER_AT = "lastOrderAt"
    DAYS_SINCE_LAST_ACTIVITY = "daysSinceLastActivity"
    ENGAGEMENT_SCORE = "engagementScore"
    USUAL_ENGAGEMENT = "usualEngagement"
    RECENT_ENGAGEMENT = "recentEngagement"
    ENGAGEMENT_DECLINING = "engagementDeclining"
    RECENCY_SCORE = "recencyScore"
    FREQUENCY_SCORE = "frequencyScore"
    MONETARY_SCORE = "monetaryScore"
    PROBABILITY_ALIVE = "probabilityAlive"  # with the prediction model in force (docs/predictions.md)


BOOLEAN_METRICS = frozenset({Metric.ENGAGEMENT_DECLINING})
# Epoch milliseconds, also compared with ISO-8601 texts.
DATE_TIME_METRICS = frozenset({Metric.FIRST_SEEN_AT, Metric.LAST_SEEN_AT, Metric.LAST_ORDER_AT})
# Metrics whose value changes as time passes, with no new event.
TIME_DEPENDENT_METRICS = frozenset(
    {
        Metric.DAYS_SINCE_LAST_ACTIVITY,
        Metric.ENGAGEMENT_SCORE,
        Metric.USUAL_ENGAGEMENT,
        Metric.RECENT_ENGAGEMENT,
        Metric.ENGAGEMENT_DECLINING,
        Metric.RECENCY_SCORE,
        Metric.PROBABILITY_ALIVE,  # tenure grows; and a newly fitted model changes it
    }
)
# Prediction fields of `Metrics` no segment condition compares, and why (docs/predictions.md).
REFUSED_METRICS = {
    "expectedPurchases": "needs the Gaussian hypergeometric function, which Cypher cannot compute in closed form",
    "predictedValue": "needs the Gaussian hypergeometric function, which Cypher cannot compute in closed form",
    "churnRisk": "is probabilityAlive under the GRAPHCDP_CHURN_* thresholds: compare probabilityAlive instead",
}


class Dependency(StrEnum):
    """What a definition reads, so a change to one of these re-evaluates only the segments that read it."""

    TRAITS = "traits"
    IDENTIFIERS = "identifiers"
    TOUCHPOINTS = "touchpoints"
    CONSENT = "consent"
    SEGMENTS = "segments"


@dataclass(frozen=True)
class SegmentError:
    path: str  # JSON path of the fault, `$` the whole definition
    message: str


class InvalidSegment(GraphCDPError):
    code = ErrorCode.INVALID_SEGMENT

    def __init__(self, errors: Sequence[SegmentError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.path}: {e.message}" for e in self.errors))


@dataclass(frozen=True)
class Comparison:
    op: Op  # one of COMPARISON_OPS
    value: float | int | bool


@dataclass(frozen=True)
class All:
    path: str
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Any:
    path: str
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    path: str
    condition: Condition


@dataclass(frozen=True)
class TraitCondition:
    path: str
    trait: str  # dotted path, TRAIT_PATH
    op: Op
    value: Scalar | tuple[Scalar, ...]  # a tuple for `in`; a bool for `exists`


@dataclass(frozen=True)
class AgeCondition:
    path: str
    comparisons: tuple[Comparison, ...]  # whole years, all must hold


@dataclass(frozen=True)
class IdentifierCondition:
    path: str
    type: str  # a declared identifier type
    key: str | None  # the normalized identifier key (`email:ada@example.com`) when a value was given


@dataclass(frozen=True)
class MetricCondition:
    path: str
    metric: Metric
    comparisons: tuple[Comparison, ...]


@dataclass(frozen=True)
class TouchpointCondition:
    path: str
    type: str | None
    channel: str | None
    facets: tuple[str, ...]  # the wanted properties as facets (`category=shoes`), all must be there
    within_days: float | None
    count: tuple[Comparison, ...]  # default: at least one
    sum: tuple[Comparison, ...]  # over `amount`; empty: not compared


@dataclass(frozen=True)
class ConsentCondition:
    path: str
    purpose: str
    channel: str | None  # None: granted on some channel


@dataclass(frozen=True)
class SegmentCondition:
    path: str
    key: str


Condition = (
    All
    | Any
    | Not
    | TraitCondition
    | AgeCondition
    | IdentifierCondition
    | MetricCondition
    | TouchpointCondition
    | ConsentCondition
    | SegmentCondition
)


@dataclass(frozen=True)
class Definition:
    root: Condition
    source: Mapping[str, object] = field(compare=False)  # the JSON as given (validated)

    def canonical_json(self) -> str:
        return json.dumps(self.source, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def fingerprint(self) -> str:
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()[:32]


def parse_definition(raw: object, identifiers: IdentifierPolicy) -> Definition:
    """The condition tree of a definition (a JSON object, or its text); raises InvalidSegment listing every fault
    with its path. Identifier values are normalized with `identifiers`, like any input."""
    errors: list[SegmentError] = []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise InvalidSegment([SegmentError("$", "the definition is not JSON")]) from None
    parser = _Parser(identifiers, errors)
    root = parser.condition(raw, "$", 1)
    if parser.count > MAX_CONDITIONS:
        errors.append(SegmentError("$", f"{parser.count} conditions; at most {MAX_CONDITIONS}"))
    if errors or root is None:
        raise InvalidSegment(errors[:MAX_ERRORS] or [SegmentError("$", "no condition")])
    assert isinstance(raw, Mapping)
    return Definition(root, raw)


def check_segment_key(key: str) -> str | None:
    """Why `key` cannot name a segment, or None when it can."""
    if not SEGMENT_KEY.match(key):
        return "a segment key is 1 to 64 letters, digits, _ . : or - (starting with a letter or digit)"
    return None


def walk(condition: Condition) -> Iterator[Condition]:
    """Every node of the tree in tree order (a parent before its children, children in order)."""
    yield condition
    if isinstance(condition, All | Any):
        for child in condition.conditions:
            yield from walk(child)
    elif isinstance(condition, Not):
        yield from walk(condition.condition)


def referenced_segments(definition: Definition) -> set[str]:
    return {c.key for c in walk(definition.root) if isinstance(c, SegmentCondition)}


_DEPENDS: dict[type, Dependency] = {
    TraitCondition: Dependency.TRAITS,
    AgeCondition: Dependency.TRAITS,
    IdentifierCondition: Dependency.IDENTIFIERS,
    MetricCondition: Dependency.TOUCHPOINTS,
    TouchpointCondition: Dependency.TOUCHPOINTS,
    ConsentCondition: Dependency.CONSENT,
    SegmentCondition: Dependency.SEGMENTS,
}


def touches(definition: Definition) -> frozenset[Dependency]:
    return frozenset(_DEPENDS[type(c)] for c in walk(definition.root) if type(c) in _DEPENDS)


@dataclass(frozen=True)
class Reads:
    """What a definition's conditions read, finer than `touches`: the top-level golden trait keys of its trait
    and age conditions, and the types of its identifier conditions."""

    touches: frozenset[Dependency]
    trait_keys: frozenset[str]
    identifier_types: frozenset[str]


def reads(definition: Definition) -> Reads:
    conditions = list(walk(definition.root))
    traits = {c.trait.split(".", 1)[0] for c in conditions if isinstance(c, TraitCondition)}
    if any(isinstance(c, AgeCondition) for c in conditions):
        traits.add(BIRTH_DATE)
    types = {c.type for c in conditions if isinstance(c, IdentifierCondition)}
    return Reads(touches(definition), frozenset(traits), frozenset(types))


def time_dependent(definition: Definition) -> bool:
    """Whether membership can change as time passes with no new event (the sweep re-checks these)."""
    for c in walk(definition.root):
        if isinstance(c, AgeCondition) or (isinstance(c, TouchpointCondition) and c.within_days is not None):
            return True
        if isinstance(c, MetricCondition) and c.metric in TIME_DEPENDENT_METRICS:
            return True
    return False


_KINDS = ("all", "any", "not", "trait", "age", "identifier", "metric", "touchpoint", "consent", "segment")


class _Parser:
    def __init__(self, identifiers: IdentifierPolicy, errors: list[SegmentError]) -> None:
        self.identifiers = identifiers
        self.errors = errors
        self.count = 0

    def fail(self, path: str, message: str) -> None:
        self.errors.append(SegmentError(path, message))

    def condition(self, raw: object, path: str, depth: int) -> Condition | None:
        self.count += 1
        if not isinstance(raw, Mapping):
            self.fail(path, f"a condition is a JSON object with one of: {', '.join(_KINDS)}")
            return None
        kinds = [k for k in raw if k in _KINDS]
        if len(kinds) != 1:
            what = "no condition kind" if not kinds else f"several condition kinds ({', '.join(kinds)})"
            self.fail(path, f"{what}; a condition has exactly one of: {', '.join(_KINDS)}")
            self._unknown(raw, path, set(_KINDS) | set(Op) | {"withinDays", "count", "sum"})
            return None
        kind = kinds[0]
        if kind in ("all", "any", "not") and depth > MAX_DEPTH:
            self.fail(path, f"nested deeper than {MAX_DEPTH} levels")
            return None
        method = getattr(self, f"_{kind}")
        result: Condition | None = method(raw, path, depth)
        return result

    # --- helpers -----------------------------------------------------------------------------------------

    def _unknown(self, raw: Mapping[str, object], path: str, allowed: set[str] | frozenset[str]) -> None:
        for key in raw:
            if key not in allowed:
                self.fail(_child(path, key), "unknown key")

    def _text(self, raw: object, path: str, what: str) -> str | None:
        if not isinstance(raw, str):
            self.fail(path, f"{what} must be a string")
            return None
        if not raw.strip() or len(raw) > MAX_TEXT:
            self.fail(path, f"{what} must be 1 to {MAX_TEXT} characters")
            return None
        if _BAD_CHAR.search(raw):
            self.fail(path, f"{what} holds a control character or an unpaired surrogate")
            return None
        return raw

    def _number(self, raw: object, path: str) -> float | int | None:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.fail(path, "must be a number")
            return None
        if isinstance(raw, float) and not math.isfinite(raw):
            self.fail(path, "must be a finite number")
            return None
        if isinstance(raw, int) and abs(raw) > 2**53:
            self.fail(path, "must be between -2^53 and 2^53")
            return None
        return raw

    def _scalar(self, raw: object, path: str) -> Scalar | None:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float):
            return self._number(raw, path)
        if isinstance(raw, str):
            return self._text(raw, path, "the value")
        self.fail(path, "must be a string, a number or a boolean")
        return None

    def _comparisons(
        self,
        raw: Mapping[str, object],
        path: str,
        *,
        boolean: bool = False,
        moments: bool = False,
        whole: tuple[int, int] | None = None,
    ) -> tuple[Comparison, ...] | None:
        """The comparison operators among `raw`'s keys (the caller has checked the other keys)."""
        found: list[Comparison] = []
        ok = True
        for key, value in raw.items():
            if key not in COMPARISON_OPS:
                continue
            op, at = Op(key), f"{path}.{key}"
            if boolean:
                if op not in (Op.EQ, Op.NE) or not isinstance(value, bool):
                    self.fail(at, "this value is true or false: compare it with eq or ne and a boolean")
                    ok = False
                    continue
                found.append(Comparison(op, value))
                continue
            # A date-time metric may be compared with an ISO-8601 text.
            text = moments and isinstance(value, str)
            number: float | int | None = self._moment(str(value), at) if text else self._number(value, at)
            if number is None:
                ok = False
                continue
            if whole is not None and (number != int(number) or not whole[0] <= number <= whole[1]):
                self.fail(at, f"must be a whole number from {whole[0]} to {whole[1]}")
                ok = False
                continue
            found.append(Comparison(op, number))
        if ok and not found:
            self.fail(path, f"needs a comparison: one or more of {', '.join(COMPARISON_OPS)}")
            return None
        return tuple(found) if ok else None

    def _moment(self, raw: str, path: str) -> int | None:
        if len(raw) > MAX_TEXT:
            self.fail(path, f"a date-time is at most {MAX_TEXT} characters")
            return None
        try:
            return epoch_ms(raw, "the value")
        except ItemInvalid:
            self.fail(
                path, "not an ISO-8601 date-time (e.g. 2026-01-01 or 2026-01-01T10:00:00Z) nor epoch milliseconds"
            )
            return None

    def _comparison_object(
        self, raw: object, path: str, *, whole: tuple[int, int] | None = None
    ) -> tuple[Comparison, ...] | None:
        if not isinstance(raw, Mapping):
            self.fail(path, f'must be an object of comparisons such as {{"gte": 1}} ({", ".join(COMPARISON_OPS)})')
            return None
        self._unknown(raw, path, set(COMPARISON_OPS))
        if any(k not in COMPARISON_OPS for k in raw):
            return None
        return self._comparisons(raw, path, whole=whole)

    # --- kinds -------------------------------------------------------------------------------------------

    def _group(self, raw: Mapping[str, object], path: str, depth: int, kind: str) -> tuple[Condition, ...] | None:
        self._unknown(raw, path, {kind})
        items = raw[kind]
        at = f"{path}.{kind}"
        if not isinstance(items, list) or not items:
            self.fail(at, "must be a non-empty list of conditions")
            return None
        if len(items) > MAX_CONDITIONS:
            self.fail(at, f"{len(items)} conditions; at most {MAX_CONDITIONS}")
            return None
        children = [self.condition(item, f"{at}[{n}]", depth + 1) for n, item in enumerate(items)]
        return None if any(c is None for c in children) else tuple(c for c in children if c is not None)

    def _all(self, raw: Mapping[str, object], path: str, depth: int) -> Condition | None:
        children = self._group(raw, path, depth, "all")
        return None if children is None else All(path, children)

    def _any(self, raw: Mapping[str, object], path: str, depth: int) -> Condition | None:
        children = self._group(raw, path, depth, "any")
        return None if children is None else Any(path, children)

    def _not(self, raw: Mapping[str, object], path: str, depth: int) -> Condition | None:
        self._unknown(raw, path, {"not"})
        child = self.condition(raw["not"], f"{path}.not", depth + 1)
        return None if child is None else Not(path, child)

    def _trait(self, raw: Mapping[str, object], path: str, depth: int) -> Condition | None:
        self._unknown(raw, path, {"trait", *TRAIT_OPS})
        trait = self._text(raw["trait"], f"{path}.trait", "trait")
        if trait is not None and not TRAIT_PATH.match(trait):
            self.fail(f"{path}.trait", "a trait path is dotted names of letters, digits and _ (e.g. address.region)")
            trait = None
        ops = [k for k in raw if k in TRAIT_OPS]
        if len(ops) != 1:
            self.fail(path, f"a trait condition has exactly one operator: {', '.join(TRAIT_OPS)}")
            return None
        op = Op(ops[0])
        value = self._trait_value(op, raw[op.value], f"{path}.{op.value}")
        if trait is None or value is None:
            return None
        return TraitCondition(path, trait, op, value)

    def _trait_value(self, op: Op, raw: object, path: str) -> Scalar | tuple[Scalar, ...] | None:
        if op is Op.EXISTS:
            if not isinstance(raw, bool):
                self.fail(path, "exists takes true or false")
            return raw if isinstance(raw, bool) else None
        if op is Op.IN:
            if not isinstance(raw, list) or not raw or len(raw) > MAX_LIST:
                self.fail(path, f"in takes a list of 1 to {MAX_LIST} values")
                return None
            values = [self._scalar(v, f"{path}[{n}]") for n, v in enumerate(raw)]
            return None if any(v is None for v in values) else tuple(v for v in values if v is not None)
        if op in (Op.CONTAINS, Op.STARTS_WITH):
            return self._text(raw, path, op.value)
        ordered = op in (Op.GT, Op.GTE, Op.LT, Op.LTE)
        if ordered and (isinstance(raw, bool) or not isinstance(raw, str | int | float)):
            self.fail(path, f"{op.value} takes a number, or a string compared as text (such as a date)")
            return None
        return self._scalar(raw, path)

    def _age(self, raw: Mapping[str, object], path: str, depth: int) -> Condition | None:
        self._unknown(raw, path, {"age"})
        comparisons = self._comparison_object(raw["age"], f"{path}.age", whole=(0, MAX_AGE))
        return None if comparisons is None else AgeCondition(path, comparisons)

    def _identifier(self, raw: Mapping[str, object], path: str, depth: int) -> Condition | None:
        self._unknown(raw, path, {"identifier", "eq"})
        type_name = self._text(raw["identifier"], f"{path}.identifier", "identifier")
        if type_name is None:
            return None
        try:
            policy = self.identifiers.policy(type_name)
        except IdentifierError:
            declared = ", ".join(sorted(self.identifiers.types))
            self.fail(f"{path}.identifier", f"unknown identifier type; declared types: {declared}")
            return None
        if "eq" not in raw:
            return IdentifierCondition(path, policy.name, None)
        value = self._text(raw["eq"], f"{path}.eq", "eq")
        if value is None:
            return None
        try:
            key = self.identifiers.normalize(policy.name, value).key
        except IdentifierError as exc:
            self.fail(f"{path}.eq", f"not a valid {policy.name} ({exc.code})")
            return None
        return IdentifierCondition(path, policy.name, key)

    def _metric(self, raw: Mapping[str, object], path: str, depth: int) -> Condition | None:
        self._unknown(raw, path, {"metric", *COMPARISON_OPS})
        name = raw["metric"]
        if isinstance(name, str) and name in REFUSED_METRICS:
            self.fail(f"{path}.metric", f"{name} is not a segment condition: it {REFUSED_METRICS[name]}")
            return None
        if not isinstance(name, str) or name not in Metric.__members__.values():
            self.fail(f"{path}.metric", f"unknown metric; one of: {', '.join(m.value for m in Metric)}")
            return None
        metric = Metric(name)
        comparisons = self._comparisons(
            raw, path, boolean=metric in BOOLEAN_METRICS, moments=metric in DATE_TIME_METRICS
        )
        return None if comparisons is None else MetricCondition(path, metric, comparisons)

    def _touchpoint(self, raw: Mapping[str, object], path: str, depth: int) -> Condition | None:
        self._unknown(raw, path, {"touchpoint", "withinDays", "count", "sum"})
        at = f"{path}.touchpoint"
        spec = raw["touchpoint"]
        if not isinstance(spec, Mapping):
            self.fail(at, "must be an object: type, channel, properties (each optional)")
            return None
        self._unknown(spec, at, {"type", "channel", "properties"})
        ok = not any(k not in ("type", "channel", "properties") for k in spec)
        # Stripped and lower-cased, as trackTouchpoints stores them.
        type_ = self._name(spec["type"], f"{at}.type", "type") if "type" in spec else None
        channel = self._name(spec["channel"], f"{at}.channel", "channel") if "channel" in spec else None
        ok = ok and ("type" not in spec or type_ is not None) and ("channel" not in spec or channel is not None)
        facets = self._properties(spec.get("properties", {}), f"{at}.properties")
        within: float | None = None
        if "withinDays" in raw:
            days = self._number(raw["withinDays"], f"{path}.withinDays")
            if days is not None and not 0 < days <= MAX_DAYS:
                self.fail(f"{path}.withinDays", f"must be more than 0 and at most {MAX_DAYS}")
                days = None
            ok = ok and days is not None
            within = None if days is None else float(days)
        count: tuple[Comparison, ...] | None = (Comparison(Op.GTE, 1),)
        if "count" in raw:
            count = self._comparison_object(raw["count"], f"{path}.count")
        total: tuple[Comparison, ...] | None = ()
        if "sum" in raw:
            total = self._comparison_object(raw["sum"], f"{path}.sum")
        if not ok or facets is None or count is None or total is None:
            return None
        return TouchpointCondition(path, type_, channel, facets, within, count, total)

    def _properties(self, raw: object, path: str) -> tuple[str, ...] | None:
        if not isinstance(raw, Mapping) or len(raw) > MAX_LIST:
            self.fail(path, f"must be an object of at most {MAX_LIST} property: value pairs")
            return None
        facets: list[str] = []
        ok = True
        for name, value in raw.items():
            at = _child(path, name)
            if not PROPERTY_NAME.match(name):
                self.fail(at, "a property name is a letter or _ then up to 63 letters, digits or _")
                ok = False
                continue
            scalar = self._scalar(value, at)
            text = None if scalar is None else facet(name, scalar)
            if text is None:
                ok = False
                continue
            facets.append(text)
        return tuple(sorted(facets)) if ok else None

    def _consent(self, raw: Mapping[str, object], path: str, depth: int) -> Condition | None:
        self._unknown(raw, path, {"consent"})
        at = f"{path}.consent"
        spec = raw["consent"]
        if not isinstance(spec, Mapping) or "purpose" not in spec:
            self.fail(at, "must be an object with a purpose (and optionally a channel)")
            return None
        self._unknown(spec, at, {"purpose", "channel"})
        purpose = self._consent_name(spec["purpose"], f"{at}.purpose", "purpose")
        channel = self._consent_name(spec["channel"], f"{at}.channel", "channel") if "channel" in spec else None
        if (
            purpose is None
            or ("channel" in spec and channel is None)
            or any(k not in ("purpose", "channel") for k in spec)
        ):
            return None
        return ConsentCondition(path, purpose, channel)

    def _consent_name(self, raw: object, path: str, what: str) -> str | None:
        # Normalized as setConsent stores it (graphcdp/privacy/consent.py).
        name = self._name(raw, path, what)
        if name is not None and len(name) > _CONSENT_NAME:
            self.fail(path, f"{what} is at most {_CONSENT_NAME} characters")
            return None
        return name

    def _name(self, raw: object, path: str, what: str) -> str | None:
        text = self._text(raw, path, what)
        return None if text is None else text.strip().lower()

    def _segment(self, raw: Mapping[str, object], path: str, depth: int) -> Condition | None:
        self._unknown(raw, path, {"segment"})
        key = self._text(raw["segment"], f"{path}.segment", "segment")
        if key is None:
            return None
        if why := check_segment_key(key):
            self.fail(f"{path}.segment", why)
            return None
        return SegmentCondition(path, key)


def _child(path: str, key: object) -> str:
    """The path of a key under `path`: `.name` for names, `["…"]` for anything else (never echoed whole when it
    is long or holds control characters)."""
    text = str(key)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", text):
        return f"{path}.{text}"
    shown = text if len(text) <= 64 and not _BAD_CHAR.search(text) else "(key)"
    return f"{path}[{json.dumps(shown)}]"
