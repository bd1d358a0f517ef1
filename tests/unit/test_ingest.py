"""Bulk import file handling: readers, batches, rejects and resuming (a fake service stands in for resolution)."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import threading
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from graphcdp.batch import decode_item
from graphcdp.ingest.bulk import (
    ImportReport,
    checkpoint_path_for,
    format_report,
    import_file,
    rejects_path_for,
)
from graphcdp.ingest.collector import BULK_THRESHOLDS
from graphcdp.ingest.readers import BulkImportError, ParseError, detect_format, open_records, read_records
from graphcdp.model.identity import ItemError, RecordAction, RecordInput, RecordResult, UpsertOutcome


class FakeService:
    """Records the batches it gets; items whose sourceId starts with "bad" are rejected."""

    def __init__(self, fail_on_call: int | None = None) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.dry_runs: list[bool] = []
        self.calls = 0
        self.fail_on_call = fail_on_call

    @staticmethod
    def decode_item(index: int, raw: Mapping[str, Any]) -> RecordInput | ItemError:
        return decode_item(RecordInput, index, raw)  # as the identity service decodes a line

    async def upsert_records(self, items: Sequence[RecordInput], dry_run: bool = False) -> UpsertOutcome:
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise RuntimeError("database went away")
        self.batches.append([item.model_dump(by_alias=True, exclude_unset=True) for item in items])
        self.dry_runs.append(dry_run)
        outcome = UpsertOutcome()
        for index, item in enumerate(items):
            if item.source_id.startswith("bad"):
                outcome.errors.append(ItemError(index=index, code="INVALID_EMAIL", message="not an email address"))
            else:
                outcome.results.append(RecordResult(index=index, person_id="p1", action=RecordAction.CREATED))
        return outcome

    @property
    def source_ids(self) -> list[str]:
        return [item["sourceId"] for batch in self.batches for item in batch]


def record(source_id: str, email: str = "a@example.com") -> str:
    return json.dumps({"source": "crm", "sourceId": source_id, "identifiers": [{"type": "email", "value": email}]})


def write_lines(path: Path, lines: Sequence[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def rejects_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ---- readers -------------------------------------------------------------------------------------------


def test_format_follows_the_extension_unless_given(tmp_path: Path) -> None:
    assert detect_format("a.jsonl") == "jsonl"
    assert detect_format("a.NDJSON") == "jsonl"
    assert detect_format("a.json") == "jsonl"
    assert detect_format("a.csv") == "csv"
    assert detect_format("a.txt", "CSV") == "csv"
    assert detect_format("a.csv", "jsonl") == "jsonl"
    with pytest.raises(BulkImportError, match="--format jsonl or --format csv"):
        detect_format("export.txt")
    with pytest.raises(BulkImportError, match="unknown import format 'xml'"):
        detect_format("a.csv", "xml")


def test_jsonl_lines_become_items_or_parse_errors(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "in.jsonl",
        [record("1"), "", "   ", '{"source": "crm", "sourceId": ', "[1, 2]", "null", record("2")],
    )
    rows = list(read_records(path))
    assert [line for line, _ in rows] == [1, 4, 5, 6, 7]
    assert rows[0][1] == json.loads(record("1"))
    assert rows[4][1] == json.loads(record("2"))
    bad_json, array, null = rows[1][1], rows[2][1], rows[3][1]
    assert isinstance(bad_json, ParseError)
    assert bad_json.code == "INVALID_JSON"
    assert isinstance(array, ParseError)
    assert (array.code, array.message) == ("NOT_AN_OBJECT", "expected one JSON object per line, got an array")
    assert isinstance(null, ParseError)
    assert null.code == "NOT_AN_OBJECT"


def test_jsonl_with_a_byte_order_mark_and_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + record("1").encode() + b"\r\n" + record("2").encode())
    with open_records(path) as reader:
        records = list(reader)
    assert [(r.line, r.text) for r in records] == [(1, record("1")), (2, record("2"))]
    assert all(isinstance(r.item, dict) for r in records)


def test_csv_columns_map_to_identifiers_traits_and_observed_at(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "source,source_id,observed_at,id:email,id:phone,trait:firstName,trait:address.city,trait:address.zip\n"
        "crm,1,2024-05-01T10:00:00Z,ada@example.com| ada@work.example ,+441234567890,Ada,London,N1\n"
        "\n"
        "crm,2,1714557600000,,,,,\n"
        'pos,3,,bob@example.com,,"Bob\nby",Paris,\n'
        ",,,,,,,\n"
        "pos,4,,,,Cy\n",
        encoding="utf-8",
    )
    rows = list(read_records(path))
    assert [line for line, _ in rows] == [2, 4, 5, 8]
    assert rows[0][1] == {
        "source": "crm",
        "sourceId": "1",
        "observedAt": "2024-05-01T10:00:00Z",
        "identifiers": [
            {"type": "email", "value": "ada@example.com"},
            {"type": "email", "value": "ada@work.example"},
            {"type": "phone", "value": "+441234567890"},
        ],
        "traits": {"firstName": "Ada", "address": {"city": "London", "zip": "N1"}},
    }
    assert rows[1][1] == {
        "source": "crm",
        "sourceId": "2",
        "observedAt": 1714557600000,
        "identifiers": [],
        "traits": {},
    }
    assert rows[2][1] == {
        "source": "pos",
        "sourceId": "3",
        "identifiers": [{"type": "email", "value": "bob@example.com"}],
        "traits": {"firstName": "Bob\nby", "address": {"city": "Paris"}},
    }
    short = rows[3][1]
    assert isinstance(short, ParseError)
    assert (short.code, short.message) == ("INVALID_CSV_ROW", "the row has 6 fields but the header has 8")


def test_csv_alternative_names_and_case(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "in.csv", [" Source ,sourceId,observedAt,ID:customer_id", "crm,7,,C-7"])
    assert list(read_records(path)) == [
        (2, {"source": "crm", "sourceId": "7", "identifiers": [{"type": "customer_id", "value": "C-7"}]})
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("source,source_id,email", r"unknown CSV column 'email' in the header of .*accepted columns: source, "),
        ("source,source_id,id:email,foo,trait:", r"unknown CSV columns 'foo', 'trait:' .*id:<type> \(e\.g\. id:email"),
        ("source,source_id,id:", r"unknown CSV column 'id:'.*trait:<key> \(nested with dots"),
        ("source,source_id,,id:email", r"column 3 \(no name\)"),
        ("source,source_id,sourceId", r"'source_id' and 'sourceId' .* both map to the same field"),
        ("source,source_id,trait:address,trait:address.city", r"'address' cannot be both a value and an object"),
        ("source,id:email", r"has no source_id column"),
    ],
)
def test_csv_header_that_cannot_be_mapped_is_a_clear_error(tmp_path: Path, header: str, message: str) -> None:
    path = write_lines(tmp_path / "in.csv", [header, "crm,1,x,y,z"])
    with pytest.raises(BulkImportError, match=message):
        open_records(path)


def test_empty_csv_has_no_records(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("", encoding="utf-8")
    assert list(read_records(path)) == []


# ---- import ------------------------------------------------------------------------------------------


async def test_parse_errors_and_item_errors_land_in_the_rejects_file(tmp_path: Path) -> None:
    lines = [record("1"), "", "{not json", record("2"), record("bad-5", "nope"), '["an", "array"]', record("3")]
    path = write_lines(tmp_path / "in.jsonl", lines)
    service = FakeService()
    report = await import_file(service, path, progress=False)

    assert service.source_ids == ["1", "2", "bad-5", "3"]
    rejects = rejects_of(rejects_path_for(path))
    assert [(r["line"], r["code"]) for r in rejects] == [
        (3, "INVALID_JSON"),
        (5, "INVALID_EMAIL"),
        (6, "NOT_AN_OBJECT"),
    ]
    assert [r["input"] for r in rejects] == ["{not json", record("bad-5", "nope"), '["an", "array"]']
    assert rejects[1]["message"] == "not an email address"
    assert report == ImportReport(
        file=path,
        lines_read=6,
        stored=3,
        unchanged=0,
        rejected=3,
        seconds=report.seconds,
        records_per_second=report.records_per_second,
        rejects_path=tmp_path / "in.jsonl.rejects.jsonl",
    )
    assert not checkpoint_path_for(path).exists()


async def test_a_line_that_is_no_record_input_is_rejected_at_its_line(tmp_path: Path) -> None:
    bad_date = json.dumps({"source": "crm", "sourceId": "d", "observedAt": "soon", "traits": {"a": 1}})
    lines = [
        record("1"),
        bad_date,
        json.dumps({"sourceId": "x", "traits": {"a": 1}}),
        '{"source": "crm", "sourceId": "t", "traits": [1]}',
        record("2"),
    ]
    path = write_lines(tmp_path / "in.jsonl", lines)
    service = FakeService()
    report = await import_file(service, path, progress=False)
    assert service.source_ids == ["1", "2"]
    assert [(r["line"], r["code"], r["message"]) for r in rejects_of(rejects_path_for(path))] == [
        (2, "INVALID_DATE", "observedAt 'soon' is not an ISO-8601 date-time (e.g. 2024-05-01T10:00:00Z)"),
        (3, "MISSING_FIELD", "source is required and must be a non-empty string"),
        (4, "INVALID_TRAITS", "traits must be a JSON object, not list"),
    ]
    assert (report.lines_read, report.stored, report.rejected) == (5, 2, 3)


async def test_invalid_utf8_line_is_rejected_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(record("1").encode() + b'\n{"source": "crm", "sourceId": "\xff"}\n' + record("2").encode() + b"\n")
    service = FakeService()
    rejects = tmp_path / "out" / "rejects.jsonl"
    rejects.parent.mkdir()
    report = await import_file(service, path, rejects_path=rejects, progress=False)
    assert service.source_ids == ["1", "2"]
    assert report.rejects_path == rejects
    [reject] = rejects_of(rejects)
    assert (reject["line"], reject["code"]) == (2, "INVALID_ENCODING")
    assert reject["input"] == '{"source": "crm", "sourceId": "\ufffd"}'


async def test_csv_import_rejects_carry_the_row_as_written(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        'source,source_id,id:email,trait:note\ncrm,1,a@example.com,"two\nlines"\ncrm,bad-2,nope,x\ncrm,3\n',
        encoding="utf-8",
    )
    service = FakeService()
    report = await import_file(service, path, progress=False)
    assert service.source_ids == ["1", "bad-2"]
    assert service.batches[0][0]["traits"] == {"note": "two\nlines"}
    assert [(r["line"], r["code"], r["input"]) for r in rejects_of(rejects_path_for(path))] == [
        (4, "INVALID_EMAIL", "crm,bad-2,nope,x"),
        (5, "INVALID_CSV_ROW", "crm,3"),
    ]
    assert (report.lines_read, report.stored, report.rejected) == (3, 1, 2)


async def test_unknown_csv_column_stops_before_anything_is_sent_or_written(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "in.csv", ["source,source_id,mail", "crm,1,a@example.com"])
    service = FakeService()
    with pytest.raises(BulkImportError, match="unknown CSV column 'mail'"):
        await import_file(service, path, progress=False)
    assert service.calls == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


async def test_batches_are_cut_at_batch_size(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "in.jsonl", [record(str(n)) for n in range(1, 6)])
    service = FakeService()
    report = await import_file(service, path, batch_size=2, progress=False)
    assert [[item["sourceId"] for item in batch] for batch in service.batches] == [["1", "2"], ["3", "4"], ["5"]]
    assert (report.lines_read, report.stored, report.rejected, report.rejects_path) == (5, 5, 0, None)
    assert not rejects_path_for(path).exists()
    assert service.dry_runs == [False, False, False]


class GatedService(FakeService):
    """Holds every batch until `concurrency` of them are in the service at once (or the last has come),
    then lets that group finish newest first: the overlap and the out-of-order finish are certain, not a
    matter of how long a sleep lasts on a loaded machine."""

    def __init__(self, concurrency: int, batches: int) -> None:
        super().__init__()
        self.concurrency, self.expected = concurrency, batches
        self.arrived = self.in_flight = self.most_in_flight = 0
        self.held: list[asyncio.Event] = []

    async def upsert_records(self, items: Sequence[RecordInput], dry_run: bool = False) -> UpsertOutcome:
        self.arrived += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        mine = asyncio.Event()
        self.held.append(mine)
        if len(self.held) == self.concurrency or self.arrived == self.expected:
            for event in reversed(self.held):  # woken in this order: the newest batch finishes first
                event.set()
            self.held = []
        await mine.wait()
        self.in_flight -= 1
        return await super().upsert_records(items, dry_run)


@pytest.mark.parametrize("concurrency", [1, 2, 3])
async def test_batches_in_flight_at_once_are_counted_in_file_order(tmp_path: Path, concurrency: int) -> None:
    path = write_lines(tmp_path / "in.jsonl", [record(str(n)) for n in range(1, 10)] + [record("bad-10")])
    service = GatedService(concurrency, batches=5)
    async with asyncio.timeout(10):  # an importer that never has `concurrency` batches out would wait forever
        report = await import_file(service, path, batch_size=2, concurrency=concurrency, progress=False)
    assert service.most_in_flight == concurrency
    if concurrency > 1:  # the batches really finished out of order
        assert service.source_ids[:2] == [str(2 * concurrency - 1), str(2 * concurrency)]
    assert sorted(service.source_ids) == sorted([str(n) for n in range(1, 10)] + ["bad-10"])
    assert (report.lines_read, report.stored, report.rejected) == (10, 9, 1)
    assert [r["line"] for r in rejects_of(rejects_path_for(path))] == [10]
    assert not checkpoint_path_for(path).exists()


async def test_resume_after_an_interruption_sends_only_the_rest(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "in.jsonl", [record("1"), record("bad-2"), "{oops", record("bad-4"), record("5")])
    rejects = rejects_path_for(path)
    state = checkpoint_path_for(path)

    failing = FakeService(fail_on_call=2)
    with pytest.raises(RuntimeError, match="database went away") as interrupted:
        await import_file(failing, path, batch_size=2, progress=False)
    assert any("run the same import again to resume" in note for note in interrupted.value.__notes__)
    assert failing.source_ids == ["1", "bad-2"]
    checkpoint = json.loads(state.read_text(encoding="utf-8"))
    assert checkpoint["file"] == str(path.resolve())
    assert (checkpoint["size"], checkpoint["mtime_ns"]) == (path.stat().st_size, path.stat().st_mtime_ns)
    assert (checkpoint["line"], checkpoint["stored"], checkpoint["rejected"]) == (2, 1, 1)
    assert [r["line"] for r in rejects_of(rejects)] == [2]

    # A crash between writing rejects and the checkpoint leaves lines the checkpoint does not cover.
    with rejects.open("a", encoding="utf-8") as file:
        file.write('{"line": 3, "code": "INVALID_JSON", "message": "half-done batch", "input": "{oops"}\n')

    service = FakeService()
    report = await import_file(service, path, batch_size=2, progress=False)
    assert service.source_ids == ["bad-4", "5"]
    assert [(r["line"], r["code"]) for r in rejects_of(rejects)] == [
        (2, "INVALID_EMAIL"),
        (3, "INVALID_JSON"),
        (4, "INVALID_EMAIL"),
    ]
    assert report.resumed_from_line == 2
    assert (report.lines_read, report.stored, report.rejected) == (5, 2, 3)
    assert "resumed after line 2" in format_report(report)
    assert not state.exists()


class ParsingService(FakeService):
    """A sink that parses apart from writing (graphcdp.ingest.bulk.ParsingSink). Each write waits until the next
    batch has been parsed: an importer that parses only after a write ends would wait forever."""

    def __init__(self, batches: int, fail_on_call: int | None = None) -> None:
        super().__init__(fail_on_call)
        self.expected = batches
        self.parsed_in: list[str] = []  # the thread each batch was parsed in
        self.parsed = 0
        self.next_parsed = threading.Condition()

    def parse_batch(self, items: Sequence[RecordInput]) -> list[RecordInput]:
        self.parsed_in.append(threading.current_thread().name)
        with self.next_parsed:
            self.parsed += 1
            self.next_parsed.notify_all()
        return list(items)

    async def upsert_parsed(self, batch: list[RecordInput], dry_run: bool = False) -> UpsertOutcome:
        written = self.calls + 1
        if written < self.expected:  # the batch after this one is parsed while this one is written
            await asyncio.to_thread(self._parsed, written + 1)
        return await self.upsert_records(batch, dry_run)

    def _parsed(self, count: int) -> None:
        with self.next_parsed:
            assert self.next_parsed.wait_for(lambda: self.parsed >= count, timeout=10), "the next batch was not parsed"


async def test_the_next_batch_is_parsed_in_a_worker_thread_while_one_is_written(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "in.jsonl", [record(str(n)) for n in range(1, 6)] + ["{oops", record("bad-7")])
    service = ParsingService(batches=4)
    async with asyncio.timeout(30):
        report = await import_file(service, path, batch_size=2, progress=False)
    assert service.source_ids == ["1", "2", "3", "4", "5", "bad-7"]  # the line that did not decode is not sent
    assert len(service.parsed_in) == 4
    assert threading.main_thread().name not in service.parsed_in
    assert (report.lines_read, report.stored, report.rejected) == (7, 5, 2)
    assert [(r["line"], r["code"]) for r in rejects_of(rejects_path_for(path))] == [
        (6, "INVALID_JSON"),
        (7, "INVALID_EMAIL"),
    ]


async def test_an_interrupted_import_with_a_batch_parsed_ahead_resumes_at_the_last_one_written(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "in.jsonl", [record(str(n)) for n in range(1, 8)])
    failing = ParsingService(batches=4, fail_on_call=2)
    with pytest.raises(RuntimeError, match="database went away"):
        await import_file(failing, path, batch_size=2, progress=False)
    assert failing.parsed == 3  # the third batch was parsed ahead, never written
    assert json.loads(checkpoint_path_for(path).read_text(encoding="utf-8"))["line"] == 2

    service = ParsingService(batches=3)
    report = await import_file(service, path, batch_size=2, progress=False)
    assert service.source_ids == ["3", "4", "5", "6", "7"]
    assert (report.lines_read, report.stored, report.resumed_from_line) == (7, 7, 2)


async def test_changed_file_starts_over_and_truncates_the_rejects(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "in.jsonl", [record("bad-1"), record("2"), record("3")])
    with pytest.raises(RuntimeError):
        await import_file(FakeService(fail_on_call=2), path, batch_size=1, progress=False)
    assert checkpoint_path_for(path).exists()

    write_lines(path, [record("bad-1"), record("2"), record("3"), record("4")])
    service = FakeService()
    report = await import_file(service, path, batch_size=1, progress=False)
    assert service.source_ids == ["bad-1", "2", "3", "4"]
    assert [r["line"] for r in rejects_of(rejects_path_for(path))] == [1]
    assert report.resumed_from_line is None
    assert (report.lines_read, report.stored, report.rejected) == (4, 3, 1)


async def test_same_size_but_touched_file_starts_over(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "in.jsonl", [record("1"), record("2")])
    with pytest.raises(RuntimeError):
        await import_file(FakeService(fail_on_call=2), path, batch_size=1, progress=False)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    service = FakeService()
    await import_file(service, path, batch_size=1, progress=False)
    assert service.source_ids == ["1", "2"]


async def test_no_resume_ignores_and_removes_the_checkpoint(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "in.jsonl", [record("1"), record("bad-2"), record("3")])
    with pytest.raises(RuntimeError):
        await import_file(FakeService(fail_on_call=2), path, batch_size=2, progress=False)
    service = FakeService()
    report = await import_file(service, path, batch_size=2, resume=False, progress=False)
    assert service.source_ids == ["1", "bad-2", "3"]
    assert [r["line"] for r in rejects_of(rejects_path_for(path))] == [2]
    assert report.resumed_from_line is None
    assert not checkpoint_path_for(path).exists()


async def test_resume_of_a_csv_file_keeps_the_header(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "in.csv", ["source,source_id", "crm,1", "crm,2", "crm,3"])
    with pytest.raises(RuntimeError):
        await import_file(FakeService(fail_on_call=2), path, batch_size=1, progress=False)
    assert json.loads(checkpoint_path_for(path).read_text(encoding="utf-8"))["line"] == 2
    service = FakeService()
    report = await import_file(service, path, batch_size=1, progress=False)
    assert service.batches == [[{"source": "crm", "sourceId": "2"}], [{"source": "crm", "sourceId": "3"}]]
    assert report.lines_read == 3


async def test_dry_run_keeps_no_checkpoint_and_its_own_rejects(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "in.jsonl", [record("1"), record("bad-2")])
    service = FakeService()
    report = await import_file(service, path, dry_run=True, progress=False)
    assert service.dry_runs == [True]
    assert report.rejects_path == tmp_path / "in.jsonl.dry-run.rejects.jsonl"
    assert [r["line"] for r in rejects_of(report.rejects_path)] == [2]
    assert "dry run" in format_report(report)
    assert not checkpoint_path_for(path).exists()


async def test_bad_arguments_are_clear_errors(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "in.jsonl", [record("1")])
    with pytest.raises(BulkImportError, match=r"cannot read .*missing\.jsonl"):
        await import_file(FakeService(), tmp_path / "missing.jsonl", progress=False)
    with pytest.raises(BulkImportError, match="batch size must be at least 1"):
        await import_file(FakeService(), path, batch_size=0, progress=False)
    with pytest.raises(BulkImportError, match="concurrency must be at least 1, not 0"):
        await import_file(FakeService(), path, concurrency=0, progress=False)
    with pytest.raises(BulkImportError, match="cannot be the input file"):
        await import_file(FakeService(), path, rejects_path=path, progress=False)
    with pytest.raises(BulkImportError, match="cannot write the rejects file"):
        await import_file(FakeService(), path, rejects_path=tmp_path / "no" / "such" / "dir.jsonl", progress=False)


async def test_progress_bar_goes_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_lines(tmp_path / "in.csv", ["source,source_id", "crm,1", "crm,2", "crm,3"])
    await import_file(FakeService(), path, batch_size=2)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "3/3" in captured.err
    assert "rec/s" in captured.err


def test_format_report_is_one_paragraph() -> None:
    report = ImportReport(
        file=Path("people.jsonl"),
        lines_read=12_345,
        stored=12_000,
        unchanged=300,
        rejected=45,
        seconds=6.2,
        records_per_second=1991.1,
        rejects_path=Path("people.jsonl.rejects.jsonl"),
    )
    assert format_report(report) == (
        "people.jsonl: imported 12,345 records, 12,000 stored, 300 unchanged, 45 rejected "
        "(see people.jsonl.rejects.jsonl); 6.2 s, 1,991 records/s."
    )
    assert format_report(report, "touchpoints") == (
        "people.jsonl: imported 12,345 touchpoints, 12,000 stored, 300 unchanged, 45 rejected "
        "(see people.jsonl.rejects.jsonl); 6.2 s, 1,991 touchpoints/s."
    )


# ---- the collector -------------------------------------------------------------------------------------


class CollectorWatchingService(FakeService):
    """Notes the collector's thresholds at each batch, and leaves a reference cycle behind each time."""

    def __init__(self) -> None:
        super().__init__()
        self.thresholds: list[tuple[int, int, int]] = []
        self.cycles: list[weakref.ref[Any]] = []

    async def upsert_records(self, items: Sequence[RecordInput], dry_run: bool = False) -> UpsertOutcome:
        self.thresholds.append(gc.get_threshold())
        cycle = _Node()
        cycle.other = cycle
        self.cycles.append(weakref.ref(cycle))
        return await super().upsert_records(items, dry_run)


class _Node:
    other: Any = None


async def test_an_import_runs_with_the_collectors_thresholds_raised_and_collects_its_cycles_at_the_end(
    tmp_path: Path,
) -> None:
    """Full collections walked every object alive, again and again, in a bulk import (graphcdp/ingest/collector.py)."""
    service = CollectorWatchingService()
    source = write_lines(tmp_path / "in.jsonl", [record(f"r{i}") for i in range(10)])
    before = gc.get_threshold()
    assert before != BULK_THRESHOLDS
    await import_file(service, source, batch_size=3, progress=False)
    assert service.thresholds == [BULK_THRESHOLDS] * 4
    assert gc.get_threshold() == before
    assert all(ref() is None for ref in service.cycles)  # the cycles it left were collected when it ended
    # A failing import gives the thresholds back too.
    with pytest.raises(RuntimeError):
        await import_file(FakeService(fail_on_call=1), source, batch_size=3, progress=False, resume=False)
    assert gc.get_threshold() == before
