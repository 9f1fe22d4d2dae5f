"""Evaluate a parsed query over one generation: which documents match, with what score.

Each node of the syntax tree becomes a dense pair over all document numbers: a boolean
``mask`` (matches) and a float ``score`` (BM25F). Dense arrays make AND, OR and NOT
single vectorised operations whose cost does not depend on how many documents match,
which is what keeps common-word queries and facet counts over all matches fast.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq

from search import querylang as ql
from search.columns import TEXT_FIELDS
from search.generation import Generation

# A prefix or fuzzy word expands to at most this many index terms (the most frequent).
MAX_EXPANSIONS = 50
MIN_PREFIX_CHARS = 2
# Entity and outlet values a field query may match (e.g. person:john).
MAX_VALUE_MATCHES = 200


class QueryTooBroad(ValueError):
    """A query term that cannot be evaluated within the limits; the message says which."""


@dataclass
class Match:
    """The documents a node matches and their scores; ``None`` mask means "no constraint"."""

    mask: np.ndarray | None
    score: np.ndarray
    notes: list[str] = field(default_factory=list)


@dataclass
class Evaluator:
    gen: Generation
    notes: list[str] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)

    def evaluate(self, node: ql.Node | None) -> Match:
        if node is None:
            return Match(self.gen.live.copy(), np.zeros(self.gen.size, np.float32))
        match = self._node(node)
        if match is None:  # nothing searchable (only stop words)
            return Match(np.zeros(self.gen.size, bool), np.zeros(self.gen.size, np.float32))
        if match.mask is None:
            match.mask = self.gen.live.copy()
        return match

    def _node(self, node: ql.Node) -> Match | None:
        if isinstance(node, ql.And):
            return self._and(node)
        if isinstance(node, ql.Or):
            return self._or(node)
        if isinstance(node, ql.Not):
            inner = self._node(node.child)
            if inner is None:
                return None
            return Match(self.gen.live & ~_mask(inner, self.gen), self._zeros())
        if node.field in ("people", "organisations", "places", "outlet"):
            return self._facet_value(node)
        if isinstance(node, ql.Phrase):
            return self._phrase(node.text, node.field, node.slop)
        return self._word(node)

    def _zeros(self) -> np.ndarray:
        return np.zeros(self.gen.size, np.float32)

    def _and(self, node: ql.And) -> Match | None:
        positives = []
        negatives = []
        for child in node.children:
            if isinstance(child, ql.Not):
                inner = self._node(child.child)
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
            return self._phrase(word.text, word.field, 0)
        return self._terms([terms[0]], fields)

    def _terms(self, terms: list[str], fields: tuple[str, ...]) -> Match:
        """Documents containing any of ``terms`` (OR), each scored by BM25F, max over terms."""
        score = self._zeros()
        for term in terms:
            self.terms.add(term)
            weighted = self._zeros()
            for f in fields:
                docs, tfs = self.gen.postings[f].postings(term)
                if docs.size:
                    weighted[docs] += tfs * self.gen.norms[f][docs]
            hit = np.flatnonzero(weighted)
            if hit.size == 0:
                continue
            idf = self.gen.bm25f.idf(hit.size, self.gen.doc_count)
            score[hit] = np.maximum(score[hit], self.gen.bm25f.saturate(weighted[hit], idf))
        return Match(score > 0, score)

    def _expanded(self, word: ql.Word, fields: tuple[str, ...]) -> Match | None:
        text = _fold(word.text)
        if word.prefix and len(text) < MIN_PREFIX_CHARS:
            raise QueryTooBroad(
                f"a prefix needs at least {MIN_PREFIX_CHARS} letters before the *: {word.text}*"
            )
        candidates: dict[str, int] = {}
        for f in fields:
            postings = self.gen.postings[f]
            if word.prefix:
                found = postings.with_prefix(text)
            else:
                reader = self.gen.searcher.reader()
                found = list(reader.terms_within(f, text, word.fuzzy, prefix=1))
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
        words = Match(None, self._zeros())
        for term in terms:
            part = self._terms([term], self._fields(field_name))
            words.mask = part.mask if words.mask is None else words.mask & part.mask
            words.score += part.score
        candidates = np.flatnonzero(words.mask)
        if candidates.size == 0:
            return words
        phrase = wq.Or([
            wq.Phrase(f, terms, slop=max(1, slop + 1)) for f in self._fields(field_name)
        ])
        docs = self.gen.searcher.docs_for_query(phrase)
        mask = np.zeros(self.gen.size, bool)
        found = np.fromiter(docs, dtype=np.int64)
        if found.size:
            mask[found] = True
        mask &= words.mask
        return Match(mask, np.where(mask, words.score, 0).astype(np.float32))

    def _facet_value(self, node: ql.Word | ql.Phrase) -> Match:
        """``person:putin`` matches every canonical value with that word or name."""
        column = self.gen.columns.facets[node.field]
        ordinals = match_values(column.values, node.text)
        if len(ordinals) > MAX_VALUE_MATCHES:
            raise QueryTooBroad(f"{node.text!r} matches more than {MAX_VALUE_MATCHES} names")
        mask = column.docs_with_any(np.asarray(ordinals, dtype=np.int64), self.gen.size)
        return Match(mask & self.gen.live, self._zeros())


def _mask(match: Match, gen: Generation) -> np.ndarray:
    return gen.live if match.mask is None else match.mask


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def match_values(values: tuple[str, ...], text: str) -> list[int]:
    """Values equal to ``text``, or containing its words in order, ignoring case and accents."""
    wanted = _fold(text).split()
    if not wanted:
        return []
    exact = [i for i, v in enumerate(values) if _fold(v).split() == wanted]
    if exact:
        return exact
    n = len(wanted)
    found = []
    for i, value in enumerate(values):
        words = _fold(value).replace("-", " ").split()
        if any(words[j : j + n] == wanted for j in range(len(words) - n + 1)):
            found.append(i)
    return found
