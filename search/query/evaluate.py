"""Evaluate a parsed query over one generation: which documents match, with what score.

Each node of the syntax tree becomes a dense pair over all document numbers: a boolean
``mask`` (matches) and a float ``score`` (BM25F). Dense arrays make AND, OR and NOT
single vectorised operations whose cost does not depend on how many documents match,
which is what keeps common-word queries and facet counts over all matches fast.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from search.analysis import COMPOUND, WORD, fold
from search.index.schema import TEXT_FIELDS
from search.query import querylang as ql
from search.query.generation import Generation
from search.query.highlight import Marks
from search.query.names import QueryNames
from search.query.phrases import Phrase, docs_with_phrase, sorted_unique
from search.query.results import FACET_COLUMNS

# A prefix or fuzzy word expands to at most this many index terms (the most frequent).
MAX_EXPANSIONS = 50
MIN_PREFIX_CHARS = 2
# Entity and outlet values a field query may match (e.g. person:john).
MAX_VALUE_MATCHES = 200
# Plain-word queries with more distinct searchable words than this are natural language
# (a pasted sentence, a question): requiring every word would find nothing, so they match
# articles holding any of the words, ranked by BM25F.
LONG_QUERY_WORDS = 4


class QueryTooBroad(ValueError):
    """A query term that cannot be evaluated within the limits; the message says which."""


@dataclass
class Match:
    """The documents a node matches and their scores; ``None`` mask means "no constraint"."""

    mask: np.ndarray | None
    score: np.ndarray


@dataclass
class Evaluator:
    gen: Generation
    notes: list[str] = field(default_factory=list)
    # What to highlight, field by field: a title: query marks only the title.
    marks: Marks = field(default_factory=Marks)
    long_query_words: int = LONG_QUERY_WORDS
    # Set when no article matched all the words and the query was relaxed.
    relaxed: bool = False
    # Each (term, fields)'s documents and scores, once per query (``_term_scores``).
    _scored: dict = field(default_factory=dict, repr=False)
    # time.monotonic() past which no more terms or phrases are looked up (None: no limit).
    # A query that gets there answers with what it has: later terms match nothing.
    deadline: float | None = None
    timed_out: bool = False
    # The generation's entity names, to resolve variants users type (None: as typed).
    names: QueryNames | None = None

    def evaluate(self, node: ql.Node | None, within: np.ndarray | None = None) -> Match:
        """Matches of ``node``; ``within`` (the filters) decides whether to relax.

        A query of plain words that no article matches in full (within the filters) is
        relaxed to the articles holding most of its words, with a note saying so,
        rather than answering nothing.
        """
        if node is None:
            return Match(self.gen.live.copy(), np.zeros(self.gen.size, np.float32))
        match = self._node(node)
        if match is None:  # nothing searchable (only stop words)
            self.notes.append("the query has only very common words, which are not indexed")
            return Match(np.zeros(self.gen.size, bool), np.zeros(self.gen.size, np.float32))
        if match.mask is None:
            match.mask = self.gen.live.copy()
        scope = self.gen.live if within is None else within & self.gen.live
        terms = plain_terms(node, self.gen.analyse)
        if terms and len(set(terms)) > 1 and not np.any(match.mask & scope):
            score, matched = self._word_counts(terms)
            distinct = len(set(terms))
            for required in range(distinct - 1, 0, -1):
                mask = matched >= required
                if np.any(mask & scope):
                    self.relaxed = True
                    self.notes.append(
                        f"no article contains all {distinct} words; showing articles "
                        f"with at least {required} of them"
                    )
                    return Match(mask, score)
        return match

    def _node(self, node: ql.Node) -> Match | None:
        if isinstance(node, ql.And):
            return self._and(node)
        if isinstance(node, ql.Or):
            return self._or(node)
        if isinstance(node, ql.Not):
            inner = self._excluded(node.child)
            if inner is None:
                return None
            return Match(self.gen.live & ~_mask(inner, self.gen), self._zeros())
        if node.field in FACET_COLUMNS:
            return self._facet_value(node)
        if isinstance(node, ql.Phrase):
            return self._phrase(node.text, node.field, node.slop)
        return self._word(node)

    def _excluded(self, node: ql.Node) -> Match | None:
        """A NOT's operand: evaluated, but its words are not highlighted."""
        kept = self.marks.copy()
        try:
            return self._node(node)
        finally:
            self.marks = kept

    def _zeros(self) -> np.ndarray:
        return np.zeros(self.gen.size, np.float32)

    def _and(self, node: ql.And) -> Match | None:
        words = self._natural_language(node)
        if words is not None:
            return self._should(words)
        positives = []
        negatives = []
        for child in node.children:
            if isinstance(child, ql.Not):
                inner = self._excluded(child.child)
                if inner is not None:
                    negatives.append(_mask(inner, self.gen))
            else:
                result = self._node(child)
                if result is not None:
                    positives.append(result)
        if not positives and not negatives:
            return None
        mask = self.gen.live.copy()
        score = self._zeros()
        for result in positives:
            mask &= _mask(result, self.gen)
            score += result.score
        for negative in negatives:
            mask &= ~negative
        return Match(mask, score)

    def _natural_language(self, node: ql.And) -> list[str] | None:
        """The terms of a long query made only of plain words, else None."""
        terms = plain_terms(node, self.gen.analyse)
        return terms if terms and len(set(terms)) > self.long_query_words else None

    def _should(self, terms: list[str]) -> Match:
        """Articles with any of the terms, scores summed."""
        score, matched = self._word_counts(terms)
        return Match(matched >= 1, score)

    def _word_counts(self, terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Summed scores, and how many of the distinct terms each article holds.

        A word repeated in the query weighs more (its score counts once per use), as
        in Lucene's and SQLite's BM25: in a long question the repeated word is the topic.
        """
        score = self._zeros()
        matched = np.zeros(self.gen.size, np.int16)
        for term, count in Counter(terms).items():
            self.marks.add_term(term, TEXT_FIELDS)
            hit, scores = self._term_scores(term, TEXT_FIELDS)
            score[hit] += count * scores
            matched[hit] += 1
        return score, matched

    def _or(self, node: ql.Or) -> Match | None:
        results = [r for r in (self._node(c) for c in node.children) if r is not None]
        if not results:
            return None
        mask = np.zeros(self.gen.size, bool)
        score = self._zeros()
        for result in results:
            mask |= _mask(result, self.gen)
            score += result.score
        return Match(mask, score)

    def _fields(self, field_name: str | None) -> tuple[str, ...]:
        return TEXT_FIELDS if field_name is None else (field_name,)

    def _word(self, word: ql.Word) -> Match | None:
        fields = self._fields(word.field)
        if word.prefix or word.fuzzy:
            return self._expanded(word, fields)
        terms = self.gen.analyse(word.text)
        if not terms:
            return None
        if len(terms) > 1:  # "Nagorno-Karabakh", "U.S.-led": the parts, in order
            found = self._phrase(word.text, word.field, 0)
        else:
            found = self._terms([*terms, *self._name_spellings(word, terms[0])], fields)
        # The other spelling of a compound: "cease-fire" written closed, and "ceasefire"
        # as the archive writes it hyphenated (its parts as a phrase).
        for other in self._other_spellings(word.text, terms):
            alternative = (self._phrase(other, word.field, 0) if " " in other
                           else self._terms(self.gen.analyse(other), fields))
            if alternative is not None:
                found = Match(_mask(found, self.gen) | _mask(alternative, self.gen),
                              np.maximum(found.score, alternative.score))
        return found

    def _name_spellings(self, word: ql.Word, term: str) -> list[str]:
        """The index terms of the other known spellings of an entity's name that ``word``
        is one of ("Pashinian": "pashinyan"), with a note saying so."""
        if self.names is None:
            return []
        fields = self._fields(word.field)
        extra, shown = [], []
        for spelling in self.names.spellings(word.text):
            analysed = self.gen.analyse(spelling)
            if len(analysed) != 1 or analysed[0] == term or analysed[0] in extra:
                continue
            # Only spellings the archive uses: a note about one it lacks says nothing.
            if any(self.gen.postings[f].doc_frequency(analysed[0]) for f in fields):
                extra.append(analysed[0])
                shown.append(spelling)
        if extra:
            self._note(f"{word.text} also matched {', '.join(shown)}: other spellings "
                       "of the same name")
        return extra

    def _note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    def _other_spellings(self, text: str, terms: list[str]) -> list[str]:
        """A hyphenated word's parts written together ("cease-fire": "ceasefire"); a closed
        word's parts, when the archive writes it hyphenated ("ceasefire": "cease fire")."""
        if COMPOUND.fullmatch(text):
            joined = "".join(WORD.findall(text))
            return [joined] if len(self.gen.analyse(joined)) == 1 else []
        if len(terms) == 1 and terms[0] in self.gen.compounds:
            return [self.gen.compounds[terms[0]]]
        return []

    def _terms(self, terms: list[str], fields: tuple[str, ...]) -> Match:
        """Documents containing any of ``terms`` (OR), each scored by BM25F, max over terms."""
        score = self._zeros()
        for term in terms:
            self.marks.add_term(term, fields)
            hit, scores = self._term_scores(term, fields)
            if hit.size:
                score[hit] = np.maximum(score[hit], scores)
        return Match(score > 0, score)

    def _term_scores(self, term: str, fields: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding ``term`` in any of ``fields``, and their BM25F scores.

        Kept for the rest of the query: a relaxed query, and a phrase with its words,
        score the same terms again."""
        key = (term, fields)
        found = self._scored.get(key)
        if found is None and self._over_budget():
            return _NOTHING
        if found is None:
            weighted = self._zeros()
            held = []
            for f in fields:
                docs, tfs = self.gen.postings[f].postings(term)
                if docs.size:
                    weighted[docs] += tfs * self.gen.norms[f][docs]
                    held.append(docs)
            hit = _union(held, self.gen.size)
            hit = hit[weighted[hit] > 0]  # a deleted document's norm is zero
            idf = self.gen.bm25f.idf(hit.size, self.gen.doc_count)
            found = (hit, self.gen.bm25f.saturate(weighted[hit], idf))
            self._scored[key] = found
        return found

    def _expanded(self, word: ql.Word, fields: tuple[str, ...]) -> Match | None:
        text = fold(word.text)
        if word.prefix and len(text) < MIN_PREFIX_CHARS:
            raise QueryTooBroad(
                f"a prefix needs at least {MIN_PREFIX_CHARS} letters before the *: {word.text}*"
            )
        # Index terms are stems ("vaccine" is "vaccin"): expand from the word as typed and
        # from its stem, so vaccine* and election~ find what vaccine and election find.
        forms = list(dict.fromkeys([text, *self.gen.analyse(word.text)[:1]]))
        candidates: dict[str, int] = {}
        for f in fields:
            postings = self.gen.postings[f]
            found: set[str] = set()
            for form in forms:
                if word.prefix:
                    found.update(postings.with_prefix(form))
                else:
                    reader = self.gen.searcher.reader()
                    found.update(reader.terms_within(f, form, word.fuzzy, prefix=1))
            for term in found:
                candidates[term] = candidates.get(term, 0) + postings.doc_frequency(term)
        if not candidates:
            return Match(np.zeros(self.gen.size, bool), self._zeros())
        ranked = sorted(candidates, key=lambda t: (-candidates[t], t))
        if len(ranked) > MAX_EXPANSIONS:
            self.notes.append(
                f"{word.text}{'*' if word.prefix else '~'} matched {len(ranked)} words; "
                f"searched the {MAX_EXPANSIONS} most frequent"
            )
        return self._terms(ranked[:MAX_EXPANSIONS], fields)

    def _phrase(self, text: str, field_name: str | None, slop: int) -> Match | None:
        terms = self.gen.analyse(text)
        if not terms:
            return None
        if len(terms) == 1:
            return self._terms(terms, self._fields(field_name))
        highlighted = self.marks.copy()  # the phrase's words are marked as a phrase only
        words = Match(None, self._zeros())
        for term in terms:
            part = self._terms([term], self._fields(field_name))
            words.mask = part.mask if words.mask is None else words.mask & part.mask
            words.score += part.score
        self.marks = highlighted
        self.marks.add_phrase(Phrase(tuple(terms), slop), self._fields(field_name))
        candidates = np.flatnonzero(words.mask)
        if candidates.size == 0:
            return words
        mask = np.zeros(self.gen.size, bool)
        for found in self._phrase_docs(terms, field_name, slop, candidates):
            mask[found] = True
        mask &= words.mask
        return Match(mask, np.where(mask, words.score, 0).astype(np.float32))

    def _phrase_docs(self, terms: list[str], field_name: str | None, slop: int,
                     candidates: np.ndarray):
        """Per field, the candidates holding the phrase (from the stored positions)."""
        for f in self._fields(field_name):
            if self._over_budget():
                return
            yield docs_with_phrase(self.gen.postings[f], terms, candidates, slop)

    def _over_budget(self) -> bool:
        if self.deadline is not None and not self.timed_out and time.monotonic() > self.deadline:
            self.timed_out = True
            self.notes.append("the query ran past its time budget: these are the articles "
                              "found until then (timed_out)")
        return self.timed_out

    def _facet_value(self, node: ql.Word | ql.Phrase) -> Match:
        """``person:putin`` matches every canonical value with that word or name."""
        column = self.gen.columns.facets[node.field]
        if isinstance(node, ql.Word) and node.fuzzy:
            raise QueryTooBroad(f"~ (fuzzy) is not supported on names: {node.text}~")
        names = self.names if self.names is not None and self.names.handles(node.field) else None
        if isinstance(node, ql.Word) and node.prefix:
            ordinals = column.lookup.with_prefix(node.text)
            if names is not None:
                ordinals = sorted({*ordinals, *names.with_prefix(node.field, node.text)})
        else:
            ordinals = column.lookup.matching(node.text)
            if not ordinals and names is not None:  # a variant: an alias, a transliteration
                ordinals = names.matching(node.field, node.text)
                if ordinals:
                    shown = ", ".join(column.values[o] for o in ordinals[:5])
                    more = f" and {len(ordinals) - 5} more" if len(ordinals) > 5 else ""
                    self._note(f"{node.text} is {shown}{more}")
        if len(ordinals) > MAX_VALUE_MATCHES:
            raise QueryTooBroad(f"{node.text!r} matches more than {MAX_VALUE_MATCHES} names")
        mask = column.docs_with_any(np.asarray(ordinals, dtype=np.int64), self.gen.size)
        return Match(mask & self.gen.live, self._zeros())


_NOTHING = (np.zeros(0, np.int64), np.zeros(0, np.float32))




def _union(sorted_docs: list[np.ndarray], size: int) -> np.ndarray:
    """The documents of any of the fields' postings (each sorted), sorted: merged when
    they are few, found in the dense scores' mask when they are many."""
    if not sorted_docs:
        return np.zeros(0, np.int64)
    if len(sorted_docs) == 1:
        return np.asarray(sorted_docs[0], np.int64)
    total = sum(d.size for d in sorted_docs)
    if total * 8 > size:
        mask = np.zeros(size, bool)
        for docs in sorted_docs:
            mask[docs] = True
        return np.flatnonzero(mask)
    return sorted_unique(np.concatenate(sorted_docs).astype(np.int64))


def plain_terms(node: ql.Node, analyse) -> list[str] | None:
    """Index terms of a query made only of plain words (any grouping), else None.

    Natural-language text often carries parentheses ("(e.g., OCLC)"); grouping plain
    words does not make them operators, so nested ANDs of plain words count too.
    """
    if isinstance(node, ql.Word):
        if node.field is None and not node.prefix and not node.fuzzy:
            return analyse(node.text)
        return None
    if isinstance(node, ql.And):
        terms: list[str] = []
        for child in node.children:
            part = plain_terms(child, analyse)
            if part is None:
                return None
            terms.extend(part)
        return terms
    return None


def _mask(match: Match, gen: Generation) -> np.ndarray:
    return gen.live if match.mask is None else match.mask
