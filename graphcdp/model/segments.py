"""Segments: the rows of the stored segment statements (cypher/segments/) and of the compiled ones
(graphcdp/segments/compiler.py), and what SegmentService answers."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field

from graphcdp.model.base import DomainModel
from graphcdp.model.identity import Flag, Person
from graphcdp.model.profiles import Metrics

# What an explanation shows of the value a condition looked at: numbers, texts, flags, lists of texts.
DetailValue = str | int | float | bool | None | list[str]


class MembershipChange(DomainModel):
    """A row of a compiled refresh: one person entered (or left) one segment, at the statement's `now`."""

    person: str
    segment: str
    entered: bool


class RefreshCount(DomainModel):
    """The row of a compiled refresh asked for a count: how many memberships it changed."""

    changes: int


class ActiveIdentifier(DomainModel):
    """A row of segments/active_identifiers: an identifier with touchpoints or consent statements."""

    key: str


class SweepCandidate(DomainModel):
    """A row of segments/sweep_candidates: a person whose time-dependent membership can have changed."""

    person: str


class PreviewRow(DomainModel):
    """The row of a compiled preview: how many persons a definition selects, and the first ids (by id)."""

    size: int
    sample: list[str]


class ConditionRow(DomainModel):
    path: str
    held: bool
    detail: list[DetailValue]


class ExplainRow(DomainModel):
    """The row of a compiled explanation: the person asked for (after redirects) and each condition, in tree
    order."""

    person: str
    conditions: list[ConditionRow]


class MetricsRow(BaseModel):
    """The row of a compiled metrics read (the metrics segments compare, computed by the database)."""

    person: str
    metrics: Metrics


class StoredTraits(DomainModel):
    """segments/persons_without_facets: a person's golden traits as stored (JSON text, compared when written)."""

    id: str
    traits: str | None = None


class StoredProperties(DomainModel):
    """segments/touchpoints_without_facets: a touchpoint's properties as stored (JSON text)."""

    id: str
    properties: str | None = None


class FacetsWritten(DomainModel):
    """segments/set_trait_facets, segments/set_touchpoint_facets: a node whose facets were stored."""

    id: str


# A list property that may be missing (null): empty.
Texts = Annotated[list[str], BeforeValidator(lambda value: value or [])]


class StoredSegment(DomainModel):
    """A row of segments/segments, segments/segments_by_key and segments/save_segment."""

    key: str
    name: str | None = None
    description: str | None = None
    definition: str  # the definition as canonical JSON text (parsed again where it is used)
    fingerprint: str  # of the canonical definition: a replaced segment with the same one is not evaluated again
    dependencies: Texts = Field(default_factory=list)  # the kinds of data its conditions read
    references: Texts = Field(default_factory=list)  # the keys of the segments it is built on
    time_dependent: Flag = False  # membership can change as time passes (the sweep re-checks it)
    created_at: int
    updated_at: int

    @property
    def definition_json(self) -> Any:
        return json.loads(self.definition)


class SegmentsVersion(DomainModel):
    """A row of segments/segments_version: the stored segments' version (raised by every save and delete)."""

    created: int
    version: int


class SegmentSize(DomainModel):
    """A row of segments/segment_sizes: live members of a segment."""

    key: str
    size: int


class RemovedMemberships(DomainModel):
    """The row of segments/delete_segment: how many segments were removed."""

    removed: int


class MemberPage(DomainModel):
    """One page of a segment's members, the total over all pages, and whether more follow."""

    members: list[Person]
    total: int
    has_next: bool
    # Where the next page starts when it is not after the last member shown: a consent-filtered page stops
    # scanning at a bound and resumes after the last member it read, shown or not.
    resume_after: str | None = None
    scanned: int = 0  # members read for this page: more than it holds when a consent filter passed some over


class ConditionOutcome(DomainModel):
    """Whether one condition of a definition held for a person, and the value it looked at."""

    path: str
    held: bool
    detail: str  # what it looked at, as a short text


class Explanation(DomainModel):
    """explainSegment's answer: whether the person is a member, and each condition's outcome."""

    member: bool
    person: str | None
    conditions: list[ConditionOutcome] = Field(default_factory=list)


class Preview(DomainModel):
    """previewSegment's answer: how many live persons match, and the first few of them."""

    size: int
    sample: list[Person] = Field(default_factory=list)
