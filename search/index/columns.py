"""Per-generation columns: each document's date, outlet, entities and field lengths as arrays.

Facet counts over every match, date histograms, filters and date sorting all ask the
same question of thousands of documents per query. Asking Whoosh document by document
costs a Python call each (``groupedby`` facets take a second at 10k articles); asking a
numpy array costs microseconds. A generation never changes once published, so the
arrays are computed once, when a segment is written (``search.index.segment``), and a
generation puts its segments' arrays end to end when a worker opens it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from search.index.csr import gather_index
from search.index.invert import quantised_lengths
from search.index.schema import TEXT_FIELDS
from search.index.values import ValueIndex
from search.models import ENTITY_TYPES

if TYPE_CHECKING:
    from search.index.segments import SegmentSet

FACETS = ("outlet", *ENTITY_TYPES)
NO_DAY = np.iinfo(np.int32).min
EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class FacetColumn:
    """One facet as CSR: document ``d`` has ordinals ``ords[offsets[d]:offsets[d+1]]``."""

    values: tuple[str, ...]
    offsets: np.ndarray
    ords: np.ndarray
    # A generation's column made of its segments' (``unite``): each segment's column, its
    # values' ordinals here, and its first document here. Filters read the segments'
    # own inverted lists, which stay cached while a segment lives, across generations.
    parts: tuple = field(default=(), compare=False, repr=False)

    def counts(self, docs: np.ndarray) -> np.ndarray:
        """How many of ``docs`` carry each value (a document counts once per value)."""
        if docs.size == 0:
            return np.zeros(len(self.values), dtype=np.int64)
        starts = self.offsets[docs]
        lengths = self.offsets[docs + 1] - starts
        if int(lengths.sum()) == 0:
            return np.zeros(len(self.values), dtype=np.int64)
        picked = self.ords[gather_index(starts, lengths)]
        return np.bincount(picked, minlength=len(self.values))

    def docs_with_any(self, ordinals: np.ndarray, size: int) -> np.ndarray:
        """Boolean mask of documents carrying at least one of ``ordinals``."""
        ordinals = np.asarray(ordinals, np.int64)
        mask = np.zeros(size, dtype=bool)
        if not ordinals.size:
            return mask
        if not self.parts:
            mask[self._docs_of(ordinals)] = True
            return mask
        for column, remap, base in self.parts:
            at = np.searchsorted(remap, ordinals)  # both value lists are sorted
            there = at < remap.size
            there[there] = remap[at[there]] == ordinals[there]
            if there.any():
                mask[base + column._docs_of(at[there])] = True
        return mask

    def _docs_of(self, ordinals: np.ndarray) -> np.ndarray:
        docs, starts = self.docs_by_value
        first, last = starts[ordinals], starts[ordinals + 1]
        return docs[gather_index(first, last - first)]

    @cached_property
    def docs_by_value(self) -> tuple[np.ndarray, np.ndarray]:
        """The column inverted: value ``v``'s documents are ``docs[starts[v]:starts[v+1]]``,
        ascending. Built once per opened generation (a stable sort of the ordinals), so a
        filter costs the documents of its values, not a pass over every document's."""
        ords = np.asarray(self.ords)
        owner = np.repeat(np.arange(len(self.offsets) - 1, dtype=np.int32),
                          np.diff(np.asarray(self.offsets)))
        docs = owner[np.argsort(ords, kind="stable")]
        starts = np.zeros(len(self.values) + 1, np.int64)
        np.cumsum(np.bincount(ords, minlength=len(self.values)), out=starts[1:])
        return docs, starts

    def names_of(self, doc: int) -> list[str]:
        """Document ``doc``'s values, in the order they were given."""
        start, end = int(self.offsets[doc]), int(self.offsets[doc + 1])
        return [self.values[o] for o in self.ords[start:end]]

    @cached_property
    def document_frequency(self) -> np.ndarray:
        return np.bincount(self.ords, minlength=len(self.values))

    @cached_property
    def lookup(self) -> ValueIndex:
        return ValueIndex(self.values)


class Columns:
    """A generation's columns: its segments' columns end to end, in document order.

    Facet values are per segment; here they are united into one sorted list and each
    segment's ordinals mapped onto it, so a facet counts across segments in one pass.
    """

    def __init__(self, segments: SegmentSet) -> None:
        arrays = segments.arrays
        self.live: np.ndarray = segments.live
        self.size = segments.size
        self.day: np.ndarray = _concat([a.day for a in arrays], np.int32)
        # The last day of the period each date stands for (itself, for a full date).
        self.day_end: np.ndarray = period_ends(self.day, _concat([a.span for a in arrays],
                                                                 np.uint8))
        self.lengths = {
            f: quantised_lengths(_concat([a.fields[f].lengths for a in arrays], np.int32))
            for f in TEXT_FIELDS
        }
        self.facets = {f: unite([a.facets[f] for a in arrays]) for f in FACETS}


def unite(columns: Sequence[FacetColumn], keep: Sequence[np.ndarray] | None = None
          ) -> FacetColumn:
    """Several segments' column of one facet end to end, on one sorted list of values
    (each segment's ordinals mapped onto it); ``keep`` selects each one's rows."""
    values = sorted({v for c in columns for v in c.values})
    ordinal = {v: i for i, v in enumerate(values)}
    ords, sizes, parts = [], [], []
    base = 0
    for i, c in enumerate(columns):
        remap = np.fromiter((ordinal[v] for v in c.values), np.int64, len(c.values))
        offsets = np.asarray(c.offsets, np.int64)
        starts, counts = offsets[:-1], np.diff(offsets)
        parts.append((c, remap, base))
        base += counts.size
        if keep is not None:
            starts, counts = starts[keep[i]], counts[keep[i]]
        ords.append(remap[np.asarray(c.ords)[gather_index(starts, counts)]])
        sizes.append(counts)
    all_sizes = _concat(sizes, np.int64)
    offsets = np.zeros(all_sizes.size + 1, np.int64)
    np.cumsum(all_sizes, out=offsets[1:])
    # Rows selected by ``keep`` (a merge) no longer line up with the segments'.
    return FacetColumn(tuple(values), offsets, _concat(ords, np.int32),
                       tuple(parts) if keep is None else ())


def _concat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def period_ends(day: np.ndarray, span: np.ndarray) -> np.ndarray:
    """The last day of each date's period: of its month (span 1) or its year (span 2)."""
    start = np.asarray(day, np.int64).astype("datetime64[D]")
    month_end = ((start.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1)
    year_end = ((start.astype("datetime64[Y]") + 1).astype("datetime64[D]") - 1)
    end = np.where(span == 1, month_end, np.where(span == 2, year_end, start))
    out = end.astype(np.int64).astype(np.int32)
    out[np.asarray(day) == NO_DAY] = NO_DAY
    return out


def day_number(date: dt.date) -> int:
    return (date - EPOCH).days
