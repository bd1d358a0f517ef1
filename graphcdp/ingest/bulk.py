"""Bulk import of a JSON Lines or CSV file through the identity service, resumable after an interruption.

The file is read in batches of `batch_size` records (lines; parse errors count too). Each line's object is
decoded into the sink's typed input (``decode_item``: a ``RecordInput`` for records); the items of a batch
go to ``upsert_records`` in one call, and each ``ItemError`` index is mapped back to its line. Every rejected line,
whether it could not be parsed or the service refused the item, is written to the rejects file as one JSON
object: ``{"line": n, "code": "...", "message": "...", "input": "<the line as written>"}``.

After each batch is done (service answered, rejects written), a checkpoint ``<FILE>.import-state.json`` is
replaced atomically. A later run of the same file (same size and mtime, same format and rejects file)
skips the lines the checkpoint covers, cuts the rejects file back to what it held at the checkpoint and
appends to it, so every line is counted and rejected exactly once. A changed file starts over (upserts are
idempotent, re-sending is safe). A finished import deletes its checkpoint.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar, runtime_checkable

from tqdm import tqdm  # type: ignore[import-untyped]

from graphcdp.errors import ErrorCode
from graphcdp.ingest.collector import collector_for_bulk_work
from graphcdp.ingest.readers import (
    BulkImportError,
    Format,
    ParseError,
    RawRecord,
    RecordReader,
    count_lines,
    detect_format,
)
from graphcdp.model.identity import ItemError, ItemWarning, RecordAction, UpsertOutcome

__all__ = [
    "CHECKPOINT_VERSION",
    "BulkImportError",
    "ImportReport",
    "ParsingSink",
    "RecordSink",
    "checkpoint_path_for",
    "format_report",
    "import_file",
    "rejects_path_for",
]

log = logging.getLogger(__name__)

CHECKPOINT_VERSION = 1
_STORED = frozenset({RecordAction.CREATED, RecordAction.UPDATED, RecordAction.MERGED})


Item = TypeVar("Item")
Item_contra = TypeVar("Item_contra", contravariant=True)
Parsed = TypeVar("Parsed")


class RecordSink(Protocol[Item]):
    """What the importer needs from the identity service (or another sink): how one line's object becomes
    its typed input, and the upsert of a batch of them."""

    def decode_item(self, index: int, raw: Mapping[str, Any]) -> Item | ItemError: ...

    async def upsert_records(self, items: Sequence[Item], dry_run: bool = False) -> UpsertOutcome: ...


@runtime_checkable
class ParsingSink(Protocol[Item_contra, Parsed]):
    """A sink that parses a batch with no database work (`parse_batch`: validating, normalizing identifiers,
    match features and keys), safely in a worker thread, and writes it parsed (`upsert_parsed`). The importer
    then parses the next batch while the database works on this one: on two cores they overlap."""

    def parse_batch(self, items: Sequence[Item_contra]) -> Parsed: ...

    async def upsert_parsed(self, batch: Parsed, dry_run: bool = False) -> UpsertOutcome: ...


@dataclass(frozen=True)
class ImportReport:
    """The outcome of an import. Counts cover the whole file, including the part done by the runs this one
    resumed; `seconds` and `records_per_second` are this run's. lines_read == stored + unchanged + rejected."""

    file: Path
    lines_read: int  # records read: non-blank lines (JSON Lines) or rows after the header (CSV)
    stored: int  # created, updated or merged (with dry_run: would have been)
    unchanged: int  # already stored as sent
    rejected: int  # parse errors and item errors, all in the rejects file
    seconds: float
    records_per_second: float
    rejects_path: Path | None  # None when nothing was rejected (no rejects file is left behind)
    resumed_from_line: int | None = None  # the last line a previous run had finished, when resumed
    dry_run: bool = False
    # Stored lines with a value kept as sent but not understood (index: the line), of this run.
    warnings: tuple[ItemWarning, ...] = ()


def rejects_path_for(path: str | Path, *, dry_run: bool = False) -> Path:
    """Default rejects file: ``<FILE>.rejects.jsonl`` beside the input (``<FILE>.dry-run.rejects.jsonl`` for a
    dry run, so that it never touches the rejects of an interrupted import)."""
    path = Path(path)
    return path.with_name(f"{path.name}{'.dry-run' if dry_run else ''}.rejects.jsonl")


def checkpoint_path_for(path: str | Path) -> Path:
    """Checkpoint of an import of `path`: ``<FILE>.import-state.json`` beside the input."""
    path = Path(path)
    return path.with_name(f"{path.name}.import-state.json")


@dataclass
class _Progress:
    line: int = 0  # last physical line done
    lines_read: int = 0
    stored: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects_bytes: int = 0


class _Checkpoint:
    """The checkpoint file of one import; a disabled one (dry run) reads as absent and writes nothing."""

    def __init__(self, path: Path, identity: dict[str, Any], *, enabled: bool = True) -> None:
        self.path = path
        self.identity = identity  # what must match for a resume: file, size, mtime, format, rejects path
        self.enabled = enabled

    def load(self) -> _Progress | None:
        """The progress of a previous run of this very file, or None (absent, unreadable or another file)."""
        if not self.enabled:
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable import checkpoint %s: %s", self.path, exc)
            return None
        if not isinstance(data, dict) or any(data.get(key) != value for key, value in self.identity.items()):
            log.warning(
                "%s changed since the interrupted import (or the format or rejects file did): starting over",
                self.identity["file"],
            )
            return None
        try:
            return _Progress(*(int(data[key]) for key in _Progress.__dataclass_fields__))
        except (KeyError, TypeError, ValueError):
            log.warning("ignoring malformed import checkpoint %s", self.path)
            return None

    def save(self, progress: _Progress) -> None:
        if not self.enabled:
            return
        data = {**self.identity, **progress.__dict__}
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            with suppress(OSError):
                tmp.unlink()
            raise BulkImportError(f"cannot write the import checkpoint {self.path}: {exc.strerror or exc}") from None

    def remove(self) -> None:
        if self.enabled:
            with suppress(FileNotFoundError):
                self.path.unlink()


def _take(reader: RecordReader, size: int) -> list[RawRecord]:
    batch: list[RawRecord] = []
    for record in reader:
        batch.append(record)
        if len(batch) == size:
            break
    return batch


def _reject(line: int, code: ErrorCode, message: str, text: str) -> str:
    return json.dumps({"line": line, "code": code, "message": message, "input": text}, ensure_ascii=False) + "\n"


def _open_rejects(path: Path, keep_bytes: int | None) -> IO[str]:
    """Open the rejects file for appending: truncated to `keep_bytes` on a resume, emptied otherwise."""
    try:
        if keep_bytes is None:
            return open(path, "w", encoding="utf-8", newline="\n")  # the caller closes it
        with suppress(FileNotFoundError), open(path, "r+b") as existing:
            if existing.seek(0, os.SEEK_END) > keep_bytes:
                existing.truncate(keep_bytes)
        return open(path, "a", encoding="utf-8", newline="\n")  # the caller closes it
    except OSError as exc:
        raise BulkImportError(f"cannot write the rejects file {path}: {exc.strerror or exc}") from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return a.resolve() == b.resolve()


async def import_file(
    service: RecordSink[Item],
    path: str | Path,
    *,
    fmt: str | None = None,
    batch_size: int = 1000,
    rejects_path: str | Path | None = None,
    resume: bool = True,
    progress: bool = True,
    dry_run: bool = False,
    concurrency: int = 1,
) -> ImportReport:
    """Import `path` (JSON Lines or CSV, see graphcdp.ingest.readers) through `service.upsert_records`.

    Raises BulkImportError for what stops an import before or between batches (unknown format, missing
    file, bad CSV header, rejects file or checkpoint not writable). An exception from the service ends the
    import with the checkpoint of the last finished batch in place: run it again to go on from there.
    `resume=False` ignores (and removes) a checkpoint. With `dry_run`, items are only validated (the
    service gets dry_run=True), rejects go to ``<FILE>.dry-run.rejects.jsonl`` by default and no checkpoint
    is read or written.

    The next batch is read and decoded (and parsed, by a `ParsingSink`) in a worker thread while the service
    works on the last one sent. `concurrency` batches are in the service at once, so one batch's Python work
    (scoring, planning) can overlap another's database statements. They finish, count and checkpoint in file order;
    resolution converges whatever order concurrent batches commit in. The default is 1: at 100,000 people
    two batches in flight were slower (touchpoints 652/s against 894/s), since neighbouring batches share
    persons, conflict at commit and read their components again.
    """
    if batch_size < 1:
        raise BulkImportError(f"the batch size must be at least 1, not {batch_size}")
    if concurrency < 1:
        raise BulkImportError(f"the concurrency must be at least 1, not {concurrency}")
    path = Path(path)
    rejects = Path(rejects_path) if rejects_path is not None else rejects_path_for(path, dry_run=dry_run)
    file_format, checkpoint = _checkpoint_of(path, fmt, rejects, enabled=not dry_run)
    done = checkpoint.load() if resume else None
    state = done or _Progress()
    resumed_from, lines_before = (done.line, done.lines_read) if done is not None else (None, 0)
    # Opening the reader checks the CSV header: a bad one stops the import before anything is written.
    with collector_for_bulk_work(), RecordReader(path, file_format, after_line=state.line) as reader:
        if done is None:
            checkpoint.remove()
        checkpoint.save(state)  # fails early when the checkpoint cannot be written
        started = time.perf_counter()
        with _open_rejects(rejects, None if done is None else state.rejects_bytes) as rejects_file:
            bar = await _progress_bar(path, reader, state) if progress else None
            warnings = list[ItemWarning]()

            def finish(sent: _SentBatch, outcome: UpsertOutcome | None) -> None:
                before = max(state.line, reader.header_lines)
                _record_batch(sent, outcome, rejects_file, state, warnings)
                checkpoint.save(state)
                if bar is not None:
                    bar.update(state.line - before)

            try:
                await _send_all(service, reader, finish, size=batch_size, concurrency=concurrency, dry_run=dry_run)
            except BaseException as exc:
                _explain_interruption(exc, path, state, resumable=checkpoint.enabled)
                raise
            finally:
                if bar is not None:
                    bar.close()
    seconds = time.perf_counter() - started
    checkpoint.remove()
    if state.rejected == 0:
        with suppress(FileNotFoundError):
            rejects.unlink()
    records_this_run = state.lines_read - lines_before
    return ImportReport(
        file=path,
        lines_read=state.lines_read,
        stored=state.stored,
        unchanged=state.unchanged,
        rejected=state.rejected,
        seconds=seconds,
        records_per_second=records_this_run / seconds if seconds > 0 else 0.0,
        rejects_path=rejects if state.rejected else None,
        resumed_from_line=resumed_from,
        dry_run=dry_run,
        warnings=tuple(warnings),
    )


async def _send_all(
    service: RecordSink[Item],
    reader: RecordReader,
    finish: Callable[[_SentBatch, UpsertOutcome | None], None],
    *,
    size: int,
    concurrency: int,
    dry_run: bool,
) -> None:
    """Every batch of the reader sent to the service, `concurrency` at once, each finished in file order; the
    next batch is read (and parsed) in a worker thread meanwhile."""
    in_flight = deque[_SentBatch]()

    def read_next() -> asyncio.Future[_ReadBatch | None]:
        return asyncio.ensure_future(asyncio.to_thread(_read_batch, service, reader, size))

    reading = read_next()
    try:
        while read := await reading:
            in_flight.append(_send_batch(service, read, dry_run=dry_run))
            reading = read_next()  # read and parsed while the service works on the batch just sent
            if len(in_flight) >= concurrency:
                sent = in_flight.popleft()
                finish(sent, await sent.outcome if sent.outcome else None)
        while in_flight:
            sent = in_flight.popleft()
            finish(sent, await sent.outcome if sent.outcome else None)
    except BaseException:
        # Sent but not counted: the checkpoint says to send them again (an upsert is idempotent).
        unfinished = [sent.outcome for sent in in_flight if sent.outcome]
        for outcome in unfinished:
            outcome.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        # A thread cannot be cancelled: it is let finish with the reader before the reader closes.
        await asyncio.gather(asyncio.shield(reading), return_exceptions=True)
        raise


def _checkpoint_of(path: Path, fmt: str | None, rejects: Path, *, enabled: bool) -> tuple[Format, _Checkpoint]:
    """Check the input and the rejects path; the file's format and its checkpoint."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise BulkImportError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not path.is_file():
        raise BulkImportError(f"cannot import {path}: not a regular file")
    if _same_file(rejects, path):
        raise BulkImportError(f"the rejects file {rejects} cannot be the input file itself")
    file_format = detect_format(path, fmt)
    identity = {
        "version": CHECKPOINT_VERSION,
        "file": str(path.resolve()),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "format": file_format,
        "rejects": str(rejects.resolve()),
    }
    return file_format, _Checkpoint(checkpoint_path_for(path), identity, enabled=enabled)


async def _progress_bar(path: Path, reader: RecordReader, state: _Progress) -> Any:
    """A tqdm bar on stderr counting records (lines after the CSV header), starting where a resume starts."""
    total = await asyncio.to_thread(count_lines, path)
    return tqdm(
        total=max(total - reader.header_lines, 0),
        initial=max(state.line - reader.header_lines, 0),
        desc=f"import {path.name}",
        unit="rec",
        mininterval=0.5,
        file=sys.stderr,
        dynamic_ncols=True,
    )


def _explain_interruption(exc: BaseException, path: Path, state: _Progress, *, resumable: bool) -> None:
    if isinstance(exc, BulkImportError):  # its message says it all
        return
    message = f"import of {path} stopped after line {state.line}"
    if resumable:
        message += "; run the same import again to resume from there"
    log.warning("%s (%s)", message, type(exc).__name__)
    exc.add_note(message)


@dataclass
class _ReadBatch:
    batch: list[RawRecord]
    positions: list[int]  # position in the batch of each item to send
    rejected: dict[int, tuple[ErrorCode, str]]  # position in the batch -> (code, message)
    items: list[Any]  # the decoded items to send
    parsed: Any = None  # what a ParsingSink's parse_batch made of them


@dataclass
class _SentBatch:
    batch: list[RawRecord]
    positions: list[int]  # position in the batch of each item sent
    rejected: dict[int, tuple[ErrorCode, str]]  # position in the batch -> (code, message)
    outcome: asyncio.Future[UpsertOutcome] | None  # None: nothing in the batch could be sent


def _read_batch(service: RecordSink[Item], reader: RecordReader, size: int) -> _ReadBatch | None:
    """The next batch read and decoded (a line that does not decode is rejected here), and parsed when the sink
    can parse apart from writing; None at the end of the file. Runs in a worker thread: no database work."""
    batch = _take(reader, size)
    if not batch:
        return None
    rejected: dict[int, tuple[ErrorCode, str]] = {}
    positions: list[int] = []
    items: list[Item] = []
    for position, record in enumerate(batch):
        decoded = record.item if isinstance(record.item, ParseError) else service.decode_item(position, record.item)
        if isinstance(decoded, ParseError | ItemError):
            rejected[position] = (decoded.code, decoded.message)
        else:
            positions.append(position)
            items.append(decoded)
    read = _ReadBatch(batch, positions, rejected, items)
    if items and isinstance(service, ParsingSink):
        read.parsed = service.parse_batch(items)
    return read


def _send_batch(service: RecordSink[Item], read: _ReadBatch, *, dry_run: bool) -> _SentBatch:
    """Start sending one batch's items (parsed, if they were) to the service."""
    outcome = None
    if read.parsed is not None and isinstance(service, ParsingSink):
        outcome = asyncio.ensure_future(service.upsert_parsed(read.parsed, dry_run=dry_run))
    elif read.items:
        outcome = asyncio.ensure_future(service.upsert_records(read.items, dry_run=dry_run))
    return _SentBatch(read.batch, read.positions, read.rejected, outcome)


def _record_batch(
    sent: _SentBatch,
    outcome: UpsertOutcome | None,
    rejects_file: IO[str],
    state: _Progress,
    warnings: list[ItemWarning],
) -> None:
    """Count a finished batch, write its rejects, update `state`, add its warnings (by line) to `warnings`."""
    batch, rejected = sent.batch, sent.rejected
    if outcome is not None:
        _apply_outcome(outcome, sent.positions, rejected, state)
        lines = [batch[position].line for position in sent.positions]
        warnings += [w.model_copy(update={"index": lines[w.index]}) for w in outcome.warnings if w.index < len(lines)]
    if rejected:
        text = "".join(
            _reject(batch[position].line, code, message, batch[position].text)
            for position, (code, message) in sorted(rejected.items())
        )
        rejects_file.write(text)
        rejects_file.flush()
        state.rejects_bytes += len(text.encode("utf-8"))
    state.line = batch[-1].end_line
    state.lines_read += len(batch)
    state.rejected += len(rejected)


def _apply_outcome(
    outcome: UpsertOutcome, positions: list[int], rejected: dict[int, tuple[ErrorCode, str]], state: _Progress
) -> None:
    """Count results, and add item errors (and items the service did not answer for) to `rejected`."""
    answered: set[int] = set()
    for error in outcome.errors:
        if 0 <= error.index < len(positions):
            rejected[positions[error.index]] = (error.code, error.message)
            answered.add(error.index)
    for result in outcome.results:
        if 0 <= result.index < len(positions) and result.index not in answered:
            answered.add(result.index)
            if result.action in _STORED:
                state.stored += 1
            else:
                state.unchanged += 1
    for index, position in enumerate(positions):
        if index not in answered:
            rejected[position] = (ErrorCode.NO_RESULT, "the service returned no result for this record")


def format_report(report: ImportReport, noun: str = "records") -> str:
    """A one-paragraph summary of an import, for people; `noun` says what the lines were."""
    verb = "checked (dry run)" if report.dry_run else "imported"
    parts = [
        f"{report.file}: {verb} {report.lines_read:,} {noun}",
        f"{report.stored:,} {'would be stored' if report.dry_run else 'stored'}",
        f"{report.unchanged:,} unchanged",
        f"{report.rejected:,} rejected",
    ]
    text = ", ".join(parts)
    if report.rejects_path is not None:
        text += f" (see {report.rejects_path})"
    if report.warnings:
        first = report.warnings[0]
        text += f"; {len(report.warnings):,} stored with a value not understood (first: line {first.index}, "
        text += f"{first.path}, {first.code.value})"  # the message holds the value: not printed
    text += f"; {report.seconds:.1f} s, {report.records_per_second:,.0f} {noun}/s"
    if report.resumed_from_line is not None:
        text += f"; resumed after line {report.resumed_from_line:,} (counts include the earlier run)"
    return text + "."
