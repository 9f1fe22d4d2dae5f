"""Known names found again in an article's text, after the model has read it.

The small NER model misses names it found a paragraph or an article earlier (a county
side in one scorecard but not the next), splits long names ("Organization for Security
and Cooperation" + "in Europe"), and never sees the names of the aliases file as such.
So, once the model's mentions of the whole corpus are counted, each article's text is
searched (Aho-Corasick, case-sensitive, whole words, leftmost-longest) for:

- the names of the aliases files (canonical names and variants), and
- the names the model found with confidence elsewhere: at least ``MIN_CORPUS_COUNT``
  times in the corpus, each with the type most of its mentions had.

A found name longer than the model's mentions inside it replaces them (a name inside a
longer name is not an entity of its own: "Europe" in the OSCE's full name); one that no
mention overlaps is added; one inside or across a model's mention is left out (the
model's longer reading stands). A single word at the start of a sentence is not added
("Reading", "Bush": there the capital says nothing). In a line written in capitals
(headlines, datelines: "DUBLIN 1996-08-22") a name matches in capitals too, wherever
it stands in the line.

This runs at resolve time on the cached mentions and the text, so editing the aliases
file or a growing corpus never re-runs the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import ahocorasick

from search.enrich.entities.aliases import Aliases
from search.enrich.entities.canonical import MentionRules
from search.enrich.entities.extractors import Mention
from search.enrich.entities.names import clean_surface, has_capital, name_key
from search.models import ENTITY_TYPES

# How often the model must have found a name for it to be looked for everywhere.
MIN_CORPUS_COUNT = 2
MIN_NAME_CHARS = 3
_TYPE_ORDER = {"places": 0, "organisations": 1, "people": 2}
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\"'\n])\s*$")
# An initial, then a surname (Mc/Mac/O' names included), not after a letter or a dot.
_INITIALLED = re.compile(r"(?<![\w.])[A-Z]\. ?((?:Mc|Mac|O')?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")
_COMPASS_PLACES = frozenset({"korea", "africa", "america", "carolina", "dakota", "sudan",
                             "ossetia", "yemen", "vietnam", "ireland", "wales", "asia"})
# The word right after a name, when it is capitalised.
_NEXT_WORD = re.compile(r"[ -]([A-Z][\w'-]*)")


class NameFinder:
    """Finds known names in text and merges them with a text's model mentions."""

    def __init__(self, names: Iterable[tuple[str, str]],
                 is_demonym: Callable[[str], bool] = lambda key: False) -> None:
        """``names``: (surface as written, type); the first type given for a surface wins.
        ``is_demonym`` tells a nationality word (a folded key) from other words."""
        self._is_demonym = is_demonym
        self._automaton = ahocorasick.Automaton()
        for surface, etype in names:
            if etype not in ENTITY_TYPES or len(surface) < MIN_NAME_CHARS:
                continue
            words = surface.split(" ")
            # "Lachin corridor" for "Lachin Corridor": the name with a common word after
            # it, written in lower case, is still that name.
            tail_lower = " ".join([words[0], *(w.lower() for w in words[1:])])
            forms = ((surface, False), (tail_lower, False), (surface.upper(), True))
            for form, caps in forms:
                if form not in self._automaton and (not caps or form != surface):
                    self._automaton.add_word(form, (len(form), etype, caps))
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    @classmethod
    def for_corpus(cls, counts: Mapping[str, Mapping[str, int]], aliases: Aliases,
                   rules: MentionRules) -> NameFinder:
        """The aliases' names, then the corpus's confident ones (cleaned surfaces and
        their type votes, as ``EntityResolver`` counts them)."""
        names = [(s, t) for s, t in aliases.surfaces() if s[:1].isupper()]
        for surface in sorted(counts):
            votes = counts[surface]
            if sum(votes.values()) < MIN_CORPUS_COUNT or not has_capital(surface):
                continue
            etype = min(votes, key=lambda t: (-votes[t], _TYPE_ORDER.get(t, 9)))
            if rules.names(surface, etype, cleaned=True):  # not chrome, a demonym, a date
                names.append((surface, etype))
        return cls(names, aliases.is_demonym)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, stop, type) of known names in ``text``, leftmost-longest, whole words."""
        if self._empty or not text:
            return []
        spans = []
        for end, (length, etype, caps) in self._automaton.iter(text):
            start, stop = end - length + 1, end + 1
            if not _whole_word(text, start, stop):
                continue
            if caps and not _line_in_capitals(text, start):
                continue
            if not caps and " " not in text[start:stop] and _SENTENCE_END.search(text, 0, start):
                continue  # a lone capitalised word opening a sentence
            following = _NEXT_WORD.match(text, stop)
            if following and self._is_demonym(name_key(following.group(1))):
                continue  # part of a nationality word: "South" of "South Korean"
            spans.append((start, stop, etype))
        spans.extend(self._initialled(text))
        spans.sort(key=lambda s: (s[0], s[0] - s[1]))
        chosen, taken_until = [], 0
        for start, stop, etype in spans:
            if start >= taken_until:
                chosen.append((start, stop, etype))
                taken_until = stop
        return chosen

    def _initialled(self, text: str) -> Iterable[tuple[int, int, str]]:
        """An initial and a surname ("K. Curran", "M. McCague") is a person's name, as
        scorecards and bylines write them; not a compass point before a nationality or
        a country ("S. Korean", "N. Korea")."""
        for match in _INITIALLED.finditer(text):
            surname = match.group(1)
            key = name_key(surname)
            if self._is_demonym(key) or key in _COMPASS_PLACES:
                continue
            yield match.start(), match.end(), "people"

    def complete(self, text: str, mentions: list[Mention]) -> list[Mention]:
        """The model's mentions of ``text`` with the known names merged in, text order."""
        found = self.find(text)
        if not found:
            return mentions
        located = _locate(text, mentions)
        dropped: set[int] = set()
        added: list[tuple[int, Mention]] = []
        for start, stop, etype in found:
            written = text[start:stop]
            overlapping = [i for i, (s, e, _) in enumerate(located)
                           if s is not None and s < stop and start < e]
            if all(located[i][0] >= start and located[i][1] <= stop
                   and located[i][1] - located[i][0] < stop - start for i in overlapping):
                dropped.update(overlapping)
                added.append((start, (written, etype)))
        merged = [(s if s is not None else prev, m) for i, (s, _, m, prev)
                  in enumerate(_with_positions(located)) if i not in dropped]
        merged.extend(added)
        merged.sort(key=lambda item: item[0])
        return [m for _, m in merged]


def _locate(text: str, mentions: list[Mention]) -> list[tuple[int | None, int, Mention]]:
    """Each mention's (start, stop) in ``text``, searched in order (the model gives them
    in text order), narrowed to its cleaned name; None for one not found verbatim."""
    located: list[tuple[int | None, int, Mention]] = []
    position = 0
    for mention in mentions:
        surface = mention[0]
        start = text.find(surface, position) if surface else -1
        if start < 0:
            located.append((None, 0, mention))
            continue
        position = start + len(surface)
        # The name proper, without what the span dragged along ("the Minsk Group of"):
        # it is the part that must lie inside a longer known name.
        core = clean_surface(surface)
        offset = surface.find(core) if core else -1
        if offset >= 0:
            start, stop = start + offset, start + offset + len(core)
        else:
            stop = position
        located.append((start, stop, mention))
    return located


def _with_positions(located):
    """Located mentions with, for unlocated ones, the position of the one before."""
    previous = 0
    for start, stop, mention in located:
        if start is not None:
            previous = start
        yield start, stop, mention, previous


def _whole_word(text: str, start: int, stop: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[stop] if stop < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def _line_in_capitals(text: str, at: int) -> bool:
    """The line holding ``at`` has letters, all of them capitals."""
    begin = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    line = text[begin: end if end >= 0 else len(text)]
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)
