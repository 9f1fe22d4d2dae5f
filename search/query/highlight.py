"""Highlighted titles and body fragments, HTML-escaped, matches in ``<mark>``.

Whoosh's highlighter re-analyses (tokenises and stems) the whole stored body of every
hit, the largest cost of a results page. Here the text is split by the same token
pattern in one regex pass, and each distinct word is mapped to its index term through
a cache, so a page of hits costs a fraction of a millisecond each. Everything that is
not a match is escaped: stored text can contain ``<`` and ``&``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from search.analysis import WORD

_NEWLINES = re.compile(r"\s*\n+\s*")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    term: str


class Highlighter:
    """Marks the words of a text whose index term is one of the query's terms."""

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

    def spans(
        self, text: str, terms: frozenset[str], phrases: tuple[tuple[str, ...], ...] = ()
    ) -> list[Span]:
        """Words to mark: any of ``terms``, and each whole run of a phrase's terms.

        A phrase's words are marked only where they stand together (stop words in
        between are skipped, as the index skips them), so "Lachin Corridor" does not
        light up every "corridor".
        """
        if not terms and not phrases:
            return []
        term_of = self._term_of
        found: dict[int, Span] = {}
        indexed: list[tuple[int, int, str]] = []
        for m in WORD.finditer(text):
            term = term_of(m.group())
            if term is None:
                continue
            if term in terms:
                found[m.start()] = Span(m.start(), m.end(), term)
            if phrases:
                indexed.append((m.start(), m.end(), term))
        if phrases:
            sequence = [w[2] for w in indexed]
            for phrase in phrases:
                n = len(phrase)
                first = phrase[0]
                for i, term in enumerate(sequence[: len(sequence) - n + 1]):
                    if term == first and tuple(sequence[i : i + n]) == phrase:
                        for start, end, t in indexed[i : i + n]:
                            found[start] = Span(start, end, t)
        return [found[k] for k in sorted(found)]

    def mark(
        self, text: str, terms: frozenset[str], phrases: tuple[tuple[str, ...], ...] = ()
    ) -> str:
        """The whole text, escaped, with every match marked (for titles)."""
        return _render(text, 0, len(text), self.spans(text, terms, phrases))

    def fragments(
        self,
        text: str,
        terms: frozenset[str],
        count: int,
        size: int,
        phrases: tuple[tuple[str, ...], ...] = (),
    ) -> list[str]:
        """Up to ``count`` fragments of about ``size`` characters around the best matches.

        The best window holds the most distinct query terms, then the most matches;
        windows do not overlap. With no match, the opening of the text is returned,
        unmarked, so every hit shows some text.
        """
        if count <= 0:
            return []
        spans = self.spans(text, terms, phrases)
        if not spans:
            start, end = 0, _word_end(text, min(len(text), size))
            return [_render(text, start, end, []) + ("\u2026" if end < len(text) else "")]
        windows = []
        for i, first in enumerate(spans):
            j = i
            while j + 1 < len(spans) and spans[j + 1].end - first.start <= size:
                j += 1
            inside = spans[i : j + 1]
            windows.append((len({s.term for s in inside}), len(inside), -first.start, i, j))
        windows.sort(reverse=True)
        chosen: list[tuple[int, int]] = []
        for _, _, _, i, j in windows:
            start, end = _frame(text, spans[i].start, spans[j].end, size)
            if all(end <= s or start >= e for s, e in chosen):
                chosen.append((start, end))
            if len(chosen) == count:
                break
        return [_fragment(text, s, e, spans) for s, e in chosen]


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


def _fragment(text: str, start: int, end: int, spans: list[Span]) -> str:
    body = _render(text, start, end, [s for s in spans if s.start >= start and s.end <= end])
    return ("\u2026" if start > 0 else "") + body + ("\u2026" if end < len(text) else "")


def _render(text: str, start: int, end: int, spans: list[Span]) -> str:
    out = []
    pos = start
    for span in spans:
        out.append(html.escape(text[pos : span.start], quote=False))
        out.append("<mark>" + html.escape(text[span.start : span.end], quote=False) + "</mark>")
        pos = span.end
    out.append(html.escape(text[pos:end], quote=False))
    return _NEWLINES.sub(" ", "".join(out))
