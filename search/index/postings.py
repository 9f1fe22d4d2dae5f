"""Per-generation posting arrays: every term's documents and frequencies as numpy slices.

Whoosh stores postings in pickled, zlib-compressed blocks together with positions, and
its matchers walk them one posting at a time in Python: about a microsecond per
posting before any scoring, so a common word in a 100k archive costs tens of
milliseconds to read and far more to score. Ranking needs only documents and term
frequencies, so the build copies them once into flat arrays beside the index; a query
then reads a term as two array slices and scores it in one vectorised expression.
Whoosh remains the index of record: positions (for phrases) and stored fields are
read from it, and these arrays are derived from it and rebuilt with every generation.

Layout in ``<generation>/postings/``: ``<field>.terms.json`` (sorted terms),
``<field>.offsets.npy`` (int64, terms + 1), ``<field>.docs.npy`` (int32 docnums, sorted
per term) and ``<field>.tfs.npy`` (float32 term frequencies).
"""

from __future__ import annotations

import bisect
import json
from pathlib import Path

import numpy as np

POSTINGS_DIR = "postings"


class FieldPostings:
    """The memory-mapped posting arrays of one text field."""

    def __init__(self, generation: Path, field: str) -> None:
        base = generation / POSTINGS_DIR
        self.field = field
        self.terms: list[str] = json.loads((base / f"{field}.terms.json").read_text())
        self.offsets: np.ndarray = np.load(base / f"{field}.offsets.npy", mmap_mode="r")
        self.docs: np.ndarray = np.load(base / f"{field}.docs.npy", mmap_mode="r")
        self.tfs: np.ndarray = np.load(base / f"{field}.tfs.npy", mmap_mode="r")

    def index_of(self, term: str) -> int | None:
        i = bisect.bisect_left(self.terms, term)
        return i if i < len(self.terms) and self.terms[i] == term else None

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Documents and frequencies of ``term`` (empty arrays when absent)."""
        i = self.index_of(term)
        if i is None:
            return _EMPTY_DOCS, _EMPTY_TFS
        start, end = int(self.offsets[i]), int(self.offsets[i + 1])
        return self.docs[start:end], self.tfs[start:end]

    def doc_frequency(self, term: str) -> int:
        i = self.index_of(term)
        return 0 if i is None else int(self.offsets[i + 1] - self.offsets[i])

    def with_prefix(self, prefix: str) -> list[str]:
        lo = bisect.bisect_left(self.terms, prefix)
        hi = bisect.bisect_left(self.terms, prefix + "\uffff")
        return self.terms[lo:hi]


_EMPTY_DOCS = np.zeros(0, dtype=np.int32)
_EMPTY_TFS = np.zeros(0, dtype=np.float32)


def write_postings(reader, generation: Path, fields: tuple[str, ...]) -> dict[str, list[str]]:
    """Copy documents and frequencies of every term of ``fields`` out of Whoosh.

    Returns each field's sorted term list: term ids elsewhere are positions in it.
    """
    base = generation / POSTINGS_DIR
    base.mkdir(exist_ok=True)
    found: dict[str, dict[str, list[tuple[np.ndarray, np.ndarray]]]] = {f: {} for f in fields}
    for leaf, offset in reader.leaf_readers():
        for field in fields:
            for term, docs, tfs in _leaf_postings(leaf, field):
                found[field].setdefault(term, []).append((docs + offset, tfs))
    term_lists = {}
    for field, postings in found.items():
        terms = term_lists[field] = sorted(postings)
        offsets = np.zeros(len(terms) + 1, dtype=np.int64)
        doc_chunks: list[np.ndarray] = []
        tf_chunks: list[np.ndarray] = []
        for i, term in enumerate(terms):
            count = 0
            for docs, tfs in postings[term]:
                doc_chunks.append(docs)
                tf_chunks.append(tfs)
                count += len(docs)
            offsets[i + 1] = offsets[i] + count
        (base / f"{field}.terms.json").write_text(json.dumps(terms, ensure_ascii=False))
        np.save(base / f"{field}.offsets.npy", offsets)
        np.save(base / f"{field}.docs.npy", _concat(doc_chunks, np.int32))
        np.save(base / f"{field}.tfs.npy", _concat(tf_chunks, np.float32))
    return term_lists


def _leaf_postings(leaf, field: str):
    """One segment's terms of ``field`` in order, each with its documents and frequencies.

    Walks Whoosh's term table sequentially and reads each posting list a block at a
    time (``W3TermsReader``/``W3LeafMatcher`` internals, stable in the pinned, frozen
    Whoosh release): one Python call per term and block instead of one per posting,
    and no hash lookup per term. Deleted documents are dropped.
    """
    terms_reader = getattr(leaf, "_terms", None)
    if terms_reader is None or field not in leaf.schema:  # an empty segment
        return
    field_obj = leaf.schema[field]
    deleted = _deleted_mask(leaf)
    for (name, tbytes), info in terms_reader.items_from(field, b""):
        if name != field:
            break
        if info.is_inlined():
            ids, weights, _ = info.inlined_postings()
            docs = np.asarray(ids, dtype=np.int32)
            tfs = np.asarray(weights, dtype=np.float32)
        else:
            matcher = leaf._codec.postings_reader(
                terms_reader._postfile, info, field_obj.format, term=(field, tbytes)
            )
            docs, tfs = _read_blocks(matcher)
        if deleted is not None:
            keep = ~deleted[docs]
            docs, tfs = docs[keep], tfs[keep]
        if docs.size:
            yield field_obj.from_bytes(tbytes), docs, tfs


def _read_blocks(matcher) -> tuple[np.ndarray, np.ndarray]:
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids.append(np.asarray(matcher._ids, dtype=np.int32))
        weights.append(np.asarray(matcher._weights, dtype=np.float32))
        matcher._next_block()
    return _concat(ids, np.int32), _concat(weights, np.float32)


def _deleted_mask(leaf) -> np.ndarray | None:
    if not leaf.has_deletions():
        return None
    size = leaf.doc_count_all()
    return np.fromiter((leaf.is_deleted(d) for d in range(size)), dtype=bool, count=size)


def _concat(chunks: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(chunks).astype(dtype, copy=False) if chunks else np.zeros(0, dtype)
