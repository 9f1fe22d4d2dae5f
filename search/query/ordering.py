"""The order of results: relevance (optionally blended with recency) or date, and paging.

Only the requested page is sorted in full: a partial partition first keeps the
candidates that can reach it, so a deep archive's broad query does not pay for
sorting every match.
"""

from __future__ import annotations

import numpy as np

from search.index.columns import NO_DAY
from search.query.generation import Generation
from search.query.results import SearchRequest


def blend_recency(gen: Generation, score: np.ndarray, half_life: float | None) -> np.ndarray:
    """Scores halved for every ``half_life`` days of age; undated articles count as oldest."""
    if half_life is None:
        return score
    day = np.asarray(gen.columns.day).astype(np.float64)
    known = day != NO_DAY
    newest = day[known & gen.live].max() if np.any(known & gen.live) else 0.0
    oldest = day[known & gen.live].min() if np.any(known & gen.live) else 0.0
    # An article of unknown date is treated as the oldest one: never promoted.
    age = np.where(known, newest - day, newest - oldest)
    # A tiny half-life makes ``age / half_life`` overflow to infinity: 0.5 ** inf is 0,
    # the score an article that many half-lives old deserves.
    with np.errstate(over="ignore"):
        return (score * np.power(0.5, age / half_life)).astype(np.float32)


def page_of(
    gen: Generation, docs: np.ndarray, scores: np.ndarray, request: SearchRequest
) -> np.ndarray:
    """The document numbers of the requested page, in order; ties broken by date, id."""
    start = (request.page - 1) * request.page_size
    stop = start + request.page_size
    if start >= docs.size:
        return np.zeros(0, dtype=np.int64)
    day = np.asarray(gen.columns.day)[docs].astype(np.int64)
    newest_first = np.where(day == NO_DAY, np.iinfo(np.int64).max, -day)
    if request.sort == "relevance":
        primary = -scores[docs].astype(np.float64)
        secondary = newest_first
    elif request.sort == "newest":
        primary, secondary = newest_first, -scores[docs].astype(np.float64)
    else:
        oldest_first = np.where(day == NO_DAY, np.iinfo(np.int64).max, day)
        primary, secondary = oldest_first, -scores[docs].astype(np.float64)
    if docs.size > 4 * stop:
        # Only candidates that can reach the page need a full sort: everything at or
        # above the stop-th primary key (ties included, so the order stays exact).
        cut = np.partition(primary, stop - 1)[stop - 1]
        keep = primary <= cut
        docs, primary, secondary = docs[keep], primary[keep], secondary[keep]
    order = np.lexsort((docs, secondary, primary))
    return docs[order][start:stop]
