"""A generation's postings of one field, across its segments, as numpy slices.

Ranking needs a term's documents and frequencies; exact phrases need its positions in
given documents. Both come straight from the segments' memory-mapped arrays (the only
copy of the postings), shifted to the generation's document numbers. Deleted documents
are still in a segment's postings: the query side scores them with a zero length norm
and masks them with ``live``.
"""

from __future__ import annotations

import bisect
from functools import cached_property

import numpy as np

from search.index.csr import gather_index
from search.index.segments import SegmentSet

_EMPTY_DOCS = np.zeros(0, dtype=np.int32)
_EMPTY_TFS = np.zeros(0, dtype=np.float32)
_EMPTY_POSITIONS = np.zeros(0, dtype=np.int64)


class FieldPostings:
    def __init__(self, segments: SegmentSet, field: str) -> None:
        self.field = field
        self.parts = [(a.fields[field], int(base)) for a, base in
                      zip(segments.arrays, segments.bases[:-1], strict=True)]

    @cached_property
    def terms(self) -> list[str]:
        """Every term of the field, sorted (for prefix expansion)."""
        if len(self.parts) == 1:
            return self.parts[0][0].terms
        return sorted({t for fa, _ in self.parts for t in fa.terms})

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Documents and frequencies of ``term`` (empty arrays when absent)."""
        docs, tfs = [], []
        for fa, base in self.parts:
            i = fa.index_of(term)
            if i is not None:
                d, f = fa.postings(i)
                docs.append(d.astype(np.int64) + base if base else d)
                tfs.append(f)
        if not docs:
            return _EMPTY_DOCS, _EMPTY_TFS
        if len(docs) == 1:
            return docs[0], tfs[0]
        return np.concatenate(docs), np.concatenate(tfs)

    def doc_frequency(self, term: str) -> int:
        total = 0
        for fa, _ in self.parts:
            i = fa.index_of(term)
            if i is not None:
                total += int(fa.toff[i + 1] - fa.toff[i])
        return total

    def with_prefix(self, prefix: str) -> list[str]:
        lo = bisect.bisect_left(self.terms, prefix)
        hi = bisect.bisect_left(self.terms, prefix + "\uffff")
        return self.terms[lo:hi]

    def positions(self, term: str, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each position of ``term`` in the ``candidates`` (sorted docnums), with its document.

        The candidates are looked up in the term's documents (``searchsorted``), so ten
        hits of a page cost ten binary searches, not a pass over a common term's postings.
        """
        candidates = np.asarray(candidates, np.int64)
        owners, positions = [], []
        for fa, base in self.parts:
            i = fa.index_of(term)
            if i is None or fa.pos is None:
                continue
            lo, hi = np.searchsorted(candidates, [base, base + len(fa.lengths)])
            if lo == hi:
                continue
            local = candidates[lo:hi] - base
            start, end = int(fa.toff[i]), int(fa.toff[i + 1])
            docs = np.asarray(fa.docs[start:end])
            at = np.searchsorted(docs, local)
            found = at < docs.size
            found[found] = docs[at[found]] == local[found]
            wanted = at[found]
            if wanted.size == 0:
                continue
            first = np.asarray(fa.poff[start:end + 1], np.int64)
            starts, counts = first[wanted], first[wanted + 1] - first[wanted]
            positions.append(np.asarray(fa.pos)[gather_index(starts, counts)])
            owners.append(np.repeat(local[found] + base, counts))
        if not owners:
            return np.zeros(0, np.int64), np.zeros(0, np.int32)
        return np.concatenate(owners), np.concatenate(positions)

    def doc_positions(self, term: str, docnum: int) -> np.ndarray:
        """The positions of ``term`` in one document (empty when it is not there)."""
        fa, local = self._part_of(docnum)
        i = fa.index_of(term)
        if i is None or fa.pos is None:
            return _EMPTY_POSITIONS
        start, end = int(fa.toff[i]), int(fa.toff[i + 1])
        at = start + int(np.searchsorted(fa.docs[start:end], local))
        if at == end or int(fa.docs[at]) != local:
            return _EMPTY_POSITIONS
        return np.asarray(fa.pos[int(fa.poff[at]):int(fa.poff[at + 1])], np.int64)

    def char_starts(self, docnum: int, positions: np.ndarray) -> np.ndarray:
        """The character offsets of the words at ``positions`` in document ``docnum``."""
        fa, local = self._part_of(docnum)
        return fa.char_starts(local, positions)

    def _part_of(self, docnum: int):
        """The segment's field arrays holding ``docnum``, and its number there."""
        k = bisect.bisect_right(self._bases, docnum) - 1
        if k < 0 or docnum - self._bases[k] >= len(self.parts[k][0].lengths):
            raise IndexError(docnum)
        fa, base = self.parts[k]
        return fa, docnum - base

    @cached_property
    def _bases(self) -> list[int]:
        return [base for _, base in self.parts]
