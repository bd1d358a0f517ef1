"""Word lists for synthetic people: names, nicknames, surnames, streets, cities, email domains, junk values.

Frequencies are rough US figures, enough for a realistic skew (many Smiths, few Thornwicks); none of it
is real personal data. Email domains are all under example.com/.net/.org (RFC 2606), and phone area
codes are US codes that libphonenumber accepts with every exchange 200-999 except 555 and N11.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """A fixed population with weights; `pick` is one bisect on the cumulative weights."""

    __slots__ = ("_cumulative", "_items", "_total")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self._items = [item for item, _ in pairs]
        self._cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        self._total = self._cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self._items[bisect.bisect_right(self._cumulative, rng.random() * self._total)]

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> list[T]:
        return list(self._items)


# --- first names: (name, weight) --------------------------------------------------------------------------

FEMALE_NAMES: tuple[tuple[str, float], ...] = (
    ("Mary", 30), ("Patricia", 15), ("Jennifer", 18), ("Linda", 12), ("Elizabeth", 16), ("Barbara", 10),
    ("Susan", 10), ("Jessica", 14), ("Sarah", 14), ("Karen", 9), ("Lisa", 9), ("Nancy", 7), ("Margaret", 9),
    ("Sandra", 6), ("Ashley", 10), ("Kimberly", 8), ("Emily", 11), ("Donna", 5), ("Michelle", 8),
    ("Dorothy", 4), ("Carol", 5), ("Amanda", 8), ("Melissa", 7), ("Deborah", 5), ("Stephanie", 7),
    ("Rebecca", 7), ("Sharon", 4), ("Laura", 7), ("Cynthia", 4), ("Katherine", 7), ("Amy", 6), ("Angela", 6),
    ("Anna", 6), ("Samantha", 6), ("Christine", 4), ("Victoria", 5), ("Alexandra", 4), ("Abigail", 5),
    ("Pamela", 3), ("Theresa", 3), ("Judith", 3), ("Frances", 2), ("Catherine", 5), ("Olivia", 8), ("Emma", 8),
    ("Sophia", 7), ("Isabella", 6), ("Mia", 5), ("Charlotte", 5), ("Grace", 4), ("Chloé", 2), ("María", 5),
    ("Zoë", 2), ("Mei", 2), ("Priya", 2), ("Fatima", 2), ("Ngozi", 1), ("Ingrid", 1), ("Siobhán", 1), ("Leilani", 1),
)  # fmt: skip
MALE_NAMES: tuple[tuple[str, float], ...] = (
    ("James", 30), ("Robert", 28), ("John", 28), ("Michael", 27), ("David", 22), ("William", 22), ("Richard", 16),
    ("Joseph", 15), ("Thomas", 15), ("Christopher", 13), ("Charles", 12), ("Daniel", 13), ("Matthew", 12),
    ("Anthony", 10), ("Mark", 9), ("Donald", 7), ("Steven", 9), ("Andrew", 9), ("Paul", 8), ("Joshua", 9),
    ("Kenneth", 6), ("Kevin", 7), ("Brian", 7), ("Timothy", 6), ("Ronald", 5), ("George", 6), ("Jason", 6),
    ("Edward", 6), ("Jeffrey", 5), ("Ryan", 6), ("Jacob", 7), ("Gary", 4), ("Nicholas", 6), ("Eric", 5),
    ("Jonathan", 6), ("Stephen", 4), ("Larry", 3), ("Justin", 4), ("Benjamin", 6), ("Samuel", 5),
    ("Alexander", 6), ("Patrick", 4), ("Gregory", 3), ("Raymond", 3), ("Lawrence", 2), ("Frederick", 2),
    ("Peter", 4), ("Henry", 4), ("Zachary", 3), ("Nathaniel", 2), ("Vincent", 2), ("Douglas", 3), ("Gerald", 2),
    ("Leonard", 2), ("Liam", 6), ("Noah", 6), ("Ethan", 5), ("José", 5), ("Luis", 4), ("Wei", 2), ("Arjun", 2),
    ("Mohammed", 2), ("Chidi", 1), ("Lars", 1), ("Mateo", 2), ("Kai", 1),
)  # fmt: skip

# Formal name -> nicknames people go by (70 names): what they write on forms, receipts and sign-ups.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"), "Elizabeth": ("Liz", "Beth", "Betty"),
    "Richard": ("Rick", "Rich", "Dick"), "James": ("Jim", "Jimmy", "Jamie"), "John": ("Jack", "Johnny"),
    "Michael": ("Mike", "Mikey"), "Joseph": ("Joe", "Joey"), "Thomas": ("Tom", "Tommy"),
    "Charles": ("Charlie", "Chuck"), "Christopher": ("Chris",), "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",),
    "Anthony": ("Tony",), "Steven": ("Steve",), "Stephen": ("Steve",), "Andrew": ("Andy", "Drew"),
    "Edward": ("Ed", "Eddie", "Ted"), "Benjamin": ("Ben", "Benny"), "Samuel": ("Sam",), "Alexander": ("Alex",),
    "Nicholas": ("Nick",), "Jonathan": ("Jon",), "Timothy": ("Tim",), "Patrick": ("Pat",), "Gregory": ("Greg",),
    "Raymond": ("Ray",), "Ronald": ("Ron", "Ronnie"), "Donald": ("Don", "Donnie"), "Kenneth": ("Ken", "Kenny"),
    "Lawrence": ("Larry",), "Gerald": ("Jerry",), "Douglas": ("Doug",), "Peter": ("Pete",),
    "Frederick": ("Fred", "Freddie"), "Henry": ("Hank", "Harry"), "Zachary": ("Zach",), "Nathaniel": ("Nate",),
    "Vincent": ("Vince",), "Leonard": ("Len", "Lenny"), "Jacob": ("Jake",), "Joshua": ("Josh",),
    "Jeffrey": ("Jeff",), "David": ("Dave",), "Jennifer": ("Jen", "Jenny"), "Katherine": ("Kate", "Katie", "Kathy"),
    "Catherine": ("Cathy", "Cate"), "Patricia": ("Pat", "Patty", "Trish"), "Margaret": ("Maggie", "Peggy", "Meg"),
    "Susan": ("Sue", "Susie"), "Deborah": ("Deb", "Debbie"), "Rebecca": ("Becky", "Becca"),
    "Jessica": ("Jess", "Jessie"), "Victoria": ("Vicky", "Tori"), "Christine": ("Chris", "Chrissy"),
    "Stephanie": ("Steph",), "Alexandra": ("Alex", "Lexi"), "Samantha": ("Sam", "Sammy"), "Abigail": ("Abby",),
    "Barbara": ("Barb",), "Dorothy": ("Dot", "Dottie"), "Kimberly": ("Kim",), "Pamela": ("Pam",),
    "Theresa": ("Terri", "Tess"), "Cynthia": ("Cindy",), "Judith": ("Judy",), "Frances": ("Fran",),
    "Amanda": ("Mandy",), "Isabella": ("Bella", "Izzy"), "Olivia": ("Liv",),
}  # fmt: skip

# --- surnames ----------------------------------------------------------------------------------------------

# The 100 most common US surnames with thousands of bearers (2010 census, rounded): about a sixth of people.
COMMON_SURNAMES: tuple[tuple[str, float], ...] = (
    ("Smith", 2442), ("Johnson", 1933), ("Williams", 1625), ("Brown", 1437), ("Jones", 1425), ("Garcia", 1166),
    ("Miller", 1161), ("Davis", 1116), ("Rodriguez", 1094), ("Martinez", 1060), ("Hernandez", 1043),
    ("Lopez", 874), ("Gonzalez", 841), ("Wilson", 801), ("Anderson", 784), ("Thomas", 756), ("Taylor", 751),
    ("Moore", 724), ("Jackson", 708), ("Martin", 702), ("Lee", 693), ("Perez", 681), ("Thompson", 664),
    ("White", 660), ("Harris", 624), ("Sanchez", 612), ("Clark", 562), ("Ramirez", 557), ("Lewis", 531),
    ("Robinson", 529), ("Walker", 523), ("Young", 484), ("Allen", 482), ("King", 465), ("Wright", 458),
    ("Scott", 439), ("Torres", 437), ("Nguyen", 437), ("Hill", 434), ("Flores", 433), ("Green", 430),
    ("Adams", 427), ("Nelson", 424), ("Baker", 419), ("Hall", 407), ("Rivera", 389), ("Campbell", 386),
    ("Mitchell", 385), ("Carter", 376), ("Roberts", 376), ("Gomez", 365), ("Phillips", 351), ("Evans", 343),
    ("Turner", 339), ("Diaz", 331), ("Parker", 325), ("Cruz", 322), ("Edwards", 318), ("Collins", 317),
    ("Reyes", 317), ("Stewart", 312), ("Morris", 303), ("Morales", 300), ("Murphy", 300), ("Cook", 295),
    ("Rogers", 294), ("Gutierrez", 289), ("Ortiz", 283), ("Morgan", 282), ("Cooper", 280), ("Peterson", 279),
    ("Bailey", 278), ("Reed", 277), ("Kelly", 267), ("Howard", 265), ("Ramos", 264), ("Kim", 264), ("Cox", 260),
    ("Ward", 257), ("Richardson", 253), ("Watson", 252), ("Brooks", 251), ("Chavez", 251), ("Wood", 250),
    ("James", 249), ("Bennett", 247), ("Gray", 246), ("Mendoza", 245), ("Ruiz", 244), ("Hughes", 243),
    ("Price", 241), ("Alvarez", 241), ("Castillo", 240), ("Sanders", 237), ("Patel", 236), ("Myers", 230),
    ("Long", 229), ("Ross", 229), ("Foster", 229), ("Jimenez", 227),
)  # fmt: skip
# Rare surnames are built from these parts (1,400 combinations, Zipf-weighted): O'Brien-style and
# double-barrelled names come from the few special entries below.
_SURNAME_HEADS = (
    "Ash", "Black", "Brad", "Cald", "Dun", "Fair", "Gold", "Hart", "Kings", "Lang", "Mar", "Nor", "Oak", "Pem",
    "Ran", "Stan", "Thorn", "Wex", "Whit", "Yar", "Bram", "Crom", "Dal", "Elm", "Fen", "Gar", "Hol", "Kirk",
    "Lind", "Mont", "Pen", "Red", "Sal", "Tal", "Ver", "Wal", "Ber", "Cas", "Hav", "Rud",
)  # fmt: skip
_SURNAME_TAILS = (
    "ford", "ley", "ton", "well", "wood", "by", "field", "man", "son", "er", "more", "ham", "stead", "ridge",
    "worth", "croft", "dale", "wick", "combe", "hurst", "lock", "brook", "mere", "shaw", "ing", "berg", "stein",
    "ski", "ova", "ez", "ini", "sen", "strom", "vik", "ard",
)  # fmt: skip
SPECIAL_SURNAMES = ("O'Brien", "O'Connor", "McDonald", "MacLeod", "Smith-Jones", "De la Cruz", "Van der Berg",
                    "Müller", "Núñez", "D'Angelo", "St. John", "Nakamura-Lee")  # fmt: skip
COMMON_SURNAME_SHARE = 0.62  # the rest comes from the long tail


def rare_surnames() -> list[tuple[str, float]]:
    """The long tail, in a fixed order with Zipf weights (rank r weighs 1/r): a few are fairly common."""
    names = [head + tail for head in _SURNAME_HEADS for tail in _SURNAME_TAILS]
    random.Random(7).shuffle(names)
    names[3:3] = SPECIAL_SURNAMES
    return [(name, 1.0 / rank) for rank, name in enumerate(names, start=1)]


# --- addresses ---------------------------------------------------------------------------------------------

STREET_NAMES = (
    "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Sunset", "Lincoln",
    "Jefferson", "Madison", "Franklin", "Highland", "Church", "Walnut", "Chestnut", "Spring", "Willow", "River",
    "Meadow", "Forest", "Ridge", "Valley", "Mill", "Center", "Broad", "Market", "Union", "Jackson", "Adams",
    "Cherry", "Magnolia", "Birch", "Lakeview", "Orchard", "Harbor", "Prospect", "Summit", "Grant", "Fairview",
)  # fmt: skip
# Street types as written in full, with the abbreviations people and systems use.
STREET_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Street", ("St", "St.", "Str")), ("Avenue", ("Ave", "Ave.", "Av")), ("Road", ("Rd", "Rd.")),
    ("Boulevard", ("Blvd", "Blvd.")), ("Drive", ("Dr", "Dr.")), ("Lane", ("Ln", "Ln.")), ("Court", ("Ct", "Ct.")),
    ("Place", ("Pl", "Pl.")), ("Way", ("Wy",)), ("Terrace", ("Ter", "Terr")),
)  # fmt: skip
UNIT_FORMATS = ("Apt {n}", "Apt. {n}", "#{n}", "Unit {n}", "Suite {n}")


@dataclass(frozen=True)
class City:
    name: str
    state: str
    zip_prefixes: tuple[str, ...]  # three digits; the last two are drawn 01-99
    area_codes: tuple[int, ...]
    weight: float  # rough population, in 100k


CITIES: tuple[City, ...] = (
    City("New York", "NY", ("100", "101", "112", "113"), (212, 646, 718, 917, 347, 929), 83),
    City("Los Angeles", "CA", ("900",), (213, 310, 424, 818), 39),
    City("Chicago", "IL", ("606",), (312, 773, 872), 27),
    City("Houston", "TX", ("770",), (713,), 23),
    City("Phoenix", "AZ", ("850",), (602, 480), 16),
    City("Philadelphia", "PA", ("191",), (215,), 16),
    City("San Antonio", "TX", ("782",), (210,), 15),
    City("San Diego", "CA", ("921",), (619,), 14),
    City("Dallas", "TX", ("752",), (214,), 13),
    City("Austin", "TX", ("787",), (512,), 10),
    City("San Jose", "CA", ("951",), (408,), 10),
    City("Columbus", "OH", ("432",), (614,), 9),
    City("Indianapolis", "IN", ("462",), (317,), 9),
    City("Charlotte", "NC", ("282",), (704,), 9),
    City("San Francisco", "CA", ("941",), (415,), 9),
    City("Seattle", "WA", ("981",), (206,), 7),
    City("Denver", "CO", ("802",), (303, 720), 7),
    City("Nashville", "TN", ("372",), (615,), 7),
    City("Boston", "MA", ("021",), (617,), 7),
    City("Portland", "OR", ("972",), (503, 971), 6),
    City("Las Vegas", "NV", ("891",), (702,), 6),
    City("Detroit", "MI", ("482",), (313,), 6),
    City("Minneapolis", "MN", ("554",), (612,), 4),
    City("Miami", "FL", ("331",), (305, 786), 4),
    City("Atlanta", "GA", ("303",), (404,), 5),
    City("Raleigh", "NC", ("276",), (919,), 5),
    City("Pittsburgh", "PA", ("152",), (412,), 3),
    City("New Orleans", "LA", ("701",), (504,), 4),
    City("Salt Lake City", "UT", ("841",), (801,), 2),
    City("Kansas City", "MO", ("641",), (816,), 5),
    City("Oakland", "CA", ("946",), (510,), 4),
    City("Milwaukee", "WI", ("532",), (414,), 6),
    City("Sacramento", "CA", ("958",), (916,), 5),
    City("Tucson", "AZ", ("857",), (520,), 5),
    City("Honolulu", "HI", ("968",), (808,), 3),
    City("Irvine", "CA", ("926",), (949,), 3),
)
# Every area code above: each accepts exchanges 200-999 (but 555 and N11) with any line number.
AREA_CODES: tuple[int, ...] = tuple(sorted({code for city in CITIES for code in city.area_codes}))
EXCHANGES: tuple[int, ...] = tuple(e for e in range(200, 1000) if e != 555 and e % 100 != 11)

# --- email -------------------------------------------------------------------------------------------------

EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("example.com", 30), ("mail.example.com", 18), ("example.net", 14), ("example.org", 8),
    ("inbox.example.net", 10), ("post.example.org", 6), ("webmail.example.com", 5), ("me.example.net", 4),
)  # fmt: skip
WORK_DOMAINS = ("acme.example.com", "globex.example.net", "initech.example.org", "umbrella.example.com")
# Placeholders typed into forms instead of a real value: all on graphcdp's default blocklist.
JUNK_EMAILS = ("test@test.com", "noemail@noemail.com", "no@email.com", "test@example.com", "none", "n/a", "null",
               "unknown", "NOEMAIL@NOEMAIL.COM")  # fmt: skip
JUNK_PHONES = ("0000000000", "000-000-0000", "000 000 0000", "1234567890", "(123) 456-7890", "n/a", "none")

# --- touchpoints -------------------------------------------------------------------------------------------

SEARCH_TERMS = (
    "running shoes", "rain jacket", "gift card", "wireless headphones", "coffee maker", "yoga mat", "sunglasses",
    "backpack", "winter boots", "phone case", "desk lamp", "kids toys", "wine glasses", "sale", "returns",
)  # fmt: skip
PAGES = ("/", "/sale", "/new", "/women", "/men", "/kids", "/home", "/account", "/cart", "/help", "/stores")
CAMPAIGNS = ("spring-sale", "summer-newsletter", "back-to-school", "black-friday", "holiday-gifts", "win-back",
             "loyalty-points", "new-arrivals")  # fmt: skip
CASE_SUBJECTS = ("where is my order", "return label", "damaged item", "change address", "refund status",
                 "account locked", "unsubscribe", "invoice copy")  # fmt: skip
EVENTS = ("store-opening", "styling-workshop", "wine-tasting", "running-club", "vip-preview")
