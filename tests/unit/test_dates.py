"""Dates: complete and plausible, or none; never the day of indexing."""

import datetime as dt

import pytest

from search.enrich.dates import DateError, dateline_date, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-07-16", dt.date(2020, 7, 16)),
        ("2020-07-16T10:30:00Z", dt.date(2020, 7, 16)),
        ("July 16, 2020", dt.date(2020, 7, 16)),
        ("16 July 2020", dt.date(2020, 7, 16)),
        ("Thu, 16 Jul 2020 10:00:00 +0000", dt.date(2020, 7, 16)),
    ],
)
def test_complete_dates_parse(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["July 16", "2020", "2020-07", "yesterday", "", "32/13/2020", "0001-01-01"]
)
def test_incomplete_or_bad_dates_are_rejected(text):
    with pytest.raises(DateError):
        parse_date(text)


def test_far_future_date_is_rejected():
    with pytest.raises(DateError, match="out of range"):
        parse_date("2999-01-01", today=dt.date(2026, 11, 23))


def test_dateline_with_year_gives_the_date():
    assert dateline_date(["WASHINGTON, March 3, 2021 (Reuters) - The Fed said"]) == dt.date(
        2021, 3, 3
    )


def test_dateline_without_year_gives_nothing():
    assert dateline_date(["MOSCOW, July 16. /TASS/. Russian Deputy Foreign Minister"]) is None
    assert dateline_date(["MOSCOW, Russia \u2014 Moscow on Saturday accused"]) is None
