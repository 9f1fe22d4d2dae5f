"""Work spread over the build's processes, results in input order, memory bounded.

Both stages of a build that cost per article (enrichment, and inversion into segments)
run here: a pool of ``processes`` workers (forked, so they start with the parent's
rules already loaded), at most ``AHEAD`` tasks per worker in flight, so an archive of
any size streams through in a fixed amount of memory. One process, or a single task (an
update of a few articles), means no pool at all: starting one costs more than the task.
"""

from __future__ import annotations

import collections
import concurrent.futures
import itertools
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()
R = TypeVar("R")
AHEAD = 2


def ordered_map(fn: Callable[[T], R], items: Iterable[T], processes: int,
                is_last: Callable[[T], bool] | None = None) -> Iterator[R]:
    """``map(fn, items)`` over ``processes`` workers, results in order.

    ``is_last`` tells from an item alone that nothing follows it (a short batch): then a
    single task runs here without a pool, and otherwise the pool starts on the first
    item instead of waiting for a second one to be read.
    """
    items = iter(items)
    first = next(items, _END)
    if first is _END:
        return
    if processes < 2:
        yield fn(first)
        yield from map(fn, items)
        return
    if is_last is not None:
        alone = is_last(first)  # decided without reading what follows
        ahead: tuple = ()
    else:
        second = next(items, _END)
        alone = second is _END
        ahead = () if alone else (second,)
    if alone:  # one task (a small update): no pool to start
        yield fn(first)
        yield from map(fn, items)  # nothing, unless ``is_last`` was wrong
        return
    items = itertools.chain((first, *ahead), items)
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(processes, mp_context=context) as pool:
        pending: collections.deque = collections.deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= AHEAD * processes:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
