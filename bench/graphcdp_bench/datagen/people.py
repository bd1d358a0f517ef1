"""True people and the households they live in.

A household shares an address and usually a surname; some share a family email or a family tablet
(decided by the generator, which counts them as mess). Every identifier a person owns is unique by
construction, never by luck: emails end in a number drawn without repetition, phone numbers are a
bijection of a per-area-code counter, account ids are counters. So two people can only ever meet through
an identifier the generator shares on purpose.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from graphcdp_bench.datagen import vocab
from graphcdp_bench.datagen.mess import ascii_letters

# How many people live together: 1 (55 %), 2 (27 %), 3 (10 %), 4 (6 %), 5 (2 %).
HOUSEHOLD_SIZES = vocab.Weighted([(1, 55), (2, 27), (3, 10), (4, 6), (5, 2)])
SHARE_WITH_EMAIL = 0.9
SHARE_WITH_PHONE = 0.85
# Which systems know a person (independently; everyone ends up in at least one).
CHANNEL_SHARES = {"crm": 0.45, "account": 0.55, "loyalty": 0.40, "app": 0.30, "newsletter": 0.50, "support": 0.15}
SHARE_WEB_VISITORS = 0.6  # of people without an account; every account holder visits the web shop
SHARE_SMS = 0.3  # of people with a phone
SHARE_EVENTS = 0.1

_PHONE_SPACE = len(vocab.EXCHANGES) * 10_000  # numbers per area code
_PHONE_STEP = 1_000_003  # coprime with the space (2^4 5^4 7 113): counter -> number is a bijection
_EMAIL_STEP = 7_654_321  # coprime with every power of ten
_LOCAL_PARTS = (
    "{f}.{l}", "{f}{l}", "{fi}{l}", "{f}_{l}", "{l}.{f}", "{f}", "{f}{li}", "{fi}.{l}", "{l}{fi}",
)  # fmt: skip


@dataclass(slots=True)
class Address:
    street: str  # "1234 Oak Street, Apt 5"
    city: str
    postal_code: str
    country: str = "US"


@dataclass(slots=True)
class Person:
    index: int
    household: int
    gender: str  # "female" | "male"
    first: str
    last: str
    birth_date: str  # YYYY-MM-DD
    address: Address
    email: str | None  # canonical (lower case), unique
    phone: tuple[int, int, int] | None  # area code, exchange, line; unique
    crm_id: str | None = None
    customer_id: str | None = None
    loyalty_id: str | None = None
    newsletter: bool = False
    support: bool = False
    sms: bool = False
    events: bool = False
    web: bool = False
    second_account: tuple[str, str | None] | None = None  # (customer_id, email it was opened with)
    cookies: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Household:
    index: int
    members: list[Person]
    address: Address
    family_email: str | None = None  # shared by the members (mess: household_email)
    tablet: str | None = None  # a device_id several members use (mess: family_tablet)


class PeopleFactory:
    """Makes households of people, with unique identifiers; all randomness from one seeded rng."""

    def __init__(self, rng: random.Random, people: int) -> None:
        self.rng = rng
        self.female = vocab.Weighted(vocab.FEMALE_NAMES)
        self.male = vocab.Weighted(vocab.MALE_NAMES)
        self.common_surnames = vocab.Weighted(vocab.COMMON_SURNAMES)
        self.rare_surnames = vocab.Weighted(vocab.rare_surnames())
        self.cities = vocab.Weighted([(city, city.weight) for city in vocab.CITIES])
        self.domains = vocab.Weighted(vocab.EMAIL_DOMAINS)
        self.email_space = 10 ** max(4, len(str(3 * people)))  # more numbers than emails will ever be made
        self.email_offset = rng.randrange(self.email_space)
        self.phone_offsets = {area: rng.randrange(_PHONE_SPACE) for area in vocab.AREA_CODES}
        self.counters: dict[str, int] = {}

    def next_id(self, kind: str) -> int:
        value = self.counters.get(kind, 0) + 1
        self.counters[kind] = value
        return value

    # --- identifiers

    def email_number(self) -> int:
        n = self.next_id("email")
        return int((n * _EMAIL_STEP + self.email_offset) % self.email_space)

    def personal_email(self, first: str, last: str) -> str:
        given, family = ascii_letters(first) or "x", ascii_letters(last) or "x"
        pattern = self.rng.choice(_LOCAL_PARTS)
        local = pattern.format(f=given, l=family, fi=given[0], li=family[0])
        return f"{local}{self.email_number()}@{self.domains.pick(self.rng)}"

    def work_email(self, first: str, last: str) -> str:
        given, family = ascii_letters(first) or "x", ascii_letters(last) or "x"
        return f"{given[0]}{family}{self.email_number()}@{self.rng.choice(vocab.WORK_DOMAINS)}"

    def family_email(self, last: str) -> str:
        family = ascii_letters(last) or "family"
        local = f"the{family}s" if self.rng.random() < 0.5 else f"{family}family"
        return f"{local}{self.email_number()}@{self.domains.pick(self.rng)}"

    def phone(self, area: int) -> tuple[int, int, int]:
        n = (self.next_id(f"phone{area}") * _PHONE_STEP + self.phone_offsets[area]) % _PHONE_SPACE
        exchange, line = divmod(n, 10_000)
        return area, vocab.EXCHANGES[exchange], line

    def cookie(self) -> str:
        return f"ck_{self.rng.getrandbits(96):024x}"

    def device(self) -> str:
        hex32 = f"{self.rng.getrandbits(128):032X}"
        return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}"

    # --- people

    def surname(self) -> str:
        table = self.common_surnames if self.rng.random() < vocab.COMMON_SURNAME_SHARE else self.rare_surnames
        return table.pick(self.rng)

    def address(self) -> tuple[Address, vocab.City]:
        rng = self.rng
        city = self.cities.pick(rng)
        number = int(rng.paretovariate(0.9) * 10) % 9990 + 1
        street_type = rng.choice(vocab.STREET_TYPES)[0]
        street = f"{number} {rng.choice(vocab.STREET_NAMES)} {street_type}"
        if rng.random() < 0.25:
            street += ", " + rng.choice(vocab.UNIT_FORMATS).format(n=rng.randint(1, 40))
        postal = f"{rng.choice(city.zip_prefixes)}{rng.randint(1, 99):02d}"
        return Address(street, city.name, postal), city

    def household(self, index: int, first_person: int, size: int) -> Household:
        rng = self.rng
        address, city = self.address()
        surname = self.surname()
        members: list[Person] = []
        for position in range(size):
            # partners keep their own names, sometimes
            last = self.surname() if position == 1 and rng.random() < 0.3 else surname
            year = rng.randint(1945, 2002) if position < 2 else rng.randint(1995, 2008)
            members.append(
                self.person(first_person + position, index, last=last, year=year, address=address, city=city)
            )
        return Household(index, members, address)

    def person(self, index: int, household: int, *, last: str, year: int, address: Address, city: vocab.City) -> Person:
        rng = self.rng
        gender = "female" if rng.random() < 0.51 else "male"
        first = (self.female if gender == "female" else self.male).pick(rng)
        email = self.personal_email(first, last) if rng.random() < SHARE_WITH_EMAIL else None
        phone = None
        if email is None or rng.random() < SHARE_WITH_PHONE:
            area = rng.choice(city.area_codes) if rng.random() < 0.8 else rng.choice(vocab.AREA_CODES)
            phone = self.phone(area)
        birth = f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        person = Person(index, household, gender, first, last, birth, address, email, phone)
        shares = CHANNEL_SHARES
        if rng.random() < shares["crm"]:
            person.crm_id = f"CRM{self.next_id('crm'):08d}"
        if email and rng.random() < shares["account"]:
            person.customer_id = f"C{self.next_id('customer'):09d}"
        if rng.random() < shares["loyalty"]:
            person.loyalty_id = f"L{self.next_id('loyalty'):010d}"
        person.newsletter = email is not None and rng.random() < shares["newsletter"]
        person.support = rng.random() < shares["support"]
        if not (person.crm_id or person.customer_id or person.loyalty_id or person.newsletter or person.support):
            person.newsletter = email is not None  # everyone is known to at least one system
            person.support = email is None
        person.sms = phone is not None and rng.random() < SHARE_SMS
        person.events = rng.random() < SHARE_EVENTS
        person.web = person.customer_id is not None or rng.random() < SHARE_WEB_VISITORS
        if person.web:
            person.cookies = [self.cookie() for _ in range(1 + int(rng.expovariate(1.2)))]
        if rng.random() < shares["app"]:
            person.devices = [self.device() for _ in range(1 + int(rng.expovariate(2.5)))]
        return person
