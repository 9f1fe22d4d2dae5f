"""Exact phrases from stored positions: intersect the terms' positions, vectorised.

A phrase holds in a document when its k-th term stands at position p + k for some p.
Each term's positions in the candidate documents become keys (document, position - k);
the phrase's documents are those of the keys every term shares. The cost follows the
candidates' occurrences of the phrase's terms, not the length of the articles.
"""

from __future__ import annotations

import numpy as np

from search.index.postings import FieldPostings

# Keys are document * 2**32 + start position: positions stay far below 2**32.
_POSITION_BITS = 32


def docs_with_phrase(
    postings: FieldPostings, terms: list[str], candidates: np.ndarray
) -> np.ndarray:
    """The ``candidates`` (sorted docnums) in which ``terms`` stand next to each other."""
    keys: np.ndarray | None = None
    for k, term in enumerate(terms):
        owners, positions = postings.positions(term, candidates)
        positions = positions.astype(np.int64)
        starts = positions >= k  # an occurrence before position k cannot be the k-th word
        key = (owners[starts] << _POSITION_BITS) + (positions[starts] - k)
        keys = np.unique(key) if keys is None else np.intersect1d(keys, key)
        if keys.size == 0:
            break
    if keys is None:
        return np.zeros(0, np.int64)
    return np.unique(keys >> _POSITION_BITS)
