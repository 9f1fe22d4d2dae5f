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

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from search.index.codec import NpSegment, open_segment
from search.index.columns import FACETS
from search.index.csr import gather_index
from search.index.invert import InvertedField, offset_dtype
from search.index.segment import (
    ID_FIELD,
    TEXT_FIELDS,
    SegmentArrays,
    SegmentInfo,
    file_name,
    id_postings,
    new_segid,
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


def apply_policy(folder: Path, segments: list[NpSegment], everything: bool = False
                 ) -> tuple[list[NpSegment], int]:
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
        for group in groups:
            merged = merge(folder, [segments[i] for i in group])
            replaced[group[0]] = merged
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
    _save_ids(folder, segid, id_postings(ids))
    _merge_stored(folder, segid, arrays, lives)
    days = [np.asarray(a.day)[live] for a, live in zip(arrays, lives, strict=True)]
    np.save(folder / file_name(segid, "day.npy"), np.concatenate(days))
    for facet in FACETS:
        _merge_facet(folder, segid, facet, arrays, lives)
    return NpSegment(SegmentInfo(segid, base, lengths))


def _merge_field(folder: Path, segid: str, field: str, arrays: list[SegmentArrays],
                 renumber: list[np.ndarray], lives: list[np.ndarray]) -> int:
    """Write one text field of the merged segment; returns its total length."""
    fields = [a.fields[field] for a in arrays]
    terms = sorted({t for fa in fields for t in fa.terms})
    term_index = {t: i for i, t in enumerate(terms)}
    # Kept postings per (segment, global term), and where each segment's slice of a
    # term starts in the merged arrays.
    per_segment = []
    counts = np.zeros((len(fields), len(terms)), np.int64)
    for s, (fa, live) in enumerate(zip(fields, lives, strict=True)):
        to_global = np.fromiter((term_index[t] for t in fa.terms), np.int64, len(fa.terms))
        posting_terms = np.repeat(to_global, np.diff(np.asarray(fa.toff)))
        kept = live[np.asarray(fa.docs)]
        counts[s] = np.bincount(posting_terms[kept], minlength=len(terms))
        per_segment.append((posting_terms, kept))
    per_term = counts.sum(axis=0)
    toff = np.zeros(len(terms) + 1, np.int64)
    np.cumsum(per_term, out=toff[1:])
    postings = int(toff[-1])
    slice_start = toff[:-1] + np.cumsum(counts, axis=0) - counts  # [segment, term]

    def out(part: str, dtype, size: int):
        return np.lib.format.open_memmap(
            folder / file_name(segid, f"{field}.{part}"), mode="w+", dtype=dtype, shape=(size,)
        )

    docs = out("docs.npy", np.int32, postings)
    tfs = out("tfs.npy", np.float32, postings)
    destinations = []
    for s, (fa, (posting_terms, kept)) in enumerate(zip(fields, per_segment, strict=True)):
        terms_kept = posting_terms[kept]
        # Rank of each kept posting within its term's slice of this segment.
        first = np.searchsorted(terms_kept, terms_kept, side="left")
        dest = slice_start[s][terms_kept] + (np.arange(terms_kept.size) - first)
        docs[dest] = renumber[s][np.asarray(fa.docs)[kept]]
        tfs[dest] = np.asarray(fa.tfs)[kept]
        destinations.append(dest)
    poff_values = np.zeros(postings + 1, np.int64)
    np.cumsum(np.asarray(tfs, np.int64), out=poff_values[1:])
    poff = out("poff.npy", offset_dtype(int(poff_values[-1])), postings + 1)
    poff[:] = poff_values
    pos = out("pos.npy", np.int32, int(poff_values[-1]))
    for fa, (_, kept), dest in zip(fields, per_segment, destinations, strict=True):
        source = np.asarray(fa.poff, np.int64)
        starts = source[:-1][kept]
        sizes = source[1:][kept] - starts
        _copy_ranges(np.asarray(fa.pos), starts, sizes, pos, poff_values[dest])
    del docs, tfs, poff, pos
    np.save(folder / file_name(segid, f"{field}.toff.npy"), toff)
    (folder / file_name(segid, f"{field}.terms.json")).write_text(
        json.dumps(terms, ensure_ascii=False)
    )
    merged_lengths = np.concatenate(
        [np.asarray(fa.lengths)[live] for fa, live in zip(fields, lives, strict=True)]
    )
    np.save(folder / file_name(segid, f"{field}.len.npy"), merged_lengths.astype(np.int32))
    return int(merged_lengths.sum())


# Ranges copied per vectorised step: bounds the index arrays' memory.
_COPY_CHUNK = 1 << 20


def _copy_ranges(source: np.ndarray, starts: np.ndarray, sizes: np.ndarray,
                 target: np.ndarray, target_starts: np.ndarray) -> None:
    """``target[ts:ts+n] = source[s:s+n]`` for every range, a chunk at a time."""
    done = 0
    while done < starts.size:
        # As many ranges as cover about _COPY_CHUNK positions (at least one).
        cumulative = np.cumsum(sizes[done:])
        stop = done + max(1, int(np.searchsorted(cumulative, _COPY_CHUNK, side="right")))
        s, n, t = starts[done:stop], sizes[done:stop], target_starts[done:stop]
        target[gather_index(t, n)] = source[gather_index(s, n)]
        done = stop


def _ids_in_order(arrays: SegmentArrays, live: np.ndarray) -> list[str]:
    fa = arrays.fields[ID_FIELD]
    owner = np.empty(arrays.doc_count, np.int64)
    owner[np.asarray(fa.docs)] = np.repeat(np.arange(len(fa.terms)), np.diff(np.asarray(fa.toff)))
    return [fa.terms[t] for t in owner[live]]


def _save_ids(folder: Path, segid: str, ids: InvertedField) -> None:
    def path(part: str) -> Path:
        return folder / file_name(segid, f"{ID_FIELD}.{part}")

    path("terms.json").write_text(json.dumps(ids.terms, ensure_ascii=False))
    np.save(path("toff.npy"), ids.toff)
    np.save(path("docs.npy"), ids.docs)
    np.save(path("tfs.npy"), ids.tfs)


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


def _merge_facet(folder: Path, segid: str, facet: str, arrays: list[SegmentArrays],
                 lives: list[np.ndarray]) -> None:
    columns = [a.facets[facet] for a in arrays]
    values = sorted({v for c in columns for v in c.values})
    ordinal = {v: i for i, v in enumerate(values)}
    ords, counts = [], []
    for c, live in zip(columns, lives, strict=True):
        remap = np.fromiter((ordinal[v] for v in c.values), np.int32, len(c.values))
        offsets = np.asarray(c.offsets, np.int64)
        starts, sizes = offsets[:-1][live], np.diff(offsets)[live]
        ords.append(remap[np.asarray(c.ords)[gather_index(starts, sizes)]])
        counts.append(sizes)
    sizes = np.concatenate(counts)
    offsets = np.zeros(sizes.size + 1, np.int64)
    np.cumsum(sizes, out=offsets[1:])
    (folder / file_name(segid, f"{facet}.values.json")).write_text(
        json.dumps(values, ensure_ascii=False)
    )
    np.save(folder / file_name(segid, f"{facet}.offsets.npy"), offsets)
    np.save(folder / file_name(segid, f"{facet}.ords.npy"), np.concatenate(ords).astype(np.int32))
