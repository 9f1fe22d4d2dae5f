"""The build's second pass: each new segment's entity columns, in the build's workers.

A segment's canonical names wait for the statistics of the whole corpus (the resolver),
but once those exist every segment's names are independent of the others': the
dictionary completion of the mentions, the resolution of mentions and editor tags, and
the columns' files. So the segments are done side by side in forked workers
(``search.index.parallel``), as their text was. At 100,000 articles this pass took
3.7 s in the build's parent alone.

The resolver and the name finder can be large (every name of the archive), so the
workers inherit them through the fork (``_RESOLVING``, set only while the pool runs)
instead of receiving a pickle of them with every segment.
"""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from search.enrich.entities.canonical import EntityResolver
from search.enrich.entities.datelines import with_dateline
from search.enrich.entities.recall import NameFinder
from search.enrich.entities.sports import teams, with_teams
from search.index.parallel import ordered_map
from search.index.segment import write_entity_columns
from search.models import ENTITY_TYPES


@dataclass(frozen=True)
class Resolving:
    """What every segment's names are resolved with."""

    resolver: EntityResolver
    finder: NameFinder | None  # None without an extractor: mentions are complete as given
    folder: Path  # the new generation, where the columns are written
    spool: Path  # the texts of the new documents, pickled one after another


@dataclass(frozen=True)
class SegmentNames:
    """One new segment's documents, as the second pass needs them."""

    segid: str
    tags: list[dict[str, list[str]]]
    live: list[bool]  # False for a document a later one of this build replaces
    mentions: list[list]  # extracted mentions ([] each without an extractor)
    spool_at: int  # where this segment's texts start in the spool


_RESOLVING: Resolving | None = None


def write_all(segments: Iterable[SegmentNames], resolving: Resolving,
              processes: int) -> Iterator[dict[str, set[str]]]:
    """Write each segment's entity columns; yields each one's distinct names by type."""
    global _RESOLVING
    resolving.resolver.prepare()  # once, here, rather than once in every worker
    _RESOLVING = resolving
    try:
        yield from ordered_map(_write_segment, segments, processes)
    finally:
        _RESOLVING = None


def _write_segment(segment: SegmentNames) -> dict[str, set[str]]:
    resolving = _RESOLVING
    assert resolving is not None, "write_all sets what the workers resolve with"
    finder, resolver = resolving.finder, resolving.resolver
    texts = (_texts(resolving.spool, segment.spool_at, len(segment.tags)) if finder is not None
             else itertools.repeat(""))
    names: dict[str, list[list[str]]] = {k: [] for k in ENTITY_TYPES}
    documents = zip(segment.tags, segment.live, segment.mentions, strict=True)
    for (tags, live, mentions), text in zip(documents, texts):  # noqa: B905 (texts may repeat)
        found_teams: dict[str, str] = {}
        if live and finder is not None:
            mentions = with_dateline(text, finder.complete(text, mentions))
            found_teams = teams(text)
            mentions = with_teams(mentions, found_teams)
        found = resolver.resolve(mentions, tags, frozenset(found_teams)) if live else {}
        for kind in ENTITY_TYPES:
            names[kind].append(found.get(kind, []))
    write_entity_columns(resolving.folder, segment.segid, names)
    return {kind: {n for per_doc in names[kind] for n in per_doc} for kind in ENTITY_TYPES}


def _texts(spool: Path, at: int, count: int) -> Iterator[str]:
    with open(spool, "rb") as stream:
        stream.seek(at)
        for _ in range(count):
            yield pickle.load(stream)
