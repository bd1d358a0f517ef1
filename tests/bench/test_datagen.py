"""The test-data generator: reproducible, complete truth, the mess at its rates, graphcdp-valid output,
and the quality figures on hand-made partitions."""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from graphcdp.cli import main
from graphcdp.identity.input import parse_record_item
from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.model.identity import ItemError
from graphcdp.profiles.touchpoint_input import parse_touchpoint_item
from graphcdp.settings import load_settings
from graphcdp_bench.datagen import GeneratorConfig, MessRates, evaluate, mess, read_truth, vocab, write_dataset
from graphcdp_bench.datagen.generator import MESS_KINDS
from graphcdp_bench.datagen.output import FILES

JUNK = {*vocab.JUNK_EMAILS, *vocab.JUNK_PHONES}


@pytest.fixture(scope="module")
def policy() -> IdentifierPolicy:
    return IdentifierPolicy.from_settings(load_settings())


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("datagen-1000")
    return out, write_dataset(out, GeneratorConfig(people=1000, seed=11), progress=False)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        write_dataset(tmp_path / name, GeneratorConfig(people=300, seed=seed), progress=False)
    for file in FILES.values():
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file
    for file in ("records.jsonl", "touchpoints.jsonl", "truth.jsonl"):
        assert (tmp_path / "a" / file).read_bytes() != (tmp_path / "c" / file).read_bytes(), file


def test_every_record_and_touchpoint_has_its_true_person(dataset: tuple[Path, dict[str, Any]]) -> None:
    out, manifest = dataset
    records, touchpoints = lines(out / "records.jsonl"), lines(out / "touchpoints.jsonl")
    truth = read_truth(out / "truth.jsonl")
    assert len(records) == manifest["records"] == len(truth.records)
    assert len(touchpoints) == manifest["touchpoints"] == len(truth.touchpoints)
    assert {f"{r['source']}:{r['sourceId']}" for r in records} == set(truth.records)
    assert {t["id"] for t in touchpoints} == set(truth.touchpoints)
    assert set(truth.records.values()) == set(range(1000)), "everyone is known to at least one source"
    assert set(manifest["touchpointsByType"]) >= {
        "page_view", "search", "order", "return", "case", "email_open", "email_click", "sms", "event_attended",
        "survey_response", "login",
    }  # fmt: skip
    orders = {t["properties"]["orderId"] for t in touchpoints if t["type"] == "order"}
    returns = [t for t in touchpoints if t["type"] == "return"]
    assert returns and all(t["properties"]["orderId"] in orders and t["amount"] > 0 for t in returns)
    kinds = {shared.kind for shared in truth.shared_identifiers.values()}
    assert kinds == {"household_email", "family_tablet"}
    for keys in truth.shared.values():
        assert set(keys) <= set(truth.shared_identifiers)


def test_every_kind_of_mess_is_injected_at_about_its_rate(dataset: tuple[Path, dict[str, Any]]) -> None:
    _, manifest = dataset
    assert set(manifest["mess"]) == set(MESS_KINDS) == set(MessRates().as_dict())
    for kind, figures in manifest["mess"].items():
        n, p, hits = figures["chances"], figures["rate"], figures["injected"]
        assert hits > 0, f"{kind} never happened"
        tolerance = 4 * math.sqrt(n * p * (1 - p)) + 2  # binomial: 4 standard deviations
        assert abs(hits - n * p) <= tolerance, f"{kind}: {hits} of {n} chances at rate {p}"


def test_everything_parses_and_only_the_junk_is_blocked(
    dataset: tuple[Path, dict[str, Any]], policy: IdentifierPolicy
) -> None:
    out, manifest = dataset
    junk_written = 0
    for parse, file in ((parse_record_item, "records.jsonl"), (parse_touchpoint_item, "touchpoints.jsonl")):
        for index, item in enumerate(lines(out / file)):
            parsed = parse(index, item, policy)
            assert not isinstance(parsed, ItemError), (parsed, item)
            for written, identifier in zip(item["identifiers"], parsed.identifiers, strict=False):
                assert identifier.blocked == (written["value"] in JUNK), written
            raw = [i["value"] for i in item["identifiers"]]
            junk_written += sum(value in JUNK for value in raw)
            blocked = sum(i.blocked for i in parsed.identifiers)
            assert blocked == len({i.key for i in parsed.identifiers if i.blocked})
    mess_counts = manifest["mess"]
    assert junk_written == mess_counts["junk_email"]["injected"] + mess_counts["junk_phone"]["injected"]


def test_people_meet_only_through_the_identifiers_shared_on_purpose(
    dataset: tuple[Path, dict[str, Any]], policy: IdentifierPolicy
) -> None:
    """Unique by construction: emails (and their typos), phones, ids. Only household emails and family
    tablets are held by several people, and the truth marks exactly the items that carry them."""
    out, _ = dataset
    truth = read_truth(out / "truth.jsonl")
    holders: dict[str, set[int]] = defaultdict(set)
    for file, key_of, persons in (
        ("records.jsonl", lambda r: f"{r['source']}:{r['sourceId']}", truth.records),
        ("touchpoints.jsonl", lambda t: t["id"], truth.touchpoints),
    ):
        for item in lines(out / file):
            key = key_of(item)
            keys = {policy.normalize(i["type"], i["value"]) for i in item["identifiers"]}
            linking = {i.key for i in keys if not i.blocked}
            for identifier in linking:
                holders[identifier].add(persons[key])
            assert set(truth.shared.get(key, ())) == linking & set(truth.shared_identifiers), item
    crossing = {key for key, people in holders.items() if len(people) > 1}
    assert crossing == {key for key, shared in truth.shared_identifiers.items() if len(shared.people) > 1}
    for key, shared in truth.shared_identifiers.items():
        assert holders.get(key, set()) == set(shared.people), key


def test_without_mess_nothing_is_injected(tmp_path: Path) -> None:
    manifest = write_dataset(tmp_path, GeneratorConfig(people=300, seed=3, rates=MessRates.none()), progress=False)
    assert {kind: figures["injected"] for kind, figures in manifest["mess"].items()} == dict.fromkeys(MESS_KINDS, 0)
    assert manifest["sharedIdentifiers"] == {}
    with pytest.raises(ValueError, match="between 0 and 1"):
        MessRates(email_typo=1.5)


@pytest.mark.parametrize("seed", range(20))
def test_format_variants_keep_the_identifier_and_typos_change_it(seed: int, policy: IdentifierPolicy) -> None:
    rng = random.Random(seed)
    email = "ada.lovelace4821@mail.example.com"
    assert policy.normalize("email", mess.email_variant(rng, email)).key == f"email:{email}"
    typo = policy.normalize("email", mess.email_typo(rng, email))
    assert typo.key != f"email:{email}" and not typo.blocked and typo.value.split("@")[0].endswith("4821")
    phone = (415, 234, 123)
    assert policy.normalize("phone", mess.phone_variant(rng, phone)).value == "+14152340123"
    street = "1234 Oak Street, Apt 5"
    assert mess.street_variant(rng, street).upper().startswith("1234 OAK ")
    assert mess.name_typo(rng, "Margaret") != "Margaret"
    assert mess.nickname(rng, "Robert") in {"Bob", "Rob", "Bobby"}
    assert mess.nickname(rng, "Zoë") is None


def test_generate_command_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "set"
    assert main(["generate", "--people", "40", "--seed", "2", "--out", str(out), "--no-touchpoints"]) == 0
    summary = capsys.readouterr().out
    assert summary.startswith("generated 40 people") and str(out) in summary
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES.values())
    assert (out / "touchpoints.jsonl").read_text() == ""
    assert json.loads((out / "manifest.json").read_text())["touchpoints"] == 0
    assert main(["generate", "--people", "0", "--out", str(out)]) == 2


# --- quality figures on hand-made partitions ---------------------------------------------------------------


def test_a_perfect_prediction() -> None:
    report = evaluate({"a": "X", "b": "X", "c": "Y"}, {"a": 0, "b": 0, "c": 1})
    assert (report.precision, report.recall, report.f1) == (1.0, 1.0, 1.0)
    assert (report.true_people, report.predicted_persons, report.exact_people) == (2, 2, 2)
    assert (report.over_merged_persons, report.split_people, report.shared_merge_share) == (0, 0, None)


def test_one_over_merge() -> None:
    # Two true people (2 items each) in one predicted person: 6 pairs predicted, 2 of them true.
    truth = {"a": 0, "b": 0, "c": 1, "d": 1, "e": 2}
    report = evaluate({"a": "X", "b": "X", "c": "X", "d": "X", "e": "Y"}, truth)
    assert (report.predicted_pairs, report.true_pairs, report.true_positive_pairs) == (6, 2, 2)
    assert report.precision == pytest.approx(1 / 3) and report.recall == 1.0
    assert report.f1 == pytest.approx(0.5)
    assert (report.over_merged_persons, report.split_people, report.exact_people) == (1, 0, 1)
    assert report.over_merged == {"X"} and report.false_positive_pairs == 4


def test_one_split() -> None:
    # Person 0 has 3 items over two predicted persons: 1 of her 3 pairs is found.
    report = evaluate({"a": "X", "b": "X", "c": "Y", "d": "Z"}, {"a": 0, "b": 0, "c": 0, "d": 1})
    assert report.precision == 1.0 and report.recall == pytest.approx(1 / 3)
    assert (report.split_people, report.over_merged_persons, report.exact_people) == (1, 0, 1)
    assert report.split == {0} and report.predicted_persons == 3


def test_b_cubed_weighs_every_item_alike() -> None:
    # a, b of person 0 and c of person 1 in X; d of person 1 alone in Y. Per item, precision: a and b 2/3, c 1/3,
    # d 1; recall: a and b 1, c and d 1/2.
    report = evaluate({"a": "X", "b": "X", "c": "X", "d": "Y"}, {"a": 0, "b": 0, "c": 1, "d": 1})
    assert report.bcubed_precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert report.bcubed_recall == pytest.approx((1 + 1 + 1 / 2 + 1 / 2) / 4)
    assert report.to_dict()["bcubedF1"] == pytest.approx(2 * (2 / 3) * 0.75 / (2 / 3 + 0.75))
    perfect = evaluate({"a": "X", "b": "X"}, {"a": 0, "b": 0})
    assert (perfect.bcubed_precision, perfect.bcubed_recall, perfect.bcubed_f1) == (1.0, 1.0, 1.0)


def test_over_merges_through_shared_identifiers_are_told_apart() -> None:
    truth = {"a1": 0, "b1": 1, "a2": 2, "b2": 3, "c2": 4}
    predicted = {"a1": "X", "b1": "X", "a2": "Y", "b2": "Y", "c2": "Y", "stray": "Z"}
    # X: 0 and 1 both carry the family email. Y: 2 and 3 share a tablet, 4 is joined by nothing shared.
    shared = {"a1": ["email:fam@x.com"], "b1": ["email:fam@x.com"], "a2": ["device_id:T"], "b2": ["device_id:T"]}
    report = evaluate(predicted, {**truth, "gone": 5}, shared)
    assert (report.over_merged_persons, report.over_merged_via_shared, report.shared_merge_share) == (2, 1, 0.5)
    assert (report.items, report.missing, report.unknown) == (5, 1, 1)
    assert report.to_dict()["overMergedViaShared"] == 1 and "over-merged" in report.summary()


def test_pairwise_figures_scale_linearly() -> None:
    """200,000 items, 10 true people of 2 items in each predicted person: counted, never enumerated."""
    truth = {str(i): i // 2 for i in range(200_000)}
    report = evaluate({key: str(person // 10) for key, person in truth.items()}, truth)
    assert report.true_pairs == 100_000 and report.predicted_pairs == 10_000 * math.comb(20, 2)
    assert report.recall == 1.0 and report.precision == pytest.approx(100_000 / (10_000 * 190))
