"""A generation's segments, in order, with their deletion marks: one numbering across them.

A generation's folder holds Whoosh's table of contents (``_MAIN_<n>.toc``: the schema
and the list of ``NpSegment``, each with its deleted documents) and the segments'
files. Document ``d`` of the generation is document ``d - base[i]`` of segment ``i``,
as in Whoosh's ``MultiReader``, so newsdesk and Whoosh number documents alike.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from search.index.codec import NpSegment, open_segment
from search.index.schema import build_schema
from search.index.segment import INDEX_NAME, SegmentArrays, content_hash_at


def write_toc(folder: Path, segments: list[NpSegment], number: int) -> None:
    """The table of contents that makes ``folder`` an index Whoosh and newsdesk open."""
    TOC(build_schema(), segments, number).write(FileStorage(str(folder)), INDEX_NAME)


def read_toc(folder: Path) -> TOC:
    return TOC.read(FileStorage(str(folder)), INDEX_NAME)


class SegmentSet:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.toc = read_toc(folder)
        self.segments: list[NpSegment] = list(self.toc.segments)
        self.arrays: list[SegmentArrays] = [open_segment(folder, s.info) for s in self.segments]
        sizes = [s.doc_count_all() for s in self.segments]
        self.bases = np.zeros(len(sizes) + 1, np.int64)
        np.cumsum(sizes, out=self.bases[1:])
        self.size = int(self.bases[-1])
        self.live = (
            np.concatenate([s.live_mask() for s in self.segments])
            if self.segments else np.zeros(0, bool)
        )

    def locate(self, docnum: int) -> tuple[int, int]:
        """The segment holding a document, and its number there."""
        i = int(np.searchsorted(self.bases, docnum, side="right")) - 1
        return i, docnum - int(self.bases[i])

    def stored(self, docnum: int) -> dict:
        i, local = self.locate(int(docnum))
        return self.arrays[i].stored(local)

    def docnum_of(self, article_id: str) -> int | None:
        """The live document with this id (ids are unique among live documents)."""
        for i, arrays in enumerate(self.arrays):
            local = arrays.docnum_of(article_id)
            if local is not None and not self.segments[i].is_deleted(local):
                return int(self.bases[i]) + local
        return None

    def content_hash(self, article_id: str) -> str | None:
        """The live document's content hash (hex), read from a column: no unpacking."""
        docnum = self.docnum_of(article_id)
        if docnum is None:
            return None
        i, local = self.locate(docnum)
        return content_hash_at(self.arrays[i].hashes, local)

    def iter_live(self):
        """(docnum, stored fields) of every live document, in order."""
        for i, arrays in enumerate(self.arrays):
            segment, base = self.segments[i], int(self.bases[i])
            for local in range(segment.doc_count_all()):
                if not segment.is_deleted(local):
                    yield base + local, arrays.stored(local)
