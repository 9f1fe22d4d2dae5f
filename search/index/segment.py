"""One immutable segment: its postings (stored once), stored fields and columns.

A segment is written once, by ``write_text_segment`` and ``write_entity_columns`` from a
batch of articles, or by a merge, and never changed: a replaced or deleted article is a
deletion mark kept in the index's table of contents (Whoosh's ``TOC``), not in these
files. Files, in the generation's
folder, named ``MAIN_<segid>.<part>`` (Whoosh's naming, so its storage finds them):

  .<field>.terms.json     sorted terms of ``title``, ``body`` and ``captions``
  .id.terms.bin / .id.terms_off.npy   the sorted article ids, UTF-8 end to end, and
                          where each starts (``search.index.terms``)
  .<field>.toff.npy       int64, terms + 1: term i's postings are toff[i]:toff[i+1]
  .<field>.docs.npy       int32 document numbers (local), ascending per term
  .<field>.poff.npy       per posting (+1), where its positions start in .pos; a
                          posting's frequency is its count of positions (text fields)
  .<field>.pos.npy        positions: uint16 when every one fits, else uint32
  .<field>.len.npy        int32 tokens per document (text fields)
  .stored.bin / .stored_off.npy   each document's stored fields, pickled and
                          compressed (Zstandard, one frame each), end to end
  .day.npy                int32 days since 1970-01-01 (``NO_DAY`` when unknown); of a
                          month or a year (a partial date), its first day
  .span.npy               uint8 what the day stands for: 0 the day, 1 its month, 2 its year
  .hash.npy               16-byte content hash per document (what an update compares)
  .<facet>.values.json / .offsets.npy / .ords.npy   facet values, as CSR ordinals

Everything is memory-mapped by readers, so every worker shares the pages.
"""

from __future__ import annotations

import bisect
import json
import mmap
import pickle
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import zstandard

from search.analysis import term_of
from search.index.columns import FACETS, NO_DAY, FacetColumn, day_number
from search.index.invert import InvertedField, invert
from search.index.schema import ENTITY_SEPARATOR, TEXT_FIELDS, stored_text_fields
from search.index.terms import SortedTerms, save_sorted_terms
from search.models import ENTITY_TYPES, Article

ID_FIELD = "id"
INDEXED_FIELDS = (*TEXT_FIELDS, ID_FIELD)
INDEX_NAME = "MAIN"
PICKLE_PROTOCOL = 5
# Zstandard level 1: at 5,000 synthetic articles, 19.0 MB of pickled fields became
# 10.4 MB in 0.12 s (zlib level 1: 10.7 MB in 0.37 s, a tenth of a batch's time), and a
# document reads back in ~10 µs (zlib: ~25).
STORED_COMPRESSION = 1
HASH_DTYPE = "S16"


@dataclass(frozen=True)
class SegmentInfo:
    """What the table of contents records of a segment besides its files."""

    segid: str
    doc_count: int
    field_lengths: dict[str, int]


# What a document's day stands for, by the code stored in ``span.npy``.
DATE_SPANS = ("day", "month", "year")


def new_segid() -> str:
    return secrets.token_hex(8)


def file_name(segid: str, part: str) -> str:
    return f"{INDEX_NAME}_{segid}.{part}"


def write_text_segment(folder: Path, articles: Sequence[Article]) -> tuple[SegmentInfo, dict]:
    """Invert and store a batch of articles as a new segment in ``folder``: all of it but
    the entity columns, which wait for the corpus-wide names (``write_entity_columns``).

    Also returns the batch's surface vocabulary (word -> documents), for spelling
    suggestions, counted from the words the inversion has already split.
    """
    segid = new_segid()
    text_postings = {
        f: invert([getattr(a, f) for a in articles], term_of) for f in TEXT_FIELDS
    }
    ids = id_postings([a.id for a in articles])
    stored = [pack_stored(stored_text_fields(a)) for a in articles]
    days = np.array(
        [NO_DAY if a.date is None else day_number(a.date) for a in articles], np.int32
    )
    facets = {"outlet": [[a.outlet] if a.outlet else [] for a in articles]}
    hashes = content_hashes([a.content_hash for a in articles])
    spans = np.array([DATE_SPANS.index(a.date_precision) for a in articles], np.uint8)
    info = save_segment(folder, segid, text_postings, ids, stored, days, hashes, facets, spans)
    return info, surface_vocabulary(list(text_postings.values()), len(articles))


# Words a spelling suggestion may offer: letters only, three or more of them.
def _suggestible(word: str) -> bool:
    return len(word) >= 3 and word.isalpha()


def surface_vocabulary(fields: Sequence[InvertedField], doc_count: int) -> dict[str, int]:
    """Lower-cased words with the number of documents (any field) that use them."""
    index: dict[str, int] = {}
    keys = []
    for inverted in fields:
        lowered = np.fromiter(
            (index.setdefault(w.lower(), len(index)) if _suggestible(w) else -1
             for w in inverted.words), np.int64, len(inverted.words),
        )
        ids = lowered[inverted.word_ids] if inverted.word_ids.size else np.zeros(0, np.int64)
        docs = np.repeat(np.arange(doc_count, dtype=np.int64), inverted.raw_lengths)
        kept = ids >= 0
        keys.append((docs[kept] << 32) + ids[kept])  # (document, word) as one integer
    if not index:
        return {}
    words = list(index)
    pairs = np.sort(np.concatenate(keys))  # sorting beats np.unique's hashing here
    pairs = pairs[np.append(True, pairs[1:] != pairs[:-1])] if pairs.size else pairs
    frequencies = np.bincount(pairs & 0xFFFFFFFF, minlength=len(words))
    return {w: int(c) for w, c in zip(words, frequencies, strict=True) if c}


def save_segment(
    folder: Path, segid: str, text_postings: dict[str, InvertedField], ids: InvertedField,
    stored: Sequence[bytes], days: np.ndarray, hashes: np.ndarray,
    facets: dict[str, list[list[str]]], spans: np.ndarray,
) -> SegmentInfo:
    def path(part: str) -> Path:
        return folder / file_name(segid, part)

    for field, p in {**text_postings, ID_FIELD: ids}.items():
        save_field(folder, segid, field, p)
    offsets = np.zeros(len(stored) + 1, np.int64)
    np.cumsum([len(b) for b in stored], out=offsets[1:])
    path("stored.bin").write_bytes(b"".join(stored))
    np.save(path("stored_off.npy"), offsets)
    np.save(path("day.npy"), days.astype(np.int32))
    np.save(path("span.npy"), spans.astype(np.uint8))
    np.save(path("hash.npy"), hashes)
    for facet, per_doc in facets.items():
        _save_facet(folder, segid, facet, per_doc)
    return SegmentInfo(
        segid, len(stored), {f: p.total_length for f, p in text_postings.items()}
    )


def content_hashes(hex_digests: Sequence[str]) -> np.ndarray:
    """Each document's content hash (16 bytes), so an update compares without unpacking."""
    return np.array([bytes.fromhex(h) for h in hex_digests], dtype=HASH_DTYPE)


def content_hash_at(hashes: np.ndarray, docnum: int) -> str:
    """One document's content hash (hex) from the column, all 16 bytes of it: numpy's
    fixed-width bytes drop trailing zero bytes when an element is read on its own."""
    return hashes[docnum : docnum + 1].tobytes().hex()


def write_entity_columns(folder: Path, segid: str, names: dict[str, list[list[str]]]) -> None:
    """A segment's people, organisations and places: each document's canonical names."""
    for kind in ENTITY_TYPES:
        _save_facet(folder, segid, kind, names[kind])


def _save_facet(folder: Path, segid: str, facet: str, per_doc: Sequence[Sequence[str]]) -> None:
    values, doc_offsets, ords = facet_csr(per_doc)
    save_facet(folder, segid, facet, FacetColumn(tuple(values), doc_offsets, ords))


def save_facet(folder: Path, segid: str, facet: str, column: FacetColumn) -> None:
    (folder / file_name(segid, f"{facet}.values.json")).write_text(
        json.dumps(list(column.values), ensure_ascii=False)
    )
    np.save(folder / file_name(segid, f"{facet}.offsets.npy"), column.offsets)
    np.save(folder / file_name(segid, f"{facet}.ords.npy"), column.ords)


def save_field(folder: Path, segid: str, field: str, inverted: InvertedField) -> None:
    """One field's postings (with positions and lengths, unless it is the id field)."""
    def path(part: str) -> Path:
        return folder / file_name(segid, f"{field}.{part}")

    if field == ID_FIELD:  # looked up one id at a time: a table read in place
        save_sorted_terms(path("terms.bin"), path("terms_off.npy"), inverted.terms)
    else:
        path("terms.json").write_text(json.dumps(inverted.terms, ensure_ascii=False))
    np.save(path("toff.npy"), inverted.toff)
    np.save(path("docs.npy"), inverted.docs)
    if field != ID_FIELD:
        np.save(path("poff.npy"), inverted.poff)
        np.save(path("pos.npy"), inverted.pos)
        np.save(path("len.npy"), inverted.lengths)
        np.save(path("coff.npy"), inverted.coff)
        np.save(path("first.npy"), inverted.first)


def id_postings(ids: Sequence[str]) -> InvertedField:
    """The ``id`` field: one posting per document, no positions."""
    order = sorted(range(len(ids)), key=ids.__getitem__)
    terms = sorted(set(ids))
    term_index = {t: i for i, t in enumerate(terms)}
    tids = np.fromiter((term_index[ids[d]] for d in order), np.int64, len(ids))
    toff = np.searchsorted(tids, np.arange(len(terms) + 1)).astype(np.int64)
    empty = np.zeros(0, np.int32)
    return InvertedField(
        terms=terms, toff=toff, docs=np.asarray(order, np.int32),
        tfs=np.ones(len(ids), np.float32), poff=empty, pos=empty, lengths=empty,
        total_length=0,
    )


def facet_csr(per_doc: Sequence[Sequence[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Sorted distinct values, and each document's value ordinals (once each) as CSR."""
    values = sorted({v for names in per_doc for v in names})
    ordinal = {v: i for i, v in enumerate(values)}
    unique = [list(dict.fromkeys(names)) for names in per_doc]
    offsets = np.zeros(len(per_doc) + 1, np.int64)
    np.cumsum([len(names) for names in unique], out=offsets[1:])
    ords = np.fromiter(
        (ordinal[v] for names in unique for v in names), np.int32, int(offsets[-1])
    )
    return values, offsets, ords


def pack_stored(fields: dict) -> bytes:
    return _codecs().compressor.compress(pickle.dumps(fields, PICKLE_PROTOCOL))


def unpack_stored(blob: bytes) -> dict:
    return pickle.loads(_codecs().decompressor.decompress(blob))


_THREAD_CODECS = threading.local()


def _codecs():
    """This thread's Zstandard contexts: a context is not to be shared between threads
    (the live writer's thread reads stored fields while requests do), and making one
    per document would double the cost of reading it back."""
    codecs = _THREAD_CODECS
    if not hasattr(codecs, "compressor"):
        codecs.compressor = zstandard.ZstdCompressor(level=STORED_COMPRESSION)
        codecs.decompressor = zstandard.ZstdDecompressor()
    return codecs


def mapped(path: Path) -> np.ndarray:
    """An array file, memory-mapped read-only, as a plain ``ndarray`` over the mapping:
    slicing a ``np.memmap`` builds a memmap object each time, a cost a query pays
    thousands of times (the mapping stays open while the array is referenced)."""
    return np.asarray(np.load(path, mmap_mode="r"))


class FieldArrays:
    """One field of one segment, memory-mapped."""

    def __init__(self, folder: Path, segid: str, field: str) -> None:
        def path(part: str) -> Path:
            return folder / file_name(segid, f"{field}.{part}")

        self._terms_path = path("terms.json")
        self._table_paths = (path("terms.bin"), path("terms_off.npy"))
        self.toff: np.ndarray = mapped(path("toff.npy"))
        self.docs: np.ndarray = mapped(path("docs.npy"))
        positional = path("pos.npy").exists()
        self.poff = mapped(path("poff.npy")) if positional else None
        self.pos = mapped(path("pos.npy")) if positional else None
        self.lengths = mapped(path("len.npy")) if positional else None
        self.coff = mapped(path("coff.npy")) if positional else None
        self.first = mapped(path("first.npy")) if positional else None

    @cached_property
    def terms(self) -> Sequence[str]:
        """The sorted terms, read on first use: an update that only looks up ids never
        parses the text fields' vocabularies, and reads the ids in place
        (``search.index.terms``), so its cost does not grow with the archive."""
        if self._table_paths[0].exists():
            return SortedTerms(*self._table_paths)
        return json.loads(self._terms_path.read_text())

    @cached_property
    def coff_starts(self) -> np.ndarray:
        """Where each document's character offsets start in ``coff``."""
        starts = np.zeros(len(self.lengths) + 1, np.int64)
        np.cumsum(self.lengths, out=starts[1:])
        return starts

    def char_starts(self, docnum: int, positions: np.ndarray) -> np.ndarray:
        """The character offsets, in the document's text, of the words at ``positions``."""
        k = np.asarray(positions, np.int64) - int(self.first[docnum])
        return np.asarray(self.coff[self.coff_starts[docnum] + k], np.int64)

    def index_of(self, term: str) -> int | None:
        terms = self.terms
        if isinstance(terms, SortedTerms):
            return terms.index_of(term)
        i = bisect.bisect_left(terms, term)
        return i if i < len(terms) and terms[i] == term else None

    def postings(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = int(self.toff[i]), int(self.toff[i + 1])
        return self.docs[start:end], self.frequencies(start, end)

    def frequencies(self, start: int, end: int) -> np.ndarray:
        """Postings ``start:end``'s term frequencies (1 in a field without positions)."""
        if self.poff is None:
            return np.ones(end - start, np.float32)
        return np.diff(self.poff[start:end + 1]).astype(np.float32)


class SegmentArrays:
    """Every file of one segment, opened (memory-mapped) once per process."""

    def __init__(self, folder: Path, info: SegmentInfo) -> None:
        self.folder = folder
        self.info = info
        segid = info.segid
        self.fields = {f: FieldArrays(folder, segid, f) for f in INDEXED_FIELDS}
        self.stored_offsets = mapped(folder / file_name(segid, "stored_off.npy"))
        with open(folder / file_name(segid, "stored.bin"), "rb") as handle:
            self._stored = (
                mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                if self.stored_offsets[-1] else b""
            )
        self.day = mapped(folder / file_name(segid, "day.npy"))
        self.span = mapped(folder / file_name(segid, "span.npy"))
        self.hashes = mapped(folder / file_name(segid, "hash.npy"))
        self.facets = {}
        for facet in FACETS:
            values = json.loads((folder / file_name(segid, f"{facet}.values.json")).read_text())
            self.facets[facet] = FacetColumn(
                tuple(values),
                mapped(folder / file_name(segid, f"{facet}.offsets.npy")),
                mapped(folder / file_name(segid, f"{facet}.ords.npy")),
            )

    @property
    def doc_count(self) -> int:
        return self.info.doc_count

    def stored_bytes(self, docnum: int) -> bytes:
        start, end = int(self.stored_offsets[docnum]), int(self.stored_offsets[docnum + 1])
        return self._stored[start:end]

    def stored(self, docnum: int) -> dict:
        """The document's stored fields, its entity names (kept once, in the columns) too."""
        fields = unpack_stored(self.stored_bytes(docnum))
        for kind in ENTITY_TYPES:
            names = self.facets[kind].names_of(docnum)
            if names:
                fields[kind] = ENTITY_SEPARATOR.join(
                    n.replace(ENTITY_SEPARATOR, " ") for n in names
                )
        return fields

    def docnum_of(self, article_id: str) -> int | None:
        ids = self.fields[ID_FIELD]
        i = ids.index_of(article_id)
        return None if i is None else int(ids.docs[int(ids.toff[i])])

    def close(self) -> None:
        if isinstance(self._stored, mmap.mmap):
            self._stored.close()
