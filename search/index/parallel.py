"""Work spread over the build's processes, results in input order, memory bounded.

Both stages of a build that cost per article (enrichment, and inversion into segments)
run here: a pool of ``processes`` workers (forked, so they start with the parent's
rules already loaded), at most ``AHEAD`` tasks per worker in flight, so an archive of
any size streams through in a fixed amount of memory. One process, or a single task (an
update of a few articles), means no pool at all: starting one costs more than the task.

A worker keeps the memory it frees (``retain_freed_memory``): a batch allocates and
drops arrays of megabytes hundreds of times, and glibc's defaults hand each back to the
kernel, so the next one is fresh pages to fault in. At 5,000 articles that was 0.3-0.6
s of system time per batch (140,000 page faults; 25,000 with the memory kept).
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import ctypes
import gc
import itertools
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()
R = TypeVar("R")
AHEAD = 2
# glibc's mallopt parameters, and what a worker sets them to: blocks up to 32 MB (glibc's
# ceiling) come from the heap instead of their own mapping, and up to 512 MB of free heap
# is kept instead of trimmed. What a worker holds at its peak is unchanged.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
_TRIM_THRESHOLD_BYTES = 512 * 1024 * 1024


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
    # What the workers inherit is the parent's: no collection of theirs walks it (each
    # would copy every page it touches).
    with long_lived(), concurrent.futures.ProcessPoolExecutor(processes, mp_context=context,
                                                initializer=retain_freed_memory) as pool:
        pending: collections.deque = collections.deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= AHEAD * processes:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


_frozen_depth = 0


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """Everything alive on entry is kept out of the garbage collector until the outermost
    exit (``gc.freeze``): a build's parent holds an entry per article of the archive,
    none of it garbage, and each full collection walked all of it (at 100,000 articles,
    0.9 s of the entity pass went to two). Forked workers then leave those pages shared."""
    global _frozen_depth
    if _frozen_depth == 0:
        gc.freeze()
    _frozen_depth += 1
    try:
        yield
    finally:
        _frozen_depth -= 1
        if _frozen_depth == 0:
            gc.unfreeze()


def retain_freed_memory() -> None:
    """Make this process's allocator keep freed memory for reuse (glibc only; elsewhere,
    e.g. musl, nothing changes). Only for build workers: a long-lived server process
    should give memory back."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)
    mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD_BYTES)
