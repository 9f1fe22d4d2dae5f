"""Text analysis, in one place: how text becomes index terms, for indexing and querying.

The index, the query parser, the highlighter and the forward index must agree on what
a word is and which term it becomes, or a highlighted word is not the word that matched
and a phrase found in the text is missed by the index. So the word pattern, the stop
words and the stemmer live here and nowhere else.
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import CharsetFilter, StemmingAnalyzer
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

# A word: letters and digits, with inner dots ("U.S.", "3.5") and inner ampersands
# ("AT&T", "R&D", "S&P": company names that are otherwise two stop words, as Lucene's
# classic tokenizer keeps them). Given to Whoosh's tokenizer too, so the two can never
# drift apart. (Whoosh's own default, r"\w+(\.?\w+)*", matches the same words, but its
# optional dot nests one quantifier in another: a pattern built on it that fails after a
# long word backtracks exponentially.)
WORD_PATTERN = r"\w+(?:[.&]\w+)*"
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
