"""Records and touchpoints of true people, household by household, with the mess injected and counted.

Sources and what they know (a person appears in each with the shares of `people.CHANNEL_SHARES`):

| source | sourceId | identifiers | traits |
| --- | --- | --- | --- |
| crm | crm_id | crm_id, email, phone | names, birthDate, gender, address |
| web | customer_id | customer_id, email, sometimes phone | names, address (shipping) |
| pos | loyalty_id | loyalty_id, phone and/or email | names, postal code |
| app | inst-N | device_id, customer_id (or email/phone without account) | firstName |
| email | sub-N | email (newsletter subscription) | sometimes firstName |
| support | contact-N | email or phone (both sometimes) | names |

Without mess, every record of a person carries her anchor contact (her email, or her phone when she has
no email), so all her records link, and deterministic resolution finds exactly the true people. The
mess (see `MESS_KINDS`) is what makes it hard. crm, pos and support are typed in by people: only they get
junk values and records without contact data.

Touchpoints (about `touchpoints_per_person` a person, exponentially distributed, plus logins and
returns): web page views, searches and orders under cookies; app views and orders under device ids;
email opens and clicks; SMS; store orders and returns under loyalty id or phone; support cases; events
attended and survey responses. A cookie logs in once (cookie + customer_id, or + email/phone): at its
first visit, or after some anonymous visits (`anonymous_login`), or never (`anonymous_never_login`).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from graphcdp_bench.datagen import mess, vocab
from graphcdp_bench.datagen.people import HOUSEHOLD_SIZES, Household, PeopleFactory, Person

START_MS = 1_640_995_200_000  # 2022-01-01T00:00:00Z
END_MS = 1_735_603_200_000  # 2024-12-31T00:00:00Z
DAY_MS = 86_400_000
FAMILY_EMAIL_USE = 0.4  # a member with her own email uses the family one in this share of her records
RETURN_SHARE = 0.1  # of orders

# kind -> what one chance of it is (the rate is hits / chances).
MESS_KINDS: dict[str, str] = {
    "email_format": "email written with other case or surrounding spaces (same identifier); per email written",
    "email_typo": "email mistyped into another valid address (a different identifier); per email in a record",
    "junk_email": "placeholder such as test@test.com instead of the email; per email of a crm/pos/support record",
    "phone_format": "phone written in a national/punctuated format rather than E.164; per phone written",
    "junk_phone": "placeholder such as 0000000000 instead of the phone; per phone of a crm/pos/support record",
    "missing_contact": "email and phone left out of a record; per crm, pos or support record",
    "missing_trait": "birthDate, gender or address left out; per such trait a record would carry",
    "nickname": "first name written as a nickname (Robert -> Bob); per record of a person who has one",
    "name_typo": "typo in the first or last name; per record with a name",
    "swapped_names": "first and last name swapped; per record with both",
    "name_case": "names in upper or lower case; per record with a name",
    "address_typo": "typo in the street name; per record with a street",
    "address_format": "street written another way (St. for Street, upper case); per record with a street",
    "household_email": "the members share a family email, used in some of their records; per household of 2+",
    "family_tablet": "the members share an app device (a tablet); per household of 2+",
    "second_customer_account": "a second web account (own customer_id); per person with an account",
    "anonymous_login": "a cookie browses anonymously before it logs in; per cookie that logs in",
    "anonymous_never_login": "a cookie never logs in (stays an anonymous visitor); per cookie (with touchpoints)",
}


@dataclass(frozen=True)
class MessRates:
    """How often each kind of mess happens (see MESS_KINDS for what one chance is)."""

    email_format: float = 0.30
    email_typo: float = 0.02
    junk_email: float = 0.01
    phone_format: float = 0.80
    junk_phone: float = 0.015
    missing_contact: float = 0.04
    missing_trait: float = 0.10
    nickname: float = 0.15
    name_typo: float = 0.03
    swapped_names: float = 0.01
    name_case: float = 0.04
    address_typo: float = 0.03
    address_format: float = 0.25
    household_email: float = 0.20
    family_tablet: float = 0.15
    second_customer_account: float = 0.04
    anonymous_login: float = 0.50
    anonymous_never_login: float = 0.10

    def __post_init__(self) -> None:
        for name, rate in self.as_dict().items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"mess rate {name}={rate} is not between 0 and 1")

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def none(cls) -> MessRates:
        """No mess at all: deterministic resolution must find exactly the true people."""
        return cls(**dict.fromkeys((f.name for f in fields(cls)), 0.0))


@dataclass(frozen=True)
class GeneratorConfig:
    people: int
    seed: int = 1
    touchpoints_per_person: float = 5.0
    touchpoints: bool = True
    rates: MessRates = field(default_factory=MessRates)

    def __post_init__(self) -> None:
        if self.people < 1:
            raise ValueError("people must be at least 1")
        if self.touchpoints_per_person < 0:
            raise ValueError("touchpoints_per_person must not be negative")


# (payload, true person index, identifier keys the generator shared on purpose that the payload carries)
Item = tuple[dict[str, Any], int, tuple[str, ...]]


@dataclass(frozen=True)
class SharedIdentifier:
    key: str  # normalized, as graphcdp keys it: "email:thesmiths123@example.com", "device_id:…"
    kind: str  # household_email | family_tablet
    people: tuple[int, ...]  # who carries it in the data set (a family email some never write: fewer)


@dataclass
class HouseholdData:
    people: int
    records: list[Item]
    touchpoints: list[Item]
    shared: list[SharedIdentifier]


Identifier = tuple[str, str]  # (type, value as written)


@dataclass
class Contacts:
    ids: list[Identifier]
    shared: list[str]  # keys of the generator-shared identifiers among them ("" for none)


@dataclass
class Journey:
    """The touchpoints of one person as they are made, and her cookies' visits (for the logins)."""

    person: Person
    household: Household
    never: set[str]  # cookies that never log in
    items: list[Item] = field(default_factory=list)
    cookie_uses: dict[str, list[int]] = field(default_factory=dict)


def iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))


class Generator:
    """Streams households of true people with their records and touchpoints (seeded, reproducible)."""

    def __init__(self, config: GeneratorConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.factory = PeopleFactory(self.rng, config.people)
        self.tally = mess.Tally(self.rng, config.rates.as_dict())
        self.records_by_source: Counter[str] = Counter()
        self.touchpoints_by_type: Counter[str] = Counter()
        self.population: Counter[str] = Counter()
        self.counters: Counter[str] = Counter()
        self._touchpoint_rate = 1.0 / config.touchpoints_per_person if config.touchpoints_per_person else 0.0

    # --- households

    def households(self) -> Iterator[HouseholdData]:
        total, done, index = self.config.people, 0, 0
        while done < total:
            size = min(HOUSEHOLD_SIZES.pick(self.rng), total - done)
            household = self.factory.household(index, done, size)
            yield self._household(household)
            done += size
            index += 1

    def _household(self, household: Household) -> HouseholdData:
        rng, roll = self.rng, self.tally.roll
        members = household.members
        declared: list[tuple[str, str]] = []  # (key, kind)
        self.population["households"] += 1
        self.population["people"] += len(members)
        if len(members) > 1:
            self.population["multiPersonHouseholds"] += 1
            if roll("household_email"):
                household.family_email = self.factory.family_email(members[0].last)
                declared.append((f"email:{household.family_email}", "household_email"))
            if roll("family_tablet"):
                household.tablet = self.factory.device()
                users = [m for m in members if m.devices or rng.random() < 0.5]
                if len(users) < 2:
                    users = members[:2]
                for member in users:
                    member.devices.append(household.tablet)
                declared.append((f"device_id:{household.tablet}", "family_tablet"))
        for member in members:
            if member.email is None and household.family_email and rng.random() < 0.5:
                member.newsletter = True  # subscribed with the family address
            if member.customer_id and roll("second_customer_account"):
                email = member.email if rng.random() < 0.4 else self.factory.work_email(member.first, member.last)
                member.second_account = (f"C{self.factory.next_id('customer'):09d}", email)
            self._count_population(member)
        records = [item for member in members for item in self._records(member, household)]
        touchpoints: list[Item] = []
        if self.config.touchpoints:
            touchpoints = [item for member in members for item in self._touchpoints(member, household)]
        carriers: dict[str, set[int]] = {key: set() for key, _ in declared}
        for _, person, keys in (*records, *touchpoints):
            for key in keys:
                carriers[key].add(person)
        shared = [SharedIdentifier(key, kind, tuple(sorted(carriers[key]))) for key, kind in declared]
        return HouseholdData(len(members), records, touchpoints, shared)

    def _count_population(self, person: Person) -> None:
        population = self.population
        population["withEmail"] += person.email is not None
        population["withPhone"] += person.phone is not None
        population["withCustomerAccount"] += person.customer_id is not None
        population["withCookies"] += bool(person.cookies)
        population["withAppDevices"] += bool(person.devices)

    # --- identifiers as written

    def _email_base(self, person: Person, household: Household) -> str | None:
        """The address an item carries: her own, or now and then the family one."""
        family = household.family_email
        if family and (person.email is None or self.rng.random() < FAMILY_EMAIL_USE):
            return family
        return person.email

    def _email(self, base: str, household: Household, *, typed: bool, in_record: bool) -> tuple[str, str]:
        """(value as written, shared key or "") for an email slot."""
        roll = self.tally.roll
        if typed and roll("junk_email"):
            return mess.junk_email(self.rng), ""
        written = base
        if in_record and roll("email_typo"):
            written = mess.email_typo(self.rng, base)
        if roll("email_format"):
            written = mess.email_variant(self.rng, written)
        shared = f"email:{base}" if base == household.family_email and base == written.strip().lower() else ""
        return written, shared

    def _phone(self, phone: tuple[int, int, int], *, typed: bool) -> str:
        if typed and self.tally.roll("junk_phone"):
            return mess.junk_phone(self.rng)
        if self.tally.roll("phone_format"):
            return mess.phone_variant(self.rng, phone)
        return mess.phone_e164(phone)

    def _contacts(
        self,
        person: Person,
        household: Household,
        *,
        email: bool,
        phone: bool,
        typed: bool = False,
        in_record: bool = True,
        email_base: str | None = None,
    ) -> Contacts:
        """Email and phone identifiers of an item, mess applied, and the shared keys they carry.

        `typed`: keyed in by people, so junk values happen; `in_record`: typos happen (touchpoints come
        from systems that reuse the identifiers they hold)."""
        contacts = Contacts([], [])
        base = (email_base or self._email_base(person, household)) if email else None
        if base is not None:
            value, shared = self._email(base, household, typed=typed, in_record=in_record)
            contacts.ids.append(("email", value))
            contacts.shared.append(shared)
        if phone and person.phone is not None:
            contacts.ids.append(("phone", self._phone(person.phone, typed=typed)))
        return contacts

    def _sign_in(self, person: Person, household: Household) -> Contacts:
        """How she identifies herself to log in or check out: her account, else her email or phone."""
        if person.customer_id:
            return Contacts([("customer_id", person.customer_id)], [])
        has_email = person.email is not None
        return self._contacts(person, household, email=has_email, phone=not has_email, in_record=False)

    # --- traits as written

    def _names(self, person: Person, *, last_name: bool = True) -> dict[str, str]:
        rng, roll = self.rng, self.tally.roll
        first, last = person.first, person.last
        if first in vocab.NICKNAMES and roll("nickname"):
            first = mess.nickname(rng, first) or first
        if roll("name_typo"):
            if last_name and rng.random() < 0.5:
                last = mess.name_typo(rng, last)
            else:
                first = mess.name_typo(rng, first)
        if roll("name_case"):
            first, last = mess.name_case(rng, f"{first}\t{last}").split("\t")
        if not last_name:
            return {"firstName": first}
        if roll("swapped_names"):
            first, last = last, first
        return {"firstName": first, "lastName": last}

    def _keeps(self) -> bool:
        """Whether an optional trait is written (missing_trait leaves it out)."""
        return not self.tally.roll("missing_trait")

    def _street(self, person: Person) -> dict[str, str]:
        rng, roll = self.rng, self.tally.roll
        address = person.address
        street = address.street
        if roll("address_format"):
            street = mess.street_variant(rng, street)
        if roll("address_typo"):
            street = mess.street_typo(rng, street)
        return {"street": street, "city": address.city, "postalCode": address.postal_code, "country": address.country}

    # --- records

    def _record(
        self, source: str, source_id: str, person: Person, *, ids: list[Identifier], traits: dict[str, Any],
        shared: list[str],
    ) -> Item:  # fmt: skip
        self.records_by_source[source] += 1
        record = {
            "source": source,
            "sourceId": source_id,
            "observedAt": iso(self.rng.randrange(START_MS, END_MS)),
            "identifiers": [{"type": type_, "value": value} for type_, value in ids],
            "traits": traits,
        }
        return record, person.index, tuple(key for key in shared if key)

    def _records(self, person: Person, household: Household) -> list[Item]:
        items: list[Item] = []
        if person.crm_id:
            items.append(self._crm(person, household, person.crm_id))
        if person.customer_id:
            items.append(self._web_account(person, household, person.customer_id, person.email))
        if person.second_account:
            items.append(self._web_account(person, household, *person.second_account, second=True))
        if person.loyalty_id:
            items.append(self._pos(person, household, person.loyalty_id))
        items += [self._app(person, household, device) for device in person.devices]
        if person.newsletter and (person.email or household.family_email):
            contacts = self._contacts(person, household, email=True, phone=False)
            traits = self._names(person, last_name=False) if self.rng.random() < 0.5 else {}
            source_id = f"sub-{self.factory.next_id('newsletter'):09d}"
            items.append(self._record("email", source_id, person, ids=contacts.ids, traits=traits,
                                      shared=contacts.shared))  # fmt: skip
        if person.support:
            items.append(self._support(person, household))
        return items

    def _typed_contacts(self, person: Person, household: Household, other_share: float) -> Contacts:
        """Contacts keyed in at a desk: her anchor (email, else phone), the other one in `other_share`."""
        if self.tally.roll("missing_contact"):
            return Contacts([], [])
        other = self.rng.random() < other_share
        anchor_email = person.email is not None
        has_email = anchor_email or household.family_email is not None
        email = (anchor_email or other) and has_email
        return self._contacts(person, household, email=email, phone=not anchor_email or other, typed=True)

    def _crm(self, person: Person, household: Household, crm_id: str) -> Item:
        contacts = self._typed_contacts(person, household, 1.0)
        traits: dict[str, Any] = self._names(person)
        if self._keeps():
            traits["birthDate"] = person.birth_date
        if self._keeps():
            traits["gender"] = person.gender
        if self._keeps():
            traits["address"] = self._street(person)
        return self._record("crm", crm_id, person, ids=[("crm_id", crm_id), *contacts.ids], traits=traits,
                            shared=contacts.shared)  # fmt: skip

    def _web_account(
        self, person: Person, household: Household, customer_id: str, email: str | None, second: bool = False
    ) -> Item:
        """A web shop account (opened with her email, or for a second account maybe her work email)."""
        with_phone = self.rng.random() < (0.5 if second else 0.3)
        contacts = self._contacts(person, household, email=True, phone=with_phone, email_base=email)
        traits: dict[str, Any] = self._names(person)
        if not second and self._keeps():
            traits["address"] = self._street(person)
        return self._record("web", customer_id, person, ids=[("customer_id", customer_id), *contacts.ids],
                            traits=traits, shared=contacts.shared)  # fmt: skip

    def _pos(self, person: Person, household: Household, loyalty_id: str) -> Item:
        contacts = self._typed_contacts(person, household, 0.6)
        traits: dict[str, Any] = self._names(person)
        if self._keeps():
            traits["address"] = {"postalCode": person.address.postal_code, "country": person.address.country}
        return self._record("pos", loyalty_id, person, ids=[("loyalty_id", loyalty_id), *contacts.ids],
                            traits=traits, shared=contacts.shared)  # fmt: skip

    def _app(self, person: Person, household: Household, device: str) -> Item:
        contacts = self._sign_in(person, household)
        if device == household.tablet:
            contacts.shared.append(f"device_id:{device}")
        source_id = f"inst-{self.factory.next_id('app'):09d}"
        return self._record("app", source_id, person, ids=[("device_id", device), *contacts.ids],
                            traits=self._names(person, last_name=False), shared=contacts.shared)  # fmt: skip

    def _support(self, person: Person, household: Household) -> Item:
        contacts = self._typed_contacts(person, household, 0.3)
        source_id = f"contact-{self.factory.next_id('support'):08d}"
        return self._record("support", source_id, person, ids=contacts.ids, traits=self._names(person),
                            shared=contacts.shared)  # fmt: skip

    # --- touchpoints

    def _touchpoints(self, person: Person, household: Household) -> list[Item]:
        rng = self.rng
        count = round(rng.expovariate(self._touchpoint_rate)) if self._touchpoint_rate else 0
        can_email = person.email is not None or household.family_email is not None
        channels = [
            (handler, weight)
            for handler, weight, available in (
                (self._visit, 5.0, bool(person.cookies)),
                (self._app_use, 4.0, bool(person.devices)),
                (self._newsletter_touch, 4.0, person.newsletter and can_email),
                (self._sms, 1.0, person.sms),
                (self._store, 2.0, person.loyalty_id is not None),
                (self._case, 0.5, person.support),
                (self._event, 0.3, person.events and can_email),
            )
            if available
        ]
        if not count or not channels:
            return []
        pick = vocab.Weighted(channels)
        start = rng.randrange(START_MS, END_MS - 30 * DAY_MS)
        journey = Journey(person, household, never=self._never_logging_in(person))
        for _ in range(count):
            pick.pick(rng)(journey, rng.randrange(start, END_MS))
        self._logins(journey)
        return journey.items

    def _never_logging_in(self, person: Person) -> set[str]:
        return {cookie for cookie in person.cookies if self.tally.roll("anonymous_never_login")}

    def _touchpoint(
        self, journey: Journey, type_: str, at: int, *, channel: str, source: str, contacts: Contacts,
        properties: dict[str, Any], amount: float | None = None,
    ) -> None:  # fmt: skip
        self.touchpoints_by_type[type_] += 1
        self.counters["touchpoint"] += 1
        touchpoint: dict[str, Any] = {
            "id": f"tp-{self.counters['touchpoint']:010d}",
            "type": type_,
            "channel": channel,
            "occurredAt": iso(at),
            "source": source,
            "identifiers": [{"type": t, "value": v} for t, v in contacts.ids],
        }
        if amount is not None:
            touchpoint["amount"] = amount
            touchpoint["currency"] = "USD"
        touchpoint["properties"] = properties
        journey.items.append((touchpoint, journey.person.index, tuple(key for key in contacts.shared if key)))

    def _visit(self, journey: Journey, at: int) -> None:
        """The web shop: page views and searches under a cookie; orders, signed in."""
        rng, person = self.rng, journey.person
        roll = rng.random()
        if roll < 0.12:
            contacts = self._sign_in(person, journey.household)
            usable = [c for c in person.cookies if c not in journey.never]
            if usable:
                cookie = rng.choice(usable)
                contacts.ids.insert(0, ("cookie_id", cookie))
                journey.cookie_uses.setdefault(cookie, []).append(at)
            self._order(journey, at, channel="web", source="web", contacts=contacts)
            return
        cookie = rng.choice(person.cookies)
        journey.cookie_uses.setdefault(cookie, []).append(at)
        contacts = Contacts([("cookie_id", cookie)], [])
        if roll < 0.3:
            properties = {"query": rng.choice(vocab.SEARCH_TERMS)}
            self._touchpoint(journey, "search", at, channel="web", source="web", contacts=contacts,
                             properties=properties)  # fmt: skip
        else:
            properties = {"page": rng.choice(vocab.PAGES)}
            self._touchpoint(journey, "page_view", at, channel="web", source="web", contacts=contacts,
                             properties=properties)  # fmt: skip

    def _app_use(self, journey: Journey, at: int) -> None:
        rng = self.rng
        device = rng.choice(journey.person.devices)
        contacts = Contacts([("device_id", device)], [])
        if device == journey.household.tablet:
            contacts.shared.append(f"device_id:{device}")
        if rng.random() < 0.1:
            account = self._sign_in(journey.person, journey.household)
            contacts = Contacts(contacts.ids + account.ids, contacts.shared + account.shared)
            self._order(journey, at, channel="app", source="app", contacts=contacts)
        else:
            self._touchpoint(journey, "page_view", at, channel="app", source="app", contacts=contacts,
                             properties={"page": rng.choice(vocab.PAGES)})  # fmt: skip

    def _newsletter_touch(self, journey: Journey, at: int) -> None:
        rng = self.rng
        click = rng.random() < 0.3
        properties: dict[str, Any] = {"campaign": rng.choice(vocab.CAMPAIGNS)}
        if click:
            properties["url"] = rng.choice(vocab.PAGES)
        contacts = self._contacts(journey.person, journey.household, email=True, phone=False, in_record=False)
        self._touchpoint(journey, "email_click" if click else "email_open", at, channel="email", source="email",
                         contacts=contacts, properties=properties)  # fmt: skip

    def _sms(self, journey: Journey, at: int) -> None:
        contacts = self._contacts(journey.person, journey.household, email=False, phone=True, in_record=False)
        properties = {"campaign": self.rng.choice(vocab.CAMPAIGNS), "direction": "outbound"}
        self._touchpoint(journey, "sms", at, channel="sms", source="sms", contacts=contacts, properties=properties)

    def _store(self, journey: Journey, at: int) -> None:
        contacts = Contacts([("loyalty_id", str(journey.person.loyalty_id))], [])
        self._order(journey, at, channel="store", source="pos", contacts=contacts)

    def _case(self, journey: Journey, at: int) -> None:
        contacts = self._sign_in(journey.person, journey.household)
        self.counters["case"] += 1
        properties = {"subject": self.rng.choice(vocab.CASE_SUBJECTS), "caseId": f"K{self.counters['case']:08d}"}
        self._touchpoint(journey, "case", at, channel="support", source="support", contacts=contacts,
                         properties=properties)  # fmt: skip

    def _event(self, journey: Journey, at: int) -> None:
        rng = self.rng
        contacts = self._contacts(journey.person, journey.household, email=True, phone=False, in_record=False)
        if rng.random() < 0.6:
            self._touchpoint(journey, "event_attended", at, channel="event", source="events", contacts=contacts,
                             properties={"event": rng.choice(vocab.EVENTS)})  # fmt: skip
        else:
            self._touchpoint(journey, "survey_response", at, channel="event", source="surveys", contacts=contacts,
                             properties={"survey": "nps", "score": rng.randint(0, 10)})  # fmt: skip

    def _order(self, journey: Journey, at: int, *, channel: str, source: str, contacts: Contacts) -> None:
        """An order, and in RETURN_SHARE of cases its return (same identifiers, refers to the order id)."""
        rng = self.rng
        self.counters["order"] += 1
        order_id = f"O{self.counters['order']:09d}"
        amount = round(rng.lognormvariate(4.0, 0.8), 2)
        properties = {"orderId": order_id, "items": 1 + int(rng.expovariate(0.7))}
        self._touchpoint(journey, "order", at, channel=channel, source=source, contacts=contacts,
                         properties=properties, amount=amount)  # fmt: skip
        if rng.random() < RETURN_SHARE:
            back = at + rng.randrange(DAY_MS, 30 * DAY_MS)
            refund = amount if rng.random() < 0.6 else round(amount * rng.uniform(0.2, 0.9), 2)
            reason = rng.choice(("wrong size", "damaged", "not as described", "changed mind"))
            self._touchpoint(journey, "return", back, channel=channel, source=source, contacts=contacts,
                             properties={"orderId": order_id, "reason": reason}, amount=refund)  # fmt: skip

    def _logins(self, journey: Journey) -> None:
        """One login per visited cookie that is not anonymous for ever: at its first visit, or later."""
        rng = self.rng
        for cookie, uses in journey.cookie_uses.items():
            if cookie in journey.never:
                continue
            first, last = min(uses), max(uses)
            if self.tally.roll("anonymous_login"):
                at = rng.randrange(first + 1, max(last, first + 3_600_000) + 1)
            else:
                at = first - rng.randrange(1_000, 120_000)
            account = self._sign_in(journey.person, journey.household)
            contacts = Contacts([("cookie_id", cookie), *account.ids], account.shared)
            self._touchpoint(journey, "login", at, channel="web", source="web", contacts=contacts,
                             properties={"method": rng.choice(("password", "magic_link", "social"))})  # fmt: skip
