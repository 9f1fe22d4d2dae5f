"""A batch's words, found and interned in numpy: the first step of inversion.

Splitting every text with the word regex and interning each word through a ``dict``
costs a Python string and a hash lookup per word: 1.6 s of a 5,000-article batch's
4.3 s. Here a run of texts (about a million characters at a time) is one array of code
points; the words are a mask over it (``search.analysis.word_spans``, the same words
as the regex); each word gets a 64-bit hash from one running sum over the run; one sort
of the hashes groups equal words; and only each *distinct* word becomes a Python string.

A hash is not an identity: two different words may share one (and a polynomial hash
can be made to collide on purpose). So every grouping is checked exactly, character by
character against the group's first word, in numpy; if any word differs, that run is
interned the slow, exact way instead. A collision costs time, never a wrong word.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from search.analysis import code_points, word_spans
from search.index.csr import gather_index, row_starts

# Characters per run: large enough that numpy's per-call cost vanishes, small enough that
# a run's arrays stay a few MB (and its two power tables 17 MB).
RUN_CHARS = 1 << 20
# The smallest power tables made: a search process that analyses one short text (the
# highlighter's ``AnalysedText``) keeps tables of a few KB, not a build's.
MIN_TABLE = 1 << 12
# Between two texts of a run: no word character, no joiner, so no word spans two texts.
_SEPARATOR = "\n"

_MULTIPLIER = 0x9E3779B97F4A7C15  # odd, so it has an inverse modulo 2**64
_LENGTH_MIX = np.uint64(0xD6E8FEB86659FD93)


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``M**i`` and ``M**-i`` modulo 2**64 for ``i`` in ``0..n`` at least (numpy's uint64
    arithmetic wraps). Tables up to a run's size are made once per process, in powers of
    two (so at most a dozen sizes); a longer text's are made for it and dropped."""
    if n > RUN_CHARS:
        return _make_powers(n)
    return _cached_powers(max(MIN_TABLE, 1 << max(n - 1, 0).bit_length()))


@cache
def _cached_powers(size: int) -> tuple[np.ndarray, np.ndarray]:
    return _make_powers(size)


def _make_powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    forward = np.empty(n + 1, np.uint64)
    forward[0], forward[1:] = 1, _MULTIPLIER
    inverse = np.empty(n + 1, np.uint64)
    inverse[0], inverse[1:] = 1, pow(_MULTIPLIER, -1, 1 << 64)
    return np.cumprod(forward, out=forward), np.cumprod(inverse, out=inverse)


def intern_words(texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The distinct words of ``texts`` in order of first occurrence, every word as an id
    into them (int32, text by text), the number of words in each text (int64), and every
    word's character offset in its text (int64).

    Each run's words are grouped within the run; then the runs' distinct words (a tenth
    of all words, or less) are grouped across runs the same way, so only the batch's
    distinct words ever become strings.
    """
    runs = [_run_words(run) for run in _runs(texts)]
    if not runs:
        return [], np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0, np.int64)
    lengths = np.concatenate([r.distinct_lengths for r in runs])
    codes = np.concatenate([r.distinct_codes for r in runs])
    starts = row_starts(lengths)
    groups, firsts = group_equal(np.concatenate([r.distinct_hashes for r in runs]))
    if not all(r.exact for r in runs) or not same_words(codes, starts, lengths, groups, firsts):
        return _intern_exactly(texts)
    ids, before = [], 0
    for run in runs:
        ids.append(groups[before + run.ids])
        before += run.distinct_lengths.size
    return (_decode(codes, starts[firsts], lengths[firsts]), np.concatenate(ids),
            np.concatenate([r.counts for r in runs]), np.concatenate([r.offsets for r in runs]))


def _runs(texts: Sequence[str]) -> Iterator[list[str]]:
    """Consecutive texts in runs of at most ``RUN_CHARS`` characters (a longer text alone)."""
    run: list[str] = []
    size = 0
    for text in texts:
        if run and size + len(text) > RUN_CHARS:
            yield run
            run, size = [], 0
        run.append(text)
        size += len(text) + len(_SEPARATOR)
    if run:
        yield run


@dataclass
class _RunWords:
    """One run's words: each as an id into the run's distinct words (whose code points,
    lengths and hashes are kept for grouping across runs), and per text, its count of
    words and their offsets."""

    ids: np.ndarray
    distinct_codes: np.ndarray
    distinct_lengths: np.ndarray
    distinct_hashes: np.ndarray
    counts: np.ndarray
    offsets: np.ndarray
    exact: bool  # False when two different words shared a hash in this run


def _run_words(texts: list[str]) -> _RunWords:
    codes, starts, ends, counts, offsets = _spans(texts)
    lengths = ends - starts
    hashes = word_hashes(codes, starts, ends)
    groups, firsts = group_equal(hashes)
    exact = same_words(codes, starts, lengths, groups, firsts)
    return _RunWords(groups, codes[gather_index(starts[firsts], lengths[firsts])],
                     lengths[firsts], hashes[firsts], counts, offsets, exact)


def _spans(texts: list[str]) -> tuple[np.ndarray, ...]:
    """A run's code points, its words' starts and ends in them, and per text its count
    of words and their offsets in it."""
    codes = code_points(_SEPARATOR.join(texts))
    starts, ends = word_spans(codes)
    text_starts = row_starts(np.fromiter((len(t) + len(_SEPARATOR) for t in texts), np.int64,
                                         len(texts)))
    counts = np.diff(np.append(np.searchsorted(starts, text_starts), starts.size))
    return codes, starts, ends, counts, starts - np.repeat(text_starts, counts)


def word_hashes(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each word ``codes[starts[i]:ends[i]]``.

    A running sum of ``code * M**position`` over the run gives any word's polynomial hash
    as a difference of two sums, shifted back to its start by ``M**-start``; the word's
    length is mixed in and the result scrambled (splitmix64's finaliser) so the high bits,
    which ``group_equal`` sorts on, depend on every character.
    """
    forward, inverse = _powers(codes.size)
    sums = np.zeros(codes.size + 1, np.uint64)
    np.cumsum(codes * forward[: codes.size], out=sums[1:])
    h = (sums[ends] - sums[starts]) * inverse[starts]
    h += (ends - starts).astype(np.uint64) * _LENGTH_MIX
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def group_equal(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each item's group (int32, numbered in order of first occurrence) and each group's
    first item, for items grouped by hash.

    One plain sort does it: each hash keeps its high bits and carries its item's index in
    the low ones, so the sorted keys come grouped by hash with items ascending in each
    group (numpy sorts uint64 with SIMD; an argsort would cost ten times more).
    """
    n = hashes.size
    if n == 0:
        return np.zeros(0, np.int32), np.zeros(0, np.int64)
    bits = np.uint64(max(1, (n - 1).bit_length()))
    keys = (hashes >> bits << bits) | np.arange(n, dtype=np.uint64)
    keys.sort()
    items = (keys & ((np.uint64(1) << bits) - np.uint64(1))).astype(np.int64)
    high = keys >> bits
    new_group = np.ones(n, bool)
    new_group[1:] = high[1:] != high[:-1]
    firsts = items[new_group]  # by hash order; renumbered by first occurrence below
    order = np.argsort(firsts)
    rank = np.empty(order.size, np.int32)
    rank[order] = np.arange(order.size, dtype=np.int32)
    groups = np.empty(n, np.int32)
    groups[items] = rank[np.cumsum(new_group) - 1]
    return groups, firsts[order]


def same_words(codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
               groups: np.ndarray, firsts: np.ndarray) -> bool:
    """Whether every word ``codes[starts[i]:starts[i] + lengths[i]]`` equals its group's
    first word, character by character.

    When every code point fits a byte (most news in Latin scripts), a word's first
    eight characters are compared as one 64-bit integer read straight from the bytes,
    and only the characters after them one by one: most words are shorter than nine.
    """
    first_of_word = firsts[groups]
    if not np.array_equal(lengths, lengths[first_of_word]):
        return False
    head = _HEAD_CHARS if codes.size and int(codes.max()) < 256 else 0
    if head:
        packed = _first_chars_packed(codes, starts, lengths)
        if not np.array_equal(packed, packed[first_of_word]):
            return False
    rest = np.maximum(lengths - head, 0)
    mine = gather_index(starts + head, rest)
    theirs = mine + np.repeat(starts[first_of_word] - starts, rest)
    return bool(np.array_equal(codes[mine], codes[theirs]))


_HEAD_CHARS = 8
# Masks keeping a word's first 0..8 bytes of a little-endian 64-bit read.
_HEAD_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(_HEAD_CHARS)] + [(1 << 64) - 1],
                       np.uint64)


def _first_chars_packed(codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray
                        ) -> np.ndarray:
    """Each word's first (up to) eight characters as one integer, for code points that
    each fit a byte: an unaligned 64-bit view over the bytes, read at each start."""
    padded = np.zeros(codes.size + _HEAD_CHARS, np.uint8)
    padded[: codes.size] = codes
    eight = np.ndarray((codes.size,), "<u8", padded, 0, (1,))
    return eight[starts] & _HEAD_MASKS[np.minimum(lengths, _HEAD_CHARS)]


def _decode(codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> list[str]:
    """The words at ``starts`` as strings, decoded in one call (no word holds the
    separator, so splitting on it gives them back)."""
    if not starts.size:
        return []
    with_separators = np.full(int(lengths.sum()) + starts.size, ord(_SEPARATOR), np.uint32)
    positions = gather_index(starts, lengths)
    with_separators[gather_index(row_starts(lengths + 1), lengths)] = codes[positions]
    text = with_separators[:-1].tobytes().decode("utf-32-le", "surrogatepass")
    return text.split(_SEPARATOR)


def _intern_exactly(texts: Sequence[str]
                    ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """``intern_words`` through a dict of every word: the slow path, taken only when two
    different words share a hash."""
    seen: dict[str, int] = {}
    ids, counts, offsets = [], [], []
    for run in _runs(texts):
        joined = _SEPARATOR.join(run)
        _, starts, ends, run_counts, run_offsets = _spans(run)
        ids.append(np.fromiter(
            (seen.setdefault(joined[a:b], len(seen))
             for a, b in zip(starts.tolist(), ends.tolist(), strict=True)),
            np.int32, starts.size,
        ))
        counts.append(run_counts)
        offsets.append(run_offsets)
    return list(seen), np.concatenate(ids), np.concatenate(counts), np.concatenate(offsets)
