"""One open index generation: its segments, columns and postings, opened together.

Everything a query reads comes from one generation, so a rebuild switching ``current``
in the middle of a request cannot mix two indexes. Opening reads each segment's term
lists and puts the segments' columns end to end; a worker keeps one ``Generation``
until a newer one is published (``search.query.reloading``), and segments already open
in the process are shared (``search.index.codec.open_segment``).
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

from whoosh import index as whoosh_index

from search.analysis import text_analyzer
from search.index.columns import Columns
from search.index.postings import FieldPostings
from search.index.schema import SCHEMA_VERSION, TEXT_FIELDS
from search.index.segments import SegmentSet
from search.index.store import COMPOUNDS, MANIFEST, VOCABULARY, check_files, outdated
from search.query.ranking import Bm25f


class Generation:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.manifest: dict = json.loads((path / MANIFEST).read_text())
        if self.manifest.get("schema_version") != SCHEMA_VERSION:
            raise outdated(path.parent.parent, self.manifest.get("schema_version"), SCHEMA_VERSION)
        check_files(path, self.manifest)
        self.segments = SegmentSet(path)
        self.columns = Columns(self.segments)
        self.postings = {f: FieldPostings(self.segments, f) for f in TEXT_FIELDS}
        self.bm25f = Bm25f.default()
        self.live = self.columns.live
        self.size = self.columns.size
        self.doc_count = int(self.live.sum())
        # A deleted document's norm is zero: its postings (still in its segment) score 0.
        self.norms = {
            f: norm * self.live
            for f, norm in self.bm25f.length_norms(self.columns.lengths, self.live).items()
        }
        self.analyzer = text_analyzer()

    @cached_property
    def searcher(self):
        """Whoosh's searcher over the same segments, for what Whoosh does for newsdesk
        (fuzzy term expansion); opened on first use."""
        return whoosh_index.open_dir(str(self.path)).searcher()

    @property
    def name(self) -> str:
        return self.path.name

    def analyse(self, text: str) -> list[str]:
        """Index terms of ``text``, exactly as the indexer made them."""
        return [token.text for token in self.analyzer(text)]

    @cached_property
    def vocabulary(self) -> dict[str, int]:
        """Surface words (lower case) with document frequencies, for spelling suggestions."""
        path = self.path / VOCABULARY
        return json.loads(path.read_text()) if path.exists() else {}

    @cached_property
    def compounds(self) -> dict[str, str]:
        """Hyphenated compounds the archive writes: joined term -> parts, spaced."""
        path = self.path / COMPOUNDS
        return json.loads(path.read_text()) if path.exists() else {}

    @cached_property
    def spelling_candidates(self) -> dict[tuple[str, int], list[str]]:
        """Spelling candidates by first letter and length: a typo rarely hits the first
        letter, and within two edits the length changes by two at most, so a word is
        compared with a few hundred words, not the whole vocabulary."""
        groups: dict[tuple[str, int], list[str]] = {}
        for word in self.vocabulary:
            groups.setdefault((word[0], len(word)), []).append(word)
        return groups

    def stored(self, docnum: int) -> dict:
        return self.segments.stored(int(docnum))

    def docnum_of(self, article_id: str) -> int | None:
        return self.segments.docnum_of(article_id)

    def close(self) -> None:
        if "searcher" in self.__dict__:
            self.searcher.close()
