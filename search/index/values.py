"""Finding facet values (entity names, outlets) by what users type.

``person:putin``, a ``person=Putin`` filter and the autocomplete box all look a name up
among tens of thousands of canonical values, on every request. Folding every value
(case, accents, hyphens) per request costs milliseconds; this index folds them once per
generation and answers with dictionary and bisect look-ups.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from search.analysis import fold


def words(text: str) -> tuple[str, ...]:
    return tuple(fold(text).replace("-", " ").split())


class ValueIndex:
    def __init__(self, values: tuple[str, ...]) -> None:
        self.values = values
        self._words = [words(v) for v in values]
        self._exact: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self._by_word: dict[str, list[int]] = defaultdict(list)
        starts: list[tuple[str, int]] = []
        for i, ws in enumerate(self._words):
            self._exact[ws].append(i)
            for w in dict.fromkeys(ws):
                self._by_word[w].append(i)
                starts.append((w, i))
            starts.append((" ".join(ws), i))
        starts.sort()
        self._starts = starts

    def matching(self, text: str) -> list[int]:
        """Values equal to ``text``, else those containing its words in order."""
        wanted = words(text)
        if not wanted:
            return []
        if wanted in self._exact:
            return list(self._exact[wanted])
        candidates = set(self._by_word.get(wanted[0], ()))
        for w in wanted[1:]:
            candidates &= set(self._by_word.get(w, ()))
        n = len(wanted)
        return sorted(
            i for i in candidates
            if any(self._words[i][j : j + n] == wanted for j in range(len(self._words[i]) - n + 1))
        )

    def exact(self, text: str) -> int | None:
        """The one value ``text`` names: equal ignoring case and accents, else unambiguous."""
        found = self.matching(text)
        same = [i for i in found if self.values[i].casefold() == text.casefold()]
        if same:
            return same[0]
        return found[0] if len(found) == 1 else None

    def with_prefix(self, prefix: str) -> list[int]:
        """Values whose name, or a word in it, starts with ``prefix``."""
        needle = " ".join(words(prefix))
        if not needle:
            return list(range(len(self.values)))
        lo = bisect.bisect_left(self._starts, (needle, -1))
        found = set()
        for key, i in self._starts[lo:]:
            if not key.startswith(needle):
                break
            found.add(i)
        return sorted(found)
