"""A search's filters as document masks over a generation's columns.

Outlets are ORed (any of them), entities ANDed (articles mentioning all of them), dates
inclusive. Each mask is computed once per request and shared by matching and by the
facet counts, which need every facet's mask separately (a disjunctive facet is counted
without its own filter).
"""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np

from search.index.columns import NO_DAY, day_number
from search.query.generation import Generation
from search.query.results import FACET_KINDS, Filters


def date_mask(gen: Generation, filters: Filters) -> np.ndarray:
    if filters.date_from is None and filters.date_to is None:
        return gen.live
    # A partial date ("2022-07") stands for its whole period: it is inside the range
    # when all of the period is (a July article is in 2022 and in July, not in 10-20 July).
    day = np.asarray(gen.columns.day)
    mask = day != NO_DAY
    if filters.date_from is not None:
        mask &= day >= day_number(filters.date_from)
    if filters.date_to is not None:
        mask &= np.asarray(gen.columns.day_end) <= day_number(filters.date_to)
    return mask


def facet_mask(gen: Generation, facet: str, filters: Filters) -> np.ndarray:
    """An any-of facet (outlets): any of the values. Entities: all of them."""
    wanted = filters.values(facet)
    if not wanted:
        return gen.live
    kind = FACET_KINDS[facet]
    column = gen.columns.facets[kind.column]
    ords = [column.lookup.exact(v) for v in wanted]
    if kind.any_of:
        found = np.asarray([o for o in ords if o is not None], dtype=np.int64)
        return column.docs_with_any(found, gen.size)
    mask = gen.live.copy()
    for o in ords:
        if o is None:
            return np.zeros(gen.size, bool)
        mask &= column.docs_with_any(np.asarray([o]), gen.size)
    return mask


def parse_period(text: str, end: bool) -> dt.date:
    """ISO date, year-month or year; as an upper bound, the last day of the period."""
    parts = text.strip().split("-")
    try:
        if len(parts) == 1 and len(parts[0]) == 4:
            year = int(parts[0])
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if len(parts) == 2 and len(parts[0]) == 4:
            year, month = int(parts[0]), int(parts[1])
            first = dt.date(year, month, 1)
            if not end:
                return first
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        if len(parts) == 3:
            return dt.date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")

