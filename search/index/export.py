"""The indexed articles as plain records: for audits, and to check extraction by eye."""

from __future__ import annotations

from collections.abc import Iterator

from search.index.schema import from_stored
from search.index.segments import SegmentSet
from search.index.store import IndexStore


def iter_export(store: IndexStore) -> Iterator[dict]:
    """Every live article of the current generation, in index order."""
    for _, fields in SegmentSet(store.require_current()).iter_live():
        yield from_stored(fields).to_export()
