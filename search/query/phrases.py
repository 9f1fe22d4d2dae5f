"""Phrases, exact and with slop, from stored positions: vectorised position chains.

An occurrence of a phrase is a chain: its k-th term stands at a position after the
(k-1)-th term's, at most ``slop + 1`` positions after it (an exact phrase: exactly one
after). That is Whoosh's ``Phrase(slop=N + 1)`` (``SpanNear2`` ordered, ``mindist=1``),
which newsdesk's ``"..."~N`` has always meant, so both agree on every query.

Each term's occurrences in the candidate documents become keys
``document << 32 | position``; a key of term k survives when a surviving key of term
k-1 lies ``1..gap`` before it (one ``searchsorted`` per term, no per-document loop). The
last term's survivors give the documents. Walking the chain back keeps only the
occurrences that are part of a whole match: the words a highlighter marks. The cost
follows the candidates' occurrences of the phrase's terms, not the articles' length.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from search.index.postings import FieldPostings

# Keys are document * 2**32 + position: positions stay far below 2**32.
_POSITION_BITS = 32


class Phrase(NamedTuple):
    """A phrase as index terms, and how many extra positions may separate its words."""

    terms: tuple[str, ...]
    slop: int = 0


def docs_with_phrase(
    postings: FieldPostings, terms: Sequence[str], candidates: np.ndarray, slop: int = 0
) -> np.ndarray:
    """The ``candidates`` (sorted docnums) in which ``terms`` stand in order, each at most
    ``slop + 1`` positions after the one before."""
    chain = _forward([_keys(postings, term, candidates) for term in terms], slop + 1)
    return sorted_unique(chain[-1] >> _POSITION_BITS) if chain else np.zeros(0, np.int64)


def phrase_positions(positions: Sequence[np.ndarray], slop: int = 0) -> np.ndarray:
    """Within one document, the positions of the words that are part of an occurrence of
    the phrase, given each of its terms' positions there (sorted)."""
    keys = [sorted_unique(np.asarray(p, np.int64)) for p in positions]
    chain = _forward(keys, slop + 1)
    if not chain:
        return np.zeros(0, np.int64)
    return sorted_unique(np.concatenate(_backward(chain, slop + 1)))


def _keys(postings: FieldPostings, term: str, candidates: np.ndarray) -> np.ndarray:
    owners, positions = postings.positions(term, candidates)
    return sorted_unique((owners.astype(np.int64) << _POSITION_BITS) + positions.astype(np.int64))


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``values`` sorted, each once. Keys arrive sorted (documents ascending, positions
    ascending within each), so this is usually one comparison pass: numpy's own
    ``unique`` hashes, which cost most of a phrase query on common words."""
    if values.size > 1 and not np.all(values[1:] > values[:-1]):
        values = np.sort(values)
        values = values[np.append(True, values[1:] != values[:-1])]
    return values


def _forward(keys: list[np.ndarray], gap: int) -> list[np.ndarray]:
    """Each term's keys that end a chain of the terms before it (empty list: no match)."""
    chain: list[np.ndarray] = []
    for k, current in enumerate(keys):
        if k:
            current = current[_has_before(chain[-1], current, gap)]
        if current.size == 0:
            return []
        chain.append(current)
    return chain


def _backward(chain: list[np.ndarray], gap: int) -> list[np.ndarray]:
    """The chain's keys that also lead on to a whole match."""
    kept = [chain[-1]]
    for current in reversed(chain[:-1]):
        after = kept[-1]
        i = np.searchsorted(after, current + 1)
        ok = i < after.size
        ok[ok] = after[i[ok]] <= current[ok] + gap
        kept.append(current[ok])
    return kept[::-1]


def _has_before(before: np.ndarray, keys: np.ndarray, gap: int) -> np.ndarray:
    """Which ``keys`` have a key of ``before`` (sorted) 1 to ``gap`` smaller, same document."""
    i = np.searchsorted(before, keys - gap)
    ok = i < before.size
    ok[ok] = before[i[ok]] <= keys[ok] - 1
    return ok
