"""The matching model as data: comparisons (field + ordered levels with m and u), blocking keys, thresholds.

A model is JSON (a file, the admin mutation, or a trained version stored in the graph). It is validated
here, completely, before it replaces the running one: an unknown field or level, thresholds out of order
or a model written by another format version is refused with a message that says what to fix.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from graphcdp.errors import ConfigurationError

FORMAT_VERSION = 1
DEFAULT_MODEL = Path(__file__).with_name("default_model.json")

# Fields every record can have: traits graphcdp knows, address parts, and two derived from identifiers.
BUILTIN_FIELDS: tuple[str, ...] = (
    "firstName",
    "lastName",
    "birthDate",
    "gender",
    "address.houseNumber",
    "address.street",
    "address.city",
    "address.postalCode",
    "address.state",
    "address.country",
    "emailLocal",  # the part of each email before the @
    "phone",  # each phone, E.164
)
TRANSFORMS: tuple[str, ...] = ("value", "initial", "prefix3", "prefix4", "year", "digits")
_TRAIT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?")

Probability = Annotated[float, Field(gt=0, le=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _Weights(_Strict):
    m: Probability = Field(description="P(level | the records are the same person)")
    u: Probability = Field(description="P(level | the records are different people)")


class ExactLevel(_Weights):
    kind: Literal["exact"]


class NicknameLevel(_Weights):
    """One name is a nickname of the other (Bob, Robert), or both are nicknames of one name (Bob, Rob); with
    `typos`, also when one is that many keystrokes from a nickname or formal name of the other (Mragaret and
    Maggie, Bully and William: a typo in a nickname, which neither an edit distance nor the table sees)."""

    kind: Literal["nickname"]
    typos: int = Field(0, ge=0, le=2, description="keystrokes a name may be off a nickname of the other")

    @model_serializer(mode="wrap")
    def _without_unset_typos(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """`typos` only where set: a model written before it existed reads back the same."""
        data: dict[str, Any] = handler(self)
        if not self.typos:
            data.pop("typos", None)
        return data


class JaroWinklerLevel(_Weights):
    kind: Literal["jaroWinkler"]
    min: float = Field(gt=0, le=1, description="lowest Jaro-Winkler similarity of this level")


class DamerauLevenshteinLevel(_Weights):
    kind: Literal["damerauLevenshtein"]
    max: int = Field(ge=1, le=10, description="most edits (insert, delete, substitute, transpose)")


class LevenshteinLevel(_Weights):
    kind: Literal["levenshtein"]
    max: int = Field(ge=1, le=10, description="most edits (insert, delete, substitute)")


class DateWithinLevel(_Weights):
    kind: Literal["dateWithinDays"]
    days: int = Field(ge=1, le=3660)


class MonthDaySwapLevel(_Weights):
    kind: Literal["monthDaySwap"]


class YearTypoLevel(_Weights):
    """Month and day agree, the years differ in one digit (1942, 1947) or by two neighbouring digits swapped
    (1942, 1924): a typo in the year, not another person's date."""

    kind: Literal["yearTypo"]


class SwappedLevel(_Weights):
    """The values sit in each other's fields: this record's first name is the other's last name and the other
    way round (Lovelace Ada, Ada Lovelace). Give it to both comparisons, so neither counts the swap against."""

    kind: Literal["swapped"]
    with_field: str = Field(alias="with", description="the field the values are swapped with")
    min: float | None = Field(
        None,
        gt=0,
        le=1,
        description="Jaro-Winkler each swapped pair of values reaches at least (a swap with a typo); exact if unset",
    )

    @model_serializer(mode="wrap")
    def _without_unset_min(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """`min` only where set: a model written before it existed reads back the same."""
        data: dict[str, Any] = handler(self)
        if self.min is None:
            data.pop("min", None)
        return data


Level = Annotated[
    ExactLevel
    | NicknameLevel
    | JaroWinklerLevel
    | DamerauLevenshteinLevel
    | LevenshteinLevel
    | DateWithinLevel
    | MonthDaySwapLevel
    | YearTypoLevel
    | SwappedLevel,
    Field(discriminator="kind"),
]
LEVEL_KINDS: tuple[str, ...] = (
    "exact",
    "nickname",
    "jaroWinkler",
    "damerauLevenshtein",
    "levenshtein",
    "dateWithinDays",
    "monthDaySwap",
    "yearTypo",
    "swapped",
)


def level_name(level: Level) -> str:
    """A short, readable name: 'exact', 'jaroWinkler>=0.9', 'damerauLevenshtein<=1', 'dateWithinDays<=30',
    'nickname+typos<=1'."""
    if isinstance(level, JaroWinklerLevel):
        return f"jaroWinkler>={level.min:g}"
    if isinstance(level, DamerauLevenshteinLevel | LevenshteinLevel):
        return f"{level.kind}<={level.max}"
    if isinstance(level, DateWithinLevel):
        return f"dateWithinDays<={level.days}"
    if isinstance(level, SwappedLevel):
        return f"swapped:{level.with_field}"
    if isinstance(level, NicknameLevel) and level.typos:
        return f"nickname+typos<={level.typos}"
    return level.kind


class Comparison(_Strict):
    field: str
    levels: list[Level] = Field(min_length=1, description="tried in order; the first that holds is the level")
    otherwise: _Weights = Field(alias="else", description="m and u when no level holds")
    term_frequency: bool = Field(
        False, alias="termFrequency", description="an exact agreement weighs by how rare the value is"
    )
    train_u: bool = Field(
        True,
        alias="trainU",
        description="false: training keeps u as configured. For a field whose agreement follows from another's "
        "(a street, given the postal code agrees), u from random pairs would count the same evidence twice",
    )

    @field_validator("levels", mode="before")
    @classmethod
    def _known_levels(cls, levels: Any) -> Any:
        for position, level in enumerate(levels if isinstance(levels, list) else []):
            kind = level.get("kind") if isinstance(level, dict) else None
            if kind not in LEVEL_KINDS:
                raise ValueError(f"levels[{position}]: unknown level kind {kind!r}; known: {', '.join(LEVEL_KINDS)}")
        return levels


class BlockingRule(_Strict):
    """Records share a candidate block when every part agrees: e.g. lastName + birthDate:year."""

    parts: list[str] = Field(min_length=1)
    unordered: bool = Field(
        False,
        description="the parts' values in either order: first and last name written in each other's place share "
        "the block of firstName + lastName",
    )
    train: bool = Field(
        True,
        description="whether `graphcdp matching train` runs an EM session on its pairs; false for a rule whose "
        "blocks are households (surname and postal code), where EM takes the members for matches",
    )

    @model_serializer(mode="wrap")
    def _without_defaults(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """`unordered` and `train` only where set: a model written before they existed reads back the same."""
        data: dict[str, Any] = handler(self)
        if not self.unordered:
            data.pop("unordered", None)
        if self.train:
            data.pop("train", None)
        return data

    @property
    def name(self) -> str:
        return ("~" if self.unordered else "+").join(self.parts)


class Blocking(_Strict):
    rules: list[BlockingRule] = Field(min_length=1)
    max_block_size: int = Field(
        200, alias="maxBlockSize", ge=2, description="a block with more records is skipped and counted"
    )


class Thresholds(_Strict):
    support: float = Field(gt=0, lt=1, description="every comparable pair of two persons a match joins scores this")
    review: float = Field(gt=0, lt=1, description="from here a pair goes to the review queue (POSSIBLE_MATCH)")
    auto: float = Field(gt=0, lt=1, description="from here a pair is linked (MATCHED)")

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not self.support <= self.review < self.auto:
            raise ValueError(
                f"thresholds out of order: need support <= review < auto, got support {self.support}, "
                f"review {self.review}, auto {self.auto}"
            )
        return self


class TermFrequency(_Strict):
    min_records: int = Field(
        1000, alias="minRecords", ge=1, description="tf adjustment applies once this many records have the field"
    )


class Training(_Strict):
    at: int
    records: int
    random_pairs: int = Field(alias="randomPairs")
    blocked_pairs: int = Field(alias="blockedPairs")
    labelled_pairs: int = Field(0, alias="labelledPairs")
    iterations: int
    prior_estimated: float = Field(alias="priorEstimated")


class MatchingModel(_Strict):
    format_version: int = Field(alias="formatVersion")
    name: str = "default"
    version: int = Field(0, ge=0, description="stored version (0: not stored yet)")
    prior: float = Field(gt=0, lt=1, description="probability that two records taken at random are one person")
    custom_traits: list[str] = Field(default_factory=list, alias="customTraits")
    comparisons: list[Comparison] = Field(min_length=1)
    blocking: Blocking
    thresholds: Thresholds
    term_frequency: TermFrequency = Field(default_factory=TermFrequency, alias="termFrequency")
    min_comparable: int = Field(
        2, alias="minComparable", ge=1, description="fields both records must have for a pair to count as comparable"
    )
    trained: Training | None = None

    @field_validator("format_version")
    @classmethod
    def _same_format(cls, version: int) -> int:
        if version != FORMAT_VERSION:
            raise ValueError(
                f"this model has format version {version}; this graphcdp reads format version {FORMAT_VERSION}. "
                "Train it again (graphcdp matching train) or convert it"
            )
        return version

    @field_validator("custom_traits")
    @classmethod
    def _trait_names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not _TRAIT_NAME.fullmatch(name) or name in BUILTIN_FIELDS:
                raise ValueError(f"custom trait {name!r} must be a plain trait name (or a.b) that is not built in")
        return names

    @model_validator(mode="after")
    def _known_fields(self) -> MatchingModel:
        fields = self.fields
        for position, comparison in enumerate(self.comparisons):
            if comparison.field not in fields:
                raise ValueError(f"comparisons[{position}]: unknown field {comparison.field!r}; {self._known(fields)}")
            for at, level in enumerate(comparison.levels):
                swap = level.with_field if isinstance(level, SwappedLevel) else None
                if swap is not None and (swap == comparison.field or swap not in fields):
                    raise ValueError(
                        f"comparisons[{position}].levels[{at}]: a swap needs another known field, "
                        f"not {swap!r}; {self._known(fields)}"
                    )
        for position, rule in enumerate(self.blocking.rules):
            for part in rule.parts:
                field, _, transform = part.partition(":")
                if field not in fields:
                    raise ValueError(f"blocking.rules[{position}]: unknown field {field!r}; {self._known(fields)}")
                if transform and transform not in TRANSFORMS:
                    raise ValueError(
                        f"blocking.rules[{position}]: unknown transform {transform!r}; known: {', '.join(TRANSFORMS)}"
                    )
        if len({c.field for c in self.comparisons}) != len(self.comparisons):
            raise ValueError("each field may be compared once")
        return self

    @staticmethod
    def _known(fields: tuple[str, ...]) -> str:
        return f"known: {', '.join(fields)} (declare other traits in customTraits)"

    @property
    def fields(self) -> tuple[str, ...]:
        return BUILTIN_FIELDS + tuple(self.custom_traits)

    @property
    def fingerprint(self) -> str:
        """What the comparisons and blocking are, without the weights: two models with the same fingerprint
        compare and block alike, so a trained model fits the configuration it was trained for."""
        shape = {
            "fields": [[c.field, [level_name(x) for x in c.levels], c.term_frequency] for c in self.comparisons],
            "blocking": [r.name for r in self.blocking.rules],
        }
        return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2, exclude_none=True)


def parse_model(data: object, origin: str) -> MatchingModel:
    """A validated model, or a ConfigurationError naming where it came from and every problem in it."""
    if not isinstance(data, str | bytes | dict):
        raise ConfigurationError(f"invalid matching model ({origin}): a model is a JSON object")
    try:
        if isinstance(data, dict):
            return MatchingModel.model_validate(data)
        return MatchingModel.model_validate_json(data)
    except ValidationError as exc:
        problems = "; ".join(f"{_where(err['loc'])}{_message(err)}" for err in exc.errors())
        raise ConfigurationError(f"invalid matching model ({origin}): {problems}") from None


def _where(loc: tuple[int | str, ...]) -> str:
    # Discriminated unions add the level kind to the location ("levels.0.exact.m"); keep the path readable.
    path = ".".join(str(p) for p in loc if str(p) not in LEVEL_KINDS)
    return f"{path}: " if path else ""


def _message(error: Any) -> str:
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def load_model(path: Path | None) -> MatchingModel:
    """The model in `path`, or the one that ships with graphcdp."""
    source = path or DEFAULT_MODEL
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read the matching model {source}: {exc.strerror}") from None
    return parse_model(text, str(source))
