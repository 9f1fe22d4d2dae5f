"""A segment's article ids as a sorted table read in place.

An update looks up each changed article's id in every segment. With the ids stored as a
JSON list, each lookup first parsed all of them: 40 ms of a 10-article update at 100,000
articles, and ten times that at a million, for a change of the same size. Here the
sorted ids are one UTF-8 blob and an array of offsets, both memory-mapped; a lookup is
a binary search that decodes the twenty or so ids it visits. (The text fields'
vocabularies stay JSON: a search reads them whole, once per segment.)
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import overload

import numpy as np


def save_sorted_terms(blob_path: Path, offsets_path: Path, terms: Sequence[str]) -> None:
    """Write sorted ``terms`` as one blob and the offsets of each term's bytes in it."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in terms]
    offsets = np.zeros(len(encoded) + 1, np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    blob_path.write_bytes(b"".join(encoded))
    np.save(offsets_path, offsets)


class SortedTerms(Sequence[str]):
    """The terms written by ``save_sorted_terms``, as a read-only sorted sequence (so
    ``bisect`` searches it and iteration yields them in order).

    A few lookups (a feed update's) each decode the ids a binary search visits; many (a
    re-crawl compares every record of the archive) would pay that per id, so after
    ``DECODE_AFTER`` lookups the table is decoded once, whole, and searched as a list.
    """

    DECODE_AFTER = 64

    def __init__(self, blob_path: Path, offsets_path: Path) -> None:
        self._offsets = np.load(offsets_path, mmap_mode="r")
        size = blob_path.stat().st_size
        self._blob = (np.memmap(blob_path, np.uint8, mode="r") if size
                      else np.zeros(0, np.uint8))  # an empty file cannot be mapped
        self._lookups = 0
        self._decoded: list[str] | None = None

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i):
        if self._decoded is not None:
            return self._decoded[i]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        start, end = int(self._offsets[i]), int(self._offsets[i + 1])
        return self._blob[start:end].tobytes().decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        return iter(self.decoded())

    def decoded(self) -> list[str]:
        """Every term, decoded once (and kept)."""
        if self._decoded is None:
            blob = self._blob.tobytes()
            bounds = self._offsets.tolist()
            self._decoded = [blob[a:b].decode("utf-8", "surrogatepass")
                             for a, b in itertools.pairwise(bounds)]
        return self._decoded

    def index_of(self, term: str) -> int | None:
        self._lookups += 1
        terms = self.decoded() if self._lookups > self.DECODE_AFTER else self
        i = bisect.bisect_left(terms, term)
        return i if i < len(terms) and terms[i] == term else None
