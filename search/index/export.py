"""The indexed articles as plain records: for audits, and to check extraction by eye."""

from __future__ import annotations

from collections.abc import Iterator

from whoosh import index as whoosh_index

from search.index.schema import from_stored
from search.index.store import IndexStore


def iter_export(store: IndexStore) -> Iterator[dict]:
    """Every live article of the current generation, in index order."""
    ix = whoosh_index.open_dir(str(store.require_current()))
    try:
        with ix.searcher() as searcher:
            for fields in searcher.all_stored_fields():
                yield from_stored(fields).to_export()
    finally:
        ix.close()
