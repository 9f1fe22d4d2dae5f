"""'Did you mean': a corrected query built from the index's own vocabulary.

The vocabulary is the surface words of the archive with their document frequencies
(written at build time), so suggestions are real words users have seen in articles,
not stems. Only words that neither the archive nor the English language has are
corrected (Elasticsearch's ``suggest_mode: missing``, with pyspellchecker's English word
list besides the archive's): "whom" is a word, not a misspelt "who", even in an archive
that never uses it. And a suggestion is only offered when it finds more articles than
the query.
"""

from __future__ import annotations

import functools
import re

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from search.index.schema import TEXT_FIELDS
from search.query import querylang as ql

MAX_EDIT_DISTANCE = 2
# Words shorter than this are too ambiguous to correct.
MIN_WORD_CHARS = 4


def suggest(gen, query: str, tree: ql.Node, hits: int, within=None) -> str | None:
    """The query with misspelt words replaced, if that finds more articles (within filters)."""
    from search.query.evaluate import Evaluator  # late: evaluate imports the generation module

    corrected = query
    changed = False
    for word in _plain_words(tree):
        fix = correct_word(gen, word.text.lower())
        if fix and fix != word.text.lower():
            fix = _same_case(word.text, fix)
            corrected = re.sub(rf"(?<!\w){re.escape(word.text)}(?!\w)", fix, corrected, count=1)
            changed = True
    if not changed:
        return None
    evaluator = Evaluator(gen)
    try:
        better = evaluator.evaluate(ql.parse(corrected), within=within)
    except ValueError:
        return None
    if evaluator.relaxed:  # the correction does not find all its words either
        return None
    scope = gen.live if within is None else within & gen.live
    found = int((better.mask & scope).sum())
    return corrected if found > hits else None


def correct_word(gen, word: str) -> str | None:
    """The most frequent archive word within ``MAX_EDIT_DISTANCE`` edits of an unknown
    ``word`` (same first letter), or None."""
    vocabulary = gen.vocabulary
    if (len(word) < MIN_WORD_CHARS or not word.isalpha() or word in vocabulary
            or word in english_words()):
        return None
    candidates = [
        c for length in range(len(word) - MAX_EDIT_DISTANCE, len(word) + MAX_EDIT_DISTANCE + 1)
        for c in gen.spelling_candidates.get((word[0], length), ())
    ]
    matches = process.extract(
        word, candidates, scorer=Levenshtein.distance, score_cutoff=MAX_EDIT_DISTANCE, limit=20
    )
    best = sorted((distance, -vocabulary[c], c) for c, distance, _ in matches)
    return best[0][2] if best else None


@functools.cache
def english_words():
    """English words (pyspellchecker's list, in the package: nothing downloaded), loaded
    on the first suggestion a process considers (0.2 s, about 30 MB)."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency


def _same_case(typed: str, fix: str) -> str:
    """Azerbaijn -> Azerbaijan, AZERBAIJN -> AZERBAIJAN, azerbaijn -> azerbaijan."""
    if typed.isupper() and len(typed) > 1:
        return fix.upper()
    if typed[:1].isupper():
        return fix[:1].upper() + fix[1:]
    return fix


def _plain_words(node: ql.Node):
    if isinstance(node, ql.Word):
        if node.field in (None, *TEXT_FIELDS) and not node.prefix and not node.fuzzy:
            yield node
    elif isinstance(node, ql.And | ql.Or):
        for child in node.children:
            yield from _plain_words(child)
