"""Forward index: each document's sequence of term ids, for exact phrase checks in numpy.

Whoosh verifies a phrase by decoding the positions of every candidate document in
Python, which makes common-word phrases the slowest queries (hundreds of milliseconds
at 100k articles). With each document's terms stored in order as one int32 array, a
phrase is a vectorised comparison of shifted slices over the candidates' sequences.
The sequences come from the stored text through the index's own analyser, word by word:
the same tokens, and the same positions, since stop words are dropped and positions
renumbered exactly as Whoosh's stop filter does.

Layout in ``<generation>/forward/``: ``<field>.offsets.npy`` (int64, docs + 1) and
``<field>.terms.npy`` (int32 ids into the field's posting term list).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from pathlib import Path

import numpy as np

from search.analysis import WORD

FORWARD_DIR = "forward"
# Candidate documents verified per vectorised pass (bounds the temporary arrays).
CHUNK_DOCS = 4000


class ForwardWriter:
    """Builds the forward index from stored documents given in docnum order."""

    def __init__(
        self,
        size: int,
        fields: tuple[str, ...],
        term_ids: dict[str, dict[str, int]],
        analyse: Callable[[str], list[str]],
    ) -> None:
        self.fields = fields
        self.term_ids = term_ids
        self.analyse = analyse
        self.word_cache: dict[str, dict[str, int]] = {f: {} for f in fields}
        self.offsets = {f: np.zeros(size + 1, dtype=np.int64) for f in fields}
        self.sequences = {f: array("i") for f in fields}
        self.done = 0  # documents before this docnum are written (deleted ones as empty)

    def add(self, docnum: int, stored: dict) -> None:
        for f in self.fields:
            self.offsets[f][self.done + 1 : docnum + 1] = len(self.sequences[f])
            ids = self.term_ids[f]
            cache = self.word_cache[f]
            out = self.sequences[f]
            for m in WORD.finditer(stored.get(f, "")):
                word = m.group()
                tid = cache.get(word)
                if tid is None:
                    terms = self.analyse(word)
                    tid = ids.get(terms[0], -1) if len(terms) == 1 else -1
                    cache[word] = tid
                if tid >= 0:
                    out.append(tid)
            self.offsets[f][docnum + 1] = len(out)
        self.done = docnum + 1

    def save(self, generation: Path) -> None:
        base = generation / FORWARD_DIR
        base.mkdir(exist_ok=True)
        for f in self.fields:
            self.offsets[f][self.done + 1 :] = len(self.sequences[f])
            np.save(base / f"{f}.offsets.npy", self.offsets[f])
            np.save(base / f"{f}.terms.npy", np.frombuffer(self.sequences[f], dtype=np.int32))


class ForwardIndex:
    def __init__(self, generation: Path, field: str) -> None:
        base = generation / FORWARD_DIR
        self.offsets: np.ndarray = np.load(base / f"{field}.offsets.npy", mmap_mode="r")
        self.terms: np.ndarray = np.load(base / f"{field}.terms.npy", mmap_mode="r")

    def with_sequence(self, candidates: np.ndarray, phrase: list[int]) -> np.ndarray:
        """The candidates (sorted docnums) whose term sequence contains ``phrase``."""
        found = [self._chunk(candidates[i : i + CHUNK_DOCS], phrase)
                 for i in range(0, candidates.size, CHUNK_DOCS)]
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def sequences(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The documents' term sequences end to end, and the document each position is in."""
        starts = self.offsets[docs]
        lengths = self.offsets[docs + 1] - starts
        total = int(lengths.sum())
        shift = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        sequence = self.terms[np.arange(total, dtype=np.int64) + shift]
        return sequence, np.repeat(docs, lengths)

    def _chunk(self, docs: np.ndarray, phrase: list[int]) -> np.ndarray:
        n = len(phrase)
        sequence, owner = self.sequences(docs)
        total = sequence.size
        if total < n:
            return np.zeros(0, dtype=np.int64)
        window = total - n + 1
        hit = sequence[:window] == phrase[0]
        for k in range(1, n):
            hit &= sequence[k : k + window] == phrase[k]
        hit &= owner[:window] == owner[n - 1 : n - 1 + window]
        return np.unique(owner[:window][hit])
