"""The operator-extendable aliases file: names the entity layer knows for certain.

The bundled ``search/data/aliases.toml`` seeds it (its header documents the format);
operators add files of their own, read after it, so they can fix a name for their archive
without a code change. Everything the layer "knows" (canonical names and their types,
chrome that is never an entity, nationality words, titles) lives in data, not in code.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from search.enrich.entities.names import clean_surface, name_key, translit_key
from search.enrich.rules import RulesError, bundled_rules, parse_rules, read_rules
from search.enrich.rules import bundled_text as rules_text
from search.models import ENTITY_TYPES

log = logging.getLogger(__name__)

BUNDLED = "aliases.toml"
# Spelling-blind lookup only for names this long: short keys ("Mali", "Iran") are too
# close to each other for a folded spelling to be trusted.
MIN_TRANSLIT_LOOKUP = 5
# (section, key) of the word lists -> the list it fills.
_LISTS = {
    ("ignore", "names"): "ignore",
    ("ignore", "last_words"): "last_words",
    ("demonyms", "names"): "demonyms",
    ("titles", "words"): "titles",
}
_LIST_SECTIONS = frozenset(section for section, _ in _LISTS)


@dataclass(frozen=True, slots=True)
class AliasEntry:
    """What a known name stands for: its display form and its one type."""

    canonical: str
    type: str


@dataclass(slots=True)
class _Entity:
    canonical: str
    type: str
    variants: dict[str, list[str]] = field(default_factory=dict)  # key -> surfaces as written


@dataclass(slots=True)
class _Builder:
    """Merges aliases files in order; a later file wins on every name it mentions."""

    entities: dict[str, _Entity] = field(default_factory=dict)  # canonical key -> entity
    owner: dict[str, str] = field(default_factory=dict)  # variant key -> canonical key
    lists: dict[str, dict[str, str]] = field(
        default_factory=lambda: {"ignore": {}, "last_words": {}, "demonyms": {}, "titles": {}}
    )

    def add_file(self, data: Mapping[str, object], source: str) -> None:
        unknown = sorted(set(data) - set(ENTITY_TYPES) - set(_LIST_SECTIONS))
        if unknown:
            raise RulesError(f"{source}: unknown section(s) {unknown}")
        seen: dict[str, str] = {}
        for etype in ENTITY_TYPES:
            table = data.get(etype, {})
            if not isinstance(table, dict):
                raise RulesError(f"{source}: [{etype}] must be a table of name = [variants]")
            for canonical, variants in table.items():
                self._add_entity(canonical, etype, variants, source, seen)
        for section in sorted(_LIST_SECTIONS):
            table = data.get(section, {})
            allowed = sorted(key for sec, key in _LISTS if sec == section)
            if not isinstance(table, dict) or set(table) - set(allowed):
                raise RulesError(f"{source}: [{section}] may only hold {allowed}")
            for list_name in allowed:
                for word in _string_list(table.get(list_name, []), f"{source} [{section}]"):
                    self._add_word(_LISTS[section, list_name], word, source, seen)

    def _add_entity(
        self, canonical: str, etype: str, variants: object, source: str, seen: dict[str, str]
    ) -> None:
        surfaces = [canonical, *_string_list(variants, f"{source} [{etype}] {canonical!r}")]
        ckey = name_key(clean_surface(canonical))
        if not ckey:
            raise RulesError(f"{source}: [{etype}] has an empty canonical name {canonical!r}")
        self._release(ckey)
        entity = self.entities.setdefault(ckey, _Entity(canonical, etype))
        entity.canonical, entity.type = canonical, etype
        for surface in surfaces:
            key = name_key(clean_surface(surface))
            if not key:
                continue
            where = f"[{etype}] {canonical!r}"
            if seen.get(key, where) != where:
                raise RulesError(f"{source}: {surface!r} appears under {seen[key]} and {where}")
            seen[key] = where
            if self.owner.get(key, ckey) != ckey:
                self._release(key)
            self.owner[key] = ckey
            written = entity.variants.setdefault(key, [])
            if surface not in written:
                written.append(surface)
            for words in self.lists.values():
                words.pop(key, None)

    def _release(self, key: str) -> None:
        """Detach ``key`` from whatever earlier entity claimed it as a variant."""
        previous = self.owner.pop(key, None)
        if previous is not None and previous != key and previous in self.entities:
            self.entities[previous].variants.pop(key, None)

    def _add_word(self, target: str, word: str, source: str, seen: dict[str, str]) -> None:
        # Titles and last words are single words; names are cleaned like mentions are.
        plain_word = target in ("last_words", "titles")
        key = name_key(word) if plain_word else name_key(clean_surface(word))
        if not key:
            return
        if target in ("ignore", "demonyms"):
            if key in seen and seen[key] != f"[{target}]":
                raise RulesError(f"{source}: {word!r} is both {seen[key]} and in [{target}]")
            seen[key] = f"[{target}]"
            if key in self.entities:  # a later file may retire a whole entity
                for variant in self.entities.pop(key).variants:
                    self.owner.pop(variant, None)
            else:
                self._release(key)
        self.lists[target][key] = word

    def build(self) -> Aliases:
        by_key = {
            key: AliasEntry(self.entities[ckey].canonical, self.entities[ckey].type)
            for key, ckey in self.owner.items()
        }
        return Aliases(
            by_key=by_key,
            surfaces={
                surface: entity.type
                for entity in self.entities.values()
                for written in entity.variants.values()
                for surface in written
            },
            ignore=frozenset(self.lists["ignore"]),
            ignore_last_words=frozenset(self.lists["last_words"]),
            demonyms=frozenset(self.lists["demonyms"]),
            titles=frozenset(self.lists["titles"]),
        )


def _string_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"{where}: expected a list of strings")
    return value


class Aliases:
    """Lookup tables built from the aliases files; immutable once built."""

    def __init__(
        self,
        by_key: Mapping[str, AliasEntry],
        surfaces: Mapping[str, str],
        ignore: frozenset[str] = frozenset(),
        ignore_last_words: frozenset[str] = frozenset(),
        demonyms: frozenset[str] = frozenset(),
        titles: frozenset[str] = frozenset(),
    ) -> None:
        self._by_key = dict(by_key)
        self._surfaces = dict(surfaces)
        self.ignore = ignore
        self.ignore_last_words = ignore_last_words
        self.demonyms = demonyms
        self.titles = titles
        self._by_translit = self._translit_index()
        self.fingerprint = self._fingerprint()

    def _translit_index(self) -> dict[str, AliasEntry]:
        """Spelling-blind index; a folded key shared by two entities is left out."""
        index: dict[str, AliasEntry] = {}
        clashes: set[str] = set()
        for key in sorted(self._by_key):
            entry = self._by_key[key]
            if len(key) < MIN_TRANSLIT_LOOKUP:
                continue
            tkey = translit_key(key)
            if index.get(tkey, entry) != entry:
                clashes.add(tkey)
            index[tkey] = entry
        for tkey in clashes:
            del index[tkey]
        return index

    def _fingerprint(self) -> str:
        """Changes whenever anything that affects extraction or resolution changes."""
        payload = json.dumps(
            [
                sorted((k, e.canonical, e.type) for k, e in self._by_key.items()),
                sorted(self._surfaces.items()),
                sorted(self.ignore),
                sorted(self.ignore_last_words),
                sorted(self.demonyms),
                sorted(self.titles),
            ],
            ensure_ascii=False,
        )
        return hashlib.blake2b(payload.encode("utf-8"), digest_size=8).hexdigest()

    def lookup(self, key: str, tkey: str | None = None) -> AliasEntry | None:
        """The entry for a ``name_key``, exact first, then spelling-blind (``tkey`` is
        ``translit_key(key)`` when the caller already has it)."""
        entry = self._by_key.get(key)
        if entry is None and len(key) >= MIN_TRANSLIT_LOOKUP:
            entry = self._by_translit.get(tkey if tkey is not None else translit_key(key))
        return entry

    def lookup_exact(self, key: str) -> AliasEntry | None:
        """The entry for a ``name_key`` as listed, without spelling folding."""
        return self._by_key.get(key)

    def is_demonym(self, key: str) -> bool:
        """True for nationality words and their plurals, compounds and "ethnic-" forms:
        "armenian", "armenians", "armenian azerbaijani", "ethnic armenian"."""
        words = [t for t in key.split() if t not in _DEMONYM_MODIFIERS]
        return bool(words) and all(self._is_demonym_word(t) for t in words)

    def _is_demonym_word(self, token: str) -> bool:
        if token in self.demonyms:
            return True
        return token.endswith("s") and (token[:-1] in self.demonyms or token[:-2] in self.demonyms)

    def is_ignored(self, key: str) -> bool:
        """Chrome and generic words: the whole name, or a credit's last word ("AP Photo")."""
        if key in self.ignore:
            return True
        tokens = key.split()
        return len(tokens) > 1 and tokens[-1] in self.ignore_last_words

    def surfaces(self) -> Iterator[tuple[str, str]]:
        """(surface as written, type) for every canonical name and variant, sorted."""
        yield from sorted(self._surfaces.items())

    def __len__(self) -> int:
        return len(self._by_key)


# "ethnic-Armenian", "pro-Russian", "anti-Western": still only a group adjective.
_DEMONYM_MODIFIERS = frozenset({"ethnic", "pro", "anti", "non", "neo"})


def bundled_text() -> str:
    """The aliases file shipped with the package."""
    return rules_text(BUNDLED)


def load_aliases(extra_paths: Sequence[Path] = (), *, include_bundled: bool = True) -> Aliases:
    """Bundled aliases merged with operator files, in order; later files win.

    A later file can re-type or re-point a name, add variants to a bundled entity (its
    variants are added to the bundled ones), un-ignore a word by defining it as an entity,
    or retire an entity by listing it under ``[ignore]``. A name listed twice within one
    file is an error, reported with the file name, so that typos surface at build time.
    """
    builder = _Builder()
    if include_bundled:
        builder.add_file(bundled_rules(BUNDLED), BUNDLED)
    for path in extra_paths:
        builder.add_file(read_rules(path), str(path))
    aliases = builder.build()
    log.debug("loaded %d alias keys (fingerprint %s)", len(aliases), aliases.fingerprint)
    return aliases


def aliases_from_toml(text: str, source: str = "<string>") -> Aliases:
    """Aliases from one TOML text only (tests, tools)."""
    builder = _Builder()
    builder.add_file(parse_rules(text, source), source)
    return builder.build()
