"""A segment's members, page by page, with their golden traits and chosen identifiers; with a purpose (and a
channel), only the members whose consent in force allows it, decided as for webhook destinations
(graphcdp/webhooks/consent.py). Written as JSON lines or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from graphcdp.errors import ConfigurationError
from graphcdp.model.identity import Person
from graphcdp.segments.service import SegmentNotFoundError, SegmentService
from graphcdp.webhooks.consent import ConsentRule

PAGE = 500  # members read at a time


@dataclass(frozen=True)
class ExportFields:
    """What each member carries besides her id: golden trait keys and identifier types (None: all of them)."""

    traits: tuple[str, ...] | None = None
    identifier_types: tuple[str, ...] | None = None

    @classmethod
    def parse(cls, text: str | None, known_types: Collection[str]) -> ExportFields:
        """`name,email,phone`: a declared identifier type names her identifiers of it, any other name a golden
        trait key."""
        if text is None:
            return cls()
        names = list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
        if not names:
            raise ConfigurationError("--fields: name at least one golden trait key or identifier type")
        return cls(
            traits=tuple(n for n in names if n not in known_types),
            identifier_types=tuple(n for n in names if n in known_types),
        )

    def columns(self) -> list[str]:
        if self.traits is None or self.identifier_types is None:
            raise ConfigurationError("--format csv needs --fields (its columns): golden trait keys, identifier types")
        return ["id", *self.traits, *self.identifier_types]


@dataclass(frozen=True)
class ExportedMember:
    id: str
    traits: dict[str, Any]
    identifiers: dict[str, list[str]]  # by type, values as stored (normalized)

    @classmethod
    def of(cls, person: Person, fields: ExportFields) -> ExportedMember:
        traits = {k: v for k, v in person.traits.items() if fields.traits is None or k in fields.traits}
        identifiers: dict[str, list[str]] = {}
        for identifier in sorted(person.identifiers, key=lambda i: i.key):
            wanted = fields.identifier_types is None or identifier.type in fields.identifier_types
            if wanted and not identifier.blocked:  # a placeholder value is no way to reach her
                identifiers.setdefault(identifier.type, []).append(identifier.value)
        return cls(person.id, traits, identifiers)


@dataclass
class ExportProgress:
    """Counts as the export goes; `started(total)` once the segment's size is known, `read(n)` per page."""

    started: Callable[[int], None] = lambda total: None
    read: Callable[[int], None] = lambda count: None
    members: int = 0  # the segment's size when the export started
    exported: int = 0
    suppressed: int = 0  # members passed over: no GRANTED consent for the purpose


async def segment_members(
    segments: SegmentService,
    key: str,
    *,
    fields: ExportFields,
    consent: ConsentRule | None,
    progress: ExportProgress,
) -> AsyncIterator[ExportedMember]:
    """The members of the segment `key` by person id, each once: pages resume after the last id read, so a
    member who joins or leaves meanwhile is in or out, never twice."""
    if (await segments.by_key([key]))[0] is None:
        raise SegmentNotFoundError(f"no segment has the key {key!r}")
    after: str | None = None
    while True:
        page = await segments.members(key, PAGE, after, consent)  # consent-filtered as the GraphQL members
        if after is None:
            progress.members = page.total
            progress.started(page.total)
        progress.suppressed += page.scanned - len(page.members)
        for person in page.members:
            progress.exported += 1
            yield ExportedMember.of(person, fields)
        progress.read(page.scanned)
        if not page.has_next:
            return
        after = page.resume_after or page.members[-1].id


class MemberWriter(Protocol):
    def write(self, member: ExportedMember) -> None: ...


class JsonLinesWriter:
    """One object per line: `id`, `traits` (the chosen golden traits), `identifiers` (values by type)."""

    def __init__(self, out: TextIO, fields: ExportFields) -> None:
        self.out = out

    def write(self, member: ExportedMember) -> None:
        line = {"id": member.id, "traits": member.traits, "identifiers": member.identifiers}
        self.out.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")


class CsvWriter:
    """A header, then one row per member: one column per field; several identifiers of a type joined by a space;
    a trait that is not text as JSON."""

    def __init__(self, out: TextIO, fields: ExportFields) -> None:
        self.fields = fields
        self.writer = csv.writer(out)
        self.writer.writerow(fields.columns())

    def write(self, member: ExportedMember) -> None:
        traits = [_cell(member.traits.get(k)) for k in self.fields.traits or ()]
        identifiers = [" ".join(member.identifiers.get(t, [])) for t in self.fields.identifier_types or ()]
        self.writer.writerow([member.id, *traits, *identifiers])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def member_writer(format_: str, out: TextIO, fields: ExportFields) -> MemberWriter:
    return CsvWriter(out, fields) if format_ == "csv" else JsonLinesWriter(out, fields)
