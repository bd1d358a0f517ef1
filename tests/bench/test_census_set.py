"""The generated person-register set (bench/graphcdp_bench/datagen/census.py): FEBRL-shaped, reproducible,
several records per person, and messy the way the issue describes."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from graphcdp_bench.datagen.census import write_census_set
from graphcdp_bench.datagen.quality import evaluate
from graphcdp_bench.febrl import PERSON_PROFILE, birth_date, load_febrl, run_splink
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


@pytest.mark.skipif(importlib.util.find_spec("splink") is None, reason="splink is installed for the benchmark only")
def test_splink_runs_the_census_set_with_its_person_data_profile(tmp_path: Path) -> None:
    census = load_febrl(write_census_set(1_000, tmp_path / "census.csv", seed=3))
    result = run_splink(census, threads=1, profile=PERSON_PROFILE)
    assert (result["skipped"], result["profile"], result["clusterThreshold"]) == (False, "persons", 0.99)
    assert result["emBlocking"] == ["given_name+surname", "date_of_birth"]
    quality = evaluate(result["clusters"], census.truth())
    assert quality.items == len(census.truth()) and quality.precision > 0.5  # households are not merged wholesale
