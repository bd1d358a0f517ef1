"""Read a JSON Lines or CSV file into upsert items, one per line (or CSV row), with 1-based line numbers.

Each record comes out as ``(line_number, item)`` where ``item`` is the line's object (the JSON object, or
the CSV row mapped to the same shape) or a :class:`ParseError` when the line itself cannot be read. Only
file-level problems are parse errors; the importer then decodes the object into the sink's typed input
(``RecordInput`` for records: ``IdentityService.decode_item``), and whether it is valid (emails, dates,
trait types…) is for the identity service to decide.

**Format.** ``jsonl`` or ``csv``; without an explicit format it follows the extension: ``.jsonl``,
``.ndjson`` and ``.json`` are JSON Lines, ``.csv`` is CSV. Files are UTF-8 (a leading byte-order mark is
ignored); a line that is not valid UTF-8 is a parse error, not a failed import.

**JSON Lines.** One JSON object per line, passed to the service as it is::

    {"source": "crm", "sourceId": "42", "observedAt": "2024-05-01T10:00:00Z",
     "identifiers": [{"type": "email", "value": "ada@example.com"}], "traits": {"firstName": "Ada"}}

A blank line is skipped. A line that is not JSON (``INVALID_JSON``) or not an object (``NOT_AN_OBJECT``)
is a parse error.

**CSV.** The first row is the header (line 1), with a comma delimiter and ``"`` quoting (RFC 4180).
The line number of a row is the physical line it starts on. Columns:

=========================================  ====================================================
``source``                                 ``source`` of the record
``source_id`` (or ``sourceId``)            ``sourceId`` of the record
``observed_at`` (or ``observedAt``)        ``observedAt``; a whole number is epoch milliseconds,
                                           anything else is passed as text (ISO 8601)
``id:<type>``, e.g. ``id:email``,          identifiers of that type; several values in one cell
``id:phone``, ``id:customer_id``           are separated by ``|``
``trait:<key>``, e.g. ``trait:firstName``  a trait (as text); dots nest:
                                           ``trait:address.city`` → ``{"address": {"city": …}}``
=========================================  ====================================================

Names are matched without surrounding spaces; ``source``, ``source_id``/``sourceId`` and the prefixes are
case-insensitive, identifier types and trait keys are kept as written. ``source`` and ``source_id`` are
required. An unknown, duplicated or conflicting column (``trait:address`` beside ``trait:address.city``)
stops the import at the header with a :class:`BulkImportError` naming it. Cells are trimmed; an empty
cell means "not given" (no identifier, no trait, no observedAt). A row whose cells are all empty is
skipped. A row with more or fewer cells than the header is a parse error (``INVALID_CSV_ROW``).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, NamedTuple

from graphcdp.errors import GraphCDPError

Format = Literal["jsonl", "csv"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv")
EXTENSIONS: dict[str, Format] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}

BOM = b"\xef\xbb\xbf"
IDENTIFIER_SEPARATOR = "|"
CSV_COLUMNS_HELP = (
    "source, source_id (or sourceId), observed_at (or observedAt), id:<type> (e.g. id:email, id:phone), "
    "trait:<key> (nested with dots, e.g. trait:address.city)"
)
_WHOLE_NUMBER = re.compile(r"[+-]?\d+")
_FIXED_COLUMNS: dict[str, Literal["source", "sourceId", "observedAt"]] = {
    "source": "source",
    "source_id": "sourceId",
    "sourceid": "sourceId",
    "observed_at": "observedAt",
    "observedat": "observedAt",
}


class BulkImportError(GraphCDPError):
    """The import cannot start or go on: unknown format, unreadable file, CSV header that cannot be mapped."""

    code = "IMPORT_ERROR"


@dataclass(frozen=True)
class ParseError:
    """A line (or CSV row) that could not be turned into an item."""

    code: str  # INVALID_JSON, NOT_AN_OBJECT, INVALID_CSV_ROW, INVALID_ENCODING
    message: str


class RawRecord(NamedTuple):
    """One record with where it came from: the reader's full output, used by the bulk importer."""

    line: int  # first physical line (1-based)
    end_line: int  # last physical line (differs from `line` only for a CSV row with a quoted line break)
    text: str  # the line (or row) as written in the file, without its line terminator
    item: dict[str, Any] | ParseError


def detect_format(path: str | Path, fmt: str | None = None) -> Format:
    """The format to read `path` with: `fmt` when given (``jsonl`` or ``csv``), else from the extension."""
    if fmt is not None:
        chosen = fmt.strip().lower()
        for known in FORMATS:
            if chosen == known:
                return known
        raise BulkImportError(f"unknown import format {fmt!r}: use jsonl or csv")
    suffix = Path(path).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    known_extensions = ", ".join(EXTENSIONS)
    raise BulkImportError(
        f"cannot tell the format of {path} from its extension (known: {known_extensions}); "
        "give it explicitly with --format jsonl or --format csv"
    )


def count_lines(path: str | Path) -> int:
    """Physical lines in the file (a last line without a line break counts), reading it in large chunks."""
    count = 0
    last = b"\n"
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (0 if last == b"\n" else 1)


def _decode(raw: bytes) -> tuple[str, ParseError | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        error = ParseError("INVALID_ENCODING", f"not valid UTF-8: byte 0x{bad} at position {exc.start}")
        return raw.decode("utf-8", "replace"), error


def _strip_eol(text: str) -> str:
    return text.removesuffix("\n").removesuffix("\r")


# ---- JSON Lines ----------------------------------------------------------------------------------------


def _json_item(text: str) -> dict[str, Any] | ParseError:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return ParseError("INVALID_JSON", f"invalid JSON: {exc.msg} at column {exc.colno}")
    except (ValueError, RecursionError) as exc:  # e.g. a number too long, nesting too deep
        return ParseError("INVALID_JSON", f"invalid JSON: {exc}")
    if not isinstance(value, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
        got = "null" if value is None else kind.get(type(value), type(value).__name__)
        return ParseError("NOT_AN_OBJECT", f"expected one JSON object per line, got {got}")
    return value


def _jsonl_records(file: IO[bytes], after_line: int) -> Iterator[RawRecord]:
    for number, raw in enumerate(file, start=1):
        if number <= after_line:
            continue
        text, error = _decode(raw.removeprefix(BOM) if number == 1 else raw)
        text = _strip_eol(text)
        if not text.strip():
            continue
        yield RawRecord(number, number, text, error or _json_item(text))


# ---- CSV -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvColumn:
    """What one CSV column maps to."""

    header: str  # as written in the file
    kind: Literal["source", "sourceId", "observedAt", "identifier", "trait"]
    name: str = ""  # identifier type, for kind == "identifier"
    path: tuple[str, ...] = ()  # trait key path, for kind == "trait"


def _column(header: str) -> CsvColumn | None:
    name = header.strip()
    lowered = name.lower()
    if lowered in _FIXED_COLUMNS:
        return CsvColumn(name, _FIXED_COLUMNS[lowered])
    if lowered.startswith("id:"):
        id_type = name[3:].strip()
        return CsvColumn(name, "identifier", name=id_type) if id_type else None
    if lowered.startswith("trait:"):
        path = tuple(part.strip() for part in name[6:].split("."))
        return CsvColumn(name, "trait", path=path) if all(path) else None
    return None


def csv_columns(header: Sequence[str], where: str = "the CSV file") -> list[CsvColumn]:
    """Map a CSV header to columns, or raise a BulkImportError naming every column that cannot be mapped."""
    columns: list[CsvColumn] = []
    unknown: list[str] = []
    for position, name in enumerate(header, start=1):
        column = _column(name)
        if column is None:
            unknown.append(f"{name.strip()!r}" if name.strip() else f"column {position} (no name)")
        else:
            columns.append(column)
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        raise BulkImportError(
            f"unknown CSV column{plural} {', '.join(unknown)} in the header of {where}; "
            f"accepted columns: {CSV_COLUMNS_HELP}"
        )
    seen: dict[tuple[str, ...], str] = {}
    for column in columns:
        key = (column.kind, column.name, *column.path)
        if key in seen:
            raise BulkImportError(
                f"CSV columns {seen[key]!r} and {column.header!r} in {where} both map to the same field"
            )
        seen[key] = column.header
    traits = [column for column in columns if column.kind == "trait"]
    for outer in traits:
        for inner in traits:
            if len(outer.path) < len(inner.path) and inner.path[: len(outer.path)] == outer.path:
                raise BulkImportError(
                    f"CSV columns {outer.header!r} and {inner.header!r} in {where} conflict: "
                    f"{'.'.join(outer.path)!r} cannot be both a value and an object"
                )
    kinds = {column.kind for column in columns}
    missing = [name for kind, name in (("source", "source"), ("sourceId", "source_id")) if kind not in kinds]
    if missing:
        raise BulkImportError(
            f"the CSV header of {where} has no {' and no '.join(missing)} column; accepted columns: {CSV_COLUMNS_HELP}"
        )
    return columns


def csv_item(columns: Sequence[CsvColumn], cells: Sequence[str]) -> dict[str, Any] | ParseError:
    """The upsert item of one CSV row (see the module docstring for the mapping)."""
    if len(cells) != len(columns):
        return ParseError("INVALID_CSV_ROW", f"the row has {len(cells)} fields but the header has {len(columns)}")
    item: dict[str, Any] = {}
    identifiers: list[dict[str, str]] = []
    traits: dict[str, Any] = {}
    for column, cell in zip(columns, cells, strict=True):
        value = cell.strip()
        if column.kind == "identifier":
            parts = (part.strip() for part in value.split(IDENTIFIER_SEPARATOR))
            identifiers.extend({"type": column.name, "value": part} for part in parts if part)
        elif not value:
            continue
        elif column.kind == "trait":
            node = traits
            for key in column.path[:-1]:
                node = node.setdefault(key, {})
            node[column.path[-1]] = value
        elif column.kind == "observedAt" and _WHOLE_NUMBER.fullmatch(value):
            item["observedAt"] = int(value)
        else:
            item[column.kind] = value
    if any(column.kind == "identifier" for column in columns):
        item["identifiers"] = identifiers
    if any(column.kind == "trait" for column in columns):
        item["traits"] = traits
    return item


class _CsvRows:
    """csv.reader over decoded physical lines, remembering which lines (and how many) each row used."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file
        self._physical = 0
        self._pending: list[str] = []
        self._encoding_error: ParseError | None = None
        self._reader = csv.reader(self._lines(), strict=True)

    def _lines(self) -> Iterator[str]:
        for raw in self._file:
            self._physical += 1
            text, error = _decode(raw.removeprefix(BOM) if self._physical == 1 else raw)
            if error is not None and self._encoding_error is None:
                self._encoding_error = error
            self._pending.append(text)
            yield text

    def __iter__(self) -> Iterator[tuple[int, int, str, list[str] | ParseError]]:
        """(first line, last line, raw text, cells or ParseError); rows whose cells are all empty are skipped."""
        while True:
            try:
                cells: list[str] | ParseError = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                cells = ParseError("INVALID_CSV_ROW", f"malformed CSV: {exc}")
                if not self._pending:  # the error came at the end of the file, with no line left
                    return
            first, last = self._physical - len(self._pending) + 1, self._physical
            text = _strip_eol("".join(self._pending))
            error, self._pending, self._encoding_error = self._encoding_error, [], None
            if isinstance(cells, list) and not any(cell.strip() for cell in cells):
                continue
            yield first, last, text, error or cells


# ---- opening -------------------------------------------------------------------------------------------


class RecordReader:
    """An open input file: iterate it for RawRecords. Opening reads (and checks) the CSV header, so a bad
    header fails before anything is imported. Use as a context manager, or call close()."""

    def __init__(self, path: str | Path, fmt: str | None = None, *, after_line: int = 0) -> None:
        self.path = Path(path)
        self.format: Format = detect_format(self.path, fmt)
        self.after_line = after_line
        self.header_lines = 0  # physical lines taken by the CSV header (0 for JSON Lines)
        self.columns: list[CsvColumn] = []
        try:
            self._file: IO[bytes] = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise BulkImportError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        try:
            self._records = self._open()
        except BaseException:
            self._file.close()
            raise

    def _open(self) -> Iterator[RawRecord]:
        if self.format == "jsonl":
            return _jsonl_records(self._file, self.after_line)
        rows = iter(_CsvRows(self._file))
        header = next(rows, None)
        if header is None:  # an empty file: no header, no rows
            return iter(())
        first, last, _, cells = header
        if isinstance(cells, ParseError):
            raise BulkImportError(f"cannot read the CSV header of {self.path} (line {first}): {cells.message}")
        self.columns = csv_columns(cells, str(self.path))
        self.header_lines = last
        return self._csv_records(rows)

    def _csv_records(self, rows: Iterator[tuple[int, int, str, list[str] | ParseError]]) -> Iterator[RawRecord]:
        for first, last, text, cells in rows:
            if first <= self.after_line:
                continue
            item = cells if isinstance(cells, ParseError) else csv_item(self.columns, cells)
            yield RawRecord(first, last, text, item)

    def __iter__(self) -> Iterator[RawRecord]:
        return self._records

    def __next__(self) -> RawRecord:
        return next(self._records)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> RecordReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_records(path: str | Path, fmt: str | None = None, *, after_line: int = 0) -> RecordReader:
    """Open `path` for reading RawRecords, skipping the records that start on or before `after_line`."""
    return RecordReader(path, fmt, after_line=after_line)


def read_records(path: str | Path, fmt: str | None = None) -> Iterator[tuple[int, dict[str, Any] | ParseError]]:
    """``(line_number, item | ParseError)`` for every record of the file (the header is checked first)."""
    with open_records(path, fmt) as reader:
        for record in reader:
            yield record.line, record.item
