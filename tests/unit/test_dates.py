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


@pytest.mark.parametrize(
    ("text", "start", "precision"),
    [
        ("2020-07-16", dt.date(2020, 7, 16), "day"),
        ("2022-07", dt.date(2022, 7, 1), "month"),
        ("2022-7", dt.date(2022, 7, 1), "month"),
        ("July 2022", dt.date(2022, 7, 1), "month"),
        ("2023", dt.date(2023, 1, 1), "year"),
    ],
)
def test_a_partial_date_is_kept_at_its_precision(text, start, precision):
    from search.enrich.dates import parse_published

    assert parse_published(text) == (start, precision)


@pytest.mark.parametrize(("text", "reason"), [("July 16", "lacks a year"),
                                              ("yesterday", "does not parse"),
                                              ("1700", "out of range")])
def test_a_date_without_a_year_is_no_date_and_says_so(text, reason):
    from search.enrich.dates import parse_published

    with pytest.raises(DateError, match=reason):
        parse_published(text)
