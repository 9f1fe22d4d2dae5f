"""What users type, resolved to the entity names the index knows.

The build merges an entity's spellings into one canonical value: aliases, transliteration
keys ("Pashinian" and "Pashinyan" are one key), a surname standing for the full name. A
search must apply the same rules to what users type, or ``person:pashinian`` finds
nothing although the index holds "Nikol Pashinyan", and ``q=Pashinian`` finds only the
articles that happen to spell it so.

Only *known* variants resolve: a spelling the aliases files list, or one with the
transliteration key of a name the corpus holds (a canonical value, or a name the
extractor met, from the generation's ``entity_stats.json``). Nothing is guessed by edit
distance, so an unknown name still matches nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cached_property
from pathlib import Path

from search.enrich.entities.aliases import MIN_TRANSLIT_LOOKUP, Aliases
from search.enrich.entities.names import name_key, translit_key, translit_token
from search.index.columns import FacetColumn
from search.index.store import ENTITY_STATS
from search.index.values import ValueIndex
from search.models import ENTITY_TYPES
from search.query.results import FACET_KINDS, Filters

# Around a name's word as written ("(Pashinyan),"), not part of it.
_NOT_LETTERS = "\"'()[]{},.;:!?\u201c\u201d\u2018\u2019"


class QueryNames:
    """One generation's entity names, looked up through aliases and transliteration."""

    def __init__(self, columns: Mapping[str, FacetColumn], aliases: Aliases,
                 surfaces: Iterable[tuple[str, str]] = ()) -> None:
        """``surfaces``: names the extractor met, each with the type most votes gave it."""
        self._columns = {c: columns[c] for c in ENTITY_TYPES if c in columns}
        self._aliases = aliases
        self._surfaces = tuple(surfaces)

    @classmethod
    def of_generation(cls, path: Path, columns: Mapping[str, FacetColumn],
                      aliases: Aliases) -> QueryNames:
        """With the names the extractor met in the corpus, when the build saved them."""
        surfaces: list[tuple[str, str]] = []
        try:
            stats = json.loads((path / ENTITY_STATS).read_text(encoding="utf-8"))
            found = stats.get("surfaces", {}) if isinstance(stats, dict) else {}
            surfaces = [(s, _voted(votes)) for s, votes in found.items()
                        if isinstance(s, str) and isinstance(votes, dict) and votes]
        except (OSError, ValueError):
            pass  # an index without statistics resolves through its values alone
        return cls(columns, aliases, surfaces)

    # -- facet values -------------------------------------------------------------------
    def handles(self, column: str) -> bool:
        return column in self._columns

    @cached_property
    def _translit(self) -> dict[str, ValueIndex]:
        """Per column, the values by transliteration key, in the column's order (so an
        ordinal here is an ordinal of the column)."""
        return {c: ValueIndex(tuple(translit_key(name_key(v)) for v in col.values))
                for c, col in self._columns.items()}

    def _alias(self, column: str, text: str) -> int | None:
        """The column's ordinal of the canonical name an alias stands for."""
        entry = self._aliases.lookup(name_key(text))
        if entry is None or entry.type != column:
            return None
        return self._columns[column].lookup.exact(entry.canonical)

    def _key(self, text: str) -> str:
        return translit_key(name_key(text))

    def matching(self, column: str, text: str) -> list[int]:
        """Values ``text`` names by a known variant (alias, transliteration, surname);
        for a name the column holds as typed, use the column's own lookup first."""
        if column not in self._columns:
            return []
        alias = self._alias(column, text)
        if alias is not None:
            return [alias]
        key = self._key(text)
        return self._translit[column].matching(key) if len(key) >= MIN_TRANSLIT_LOOKUP else []

    def exact(self, column: str, text: str) -> int | None:
        """The one value ``text`` names by a known variant, or None."""
        found = self.matching(column, text)
        if len(found) == 1:
            return found[0]
        key = self._key(text)
        same = [i for i in found if self._translit[column].values[i] == key]
        return same[0] if len(same) == 1 else None

    def with_prefix(self, column: str, prefix: str) -> list[int]:
        """Values with a word that starts, in transliteration, like ``prefix``; and the
        canonical values of aliases that start with it."""
        if column not in self._columns:
            return []
        key = self._key(prefix)
        # A short prefix is left as typed: folded ("zz" is "z") it would match too much.
        if min(len(name_key(prefix)), len(key)) < MIN_TRANSLIT_LOOKUP:
            return []
        found = set(self._translit[column].with_prefix(key))
        lookup = self._columns[column].lookup
        for surface, etype in self._aliases.surfaces():
            if etype != column or not _starts(name_key(surface), name_key(prefix)):
                continue
            entry = self._aliases.lookup(name_key(surface))
            ordinal = None if entry is None else lookup.exact(entry.canonical)
            if ordinal is not None:
                found.add(ordinal)
        return sorted(found)

    def resolve_filters(self, filters: Filters) -> tuple[Filters, list[str]]:
        """The filters with each entity value replaced by the canonical value it names,
        and a note for each one resolved through a variant."""
        notes: list[str] = []
        changes: dict[str, tuple[str, ...]] = {}
        for kind in FACET_KINDS.values():
            if kind.column not in self._columns:
                continue
            wanted = filters.values(kind.name)
            resolved = []
            for value in wanted:
                lookup = self._columns[kind.column].lookup
                ordinal = lookup.exact(value)
                if ordinal is None and (ordinal := self.exact(kind.column, value)) is not None:
                    notes.append(f"{kind.name}={value} is {lookup.values[ordinal]}")
                resolved.append(value if ordinal is None else lookup.values[ordinal])
            if tuple(resolved) != wanted:
                changes[kind.filters_field] = tuple(dict.fromkeys(resolved))
        return (replace(filters, **changes) if changes else filters), notes

    # -- words of the text --------------------------------------------------------------
    @cached_property
    def _known_names(self) -> list[tuple[str, str]]:
        """Every name known, with its type: the index's canonical names first, then the
        aliases, then the other surfaces the corpus statistics saw."""
        names = [(v, column) for column, col in self._columns.items() for v in col.values]
        return [*names, *self._aliases.surfaces(), *self._surfaces]

    @cached_property
    def _spellings(self) -> dict[str, frozenset[str]]:
        """Words of entity names by transliteration key and type: the known spellings of
        a name. Grouped by type, so the person "Cameron" never brings in the country
        "Cameroon" (one key, but no name of one type holds both)."""
        groups: dict[tuple[str, str], set[str]] = {}
        for name, etype in self._known_names:
            for word in name_key(name).split():
                if len(word) >= MIN_TRANSLIT_LOOKUP and word.isalpha():
                    groups.setdefault((translit_token(word), etype), set()).add(word)
        merged: dict[str, set[str]] = {}
        for (key, _), words in groups.items():
            if len(words) > 1:
                merged.setdefault(key, set()).update(words)
        return {k: frozenset(v) for k, v in merged.items()}

    def spellings(self, word: str) -> list[str]:
        """The other known spellings of a word of an entity's name, as the names write
        them ("Pashinyan" for "Pashinian"), none for a word that is no such name."""
        key = name_key(word)
        if " " in key or len(key) < MIN_TRANSLIT_LOOKUP or not key.isalpha():
            return []
        others = self._spellings.get(translit_token(key), frozenset()) - {key}
        return sorted(self._written.get(k, k) for k in others)

    @cached_property
    def _written(self) -> dict[str, str]:
        """Each word of a name as the names write it ("pashinyan": "Pashinyan"), as the
        first of ``_known_names`` to use it writes it."""
        written: dict[str, str] = {}
        for name, _ in self._known_names:
            for word in name.split():
                key = name_key(word)
                if key and " " not in key:
                    written.setdefault(key, word.strip(_NOT_LETTERS))
        return written


def _voted(votes: dict) -> str:
    """The type most mentions of a name had (ties: the first in ``ENTITY_TYPES``)."""
    counts = {t: n for t, n in votes.items() if t in ENTITY_TYPES and isinstance(n, int)}
    if not counts:
        return ""
    return max(ENTITY_TYPES, key=lambda t: counts.get(t, 0))


def _starts(key: str, prefix: str) -> bool:
    """A name key, or a word in it, starts with ``prefix``."""
    if not prefix:
        return False
    return key.startswith(prefix) or any(w.startswith(prefix) for w in key.split())
