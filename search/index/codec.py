"""A Whoosh codec whose segments are newsdesk's numpy segments: one index, stored once.

Whoosh opens a newsdesk generation with ``whoosh.index.open_dir`` like any of its own
indexes: the table of contents pickles each segment (``NpSegment``) with this codec, and
the codec answers Whoosh's readers (terms, postings with positions, field lengths,
stored fields) from the same memory-mapped arrays newsdesk's own query code reads. So
Whoosh's parsers, searchers and scorers work on it unchanged, and no second copy of the
postings exists. Writing through Whoosh's ``IndexWriter`` is not supported: segments
are written in bulk by ``search.index.segment`` and merged by ``search.index.merge``.

Module and class names are part of the index format (the TOC pickles them by name).
"""

from __future__ import annotations

import bisect
import weakref
from pathlib import Path

import numpy as np
from whoosh.codec import base
from whoosh.codec.whoosh3 import W3Segment
from whoosh.matching import ReadTooFar
from whoosh.matching.mcore import LeafMatcher, NullMatcher
from whoosh.reading import TermInfo, TermNotFound

from search.index.invert import quantised_lengths
from search.index.segment import INDEX_NAME, INDEXED_FIELDS, SegmentArrays, SegmentInfo

_OPEN: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def open_segment(folder: Path, info: SegmentInfo) -> SegmentArrays:
    """The segment's arrays, shared by newsdesk's reader and Whoosh's in one process."""
    key = (str(folder), info.segid)
    arrays = _OPEN.get(key)
    if arrays is None:
        arrays = SegmentArrays(Path(folder), info)
        _OPEN[key] = arrays
    return arrays


class NpCodec(base.Codec):
    length_stats = True

    def terms_reader(self, storage, segment):
        return NpTermsReader(_arrays(storage, segment))

    def per_document_reader(self, storage, segment):
        return NpPerDocReader(_arrays(storage, segment), segment)

    def supports_columns(self):
        return False

    def new_segment(self, storage, indexname):
        raise NotImplementedError("newsdesk segments are written by search.index.segment")

    def per_document_writer(self, storage, segment):
        raise NotImplementedError("newsdesk segments are written by search.index.segment")

    def field_writer(self, storage, segment):
        raise NotImplementedError("newsdesk segments are written by search.index.segment")


class NpSegment(W3Segment):
    """A newsdesk segment in Whoosh's table of contents; deletions are Whoosh's own."""

    def __init__(self, info: SegmentInfo) -> None:
        super().__init__(NpCodec(), INDEX_NAME, doccount=info.doc_count, segid=info.segid)
        self.info = info

    def codec(self, **kwargs):
        return self._codec

    def should_assemble(self):
        return True

    def live_mask(self) -> np.ndarray:
        live = np.ones(self.doc_count_all(), bool)
        if self.has_deletions():
            live[np.fromiter(self.deleted_docs(), np.int64)] = False
        return live


def _arrays(storage, segment: NpSegment) -> SegmentArrays:
    return open_segment(Path(storage.folder), segment.info)


class NpTermsReader(base.TermsReader):
    def __init__(self, arrays: SegmentArrays) -> None:
        self.arrays = arrays
        self.fields = arrays.fields

    def _find(self, fieldname: str, tbytes: bytes):
        fa = self.fields.get(fieldname)
        if fa is None:
            return None, None
        return fa, fa.index_of(tbytes.decode("utf-8"))

    def __contains__(self, term) -> bool:
        return self._find(*term)[1] is not None

    def indexed_field_names(self):
        return list(INDEXED_FIELDS)

    def cursor(self, fieldname, fieldobj):
        return NpFieldCursor(self.fields[fieldname], fieldobj)

    def _walk(self, fieldname: str, prefix: bytes, with_info: bool):
        for name in sorted(self.fields):
            if name < fieldname:
                continue
            fa = self.fields[name]
            start = bisect.bisect_left(fa.terms, prefix.decode("utf-8")) if name == fieldname else 0
            for i in range(start, len(fa.terms)):
                term = (name, fa.terms[i].encode("utf-8"))
                yield (term, self._info(fa, i)) if with_info else term

    def terms(self):
        return self._walk("", b"", False)

    def terms_from(self, fieldname, prefix):
        return self._walk(fieldname, prefix, False)

    def items(self):
        return self._walk("", b"", True)

    def items_from(self, fieldname, prefix):
        return self._walk(fieldname, prefix, True)

    def term_info(self, fieldname, tbytes):
        fa, i = self._find(fieldname, tbytes)
        if i is None:
            raise TermNotFound(f"no term {fieldname}:{tbytes!r}")
        return self._info(fa, i)

    def frequency(self, fieldname, tbytes):
        fa, i = self._find(fieldname, tbytes)
        if i is None:
            raise KeyError((fieldname, tbytes))
        return float(fa.postings(i)[1].sum())

    def doc_frequency(self, fieldname, tbytes):
        fa, i = self._find(fieldname, tbytes)
        if i is None:
            raise KeyError((fieldname, tbytes))
        return int(fa.toff[i + 1] - fa.toff[i])

    def matcher(self, fieldname, tbytes, format_, scorer=None):
        fa, i = self._find(fieldname, tbytes)
        if i is None:
            raise TermNotFound(f"no term {fieldname}:{tbytes!r}")
        return NpMatcher(fa, int(fa.toff[i]), int(fa.toff[i + 1]), format_, scorer,
                         self._info(fa, i))

    @staticmethod
    def _info(fa, i: int) -> TermInfo:
        docs, tfs = fa.postings(i)
        if fa.lengths is not None and docs.size:
            lengths = quantised_lengths(fa.lengths[docs])
            shortest, longest = int(lengths.min()), int(lengths.max())
        else:
            shortest = longest = 0
        return TermInfo(
            weight=float(tfs.sum()), df=int(docs.size), minlength=shortest,
            maxlength=longest, maxweight=float(tfs.max()) if tfs.size else 0.0,
            minid=int(docs[0]) if docs.size else 0, maxid=int(docs[-1]) if docs.size else 0,
        )


class NpFieldCursor(base.FieldCursor):
    def __init__(self, fa, fieldobj) -> None:
        self._fa, self._fieldobj, self._i = fa, fieldobj, 0

    def first(self):
        self._i = 0
        return self.text()

    def find(self, term):
        text = term.decode("utf-8") if isinstance(term, bytes) else term
        self._i = bisect.bisect_left(self._fa.terms, text)
        return self.text()

    def next(self):
        self._i += 1
        return self.text()

    def is_valid(self):
        return self._i < len(self._fa.terms)

    def text(self):
        return self._fa.terms[self._i] if self.is_valid() else None

    def term_info(self):
        return NpTermsReader._info(self._fa, self._i) if self.is_valid() else None


class NpMatcher(LeafMatcher):
    """One term's postings as one block: Whoosh's block-quality pruning still applies."""

    def __init__(self, fa, start, end, format_, scorer=None, terminfo=None, i=0) -> None:
        self._fa, self._start, self._end = fa, start, end
        self._ids = fa.docs[start:end].tolist()
        self._weights = fa.frequencies(start, end).tolist()
        self._i = i
        self.format = format_
        self.scorer = scorer
        self._terminfo = terminfo

    def is_active(self):
        return self._i < len(self._ids)

    def reset(self):
        self._i = 0

    def id(self):
        return self._ids[self._i]

    def all_ids(self):
        return iter(self._ids[self._i:])

    def next(self):
        if self._i >= len(self._ids):
            raise ReadTooFar
        self._i += 1

    def skip_to(self, targetid):
        if not self.is_active():
            raise ReadTooFar
        if targetid > self._ids[self._i]:
            self._i = bisect.bisect_left(self._ids, targetid, self._i)

    def weight(self):
        return self._weights[self._i]

    def positions(self):
        k = self._start + self._i
        return self._fa.pos[int(self._fa.poff[k]):int(self._fa.poff[k + 1])].tolist()

    def supports(self, astype):
        if astype == "positions":
            return self._fa.pos is not None
        return self.format.supports(astype) and astype != "characters"

    def value_as(self, astype):
        if astype == "positions":
            return self.positions()
        if astype in ("frequency", "weight"):
            return self.weight()
        if astype == "position_boosts":
            return [(p, 1) for p in self.positions()]
        return self.format.decoder(astype)(self.value())

    def value(self):
        if self._fa.pos is not None and self.format.supports("positions"):
            return self.format.encode(self.positions())
        return b""

    def all_items(self):
        for k in range(self._i, len(self._ids)):
            self._i = k
            yield self._ids[k], self.value()

    def copy(self):
        return NpMatcher(self._fa, self._start, self._end, self.format, self.scorer,
                         self._terminfo, self._i)

    def replace(self, minquality=0):
        if not self.is_active():
            return NullMatcher()
        if minquality and self.supports_block_quality() and self.max_quality() <= minquality:
            return NullMatcher()
        return self

    def block_min_id(self):
        return self._ids[0]

    def block_max_id(self):
        return self._ids[-1]

    def block_min_length(self):
        return self._terminfo.min_length()

    def block_max_length(self):
        return self._terminfo.max_length()

    def block_max_weight(self):
        return self._terminfo.max_weight()

    def skip_to_quality(self, minquality):
        if self.block_quality() <= minquality:
            self._i = len(self._ids)
            return 1
        return 0


class NpPerDocReader(base.PerDocumentReader):
    def __init__(self, arrays: SegmentArrays, segment: NpSegment) -> None:
        self.arrays = arrays
        self.segment = segment

    def doc_count(self):
        return self.segment.doc_count()

    def doc_count_all(self):
        return self.segment.doc_count_all()

    def has_deletions(self):
        return self.segment.has_deletions()

    def is_deleted(self, docnum):
        return self.segment.is_deleted(docnum)

    def deleted_docs(self):
        return self.segment.deleted_docs()

    def _lengths(self, fieldname):
        fa = self.arrays.fields.get(fieldname)
        return None if fa is None else fa.lengths

    def doc_field_length(self, docnum, fieldname, default=0):
        lengths = self._lengths(fieldname)
        if lengths is None:
            return default
        return int(quantised_lengths(lengths[docnum : docnum + 1])[0]) or default

    def field_length(self, fieldname):
        return self.segment.info.field_lengths.get(fieldname, 0)

    def min_field_length(self, fieldname):
        lengths = self._lengths(fieldname)
        return int(quantised_lengths(lengths).min()) if lengths is not None and lengths.size else 0

    def max_field_length(self, fieldname):
        lengths = self._lengths(fieldname)
        return int(quantised_lengths(lengths).max()) if lengths is not None and lengths.size else 0

    def stored_fields(self, docnum):
        return self.arrays.stored(docnum)
