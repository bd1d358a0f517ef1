"""The matching model without a database: levels at their boundaries, cleaning, Fellegi-Sunter weights and
term frequencies, blocking keys and transforms, validation messages, fingerprints, and a service that
refuses to start on a model it cannot read."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from graphcdp.errors import ConfigurationError
from graphcdp.identity.matching.features import EMAILS, Features, clean, record_features
from graphcdp.identity.matching.keys import MAX_KEYS_PER_RULE, blocking_keys, term_keys
from graphcdp.identity.matching.levels import holds
from graphcdp.identity.matching.link_kind import LinkKind, classify
from graphcdp.identity.matching.nicknames import EXTRA_TABLE, Nicknames, shipped_nicknames
from graphcdp.identity.matching.scoring import ELSE, NULL, Scorer, log_odds, probability
from graphcdp.identity.matching.spec import (
    BUILTIN_FIELDS,
    DEFAULT_MODEL,
    FORMAT_VERSION,
    Level,
    MatchingModel,
    Thresholds,
    load_model,
    parse_model,
)
from graphcdp.identity.matching.storage import store_model
from graphcdp.settings import load_settings
from graphcdp.store import open_store
from tests.service_process import free_port, start_up_error

LEVEL = TypeAdapter[Level](Level)


def level(**spec: Any) -> Level:
    """A level as the model file writes it, e.g. level(kind="jaroWinkler", min=0.9)."""
    return LEVEL.validate_python({"m": 0.9, "u": 0.1, **spec})


def default_model() -> dict[str, Any]:
    model: dict[str, Any] = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    return model


def comparison(field: str, *levels: dict[str, Any], tf: bool = False) -> dict[str, Any]:
    return {
        "field": field,
        "levels": list(levels) or [{"kind": "exact", "m": 0.9, "u": 0.01}],
        "else": {"m": 0.1, "u": 0.99},
        "termFrequency": tf,
    }


def small_model(*comparisons: dict[str, Any], rules: list[list[str]] | None = None, **top: Any) -> MatchingModel:
    """A model with just the comparisons and blocking rules a test needs."""
    model = default_model()
    model["comparisons"] = list(comparisons)
    model["blocking"] = {"rules": [{"parts": parts} for parts in rules or [["lastName"]]]}
    model.update(top)
    return parse_model(model, "test")


def features(traits: dict[str, Any], *identifiers: str, fields: tuple[str, ...] = BUILTIN_FIELDS) -> Features:
    return record_features(traits, identifiers, fields)


@pytest.fixture(scope="module")
def nicknames() -> Nicknames:
    return shipped_nicknames()


# --- levels, each at its boundary ----------------------------------------------------------------------------


def test_jaro_winkler_holds_from_its_minimum(nicknames: Nicknames) -> None:
    from rapidfuzz.distance import JaroWinkler

    similarity = JaroWinkler.similarity("martha", "marhta")
    assert similarity == pytest.approx(0.9611, abs=1e-4)
    assert holds(level(kind="jaroWinkler", min=similarity), "martha", "marhta", nicknames)
    assert not holds(level(kind="jaroWinkler", min=math.nextafter(similarity, 1)), "martha", "marhta", nicknames)
    assert holds(level(kind="jaroWinkler", min=0.96), "martha", "marhta", nicknames)
    assert not holds(level(kind="jaroWinkler", min=0.97), "martha", "marhta", nicknames)
    assert holds(level(kind="jaroWinkler", min=1), "same", "same", nicknames)


def test_damerau_levenshtein_counts_a_transposition_as_one_edit(nicknames: Nicknames) -> None:
    one = level(kind="damerauLevenshtein", max=1)
    assert holds(one, "smith", "smiht", nicknames)  # transposition
    assert holds(one, "smith", "smyth", nicknames)  # substitution
    assert holds(one, "smith", "smit", nicknames)  # deletion
    assert holds(one, "smith", "smith", nicknames)
    assert not holds(one, "smith", "smythe", nicknames)  # two edits
    assert holds(level(kind="damerauLevenshtein", max=2), "smith", "smythe", nicknames)
    assert not holds(level(kind="damerauLevenshtein", max=2), "smith", "smythes", nicknames)  # three edits


def test_levenshtein_counts_a_transposition_as_two_edits(nicknames: Nicknames) -> None:
    one, two = level(kind="levenshtein", max=1), level(kind="levenshtein", max=2)
    assert holds(one, "smith", "smyth", nicknames)
    assert holds(one, "smith", "smiths", nicknames)
    assert not holds(one, "smith", "smiht", nicknames)
    assert holds(two, "smith", "smiht", nicknames)
    assert not holds(two, "smith", "smyhte", nicknames)  # three edits


def test_date_within_days_holds_up_to_and_including_the_limit(nicknames: Nicknames) -> None:
    thirty = level(kind="dateWithinDays", days=30)
    assert holds(thirty, "2020-01-01", "2020-01-31", nicknames)
    assert holds(thirty, "2020-01-31", "2020-01-01", nicknames)  # either order
    assert not holds(thirty, "2020-01-01", "2020-02-01", nicknames)
    assert holds(thirty, "2020-02-15", "2020-03-16", nicknames)  # 2020 is a leap year: 30 days
    assert not holds(thirty, "2021-02-15", "2021-03-18", nicknames)  # 31 days
    assert not holds(thirty, "2020-01-01", "not a date", nicknames)
    assert not holds(thirty, "2020-02-30", "2020-02-28", nicknames)


def test_month_day_swap(nicknames: Nicknames) -> None:
    swap = level(kind="monthDaySwap")
    assert holds(swap, "1980-03-04", "1980-04-03", nicknames)
    assert holds(swap, "1980-12-01", "1980-01-12", nicknames)
    assert not holds(swap, "1980-03-04", "1980-03-04", nicknames)  # the same date is no swap
    assert not holds(swap, "1980-03-03", "1980-03-03", nicknames)
    assert not holds(swap, "1980-03-04", "1981-04-03", nicknames)  # another year
    assert not holds(swap, "1980-03-04", "1980-04-04", nicknames)
    assert not holds(swap, "1980-03-14", "not a date", nicknames)


def test_year_typo_is_one_digit_of_the_year_or_two_neighbouring_digits_swapped(nicknames: Nicknames) -> None:
    typo = level(kind="yearTypo")
    assert holds(typo, "1942-08-25", "1947-08-25", nicknames)  # one digit
    assert holds(typo, "1942-08-25", "1924-08-25", nicknames)  # neighbours swapped
    assert holds(typo, "1942-08-25", "2942-08-25", nicknames)
    assert not holds(typo, "1942-08-25", "1957-08-25", nicknames)  # two digits
    assert not holds(typo, "1942-08-25", "2941-08-25", nicknames)  # two digits swapped, not neighbours
    assert not holds(typo, "1942-08-25", "1947-08-26", nicknames)  # and another day
    assert not holds(typo, "1942-08-25", "not a date", nicknames)


def test_a_swapped_name_agrees_at_the_swapped_level_of_both_comparisons() -> None:
    model = parse_model(default_model(), "test")
    scorer = Scorer(model)
    ada = record_features({"firstName": "Ada", "lastName": "Lovelace"}, [], model.fields)
    swapped = record_features({"firstName": "Lovelace", "lastName": "Ada"}, [], model.fields)
    half = record_features({"firstName": "Lovelace", "lastName": "Byron"}, [], model.fields)
    levels = {f.field: f.level for f in scorer.score(ada, swapped).fields}
    assert (levels["firstName"], levels["lastName"]) == ("swapped:lastName", "swapped:firstName")
    assert {f.field: f.level for f in scorer.score(ada, half).fields}["firstName"] == ELSE  # one side is no swap
    broken = default_model()
    broken["comparisons"][0]["levels"][-1]["with"] = "firstName"
    with pytest.raises(ConfigurationError, match=r"levels\[6\]: a swap needs another known field, not 'firstName'"):
        parse_model(broken, "test")


def test_comparing_some_fields_from_their_features_alone_gives_what_the_whole_score_gives() -> None:
    # The household check (graphcdp/identity/trait_conflict.py) judges first names and birth dates only: it takes
    # the features those comparisons read (the swapped level's last name too) and compares just them.
    model = parse_model(default_model(), "test")
    scorer = Scorer(model)
    fields = ("firstName", "birthDate")
    read = scorer.fields_read(fields)
    assert set(read) == {"firstName", "lastName", "birthDate"}  # the first name's swap reads the last name
    people = [
        {"firstName": "Ada", "lastName": "Lovelace", "birthDate": "1815-12-10", "address": {"city": "London"}},
        {"firstName": "Lovelace", "lastName": "Ada", "birthDate": "1815-10-12"},
        {"firstName": "Addy", "lastName": "Byron", "birthDate": "1815-12-10"},
        {"firstName": "Bob", "lastName": "Lovelace", "birthDate": "1850-01-01"},
        {"firstName": "Ada", "lastName": "Lovelace"},
        {"lastName": "Lovelace", "birthDate": "1815-12-10"},
        {"firstName": "Aida", "lastName": "King", "birthDate": "1851-12-10"},
    ]
    ids = ["email:ada@x.com", "phone:+14155550101"]
    for a in people:
        for b in people:
            whole = {f.field: f for f in scorer.score(*(record_features(t, ids, model.fields) for t in (a, b))).fields}
            some = scorer.compare(*(record_features(t, ids, read) for t in (a, b)), fields)
            assert some == {field: whole[field] for field in fields}, (a, b)
    assert set(record_features(people[0], ids, read)) == {"firstName", "lastName", "birthDate"}
    assert len(record_features(people[0], ids, model.fields)) > 3  # emails, phones, the city: not computed


def test_address_lines_written_in_each_others_place_agree_at_the_swapped_level() -> None:
    # address.street2 is a custom trait, cleaned to letters and digits only; address.street keeps its words.
    street, line2 = {"m": 0.02, "u": 0.0001}, {"m": 0.02, "u": 0.02}
    spec = default_model()
    spec["customTraits"] = ["address.street2"]
    spec["comparisons"] = [
        comparison("address.street", {"kind": "exact", "m": 0.9, "u": 0.01},
                   {"kind": "swapped", "with": "address.street2", **street}),
        comparison("address.street2", {"kind": "exact", "m": 0.9, "u": 0.01},
                   {"kind": "swapped", "with": "address.street", **line2}),
    ]  # fmt: skip
    spec["blocking"] = {"rules": [{"parts": ["address.street"]}]}
    model = parse_model(spec, "test")
    one = record_features({"address": {"street": "Woollum Street", "street2": "Allunga"}}, [], model.fields)
    other = record_features({"address": {"street": "Allunga", "street2": "Woollum Street"}}, [], model.fields)
    moved = record_features({"address": {"street": "Allunga", "street2": "Bunya Close"}}, [], model.fields)
    levels = {f.field: f.level for f in Scorer(model).score(one, other).fields}
    assert levels == {"address.street": "swapped:address.street2", "address.street2": "swapped:address.street"}
    assert {f.field: f.level for f in Scorer(model).score(one, moved).fields}["address.street"] == ELSE
    # A swap with a typo in it holds only where the level says how alike the values may be.
    typo = record_features({"address": {"street": "Allunga", "street2": "Woollum Streat"}}, [], model.fields)
    assert {f.field: f.level for f in Scorer(model).score(one, typo).fields}["address.street"] == ELSE
    spec["comparisons"][0]["levels"][1]["min"] = 0.9
    tolerant = parse_model(spec, "tolerant")
    assert {f.field: f.level for f in Scorer(tolerant).score(one, typo).fields}["address.street"] == (
        "swapped:address.street2"
    )
    assert {f.field: f.level for f in Scorer(tolerant).score(one, moved).fields}["address.street"] == ELSE
    assert tolerant.model_dump(by_alias=True)["comparisons"][0]["levels"][1]["min"] == 0.9
    assert "min" not in model.model_dump(by_alias=True)["comparisons"][0]["levels"][1]  # unset: not written


def test_nickname_level(nicknames: Nicknames) -> None:
    nick = level(kind="nickname")
    assert holds(nick, "bob", "robert", nicknames) and holds(nick, "robert", "bob", nicknames)
    assert holds(nick, "kathy", "katherine", nicknames)
    assert holds(nick, "hans", "johannes", nicknames) and holds(nick, "johannes", "hans", nicknames)  # extra table
    assert holds(nick, "sepp", "josef", nicknames)
    assert holds(nick, "anna", "anna", nicknames)  # the same name
    assert not holds(nick, "bob", "alice", nicknames)
    assert not holds(nick, "hans", "fritz", nicknames)
    assert not holds(nick, "hans", "robert", nicknames)
    # Exact does not know nicknames.
    assert not holds(level(kind="exact"), "bob", "robert", nicknames)


def test_the_extra_nickname_table_is_read_lowercased(tmp_path: Path) -> None:
    assert "johannes,hans" in EXTRA_TABLE.read_text(encoding="utf-8")
    table = tmp_path / "nicknames.csv"
    table.write_text("name,nickname\n Xaverius , Vere\n", encoding="utf-8")
    mine = Nicknames(table)
    assert mine.agree("vere", "xaverius")
    assert not mine.agree("hans", "johannes")  # only the given table, not the shipped one


@pytest.mark.parametrize(
    ("a", "b"),
    [("robert", "william"), ("arabella", "isabella"), ("adelaide", "delilah"), ("cordelia", "fidelia")],
)
def test_two_different_formal_names_are_not_nicknames_of_each_other(nicknames: Nicknames, a: str, b: str) -> None:
    assert not holds(level(kind="nickname"), a, b, nicknames)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("St. John", "st john"),
        ("Müller", "Muller"),
        ("O'Connor", "oconnor"),
        ("O\u2019Connor", "O'Connor"),
        ("  JOSÉ  ", "jose"),
        ("Saint-Denis", "saint denis"),
    ],
)
def test_exact_agrees_after_cleaning(nicknames: Nicknames, a: str, b: str) -> None:
    assert clean(a) == clean(b)
    scorer = Scorer(small_model(comparison("lastName"), comparison("firstName")), nicknames)
    score = scorer.score(features({"lastName": a}), features({"lastName": b}))
    assert {f.field: f.level for f in score.fields} == {"lastName": "exact", "firstName": NULL}
    assert clean("St. John") == "st john" and clean("Müller") == "muller"


def test_exact_does_not_agree_on_values_that_differ_after_cleaning(nicknames: Nicknames) -> None:
    scorer = Scorer(small_model(comparison("lastName")), nicknames)
    score = scorer.score(features({"lastName": "Müller"}), features({"lastName": "Mueller"}))
    assert score.fields[0].level == ELSE


# --- features ---------------------------------------------------------------------------------------------


def test_features_come_from_traits_and_identifiers() -> None:
    found = features(
        {
            "firstName": " Anna ",
            "lastName": "",
            "birthDate": "1980-03-14",
            "gender": None,
            "address": {"street": "Invalidenstr. 12", "postalCode": 10115},
            "nested": {"deep": "ignored"},
        },
        "email:anna.smith@example.com",
        "email:a.s@work.example",
        "phone:+4915112345678",
        "loyalty_id:L1",
    )
    assert found == {
        "firstName": ("anna",),
        "birthDate": ("1980-03-14",),
        "address.street": ("invalidenstr 12",),
        "address.postalCode": ("10115",),
        "emailLocal": ("a s", "anna smith"),
        EMAILS: ("a.s@work.example", "anna.smith@example.com"),  # what the local parts come from
        "phone": ("4915112345678",),
    }


def test_an_identifier_both_records_carry_is_no_evidence_of_a_match() -> None:
    # They carry it and are apart: identity resolution kept them apart (a household's email, a type limit).
    scorer = Scorer(load_model(None))

    def levels(*identifiers: str) -> dict[str, str]:
        mine = features({}, "email:the.millers@example.com", "phone:+14155550101")
        return {f.field: f.level for f in scorer.score(mine, features({}, *identifiers)).fields}

    shared = levels("email:the.millers@example.com", "phone:+14155550101")
    assert (shared["emailLocal"], shared["phone"]) == (NULL, NULL)
    other_domain = levels("email:the.millers@example.org", "phone:+14155550102")
    assert (other_domain["emailLocal"], other_domain["phone"]) == ("exact", "damerauLevenshtein<=1")


def test_custom_traits_are_features_when_declared() -> None:
    fields = (*BUILTIN_FIELDS, "membership.tier")
    found = features({"membership": {"tier": "Gold"}}, fields=fields)
    assert found == {"membership.tier": ("gold",)}
    assert features({"membership": {"tier": "Gold"}}) == {}


# --- scoring ----------------------------------------------------------------------------------------------


def test_a_missing_value_is_null_with_weight_zero(nicknames: Nicknames) -> None:
    scorer = Scorer(small_model(comparison("lastName"), comparison("birthDate")), nicknames)
    score = scorer.score(features({"lastName": "Smith"}), features({"lastName": "Smith", "birthDate": "1980-01-01"}))
    birth = score.fields[1]
    assert (birth.field, birth.level, birth.index, birth.weight) == ("birthDate", NULL, -1, 0.0)
    assert birth.m is None and birth.u is None and birth.a is None
    assert score.comparable == 1
    nothing = scorer.score({}, {})
    assert [f.level for f in nothing.fields] == [NULL, NULL]
    assert nothing.weight == scorer.prior_weight


def test_the_first_level_that_holds_counts_and_else_when_none_does(nicknames: Nicknames) -> None:
    model = small_model(
        comparison(
            "firstName",
            {"kind": "exact", "m": 0.7, "u": 0.005},
            {"kind": "nickname", "m": 0.1, "u": 0.002},
            {"kind": "jaroWinkler", "min": 0.8, "m": 0.05, "u": 0.05},
        )
    )
    scorer = Scorer(model, nicknames)

    def first_name(a: str, b: str) -> tuple[str, int, float]:
        f = scorer.score(features({"firstName": a}), features({"firstName": b})).fields[0]
        return f.level, f.index, f.weight

    expected = [
        ("Robert", "exact", 0, math.log2(0.7 / 0.005)),
        ("Bob", "nickname", 1, math.log2(0.1 / 0.002)),
        ("Roberta", "jaroWinkler>=0.8", 2, 0.0),
        ("Zoe", ELSE, 3, math.log2(0.1 / 0.99)),
    ]
    for name, level_name, index, weight in expected:
        found = first_name(name, "Robert")
        assert found[:2] == (level_name, index), name
        assert found[2] == pytest.approx(weight), name


def test_probability_and_weight_add_up(nicknames: Nicknames) -> None:
    model = small_model(comparison("firstName"), comparison("lastName"), comparison("birthDate"), prior=0.01)
    scorer = Scorer(model, nicknames)
    score = scorer.score(
        features({"firstName": "Ada", "lastName": "Byron", "birthDate": "1815-12-10"}),
        features({"firstName": "Ada", "lastName": "Lovelace", "birthDate": "1815-12-10"}),
    )
    assert score.prior_weight == pytest.approx(math.log2(0.01 / 0.99))
    assert [f.weight for f in score.fields] == pytest.approx([math.log2(90), math.log2(0.1 / 0.99), math.log2(90)])
    assert score.weight == pytest.approx(score.prior_weight + sum(f.weight for f in score.fields))
    assert score.probability == pytest.approx(1 / (1 + 2**-score.weight))
    summary = score.to_dict()
    assert summary["priorWeight"] + sum(f["weight"] for f in summary["fields"]) == pytest.approx(summary["weight"])
    assert summary["probability"] == score.probability


@pytest.mark.parametrize("weight", [-60, -10, -1, 0, 0.5, 1, 10, 20])
def test_probability_is_the_logistic_of_the_weight_in_base_2(weight: float) -> None:
    assert probability(weight) == pytest.approx(1 / (1 + 2**-weight), rel=1e-12)
    assert log_odds(probability(weight)) == pytest.approx(weight, abs=1e-6)


def test_probability_of_a_hopeless_weight_is_zero() -> None:
    assert probability(0) == 0.5
    assert probability(-61) == 0.0
    assert probability(-1e6) == 0.0
    assert probability(1e6) == 1.0


@pytest.mark.parametrize(
    ("probability_", "kind"),
    [
        (0.95, LinkKind.MATCHED),
        (0.9, LinkKind.MATCHED),
        (0.8999, LinkKind.POSSIBLE_MATCH),
        (0.5, LinkKind.POSSIBLE_MATCH),
        (0.4999, LinkKind.NONE),
        (0.0, LinkKind.NONE),
    ],
)
def test_a_pair_is_linked_from_auto_and_queued_for_review_from_review(probability_: float, kind: LinkKind) -> None:
    """Both thresholds are inclusive; the kinds are the relationship types the graph stores."""
    assert classify(probability_, Thresholds(support=0.3, review=0.5, auto=0.9)) is kind
    assert [k.value for k in LinkKind] == ["MATCHED", "POSSIBLE_MATCH", "NONE"]


def _tf_scorer(nicknames: Nicknames, min_records: int = 1000) -> Scorer:
    return Scorer(
        small_model(
            comparison(
                "lastName",
                {"kind": "exact", "m": 0.8, "u": 0.002},
                {"kind": "jaroWinkler", "min": 0.9, "m": 0.1, "u": 0.01},
                tf=True,
            ),
            comparison("birthDate", {"kind": "exact", "m": 0.9, "u": 0.001}),
            termFrequency={"minRecords": min_records},
        ),
        nicknames,
    )


def test_term_frequency_replaces_u_of_an_exact_level_once_there_are_enough_records(nicknames: Nicknames) -> None:
    scorer = _tf_scorer(nicknames)
    smith = features({"lastName": "Smith", "birthDate": "1980-01-01"})
    common = {"lastName:*": 1000, "lastName:smith": 250, "birthDate:*": 5000, "birthDate:1980-01-01": 4000}
    last, birth = scorer.score(smith, smith, common).fields
    assert (last.level, last.u, last.term_frequency) == ("exact", 0.25, 0.25)
    assert last.weight == pytest.approx(math.log2(0.8 / 0.25))
    assert (birth.u, birth.term_frequency) == (0.001, None)  # a field without termFrequency keeps its u

    too_few = dict(common, **{"lastName:*": 999})
    last = scorer.score(smith, smith, too_few).fields[0]
    assert (last.level, last.u, last.term_frequency) == ("exact", 0.002, None)
    assert last.weight == pytest.approx(math.log2(0.8 / 0.002))
    assert scorer.score(smith, smith, None).fields[0].u == 0.002

    rare = scorer.score(features({"lastName": "Zywiec"}), features({"lastName": "Zywiec"}), common).fields[0]
    assert rare.term_frequency == pytest.approx(1 / 1000)  # a value not counted yet counts once


def test_term_frequency_never_replaces_u_of_a_fuzzy_level(nicknames: Nicknames) -> None:
    scorer = _tf_scorer(nicknames, min_records=1)
    counts = {"lastName:*": 10, "lastName:smith": 5, "lastName:smithe": 5}
    last = scorer.score(features({"lastName": "Smith"}), features({"lastName": "Smithe"}), counts).fields[0]
    assert last.level == "jaroWinkler>=0.9"
    assert (last.u, last.term_frequency) == (0.01, None)


def test_the_best_level_over_several_values_wins(nicknames: Nicknames) -> None:
    scorer = Scorer(
        small_model(
            comparison(
                "emailLocal",
                {"kind": "exact", "m": 0.55, "u": 0.0005},
                {"kind": "damerauLevenshtein", "max": 1, "m": 0.15, "u": 0.0005},
            )
        ),
        nicknames,
    )
    a = features({}, "email:anna.smith@example.com", "email:zz@example.com")
    b = features({}, "email:ana.smith@example.com", "email:zz@other.example")
    email = scorer.score(a, b).fields[0]
    assert (email.level, email.a, email.b) == ("exact", "zz", "zz")


# --- blocking and term keys ------------------------------------------------------------------------------


def test_a_rule_with_a_missing_field_gives_no_key() -> None:
    model = small_model(
        comparison("firstName"),
        comparison("lastName"),
        comparison("birthDate"),
        rules=[["firstName", "lastName"], ["lastName", "birthDate"]],
    )
    assert blocking_keys(model, features({"firstName": "Ada", "lastName": "Byron"})) == [
        "b:firstName+lastName=ada|byron"
    ]
    assert blocking_keys(model, features({"firstName": "Ada"})) == []
    assert blocking_keys(model, features({"lastName": "Byron", "birthDate": "1815-12-10"})) == [
        "b:lastName+birthDate=byron|1815-12-10"
    ]


def test_an_unordered_rule_puts_names_written_in_each_others_place_in_one_block() -> None:
    spec = default_model()
    spec["comparisons"] = [comparison("firstName"), comparison("lastName")]
    names = ["firstName", "lastName"]
    spec["blocking"] = {"rules": [{"parts": names}, {"parts": names, "unordered": True}]}
    model = parse_model(spec, "test")
    ada = features({"firstName": "Ada", "lastName": "Byron"})
    swapped = features({"firstName": "Byron", "lastName": "Ada"})
    assert blocking_keys(model, ada) == ["b:firstName+lastName=ada|byron", "b:firstName~lastName=ada|byron"]
    assert set(blocking_keys(model, ada)) & set(blocking_keys(model, swapped)) == {"b:firstName~lastName=ada|byron"}
    assert parse_model(model.model_dump(by_alias=True), "again").blocking.rules[1].unordered


def test_a_multi_valued_field_gives_a_key_per_value_up_to_the_cap() -> None:
    model = small_model(comparison("emailLocal"), comparison("lastName"), rules=[["emailLocal"], ["lastName", "phone"]])
    two = features({}, "email:ada@example.com", "email:countess@example.org")
    assert blocking_keys(model, two) == ["b:emailLocal=ada", "b:emailLocal=countess"]
    many = features({"lastName": "Byron"}, *(f"email:a{n:02}@example.com" for n in range(12)),
                    *(f"phone:+1650253{n:04}" for n in range(3)))  # fmt: skip
    keys = blocking_keys(model, many)
    assert len([k for k in keys if k.startswith("b:emailLocal=")]) == MAX_KEYS_PER_RULE
    assert [k for k in keys if k.startswith("b:lastName+phone=")] == [
        "b:lastName+phone=byron|16502530000",
        "b:lastName+phone=byron|16502530001",
        "b:lastName+phone=byron|16502530002",
    ]


def test_transforms() -> None:
    model = small_model(
        comparison("firstName"),
        comparison("lastName"),
        comparison("birthDate"),
        rules=[
            ["firstName:initial", "lastName:prefix4"],
            ["lastName:prefix3", "birthDate:year"],
            ["address.houseNumber:digits", "address.postalCode:value"],
        ],
    )
    found = features(
        {"firstName": "Ada", "lastName": "Lovelace", "birthDate": "1815-12-10",
         "address": {"houseNumber": "12a", "postalCode": "W1"}}
    )  # fmt: skip
    assert blocking_keys(model, found) == sorted(
        [
            "b:firstName:initial+lastName:prefix4=a|love",
            "b:lastName:prefix3+birthDate:year=lov|1815",
            "b:address.houseNumber:digits+address.postalCode:value=12|w1",
        ]
    )
    # A house number without digits has no digits key: the rule gives none.
    no_digits = features({"address": {"houseNumber": "b", "postalCode": "W1"}})
    assert not any("houseNumber" in k for k in blocking_keys(model, no_digits))
    # A prefix of a short value is the value.
    assert "b:firstName:initial+lastName:prefix4=a|li" in blocking_keys(
        model, features({"firstName": "Ann", "lastName": "Li"})
    )


def test_term_keys_count_values_of_term_frequency_fields_only() -> None:
    model = small_model(comparison("lastName", tf=True), comparison("firstName"))
    assert term_keys(model, features({"lastName": "Smith", "firstName": "Ada"})) == [
        "t:lastName:*",
        "t:lastName:smith",
    ]
    assert term_keys(model, features({"firstName": "Ada"})) == []


def test_the_shipped_model_blocks_on_names_dates_postcodes_and_emails() -> None:
    model = load_model(None)
    keys = blocking_keys(
        model,
        features(
            {"firstName": "Ada", "lastName": "Lovelace", "birthDate": "1815-12-10", "address": {"postalCode": "W1"}},
            "email:ada@example.com",
        ),
    )
    assert keys == sorted(
        [
            "b:firstName+lastName=ada|lovelace",
            "b:firstName~lastName=ada|lovelace",
            "b:lastName+birthDate=lovelace|1815-12-10",
            "b:firstName+birthDate=ada|1815-12-10",
            "b:lastName:prefix4+address.postalCode=love|w1",
            "b:birthDate+address.postalCode=1815-12-10|w1",
            "b:emailLocal=ada",
        ]
    )


# --- validation ---------------------------------------------------------------------------------------


def test_the_shipped_model_is_valid() -> None:
    model = load_model(None)
    assert model == parse_model(default_model(), "test")
    assert model.format_version == FORMAT_VERSION and model.version == 0 and model.name == "default"
    assert model.thresholds.support <= model.thresholds.review < model.thresholds.auto
    assert parse_model(model.to_json(), "round trip") == model


def _broken(change: str) -> dict[str, Any]:
    model = default_model()
    if change == "unknown field":
        model["comparisons"].append(comparison("shoeSize"))
    elif change == "unknown blocking field":
        model["blocking"]["rules"].append({"parts": ["lastName", "shoeSize"]})
    elif change == "unknown transform":
        model["blocking"]["rules"][1]["parts"] = ["lastName:soundex"]
    elif change == "unknown level kind":
        model["comparisons"][2]["levels"][3] = {"kind": "fuzzyDate", "m": 0.1, "u": 0.1}
    elif change == "thresholds out of order":
        model["thresholds"] = {"support": 0.05, "review": 0.9, "auto": 0.8}
    elif change == "review equals auto":
        model["thresholds"] = {"support": 0.05, "review": 0.9, "auto": 0.9}
    elif change == "support above review":
        model["thresholds"] = {"support": 0.6, "review": 0.5, "auto": 0.95}
    elif change == "duplicate field":
        model["comparisons"].append(copy.deepcopy(model["comparisons"][1]))
    elif change == "format version":
        model["formatVersion"] = 2
    elif change == "extra key":
        model["colour"] = "red"
    elif change == "m of zero":
        model["comparisons"][0]["levels"][0]["m"] = 0
    return model


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("unknown field", "comparisons[8]: unknown field 'shoeSize'; known: firstName, lastName, birthDate"),
        ("unknown blocking field", "blocking.rules[7]: unknown field 'shoeSize'; known: firstName"),
        ("unknown transform", "blocking.rules[1]: unknown transform 'soundex'; known: value, initial, prefix3"),
        ("unknown level kind", "levels[3]: unknown level kind 'fuzzyDate'; known: exact, nickname, jaroWinkler"),
        (
            "thresholds out of order",
            "thresholds: thresholds out of order: need support <= review < auto, "
            "got support 0.05, review 0.9, auto 0.8",
        ),
        ("review equals auto", "thresholds out of order"),
        ("support above review", "thresholds out of order"),
        ("duplicate field", "each field may be compared once"),
        ("format version", "formatVersion: this model has format version 2; this graphcdp reads format version 1"),
        ("extra key", "colour: Extra inputs are not permitted"),
        ("m of zero", "comparisons.0.levels.0.m: Input should be greater than 0"),
    ],
)
def test_parse_model_says_what_is_wrong(change: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        parse_model(_broken(change), "my-model.json")
    assert refused.value.code == "CONFIGURATION_ERROR"
    assert refused.value.message.startswith("invalid matching model (my-model.json): ")
    assert message in refused.value.message
    assert "\n" not in refused.value.message


def test_an_unknown_field_names_customtraits_and_a_declared_one_is_fine() -> None:
    with pytest.raises(ConfigurationError, match=r"declare other traits in customTraits"):
        parse_model(_broken("unknown field"), "test")
    model = _broken("unknown field")
    model["customTraits"] = ["shoeSize"]
    assert parse_model(model, "test").fields[-1] == "shoeSize"
    model["customTraits"] = ["lastName"]
    with pytest.raises(ConfigurationError, match=r"custom trait 'lastName' must be a plain trait name"):
        parse_model(model, "test")


@pytest.mark.parametrize("data", [[1, 2], 42, None, 1.5, True], ids=["list", "int", "none", "float", "bool"])
def test_a_model_must_be_an_object(data: object) -> None:
    with pytest.raises(ConfigurationError) as refused:
        parse_model(data, "setMatchingModel")
    assert refused.value.message == "invalid matching model (setMatchingModel): a model is a JSON object"


def test_json_text_is_parsed_and_bad_json_is_named() -> None:
    assert parse_model(DEFAULT_MODEL.read_text(encoding="utf-8"), "text").name == "default"
    assert parse_model(DEFAULT_MODEL.read_bytes(), "bytes").name == "default"
    with pytest.raises(ConfigurationError, match=r"^invalid matching model \(text\): Invalid JSON"):
        parse_model("{", "text")
    with pytest.raises(ConfigurationError, match=r"^invalid matching model \(text\): .*object"):
        parse_model("[1]", "text")


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigurationError) as refused:
        parse_model({"formatVersion": 1}, "test")
    for missing in ("prior", "comparisons", "blocking", "thresholds"):
        assert f"{missing}: Field required" in refused.value.message


def test_load_model_of_a_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "models" / "mine.json"
    with pytest.raises(ConfigurationError) as refused:
        load_model(missing)
    assert refused.value.message == f"cannot read the matching model {missing}: No such file or directory"


def test_load_model_of_an_invalid_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(_broken("thresholds out of order")), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=rf"^invalid matching model \({path}\): thresholds: thresholds out"):
        load_model(path)
    path.write_text(json.dumps(_broken("extra key")), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"colour"):
        load_model(path)


def test_load_model_without_a_path_is_the_shipped_one() -> None:
    assert load_model(None) == load_model(DEFAULT_MODEL)


# --- fingerprint ---------------------------------------------------------------------------------------


def _fingerprint(change: str) -> str:
    model = default_model()
    if change == "m and u":
        model["comparisons"][0]["levels"][0].update(m=0.5, u=0.01)
        model["comparisons"][3]["else"] = {"m": 0.1, "u": 0.4}
    elif change == "prior, thresholds, name, caps":
        model.update(prior=0.02, name="trained", minComparable=3, termFrequency={"minRecords": 5})
        model["thresholds"] = {"support": 0.1, "review": 0.6, "auto": 0.99}
        model["blocking"]["maxBlockSize"] = 50
    elif change == "level parameter":
        model["comparisons"][0]["levels"][2]["min"] = 0.9
    elif change == "level kind":
        model["comparisons"][4]["levels"][1] = {"kind": "levenshtein", "max": 1, "m": 0.07, "u": 0.02}
    elif change == "level removed":
        del model["comparisons"][2]["levels"][2]
    elif change == "term frequency":
        model["comparisons"][0]["termFrequency"] = False
    elif change == "comparison removed":
        del model["comparisons"][3]
    elif change == "blocking rule":
        model["blocking"]["rules"].append({"parts": ["phone"]})
    return parse_model(model, "test").fingerprint


def test_fingerprint_ignores_weights_thresholds_and_caps() -> None:
    shipped = load_model(None).fingerprint
    assert len(shipped) == 16 and int(shipped, 16) >= 0
    assert _fingerprint("m and u") == shipped
    assert _fingerprint("prior, thresholds, name, caps") == shipped


@pytest.mark.parametrize(
    "change",
    ["level parameter", "level kind", "level removed", "term frequency", "comparison removed", "blocking rule"],
)
def test_fingerprint_changes_with_what_is_compared_or_blocked(change: str) -> None:
    assert _fingerprint(change) != load_model(None).fingerprint


# --- `graphcdp serve` with a model it cannot read ----------------------------------------------------------


@pytest.fixture
def invalid_model(tmp_path: Path) -> Path:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(_broken("thresholds out of order")), encoding="utf-8")
    return path


def test_serve_refuses_an_invalid_model_file_in_one_line(tmp_path: Path, invalid_model: Path) -> None:
    line = start_up_error(
        tmp_path,
        "--port",
        str(free_port()),
        GRAPHCDP_DATA_DIR=str(tmp_path / "data"),
        GRAPHCDP_MATCHING_MODEL=str(invalid_model),
    )
    assert line.startswith(f"graphcdp: invalid matching model ({invalid_model}): thresholds: thresholds out of order")


def test_serve_refuses_a_missing_model_file_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    line = start_up_error(
        tmp_path, "--port", str(free_port()), GRAPHCDP_DATA_DIR=str(tmp_path / "data"),
        GRAPHCDP_MATCHING_MODEL=str(missing),
    )  # fmt: skip
    assert line == f"graphcdp: cannot read the matching model {missing}: No such file or directory"


async def test_serve_refuses_a_stored_model_of_another_format_in_one_line(tmp_path: Path) -> None:
    # A model stored in the graph by another graphcdp version (format 2) takes precedence over the file.
    data = tmp_path / "data"
    store = await open_store(
        load_settings(backend="embedded", data_dir=data, graph="graphcdp", embedded_start_timeout=60)
    )
    try:
        stored = await store_model(store, load_model(None).model_copy(update={"format_version": 2}))
    finally:
        await store.close()
    assert stored.version == 1
    line = start_up_error(tmp_path, "--port", str(free_port()), GRAPHCDP_DATA_DIR=str(data))
    assert line.startswith(
        "graphcdp: invalid matching model (stored matching model version 1): formatVersion: this model has "
        "format version 2; this graphcdp reads format version 1"
    )


def test_serve_starts_nothing_with_an_invalid_model_file(tmp_path: Path, invalid_model: Path) -> None:
    data = tmp_path / "data"
    start_up_error(
        tmp_path, "--port", str(free_port()), GRAPHCDP_DATA_DIR=str(data), GRAPHCDP_MATCHING_MODEL=str(invalid_model)
    )
    assert not data.exists(), "nothing should start when the matching model is invalid"


# --- work done once, not per candidate pair -------------------------------------------------------------------


def test_a_scorer_makes_each_levels_test_once_not_per_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scorer runs for every candidate pair of every record: choosing each level's test per pair of values was
    a tenth of its time (docs/performance.md, "Scoring compiled once per model")."""
    from graphcdp.identity.matching import levels, scoring

    scorer = Scorer(parse_model(default_model(), "test"))

    def refuse(*_: object) -> None:
        raise AssertionError("a level's test made while scoring")

    monkeypatch.setattr(levels, "level_test", refuse)
    monkeypatch.setattr(scoring, "level_test", refuse)
    a = features({"firstName": "Bob", "lastName": "Smith", "birthDate": "1980-03-04"}, "email:bob@example.com")
    b = features({"firstName": "Robert", "lastName": "Smyth", "birthDate": "1980-04-03"}, "email:bob@example.org")
    levels_found = {f.field: f.level for f in scorer.score(a, b).fields}
    assert levels_found["firstName"] == "nickname"
    assert levels_found["lastName"].startswith("jaroWinkler")
    assert levels_found["birthDate"] == "monthDaySwap"


def test_nicknames_asks_the_package_once_per_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The package normalizes the name and copies a set on every lookup; the scorer asks about the same first names
    for pair after pair."""
    names = Nicknames()
    asked: list[str] = []  # what the package was asked
    package_nicknames, package_formals = names._namer.nicknames_of, names._namer.canonicals_of

    def nicknames_of(name: str) -> set[str]:
        asked.append(f"nicknames of {name}")
        return package_nicknames(name)

    def canonicals_of(name: str) -> set[str]:
        asked.append(f"formal names of {name}")
        return package_formals(name)

    monkeypatch.setattr(names._namer, "nicknames_of", nicknames_of)
    monkeypatch.setattr(names._namer, "canonicals_of", canonicals_of)
    for _ in range(3):
        assert names.agree("bob", "robert")
        assert not names.agree("robert", "william")
    assert {"nicknames of bob", "nicknames of robert", "formal names of william"} <= set(asked)
    assert len(asked) == len(set(asked))
