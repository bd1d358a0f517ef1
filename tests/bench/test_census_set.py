"""The generated person-register set (bench/graphcdp_bench/datagen/census.py): FEBRL-shaped, reproducible,
several records per person, and messy the way the issue describes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from graphcdp_bench.datagen.census import write_census_set
from graphcdp_bench.febrl import birth_date, load_febrl
from graphcdp_bench.febrl_run import data_set


def test_the_census_set_is_a_reproducible_febrl_dedupe_set_of_messy_multi_source_records(tmp_path: Path) -> None:
    path = write_census_set(2_000, tmp_path / "census.csv", seed=3)
    assert write_census_set(2_000, tmp_path / "again.csv", seed=3).read_bytes() == path.read_bytes()
    census = load_febrl(path)
    assert census.link_type == "dedupe_only"
    truth = census.truth()
    per_person = Counter(truth.values())
    assert len(per_person) == 2_000 and 1.8 < len(truth) / 2_000 < 2.6
    rows = census.tables[0].rows
    dates = [row["date_of_birth"] for row in rows if row["date_of_birth"]]
    assert 0 < sum(birth_date(d) is None for d in dates) < len(dates) * 0.05  # transposed past the 12th, typos
    with_ssn = sum(bool(row["soc_sec_id"]) for row in rows)
    assert 0.3 * len(rows) < with_ssn < 0.8 * len(rows)  # an optional national id
    assert any(not row["postcode"] for row in rows)  # missing fields


def test_census_names_a_generated_set_in_the_work_directory(tmp_path: Path) -> None:
    assert data_set("febrl3", tmp_path) == "febrl3"
    path = data_set("census:1000", tmp_path)
    assert path == tmp_path / "census-1000.csv" and isinstance(path, Path) and path.exists()
    assert data_set("census:1000", tmp_path) == path
