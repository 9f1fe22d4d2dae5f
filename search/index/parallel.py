"""Work spread over the build's processes, results in input order, memory bounded.

Both stages of a build that cost per article (enrichment, and inversion into segments)
run here: a pool of ``processes`` workers (forked, so they start with the parent's
rules already loaded), at most ``AHEAD`` tasks per worker in flight, so an archive of
any size streams through in a fixed amount of memory. One process means no pool at all.
"""

from __future__ import annotations

import collections
import concurrent.futures
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
AHEAD = 2


def ordered_map(fn: Callable[[T], R], items: Iterable[T], processes: int) -> Iterator[R]:
    if processes < 2:
        yield from map(fn, items)
        return
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(processes, mp_context=context) as pool:
        pending: collections.deque = collections.deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= AHEAD * processes:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
