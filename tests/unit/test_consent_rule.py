"""The rule that decides which consent statement is in force (graphcdp/privacy/consent.py), case by case.

Each case lists statements as (status, at, recorded_at) in any order and names the one in force. The API tests
(tests/api/test_consent_http.py) show the same through setConsent on the real database.
"""

from __future__ import annotations

import itertools

import pytest

from graphcdp.errors import ErrorCode
from graphcdp.model.profiles import ConsentStatement, ConsentStatus
from graphcdp.privacy.consent import ConsentInFutureError, check_not_in_future, effective_consents

G, D, R = ConsentStatus.GRANTED, ConsentStatus.DENIED, ConsentStatus.REVOKED


def statement(n: int, status: ConsentStatus, at: int, recorded_at: int) -> ConsentStatement:
    return ConsentStatement(
        id=f"c:{n}",
        identifier="email:a@b.co",
        purpose="marketing",
        channel="email",
        status=status,
        at=at,
        source=None,
        recorded_at=recorded_at,
    )


CASES = {
    "the latest by at, all recorded in order": ([(G, 10, 10), (R, 20, 20), (G, 30, 30)], 2),
    "a grant back-dated before her revocation, sent after it": ([(R, 20, 20), (G, 15, 30)], 0),
    "a grant dated ahead, recorded before her revocation": ([(G, 25, 10), (R, 20, 20)], 1),
    "a pin dated far ahead, recorded before her revocation": ([(G, 10**15, 10), (R, 20, 20)], 1),
    "a grant at the instant of a denial": ([(D, 20, 30), (G, 20, 40)], 0),
    "a grant dated ahead, recorded at the instant of her revocation": ([(G, 99, 20), (R, 20, 20)], 1),
    "her own grant after revoking": ([(R, 20, 20), (G, 30, 30)], 1),
    "an old revocation delivered late, after her newer grant": ([(G, 30, 30), (R, 20, 40)], 0),
    "a revocation dated ahead counts from its recording too": ([(R, 99, 20), (G, 30, 30)], 1),
}


@pytest.mark.parametrize("case", CASES)
def test_the_statement_in_force(case: str) -> None:
    given, winner = CASES[case]
    statements = [statement(n, *s) for n, s in enumerate(given)]
    for order in itertools.permutations(statements):  # the order they are read in does not matter
        assert effective_consents(order) == [statements[winner]], case


def test_purposes_and_channels_are_decided_apart() -> None:
    email = statement(0, G, 10, 10)
    sms = statement(1, R, 20, 20).model_copy(update={"channel": "sms"})
    assert effective_consents([sms, email]) == [email, sms]


def test_a_statement_dated_beyond_the_skew_is_refused() -> None:
    check_not_in_future(1_300, now=1_000, max_clock_skew_ms=300)  # at the limit: accepted
    with pytest.raises(ConsentInFutureError) as refused:
        check_not_in_future(1_301, now=1_000, max_clock_skew_ms=300)
    assert refused.value.code is ErrorCode.CONSENT_IN_FUTURE
