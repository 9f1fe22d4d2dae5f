"""Text analysis, in one place: how text becomes index terms, for indexing and querying.

The index, the query parser, the highlighter and the forward index must agree on what
a word is and which term it becomes, or a highlighted word is not the word that matched
and a phrase found in the text is missed by the index. So the word pattern, the stop
words and the stemmer live here and nowhere else.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import numpy as np
from whoosh.analysis import CharsetFilter, StemmingAnalyzer
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

# A word: letters and digits, with inner dots ("U.S.", "3.5") and inner ampersands
# ("AT&T", "R&D", "S&P": company names that are otherwise two stop words, as Lucene's
# classic tokenizer keeps them). Given to Whoosh's tokenizer too, so the two can never
# drift apart. (Whoosh's own default, r"\w+(\.?\w+)*", matches the same words, but its
# optional dot nests one quantifier in another: a pattern built on it that fails after a
# long word backtracks exponentially.)
JOINERS = ".&"  # literal inside a character class: neither needs escaping there
WORD_PATTERN = rf"\w+(?:[{JOINERS}]\w+)*"
WORD = re.compile(WORD_PATTERN, re.UNICODE)
# A hyphenated compound: words joined by single hyphens ("cease-fire", "e-mail"). A query
# for one also looks up its parts written together ("ceasefire"), and a query for a closed
# word that the archive writes hyphenated somewhere also looks up its parts as a phrase:
# the build records each compound it meets (compounds.json), so both spellings find both.
# Nothing is added to the postings: joining every compound in the index cost ranking on
# CISI (P@10 0.326 -> 0.324), and splitting any closed query word into two archive words
# cost it on Reuters topics (P@10 0.691 -> 0.689). It starts at a word's start only:
# tried inside a long word, it would rescan the word's rest from every letter.
COMPOUND = re.compile(rf"(?<!\w){WORD_PATTERN}(?:-{WORD_PATTERN})+", re.UNICODE)

# Lucene's English stop set (Elasticsearch's ``_english_``). Whoosh's default list also
# drops "us", "may", "can", "from", "have", "we", "you", "when" and "yet"; in news "US" is
# a country and "May" a month: a query for "US sanctions" must not become "sanctions".
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
    "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
    "these", "they", "this", "to", "was", "will", "with",
})


def news_stem(word: str) -> str:
    """Porter, except that "use", "used", "using" and "useful" do not stem to "us".

    Porter reduces them all to "us", which is also the US once lowercased: a search for
    "US" would find every article that uses anything. (Module-level: Whoosh pickles the
    analyser, and with it this function by name, into the index's schema.)
    """
    stemmed = porter_stem(word)
    return "use" if stemmed == "us" and word != "us" else stemmed


# Whoosh's StopFilter drops shorter words too (its default ``minsize``).
MIN_WORD_CHARS = 2


def text_analyzer():
    """Words, lower-cased, stop words out, stemmed, accents folded ("Sánchez" -> "sanchez")."""
    return StemmingAnalyzer(
        expression=WORD_PATTERN, stoplist=STOP_WORDS, minsize=MIN_WORD_CHARS, stemfn=news_stem
    ) | CharsetFilter(accent_map)


def fold(text: str) -> str:
    """Lower case and accents folded exactly as index terms are ("Łódź" -> "lodz"), for
    matching what users type against names and terms."""
    return text.lower().translate(accent_map)


# A word's term is cached: news vocabularies are Zipfian, so a build analyses each
# distinct word about once per process. Bounded, so a stream of junk tokens cannot grow it.
@lru_cache(maxsize=1 << 20)
def term_of(word: str) -> str | None:
    """The index term of one word, exactly as ``text_analyzer()`` makes it, or None when
    the analyser drops it (a stop word, or a single character).

    The analyser's steps, without its per-token objects: lower case, Whoosh's stop
    filter (minimum length 2), the stemmer, then accent folding.
    """
    lower = word.lower()
    if len(lower) < MIN_WORD_CHARS or lower in STOP_WORDS:
        return None
    return news_stem(lower).translate(accent_map)  # folded after stemming, as the analyser does


# --- The same words, found in numpy (the indexer's bulk path) -------------------------
#
# The regex costs a Python object per word; a build splits millions of them. Over a text's
# code points the pattern is a mask: a word is a maximal run of characters that are each
# a word character (what ``\w`` matches: ``str.isalnum()`` or "_"), or a joiner with a
# word character on both sides. Greedy ``\w+(?:[.&]\w+)*`` matches exactly those runs
# (tests compare the two over every code point and random mixes).


def code_points(text: str) -> np.ndarray:
    """``text`` as an array of its code points (uint32), indexed as the ``str`` is.
    Lone surrogates, which JSON can carry, pass through as the code points they are."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)


@cache
def _word_chars_bmp() -> np.ndarray:
    table = np.fromiter((chr(c).isalnum() for c in range(0x10000)), bool, 0x10000)
    table[ord("_")] = True
    return table


def word_char_mask(codes: np.ndarray) -> np.ndarray:
    """Which code points ``\\w`` matches. The Basic Multilingual Plane from a table;
    the rare characters above it (emoji, historic scripts) one by one."""
    mask = _word_chars_bmp()[np.minimum(codes, 0xFFFF)]
    astral = codes > 0xFFFF
    if astral.any():
        found = np.unique(codes[astral])
        is_word = np.fromiter((chr(c).isalnum() for c in found.tolist()), bool, found.size)
        mask[astral] = is_word[np.searchsorted(found, codes[astral])]
    return mask


_JOINER_CODES = np.array([ord(c) for c in JOINERS], np.uint32)


def word_spans(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of every word in a text given as code points: the
    matches of ``WORD``, in order, as int64 arrays."""
    in_word = word_char_mask(codes)
    if codes.size > 2:
        joiner = np.isin(codes[1:-1], _JOINER_CODES)
        in_word[1:-1] |= joiner & in_word[:-2] & in_word[2:]
    edges = np.diff(in_word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
