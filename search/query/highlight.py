"""Highlighted titles and body fragments, HTML-escaped, matches in ``<mark>``.

A hit's matches come from the index, not from reading its text again: the query's terms'
positions in the document (its postings) and the character offset stored for each
position (``search.index.invert``). A phrase's words are marked only where the phrase
stands (``search.query.phrases``), with its slop. So a fragment costs what the matches
cost, however long the article (Lucene's UnifiedHighlighter with offsets in postings
works the same way). Then the best windows are sliced from the stored text, and
everything that is not a match is escaped: stored text can contain ``<`` and ``&``.

A text that is not in the index (``Highlighter``) is analysed into positions and offsets
by the indexer's own inversion first, so both paths share every step after that.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from search.analysis import WORD
from search.index.invert import InvertedField, invert
from search.index.postings import FieldPostings
from search.query.phrases import Phrase, phrase_positions

_NEWLINES = re.compile(r"\s*\n+\s*")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    term: str


@dataclass
class Marks:
    """What a query highlights, field by field (``title:vote`` marks only titles)."""

    terms: dict[str, set[str]] = field(default_factory=dict)
    phrases: dict[str, set[Phrase]] = field(default_factory=dict)

    def add_term(self, term: str, fields: Iterable[str]) -> None:
        for f in fields:
            self.terms.setdefault(f, set()).add(term)

    def add_phrase(self, phrase: Phrase, fields: Iterable[str]) -> None:
        for f in fields:
            self.phrases.setdefault(f, set()).add(phrase)

    def copy(self) -> Marks:
        return Marks({f: set(t) for f, t in self.terms.items()},
                     {f: set(p) for f, p in self.phrases.items()})

    def of(self, field_name: str) -> tuple[frozenset[str], tuple[Phrase, ...]]:
        return (frozenset(self.terms.get(field_name, ())),
                tuple(sorted(self.phrases.get(field_name, ()))))


class Positions(Protocol):
    """One text's words as the index sees them: where each term stands, and where each
    position's word starts in the text."""

    def positions(self, term: str) -> np.ndarray: ...

    def char_starts(self, positions: np.ndarray) -> np.ndarray: ...


def spans(text: str, where: Positions, terms: Iterable[str],
          phrases: Iterable[Phrase | tuple[str, ...]] = ()) -> list[Span]:
    """The words of ``text`` to mark, in order: every occurrence of ``terms``, and the words
    of each occurrence of a phrase."""
    marked: dict[int, str] = {}
    for term in terms:
        for p in where.positions(term).tolist():
            marked[p] = term
    for phrase in phrases:
        phrase = phrase if isinstance(phrase, Phrase) else Phrase(tuple(phrase))
        per_term = [where.positions(t) for t in phrase.terms]
        if any(p.size == 0 for p in per_term):
            continue
        in_match = phrase_positions(per_term, phrase.slop)
        for term, found in zip(phrase.terms, per_term, strict=True):
            for p in found[np.isin(found, in_match)].tolist():
                marked[p] = term
    if not marked:
        return []
    ordered = sorted(marked)
    out = []
    for p, start in zip(ordered, where.char_starts(np.asarray(ordered)).tolist(), strict=True):
        word = WORD.match(text, start)
        if word is not None:
            out.append(Span(start, word.end(), marked[p]))
    return out


def mark(text: str, found: list[Span]) -> str:
    """The whole text, escaped, with every match marked (for titles and full articles:
    its line breaks are kept)."""
    return _escape_marked(text, 0, len(text), found)


def fragments(text: str, found: list[Span], count: int, size: int) -> list[str]:
    """Up to ``count`` fragments of about ``size`` characters around the best matches.

    The best window holds the most distinct query terms, then the most matches;
    windows do not overlap. With no match, the opening of the text is returned,
    unmarked, so every hit shows some text.
    """
    if count <= 0:
        return []
    if not found:
        start, end = 0, _word_end(text, min(len(text), size))
        return [_render(text, start, end, []) + ("\u2026" if end < len(text) else "")]
    windows = []
    for i, first in enumerate(found):
        j = i
        while j + 1 < len(found) and found[j + 1].end - first.start <= size:
            j += 1
        inside = found[i : j + 1]
        windows.append((len({s.term for s in inside}), len(inside), -first.start, i, j))
    windows.sort(reverse=True)
    chosen: list[tuple[int, int]] = []
    for _, _, _, i, j in windows:
        start, end = _frame(text, found[i].start, found[j].end, size)
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
        if len(chosen) == count:
            break
    return [_fragment(text, s, e, found) for s, e in chosen]


class IndexedText:
    """A document's field in the index: positions from its postings, offsets stored."""

    def __init__(self, postings: FieldPostings, docnum: int) -> None:
        self._postings, self._docnum = postings, docnum

    def positions(self, term: str) -> np.ndarray:
        return self._postings.doc_positions(term, self._docnum)

    def char_starts(self, positions: np.ndarray) -> np.ndarray:
        return self._postings.char_starts(self._docnum, positions)


class AnalysedText:
    """A text outside the index, inverted by the indexer's own code (one document)."""

    def __init__(self, text: str, term_of: Callable[[str], str | None]) -> None:
        self._inverted: InvertedField = invert([text], term_of)
        self._index = {t: i for i, t in enumerate(self._inverted.terms)}

    def positions(self, term: str) -> np.ndarray:
        i = self._index.get(term)
        if i is None:  # one document: term i's only posting is posting i
            return np.zeros(0, np.int64)
        inv = self._inverted
        return np.asarray(inv.pos[int(inv.poff[i]):int(inv.poff[i + 1])], np.int64)

    def char_starts(self, positions: np.ndarray) -> np.ndarray:
        inv = self._inverted
        return np.asarray(inv.coff[np.asarray(positions, np.int64) - int(inv.first[0])], np.int64)


class Highlighter:
    """Highlights any text for a query's terms and phrases, analysed as the index does."""

    def __init__(self, analyse: Callable[[str], list[str]], cache_size: int = 200_000) -> None:
        self._analyse = analyse
        self._cache: dict[str, str | None] = {}
        self._cache_size = cache_size

    def _term_of(self, word: str) -> str | None:
        """The index term of one word (None for stop words), memoised: called per word."""
        try:
            return self._cache[word]
        except KeyError:
            terms = self._analyse(word)
            term = terms[0] if len(terms) == 1 else None
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[word] = term
            return term

    def spans(self, text: str, terms: frozenset[str],
              phrases: tuple[Phrase | tuple[str, ...], ...] = ()) -> list[Span]:
        if not terms and not phrases:
            return []
        return spans(text, AnalysedText(text, self._term_of), terms, phrases)

    def mark(self, text: str, terms: frozenset[str],
             phrases: tuple[Phrase | tuple[str, ...], ...] = ()) -> str:
        return mark(text, self.spans(text, terms, phrases))

    def fragments(self, text: str, terms: frozenset[str], count: int, size: int,
                  phrases: tuple[Phrase | tuple[str, ...], ...] = ()) -> list[str]:
        if count <= 0:
            return []
        return fragments(text, self.spans(text, terms, phrases), count, size)


def _frame(text: str, match_start: int, match_end: int, size: int) -> tuple[int, int]:
    """A window of about ``size`` characters centred on the matches, on word boundaries."""
    slack = max(0, size - (match_end - match_start))
    start = max(0, match_start - slack // 2)
    end = min(len(text), match_end + (slack - (match_start - start)))
    if start > 0:
        space = text.find(" ", start, match_start)
        start = space + 1 if space != -1 else match_start
    # Never end before the last match: with little slack, the space before the end
    # can be the one in front of the last matched word.
    return start, max(match_end, _word_end(text, end))


def _word_end(text: str, end: int) -> int:
    if end >= len(text):
        return len(text)
    space = text.rfind(" ", 0, end)
    return space if space > 0 else end


def _fragment(text: str, start: int, end: int, found: list[Span]) -> str:
    body = _render(text, start, end, [s for s in found if s.start >= start and s.end <= end])
    return ("\u2026" if start > 0 else "") + body + ("\u2026" if end < len(text) else "")


def _render(text: str, start: int, end: int, found: list[Span]) -> str:
    """A fragment: escaped, marked, on one line."""
    return _NEWLINES.sub(" ", _escape_marked(text, start, end, found))


def _escape_marked(text: str, start: int, end: int, found: list[Span]) -> str:
    out = []
    pos = start
    for span in found:
        out.append(html.escape(text[pos : span.start], quote=False))
        out.append("<mark>" + html.escape(text[span.start : span.end], quote=False) + "</mark>")
        pos = span.end
    out.append(html.escape(text[pos:end], quote=False))
    return "".join(out)
