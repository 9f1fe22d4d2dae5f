"""Facet counts over every match, the date histogram, and facet values by prefix."""

from __future__ import annotations

import numpy as np

from search.index.columns import NO_DAY, FacetColumn
from search.query.generation import Generation
from search.query.names import QueryNames
from search.query.results import FACET_FIELDS, FACETS, DateBucket, Facet, FacetValue, Filters


def facet_counts(
    gen: Generation, base: np.ndarray, facet_masks: dict[str, np.ndarray], filters: Filters,
    size: int,
) -> dict[str, Facet]:
    """Counts over all matches; each facet ignores its own filter if it is an OR facet."""
    result = {}
    for kind in FACETS:
        facet = kind.name
        mask = base.copy()
        for other, other_mask in facet_masks.items():
            if other != facet or not kind.any_of:
                mask &= other_mask
        column = gen.columns.facets[kind.column]
        counts = column.counts(np.flatnonzero(mask))
        # The values the filter applied: it matches case-insensitively, or by a
        # unique part of a name, so "putin" selects "Vladimir Putin".
        selected = {
            v if (o := column.lookup.exact(v)) is None else column.values[o]
            for v in filters.values(facet)
        }
        result[facet] = top_values(column, counts, selected, size)
    return result


def date_buckets(gen: Generation, docs: np.ndarray, interval: str) -> list[DateBucket]:
    """Counts per year or month, in order, then undated articles (key None).

    By month, an article dated only by its year has no month to go in: it is counted in
    a bucket of its year ("2023"), after that year's months, never in January. Counted on
    integers (years or months since 1970), so a histogram over 90,000 matches costs a
    bincount, not a string per article.
    """
    day = np.asarray(gen.columns.day)[docs]
    known = day != NO_DAY
    buckets: list[DateBucket] = []
    if known.any():
        start = day[known].astype("datetime64[D]")
        years = start.astype("datetime64[Y]").astype(np.int64)
        if interval == "year":
            buckets = [DateBucket(str(1970 + y), c) for y, c in _counted(years)]
        else:
            yearly = (np.asarray(gen.columns.day_end)[docs][known] - day[known]) > 31
            months = start[~yearly].astype("datetime64[M]").astype(np.int64)
            keyed = [((m // 12, 0, m % 12), f"{1970 + m // 12:04d}-{m % 12 + 1:02d}", c)
                     for m, c in _counted(months)]
            keyed += [((y, 1, 0), f"{1970 + y:04d}", c) for y, c in _counted(years[yearly])]
            buckets = [DateBucket(label, c) for _, label, c in sorted(keyed)]
    unknown = int(day.size - known.sum())
    if unknown:
        buckets.append(DateBucket(None, unknown))
    return buckets


def _counted(keys: np.ndarray) -> list[tuple[int, int]]:
    """(key, count) for each distinct integer key, ascending."""
    if not keys.size:
        return []
    low = int(keys.min())
    counts = np.bincount(keys - low)
    present = np.flatnonzero(counts)
    return [(int(k) + low, int(counts[k])) for k in present]


def values_with_prefix(gen: Generation, facet: str, prefix: str, size: int,
                       names: QueryNames | None = None) -> Facet:
    """Values of a facet whose name, or a word in it, starts with ``prefix``; with
    ``names``, also those a known variant (alias, transliteration) starting so names."""
    column = gen.columns.facets[FACET_FIELDS[facet]]
    counts = column.document_frequency
    ords = column.lookup.with_prefix(prefix)
    if names is not None and prefix.strip():
        ords = sorted({*ords, *names.with_prefix(FACET_FIELDS[facet], prefix)})
    chosen = np.zeros(len(column.values), dtype=np.int64)
    if ords:
        chosen[ords] = counts[ords]
    return top_values(column, chosen, set(), size)


def top_values(column: FacetColumn, counts: np.ndarray, selected: set[str], size: int) -> Facet:
    """The ``size`` values with most articles, ties by name (ordinals are in name order)."""
    values = column.values
    nonzero = np.flatnonzero(counts)
    if nonzero.size > size:
        kth = np.partition(-counts[nonzero], size - 1)[size - 1] if size else 0
        candidates = nonzero[-counts[nonzero] <= kth]
    else:
        candidates = nonzero
    top = candidates[np.lexsort((candidates, -counts[candidates]))][:size]
    chosen = [FacetValue(values[i], int(counts[i]), values[i] in selected) for i in top]
    shown = {v.value for v in chosen}
    for value in sorted(selected - shown):  # a selected value always shows, even at zero
        index = column.lookup.exact(value)
        count = int(counts[index]) if index is not None else 0
        chosen.append(FacetValue(values[index] if index is not None else value, count, True))
    return Facet(chosen, truncated=nonzero.size > size)
