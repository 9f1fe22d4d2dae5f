"""Inversion in bulk: a batch of texts becomes postings with positions, in numpy.

Whoosh's writer costs a Python call (and a pickle) per posting. Here the words of a whole
batch are found and interned in numpy (``search.index.words``), each *distinct* word is
analysed once (``search.analysis``: lower case, stop words, stem, fold) into a term id,
and the postings come from one stable sort of the term ids: documents ascending within
a term and positions ascending within a document, as Whoosh's own writer leaves them.

Positions follow Whoosh's ``StopFilter(renumber=True)``: the first kept word keeps its
place, the words after it are numbered on from there, so stop words never break a
phrase ("bank of england" is "bank england").

Each kept word's character offset in its text is kept too (``coff``), in document and
position order, so a highlighter finds a match's characters from its position without
reading the text again (Lucene keeps offsets in its postings for the same reason): they
come with the words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from whoosh.util.numeric import byte_to_length, length_to_byte

from search.index.csr import row_starts
from search.index.words import intern_words


@dataclass
class InvertedField:
    """One field of one batch, inverted. Term ``i``'s postings are ``toff[i]:toff[i+1]``.

    ``docs`` ascend within each term; posting ``k``'s positions are
    ``pos[poff[k]:poff[k+1]]`` and its frequency ``tfs[k]`` is their count (``tfs`` is
    not saved: the count is ``poff``'s difference).
    ``lengths`` is each document's token count as Whoosh stores it (one byte,
    quantised), which BM25F normalises by.
    """

    terms: list[str]
    toff: np.ndarray
    docs: np.ndarray
    tfs: np.ndarray
    poff: np.ndarray
    pos: np.ndarray
    lengths: np.ndarray
    total_length: int
    # Character offset of each kept word, document by document in position order:
    # document ``d``'s words are ``coff[c:c + lengths[d]]`` with ``c`` the sum of the
    # lengths before it, and the word at position ``p`` is the ``p - first[d]``-th.
    coff: np.ndarray | None = None
    first: np.ndarray | None = None
    # The surface words before analysis (not saved): each distinct word once, and every
    # token as an id into them, document by document (``raw_lengths`` tokens each).
    words: list[str] = field(default_factory=list)
    word_ids: np.ndarray | None = None
    raw_lengths: np.ndarray | None = None


def invert(texts: Sequence[str], term_of: Callable[[str], str | None]) -> InvertedField:
    """Postings of ``texts`` (document ``d`` is ``texts[d]``); ``term_of`` analyses a word."""
    n = len(texts)
    words, word_ids, raw_lengths, coff = intern_words(texts)
    words_terms = [term_of(w) for w in words]
    terms = sorted({t for t in words_terms if t is not None})
    term_id = {t: i for i, t in enumerate(terms)}
    word_to_term = np.fromiter(
        (-1 if t is None else term_id[t] for t in words_terms), np.int64, len(words_terms)
    )
    tids = word_to_term[word_ids] if word_ids.size else np.zeros(0, np.int64)

    docs = np.repeat(np.arange(n, dtype=np.int64), raw_lengths)
    raw_pos = np.arange(tids.size, dtype=np.int64) - np.repeat(row_starts(raw_lengths), raw_lengths)
    kept = tids >= 0
    tids, docs, raw_pos, coff = tids[kept], docs[kept], raw_pos[kept], coff[kept]
    lengths = np.bincount(docs, minlength=n).astype(np.int64)
    # Renumbered as Whoosh's stop filter does: the first kept word keeps its position.
    kept_starts = row_starts(lengths)
    first = np.zeros(n, np.int64)
    has_words = lengths > 0
    first[has_words] = raw_pos[kept_starts[has_words]]
    pos = np.arange(tids.size, dtype=np.int64) - np.repeat(kept_starts, lengths)
    pos += np.repeat(first, lengths)

    # Input is in (doc, position) order already; a stable sort by term keeps it. With
    # fewer than 65,536 terms (a batch of news usually) the keys fit two bytes, where
    # numpy's stable sort is a radix sort, five times faster than on int64.
    keys = tids.astype(np.uint16) if len(terms) <= np.iinfo(np.uint16).max else tids
    order = np.argsort(keys, kind="stable")
    tids, docs, pos = tids[order], docs[order], pos[order]
    starts = np.ones(tids.size, bool)
    if tids.size:
        starts[1:] = (tids[1:] != tids[:-1]) | (docs[1:] != docs[:-1])
    first_of_posting = np.flatnonzero(starts)
    poff = np.append(first_of_posting, tids.size)
    posting_terms = tids[first_of_posting]
    toff = np.searchsorted(posting_terms, np.arange(len(terms) + 1)).astype(np.int64)
    return InvertedField(
        terms=terms,
        toff=toff,
        docs=docs[first_of_posting].astype(np.int32),
        tfs=np.diff(poff).astype(np.float32),
        poff=poff.astype(offset_dtype(tids.size)),
        pos=pos.astype(position_dtype(int(pos.max()) if pos.size else 0)),
        lengths=lengths.astype(np.int32),
        total_length=int(lengths.sum()),
        coff=coff.astype(position_dtype(int(coff.max()) if coff.size else 0)),
        first=first.astype(np.int32),
        words=words,
        word_ids=word_ids,
        raw_lengths=raw_lengths,
    )


def position_dtype(largest: int) -> type:
    """Positions in two bytes while the longest text allows it (articles rarely pass 65k)."""
    return np.uint16 if largest < 2**16 else np.uint32


def offset_dtype(total: int) -> type:
    """Offsets into arrays of ``total`` items: 4 bytes while they fit, else 8."""
    return np.uint32 if total < 2**32 else np.int64


_LENGTHS = np.array([byte_to_length(length_to_byte(i)) for i in range(1 << 16)], np.int32)


def quantised_lengths(lengths: np.ndarray) -> np.ndarray:
    """Whoosh keeps a document's field length in one byte; BM25F sees that value."""
    lengths = np.asarray(lengths, np.int64)
    out = np.empty(lengths.size, np.int32)
    small = lengths < _LENGTHS.size
    out[small] = _LENGTHS[lengths[small]]
    out[~small] = [byte_to_length(length_to_byte(int(x))) for x in lengths[~small]]
    return out
