"""Reading a birth date as sent: the date it most likely means, and how it was read."""

from __future__ import annotations

import pytest

from graphcdp.identity.matching.birth_dates import Reading, read_birth_date


@pytest.mark.parametrize(
    ("raw", "value", "reading"),
    [
        ("1942-08-25", "1942-08-25", Reading.ISO),
        ("1942-25-08", "1942-08-25", Reading.SWAPPED),
        ("1942/8/25", "1942-08-25", Reading.LAYOUT),
        ("19420825", "1942-08-25", Reading.LAYOUT),
        ("1942-08-25T00:00:00Z", "1942-08-25", Reading.LAYOUT),
        ("25/08/1942", "1942-08-25", Reading.LAYOUT),  # only day first makes a date
        ("08/25/1942", "1942-08-25", Reading.LAYOUT),  # only month first makes a date
        ("05.08.1942", "1942-08-05", Reading.LAYOUT),  # both would: day first
        ("1990-02-31", "1990-02-31", Reading.DIGITS),  # no such date either way: compared as text
        ("1990-13-45", "1990-13-45", Reading.DIGITS),
        (" 1942-08-25 ", "1942-08-25", Reading.ISO),  # padding is not worth a warning
        ("not known", None, Reading.UNREADABLE),
        ("1942", None, Reading.UNREADABLE),
    ],
)
def test_a_birth_date_is_read_as_the_date_it_most_likely_means(raw: str, value: str | None, reading: Reading) -> None:
    read = read_birth_date(raw)
    assert (read.value, read.reading) == (value, reading)
