"""A person-register linkage set, shaped like the held-out set of issue 21: the census, social security and tax
records of people living in households, as one FEBRL-shaped CSV (`rec-N-org`, `rec-N-dup-K`), so that
`graphcdp bench febrl --sets census` scores graphcdp and Splink on it side by side.

Each person has records from one to three sources (about 2.2 on average); what each source knows differs
(tax and social security carry the SSN on most records, the census on few; tax often lacks the birth date),
and the records are messy the way registers are: nicknames, typos and first and last name swapped; birth
dates with day and month transposed (written as they were, so 1942-25-08 is no date), a digit of the year or
the day mistyped; addresses the person moved from; fields left blank; an SSN with a digit wrong. Household
members share surname and address and are born in the same years, which is what makes the set hard. The
rates are set once here, not tuned to any result: see RATES.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from graphcdp_bench.datagen import mess, vocab
from graphcdp_bench.datagen.people import HOUSEHOLD_SIZES, Address, PeopleFactory, Person

COLUMNS = (
    "rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state",
    "date_of_birth", "soc_sec_id",
)  # fmt: skip
# Which sources know a person (independently; everyone is in at least one), and what a source's record has.
SOURCES = {"census": 0.85, "social_security": 0.7, "tax": 0.65}
SSN_SHARE = {"census": 0.1, "social_security": 0.95, "tax": 0.85}
BIRTH_DATE_SHARE = {"census": 0.95, "social_security": 0.97, "tax": 0.5}


@dataclass(frozen=True)
class Rates:
    """How often each kind of mess happens, per record (per field where it says so)."""

    nickname: float = 0.10  # of a first name that has one
    name_typo: float = 0.06
    swapped_names: float = 0.02
    date_transposed: float = 0.03  # day and month written in each other's place
    year_typo: float = 0.02
    day_typo: float = 0.02
    moved: float = 0.25  # of a person: some sources have the address she moved from
    missing_field: float = 0.06  # per optional field (names excepted)
    ssn_typo: float = 0.02


RATES = Rates()


@dataclass(frozen=True)
class CensusPerson:
    person: Person
    state: str
    ssn: str
    old_address: Address | None  # where she lived before, if she moved


def write_census_set(people: int, path: Path, *, seed: int = 1, rates: Rates = RATES) -> Path:
    """Write the set of `people` true people to `path` (a FEBRL-shaped CSV); the same seed, the same file."""
    rng = random.Random(seed)
    factory = PeopleFactory(rng, people)
    ssns = rng.sample(range(100_000_000, 900_000_000), people)
    rows: list[dict[str, str]] = []
    done = household = 0
    while done < people:
        size = min(HOUSEHOLD_SIZES.pick(rng), people - done)
        home = factory.household(household, done, size)
        state = _state(home.address.city)
        for member in home.members:
            old = factory.address()[0] if rng.random() < rates.moved else None
            rows += _records(rng, CensusPerson(member, state, str(ssns[member.index]), old), rates)
        done += size
        household += 1
    rng.shuffle(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _state(city: str) -> str:
    return next(c.state for c in vocab.CITIES if c.name == city)


def _records(rng: random.Random, who: CensusPerson, rates: Rates) -> list[dict[str, str]]:
    sources = [s for s, share in SOURCES.items() if rng.random() < share] or [rng.choice(list(SOURCES))]
    # The source that has the old address: one of hers, at random, when she moved and has several records.
    stale = rng.choice(sources) if who.old_address is not None and len(sources) > 1 else None
    rows = []
    for position, source in enumerate(sources):
        suffix = "org" if position == 0 else f"dup-{position - 1}"
        address = who.old_address if source == stale and who.old_address else who.person.address
        rows.append({"rec_id": f"rec-{who.person.index}-{suffix}"} | _fields(rng, who, source, address, rates))
    return rows


def _fields(rng: random.Random, who: CensusPerson, source: str, address: Address, rates: Rates) -> dict[str, str]:
    person = who.person
    first, last = person.first, person.last
    if first in vocab.NICKNAMES and rng.random() < rates.nickname:
        first = mess.nickname(rng, first) or first
    if rng.random() < rates.name_typo:
        if rng.random() < 0.5:
            last = mess.name_typo(rng, last)
        else:
            first = mess.name_typo(rng, first)
    if rng.random() < rates.swapped_names:
        first, last = last, first
    number, _, street = address.street.partition(" ")
    street, _, unit = street.partition(", ")

    def kept(value: str) -> str:
        return "" if rng.random() < rates.missing_field else value

    return {
        "given_name": first.lower(),
        "surname": last.lower(),
        "street_number": kept(number),
        "address_1": kept(street.lower()),
        "address_2": kept(unit.lower()),
        "suburb": kept(address.city.lower()),
        "postcode": kept(address.postal_code),
        "state": kept(who.state.lower()),
        "date_of_birth": _birth_date(rng, person.birth_date, rates) if rng.random() < BIRTH_DATE_SHARE[source] else "",
        "soc_sec_id": _ssn(rng, who.ssn, rates) if rng.random() < SSN_SHARE[source] else "",
    }


def _birth_date(rng: random.Random, iso: str, rates: Rates) -> str:
    """YYYYMMDD as FEBRL writes it, messed up now and then."""
    year, month, day = iso[:4], iso[5:7], iso[8:10]
    if rng.random() < rates.date_transposed:
        month, day = day, month
    if rng.random() < rates.year_typo:
        at = rng.choice((2, 3))  # the decade or the year: 1942 -> 1952, 1947
        year = year[:at] + _other_digit(rng, year[at]) + year[at + 1 :]
    if rng.random() < rates.day_typo:
        day = day[0] + _other_digit(rng, day[1])
    return f"{year}{month}{day}"


def _ssn(rng: random.Random, ssn: str, rates: Rates) -> str:
    if rng.random() < rates.ssn_typo:
        at = rng.randrange(len(ssn))
        ssn = ssn[:at] + _other_digit(rng, ssn[at]) + ssn[at + 1 :]
    return ssn


def _other_digit(rng: random.Random, digit: str) -> str:
    return rng.choice([d for d in "0123456789" if d != digit])
