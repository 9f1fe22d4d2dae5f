"""Merging segments, and the policy that keeps their number logarithmic.

**Policy** (Lucene's ``LogMergePolicy``, by document count): a segment's tier is
``floor(log10(live documents / MIN_TIER_DOCS))``; whenever a tier holds ``MERGE_FACTOR``
segments, they are merged into one of the next tier. An archive of N documents then has
at most ``MERGE_FACTOR - 1`` segments per tier and ``log10(N / MIN_TIER_DOCS) + 1`` tiers,
and every document is rewritten about once per tier: O(N log N) over the archive's life,
while one update writes only its own small segment. A segment whose documents are mostly
deleted (``EXPUNGE_DELETED_SHARE``) is rewritten on its own, so deleted postings never
dominate a segment. ``python -m search optimize`` merges everything into one segment.

**Merge**: postings are concatenated term by term, never re-analysed or re-sorted. Each
input segment's postings are already sorted by term, then document; for each term the
merged list is segment 0's slice, then segment 1's, ... with documents renumbered past
the deleted ones. Every array is written straight to its file (``open_memmap``), and
the temporaries are one input segment's size, so merging is bounded in memory.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from search.index.codec import NpSegment, open_segment
from search.index.columns import FACETS, unite
from search.index.csr import gather_index
from search.index.invert import offset_dtype
from search.index.parallel import ordered_map
from search.index.schema import TEXT_FIELDS
from search.index.segment import (
    ID_FIELD,
    SegmentArrays,
    SegmentInfo,
    file_name,
    id_postings,
    new_segid,
    save_facet,
    save_field,
)

MERGE_FACTOR = 10
MIN_TIER_DOCS = 1_000
EXPUNGE_DELETED_SHARE = 0.5


def tier(live_docs: int) -> int:
    return int(math.log10(max(live_docs, MIN_TIER_DOCS) / MIN_TIER_DOCS))


def plan(segments: Sequence[NpSegment]) -> list[list[int]]:
    """Groups of segment positions to merge now (each group becomes one segment)."""
    groups: list[list[int]] = []
    tiers: dict[int, list[int]] = {}
    for i, segment in enumerate(segments):
        total = segment.doc_count_all()
        live = segment.doc_count()
        if live == 0:
            groups.append([i])  # nothing left: dropped by a merge of nothing
        elif total and (total - live) / total > EXPUNGE_DELETED_SHARE:
            groups.append([i])
        else:
            tiers.setdefault(tier(live), []).append(i)
    for members in tiers.values():
        while len(members) >= MERGE_FACTOR:
            groups.append(members[:MERGE_FACTOR])
            members = members[MERGE_FACTOR:]
    return sorted(groups)


def apply_policy(folder: Path, segments: list[NpSegment], everything: bool = False,
                 processes: int = 1) -> tuple[list[NpSegment], int]:
    """Merge until the policy is satisfied (or into one segment); returns the new list
    and how many merges ran. Merged-away segments' files are removed from ``folder``."""
    merges = 0
    while True:
        groups = [list(range(len(segments)))] if everything else plan(segments)
        if everything and (len(segments) < 2 and not any(s.has_deletions() for s in segments)):
            groups = []
        if not groups:
            return segments, merges
        replaced: dict[int, NpSegment | None] = {}
        # Groups are independent: each merges in its own process (the build's workers),
        # so a 100k build's two tier-0 merges run side by side instead of one by one.
        infos = ordered_map(functools.partial(_merged_info, folder),
                            [[segments[i] for i in group] for group in groups], processes)
        for group, info in zip(groups, infos, strict=True):
            replaced[group[0]] = None if info is None else NpSegment(info)
            for i in group[1:]:
                replaced[i] = None
        kept = []
        for i, segment in enumerate(segments):
            if i in replaced:
                remove_files(folder, segment.info.segid)
                if replaced[i] is not None:
                    kept.append(replaced[i])
            else:
                kept.append(segment)
        segments = kept
        merges += len(groups)
        if everything:
            return segments, merges


def remove_files(folder: Path, segid: str) -> None:
    for path in folder.glob(f"{file_name(segid, '')}*"):
        path.unlink()


def _merged_info(folder: Path, segments: Sequence[NpSegment]) -> SegmentInfo | None:
    """``merge`` in a worker: what the parent needs of the new segment (its info)."""
    merged = merge(folder, segments)
    return None if merged is None else merged.info


def merge(folder: Path, segments: Sequence[NpSegment]) -> NpSegment | None:
    """One new segment with the live documents of ``segments``, in their order."""
    arrays = [open_segment(folder, s.info) for s in segments]
    lives = [s.live_mask() for s in segments]
    renumber = []
    base = 0
    for live in lives:
        numbers = np.cumsum(live, dtype=np.int64) - 1 + base
        numbers[~live] = -1
        renumber.append(numbers)
        base += int(live.sum())
    if base == 0:
        return None
    segid = new_segid()
    lengths = {}
    for field in TEXT_FIELDS:
        lengths[field] = _merge_field(folder, segid, field, arrays, renumber, lives)
    ids = [
        article_id for a, live in zip(arrays, lives, strict=True)
        for article_id in _ids_in_order(a, live)
    ]
    save_field(folder, segid, ID_FIELD, id_postings(ids))
    _merge_stored(folder, segid, arrays, lives)
    for part, column in (("day.npy", "day"), ("span.npy", "span"), ("hash.npy", "hashes")):
        kept = [np.asarray(getattr(a, column))[live] for a, live in zip(arrays, lives, strict=True)]
        np.save(folder / file_name(segid, part), np.concatenate(kept))
    for facet in FACETS:
        save_facet(folder, segid, facet, unite([a.facets[facet] for a in arrays], lives))
    return NpSegment(SegmentInfo(segid, base, lengths))


def _merge_field(folder: Path, segid: str, field: str, arrays: list[SegmentArrays],
                 renumber: list[np.ndarray], lives: list[np.ndarray]) -> int:
    """Write one text field of the merged segment; returns its total length.

    For each term, the merged postings are segment 0's kept postings of it, then segment
    1's, and so on. Within one segment the kept postings are in term order too, so the
    j-th kept posting of segment s, of term t, lands at ``j + shift[s][t]``: one array of
    the vocabulary's size per segment places every posting. Segments are walked in
    chunks of ``CHUNK_POSTINGS``, so temporaries stay small whatever their size.
    """
    fields = [a.fields[field] for a in arrays]
    terms = sorted({t for fa in fields for t in fa.terms})
    term_index = {t: i for i, t in enumerate(terms)}
    to_global = [np.fromiter((term_index[t] for t in fa.terms), np.int32, len(fa.terms))
                 for fa in fields]
    counts = np.zeros((len(fields), len(terms)), np.int64)
    for s, (fa, live) in enumerate(zip(fields, lives, strict=True)):
        for start, stop, posting_terms in _posting_chunks(fa, to_global[s]):
            kept = live[np.asarray(fa.docs[start:stop])]
            counts[s] += np.bincount(posting_terms[kept], minlength=len(terms))
    toff = np.zeros(len(terms) + 1, np.int64)
    np.cumsum(counts.sum(axis=0), out=toff[1:])
    postings = int(toff[-1])
    # Where segment s's slice of term t starts, minus where its kept postings of t start.
    shift = (toff[:-1] + np.cumsum(counts, axis=0) - counts) - (np.cumsum(counts, axis=1) - counts)

    def out(part: str, dtype, size: int):
        return np.lib.format.open_memmap(
            folder / file_name(segid, f"{field}.{part}"), mode="w+", dtype=dtype, shape=(size,)
        )

    docs = out("docs.npy", np.int32, postings)
    frequencies = np.zeros(postings, np.uint32)
    for p in _placed(fields, lives, to_global, shift):
        fa, chunk = fields[p.segment], p.chunk
        docs[p.dest] = renumber[p.segment][np.asarray(fa.docs[chunk])[p.kept]]
        offsets = np.asarray(fa.poff[chunk.start:chunk.stop + 1], np.int64)
        frequencies[p.dest] = np.diff(offsets)[p.kept]
    total_positions = int(frequencies.sum(dtype=np.int64))
    poff = out("poff.npy", offset_dtype(total_positions), postings + 1)
    carry = 0
    for start in range(0, postings, CHUNK_POSTINGS):
        part = np.cumsum(frequencies[start:start + CHUNK_POSTINGS], dtype=np.int64) + carry
        poff[start + 1:start + 1 + part.size] = part
        carry = int(part[-1])
    del frequencies
    widest = max((fa.pos.dtype for fa in fields), key=lambda t: np.dtype(t).itemsize)
    pos = out("pos.npy", widest, total_positions)
    for p in _placed(fields, lives, to_global, shift):
        fa, chunk = fields[p.segment], p.chunk
        offsets = np.asarray(fa.poff[chunk.start:chunk.stop + 1], np.int64)
        starts, sizes = offsets[:-1][p.kept], np.diff(offsets)[p.kept]
        pos[gather_index(np.asarray(poff[p.dest], np.int64), sizes)] = (
            np.asarray(fa.pos)[gather_index(starts, sizes)]
        )
    del docs, poff, pos
    np.save(folder / file_name(segid, f"{field}.toff.npy"), toff)
    (folder / file_name(segid, f"{field}.terms.json")).write_text(
        json.dumps(terms, ensure_ascii=False)
    )
    merged_lengths = np.concatenate(
        [np.asarray(fa.lengths)[live] for fa, live in zip(fields, lives, strict=True)]
    )
    np.save(folder / file_name(segid, f"{field}.len.npy"), merged_lengths.astype(np.int32))
    _merge_offsets(folder, segid, field, fields, lives, int(merged_lengths.sum()))
    return int(merged_lengths.sum())


def _merge_offsets(folder: Path, segid: str, field: str, fields: list, lives: list[np.ndarray],
                   total: int) -> None:
    """The live documents' character offsets, in order, a chunk of documents at a time."""
    widest = max((fa.coff.dtype for fa in fields), key=lambda t: np.dtype(t).itemsize)
    coff = np.lib.format.open_memmap(folder / file_name(segid, f"{field}.coff.npy"),
                                     mode="w+", dtype=widest, shape=(total,))
    at = 0
    for fa, live in zip(fields, lives, strict=True):
        lengths = np.asarray(fa.lengths, np.int64)
        starts = fa.coff_starts[:-1]
        kept = np.flatnonzero(live)
        for chunk in np.array_split(kept, max(1, int(lengths.sum()) // CHUNK_POSTINGS + 1)):
            index = gather_index(starts[chunk], lengths[chunk])
            coff[at:at + index.size] = np.asarray(fa.coff)[index]
            at += index.size
    del coff
    first = np.concatenate(
        [np.asarray(fa.first)[live] for fa, live in zip(fields, lives, strict=True)]
    )
    np.save(folder / file_name(segid, f"{field}.first.npy"), first.astype(np.int32))


# Postings handled per vectorised step of a merge: bounds its temporary arrays.
CHUNK_POSTINGS = 1 << 21


def _posting_chunks(fa, to_global: np.ndarray):
    """(start, stop, global term of each posting) over a field's postings, in chunks."""
    toff = np.asarray(fa.toff, np.int64)
    total = int(toff[-1])
    for start in range(0, total, CHUNK_POSTINGS):
        stop = min(total, start + CHUNK_POSTINGS)
        local = np.searchsorted(toff, np.arange(start, stop), side="right") - 1
        yield start, stop, to_global[local]


class _Placement(NamedTuple):
    segment: int
    chunk: slice  # of the segment's postings
    kept: np.ndarray  # which of the chunk's postings survive (their document is live)
    dest: np.ndarray  # where each kept posting goes in the merged arrays


def _placed(fields, lives, to_global, shift) -> Iterator[_Placement]:
    """Each segment's postings, a chunk at a time, with the kept ones' merged places."""
    for s, (fa, live) in enumerate(zip(fields, lives, strict=True)):
        kept_before = 0
        for start, stop, posting_terms in _posting_chunks(fa, to_global[s]):
            kept = live[np.asarray(fa.docs[start:stop])]
            j = kept_before + np.arange(int(kept.sum()), dtype=np.int64)
            kept_before += j.size
            yield _Placement(s, slice(start, stop), kept, j + shift[s][posting_terms[kept]])


def _ids_in_order(arrays: SegmentArrays, live: np.ndarray) -> list[str]:
    fa = arrays.fields[ID_FIELD]
    owner = np.empty(arrays.doc_count, np.int64)
    owner[np.asarray(fa.docs)] = np.repeat(np.arange(len(fa.terms)), np.diff(np.asarray(fa.toff)))
    return [fa.terms[t] for t in owner[live]]


def _merge_stored(folder: Path, segid: str, arrays: list[SegmentArrays],
                  lives: list[np.ndarray]) -> None:
    sizes = []
    with open(folder / file_name(segid, "stored.bin"), "wb") as out:
        for a, live in zip(arrays, lives, strict=True):
            for local in np.flatnonzero(live):
                blob = a.stored_bytes(int(local))
                out.write(blob)
                sizes.append(len(blob))
    offsets = np.zeros(len(sizes) + 1, np.int64)
    np.cumsum(sizes, out=offsets[1:])
    np.save(folder / file_name(segid, "stored_off.npy"), offsets)
