"""Synthetic identity records for measurements (not a test).

    python bench/generate_records.py --people N --seed S --out FILE.jsonl

writes JSON Lines records (the shape of `graphcdp import`) for N people over the sources crm, pos, web
and app, and ``FILE.truth.json`` mapping each record key (``source:sourceId``) to its true person index.
Every person gets 1-4 records; the first carries both the person's email and phone and each later one at
least one of them, so all records of a person link (after a shuffle, sometimes only through a merge).
Seeded and reproducible; stdlib `random` only. The full generator is a later issue.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SOURCES = ("crm", "pos", "web", "app")
FIRST_NAMES = (
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger",
    "Radia", "Donald", "Hedy", "Tim", "Katherine", "John", "Sophie", "Guido", "Anita", "Niklaus",
)  # fmt: skip
LAST_NAMES = (
    "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen",
    "Dijkstra", "Perlman", "Knuth", "Lamarr", "Berners-Lee", "Johnson", "McCarthy", "Wilson", "Rossum",
)  # fmt: skip
CITIES = ("San Francisco", "New York", "Chicago", "Austin", "Seattle", "Boston", "Denver", "Miami")
DOMAINS = ("example.com", "example.org", "mail.example.net", "example.io")
# US area codes that libphonenumber accepts with any exchange 200-999 (but 555 and N11).
AREA_CODES = (
    201, 206, 212, 213, 303, 305, 312, 404, 408, 415, 503, 512,
    602, 617, 646, 650, 702, 713, 718, 805, 818, 917, 919, 949,
)  # fmt: skip
START_MS = 1_700_000_000_000


@dataclass
class Person:
    index: int
    first: str
    last: str
    birth_date: str
    city: str
    email: str
    phone: tuple[int, int, int]  # area code, exchange, line
    customer_id: str
    loyalty_id: str
    records: list[dict[str, Any]] = field(default_factory=list)


def _email_variant(rng: random.Random, email: str) -> str:
    """The same address as a person might type it: case and surrounding whitespace vary."""
    local, domain = email.split("@")
    choice = rng.randrange(5)
    if choice == 1:
        email = email.upper()
    elif choice == 2:
        email = f"{local.capitalize()}@{domain.upper()}"
    elif choice == 3:
        email = f"  {email} "
    elif choice == 4:
        email = f"{local.title()}@{domain}\t"
    return email


def _phone_variant(rng: random.Random, phone: tuple[int, int, int]) -> str:
    area, exchange, line = phone
    formats = (
        f"({area}) {exchange}-{line:04d}",
        f"{area}-{exchange}-{line:04d}",
        f"+1 {area} {exchange} {line:04d}",
        f"{area}{exchange}{line:04d}",
        f"+1{area}{exchange}{line:04d}",
        f"{area}.{exchange}.{line:04d}",
        f"1-{area}-{exchange}-{line:04d}",
    )
    return rng.choice(formats)


def _new_phone(rng: random.Random, used: set[tuple[int, int, int]]) -> tuple[int, int, int]:
    while True:
        exchange = rng.randint(200, 999)
        if exchange == 555 or exchange % 100 == 11:
            continue
        phone = (rng.choice(AREA_CODES), exchange, rng.randint(0, 9999))
        if phone not in used:
            used.add(phone)
            return phone


def _person(rng: random.Random, index: int, used_phones: set[tuple[int, int, int]]) -> Person:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    year, month, day = rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28)
    local = f"{first}.{last}.{index}".lower().replace("-", "")
    return Person(
        index=index,
        first=first,
        last=last,
        birth_date=f"{year:04d}-{month:02d}-{day:02d}",
        city=rng.choice(CITIES),
        email=f"{local}@{rng.choice(DOMAINS)}",
        phone=_new_phone(rng, used_phones),
        customer_id=f"C{index:07d}",
        loyalty_id=f"L{index:07d}",
    )


def _record(rng: random.Random, person: Person, source: str, first: bool, cookie: str) -> dict[str, Any]:
    with_email, with_phone = True, True
    if not first:
        with_email = rng.random() < 0.75
        with_phone = not with_email or rng.random() < 0.4
    identifiers: list[dict[str, str]] = []
    if with_email:
        identifiers.append({"type": "email", "value": _email_variant(rng, person.email)})
    if with_phone:
        identifiers.append({"type": "phone", "value": _phone_variant(rng, person.phone)})
    if source == "crm":
        identifiers.append({"type": "customer_id", "value": person.customer_id})
    elif source == "pos":
        identifiers.append({"type": "loyalty_id", "value": person.loyalty_id})
    else:
        identifiers.append({"type": "cookie_id", "value": cookie})
    traits: dict[str, Any] = {"firstName": person.first, "lastName": person.last}
    if source in ("crm", "pos"):
        traits["birthDate"] = person.birth_date
    if rng.random() < 0.7:
        traits["address"] = {"city": person.city if rng.random() < 0.9 else rng.choice(CITIES)}
    return {"source": source, "identifiers": identifiers, "traits": traits}


def generate(people: int, seed: int) -> Iterator[tuple[dict[str, Any], int]]:
    """(record, true person index) pairs, shuffled, with sourceId and increasing observedAt assigned."""
    rng = random.Random(seed)
    used_phones: set[tuple[int, int, int]] = set()
    pending: list[tuple[dict[str, Any], int]] = []
    cookies = 0
    for index in range(people):
        person = _person(rng, index, used_phones)
        for n in range(rng.randint(1, 4)):
            cookies += 1
            record = _record(rng, person, rng.choice(SOURCES), n == 0, f"ck-{seed}-{cookies:08d}")
            pending.append((record, index))
    rng.shuffle(pending)
    counters = dict.fromkeys(SOURCES, 0)
    observed = START_MS
    for record, index in pending:
        source = record["source"]
        counters[source] += 1
        observed += rng.randint(1, 60_000)
        yield {"source": source, "sourceId": f"{source}-{counters[source]}", "observedAt": observed, **record}, index


def truth_path_for(out: Path) -> Path:
    return out.with_name(f"{out.stem}.truth.json")


def write(people: int, seed: int, out: Path) -> int:
    """Write the records and their truth file; the number of records."""
    truth: dict[str, int] = {}
    with out.open("w", encoding="utf-8") as file:
        for record, index in generate(people, seed):
            ordered = {key: record[key] for key in ("source", "sourceId", "observedAt", "identifiers", "traits")}
            file.write(json.dumps(ordered, ensure_ascii=False) + "\n")
            truth[f"{record['source']}:{record['sourceId']}"] = index
    truth_path_for(out).write_text(json.dumps(truth) + "\n", encoding="utf-8")
    return len(truth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, required=True, help="number of people")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="output file (.jsonl)")
    args = parser.parse_args()
    count = write(args.people, args.seed, args.out)
    print(f"{args.out}: {count:,} records for {args.people:,} people; truth in {truth_path_for(args.out)}")


if __name__ == "__main__":
    main()
