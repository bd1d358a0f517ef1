"""Training on household data (issue 21): people in households, several register records each, names that agree
on a few hundred common values, addresses some moved from. The model `graphcdp matching train` learns from the
graph must find at least the true pairs the shipped model found, on the real embedded FalkorDB: ingested under
the shipped model, trained on what that stored, ingested again under the trained model."""

from __future__ import annotations

from pathlib import Path

from graphcdp.identity.matching.features import record_features
from graphcdp.identity.matching.spec import Comparison, MatchingModel, load_model
from graphcdp.identity.matching.training import TrainingRecord, train
from graphcdp.wiring import Services
from graphcdp_bench.datagen.census import write_census_set
from graphcdp_bench.febrl import run_febrl_benchmark
from graphcdp_bench.febrl_run import census_model

PEOPLE = 1000


async def test_a_trained_model_finds_no_fewer_true_pairs_than_the_shipped_one(
    tmp_path: Path, bench_graph: Services, second_bench_graph: Services
) -> None:
    path = write_census_set(PEOPLE, tmp_path / "census.csv")
    result = await run_febrl_benchmark(
        path, bench_graph, splink=False, trained=second_bench_graph, model=census_model(), random_pairs=50_000
    )
    untrained, trained = result["untrained"]["quality"], result["graphcdp"]["quality"]
    assert result["graphcdp"]["training"]["blockedPairs"] > 0
    assert trained["recall"] >= untrained["recall"], (untrained, trained)
    assert trained["precision"] >= 0.9, trained  # not recall bought by merging households


def _comparison(model: MatchingModel, field: str) -> Comparison:
    return next(c for c in model.comparisons if c.field == field)


def _records(model: MatchingModel, people: int) -> list[TrainingRecord]:
    """Two records per person with a unique national id on both, and names drawn from 20 values."""
    records = []
    for person in range(people):
        traits = {
            "firstName": f"name{person % 20}",
            "lastName": f"surname{person % 7}",
            "nationalId": f"{100_000_000 + person * 7919}",
        }
        for source in ("census", "tax"):
            records.append(TrainingRecord(f"{source}:{person}", record_features(traits, (), model.fields), ()))
    return records


def test_u_counts_the_random_pairs_that_are_one_person_as_matches_not_as_chance_agreement() -> None:
    # 400 people, two records each: about one random pair in 400 is one person, and all of those agree on the
    # national id, which no two people share. u, the chance that two different people agree, is then near 0:
    # counting those pairs as chance agreement made it the share of matches among random pairs.
    model = census_model()
    trained = train(model, _records(model, 400), random_pairs=50_000, use_identifiers=False)
    exact_u = _comparison(trained, "nationalId").levels[0].u
    matches_among_random_pairs = 1 / 799
    assert exact_u < matches_among_random_pairs / 10
    # A field no pair of records carries (an email, a phone) teaches nothing about u: it keeps the configured one.
    for field in ("emailLocal", "phone"):
        assert _comparison(trained, field) == _comparison(model, field)


def test_an_exact_name_is_worth_what_a_typical_value_of_the_names_is_worth() -> None:
    # First names take 20 values, one of them on half of the records: two random records agree on a first name
    # mostly through that one, so the chance of agreeing (about 0.26) is far above the frequency of a typical
    # value. The scorer weighs each value by its own frequency; where it cannot, the level stands for a typical one.
    model = load_model(None)
    records = [
        TrainingRecord(
            f"r:{i}",
            record_features({"firstName": "anna" if i % 2 else f"name{i % 38}", "lastName": f"s{i}"}, (), model.fields),
            (),
        )
        for i in range(760)
    ]
    trained = train(model, records, random_pairs=20_000, use_identifiers=False)
    exact_u = _comparison(trained, "firstName").levels[0].u
    # entropy: half "anna", the other half spread over 19 values of 1/38 each
    entropy = 0.5 * 1 + 19 * (1 / 38) * 5.247927513443585
    assert abs(exact_u - 2**-entropy) < 1e-9
    assert exact_u < 0.2
