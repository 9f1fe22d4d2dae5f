"""Publication dates: explicit metadata first, then a dateline that names a full date.

A wrong date is worse than none: it misplaces the article in every date filter and
histogram. So a date is never completed from the day of indexing (what ``dateutil``
does by default), nor to a made-up day: metadata that gives only a year or a year and
month ("2023", "2022-07", "July 2022") is kept at that precision (``parse_published``),
and one without a year ("July 16") is no date. A dateline must name a full date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from dateutil import parser as dateutil_parser

# Dates outside this range are typos or placeholders (0001-01-01, 2999-12-31).
EARLIEST = dt.date(1800, 1, 1)
LATEST_YEARS_AHEAD = 1

# Two defaults that differ in every component: a field the text does not give comes
# out different under each, which is how an incomplete date is detected.
_DEFAULT_A = dt.datetime(2001, 1, 1)
_DEFAULT_B = dt.datetime(2002, 2, 2)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")

# "MOSCOW, July 16, 2020 (Reuters) -", "LONDON, 3 March 2021 -": a city in capitals,
# a comma, then a date. Only the first 120 characters of a paragraph are looked at.
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'\- ]{1,40}(?:,\s*[A-Z][A-Za-z.\- ]{1,30})?),\s*"
    r"(?P<date>(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4})|(?:\d{1,2}\s+[A-Z][a-z]{2,8}\.?,?\s+\d{4}))"
)


class DateError(ValueError):
    """A date string that is not a complete, plausible calendar date."""


def parse_date(text: str, today: dt.date | None = None) -> dt.date:
    """Parse an explicit date; raises ``DateError`` with a reason users can act on."""
    value = text.strip()
    if not value:
        raise DateError("empty date")
    try:
        if _ISO_DATE.match(value):
            parsed = dateutil_parser.isoparse(value).date()
        else:
            a = dateutil_parser.parse(value, default=_DEFAULT_A, dayfirst=False)
            b = dateutil_parser.parse(value, default=_DEFAULT_B, dayfirst=False)
            if a.date() != b.date():
                raise DateError(f"date {value!r} lacks a year, month or day")
            parsed = a.date()
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, DateError):
            raise
        raise DateError(f"date {value!r} does not parse") from None
    latest = (today or dt.date.today()).replace(month=12, day=31)
    latest = latest.replace(year=latest.year + LATEST_YEARS_AHEAD)
    if not EARLIEST <= parsed <= latest:
        raise DateError(f"date {value!r} is out of range {EARLIEST.year}-{latest.year}")
    return parsed


PRECISIONS = ("day", "month", "year")
_YEAR_ONLY = re.compile(r"^\d{4}$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_published(text: str, today: dt.date | None = None) -> tuple[dt.date, str]:
    """A metadata date at the precision it was given: (the period's first day, one of
    ``PRECISIONS``). Raises ``DateError`` when it has no year or does not parse."""
    value = text.strip()
    try:
        return parse_date(value, today), "day"
    except DateError as exc:
        full_error = exc
    try:
        if _YEAR_ONLY.match(value):
            start, precision = dt.date(int(value), 1, 1), "year"
        elif m := _YEAR_MONTH.match(value):
            start, precision = dt.date(int(m.group(1)), int(m.group(2)), 1), "month"
        else:
            a = dateutil_parser.parse(value, default=_DEFAULT_A)
            b = dateutil_parser.parse(value, default=_DEFAULT_B)
            if a.year != b.year:
                raise DateError(f"date {value!r} lacks a year")
            if a.month != b.month:
                start, precision = dt.date(a.year, 1, 1), "year"
            else:  # the day is what is missing (a full date parsed above)
                start, precision = dt.date(a.year, a.month, 1), "month"
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, DateError):
            raise
        raise full_error from None
    latest = (today or dt.date.today()).year + LATEST_YEARS_AHEAD
    if not EARLIEST.year <= start.year <= latest:
        raise DateError(f"date {value!r} is out of range {EARLIEST.year}-{latest}")
    return start, precision


def period_end(start: dt.date, precision: str) -> dt.date:
    """The last day of the period a date stands for."""
    if precision == "year":
        return dt.date(start.year, 12, 31)
    if precision == "month":
        return dt.date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    return start


def period_label(start: dt.date, precision: str) -> str:
    """The date as it was given: "2023", "2022-07" or "2022-07-16"."""
    return {"year": f"{start.year:04d}", "month": f"{start.year:04d}-{start.month:02d}"}.get(
        precision, start.isoformat())


def dateline_date(paragraphs: list[str]) -> dt.date | None:
    """The full date of a dateline in the first paragraphs, if one carries it."""
    for paragraph in paragraphs[:3]:
        match = _DATELINE.match(paragraph[:120])
        if match:
            try:
                return parse_date(match.group("date"))
            except DateError:
                return None
    return None
