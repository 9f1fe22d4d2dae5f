"""What the text analyser keeps: the index and the queries share it, so this is what is findable."""

from __future__ import annotations

from search.analysis import STOP_WORDS, text_analyzer
from tests.conftest import ROOT


def analyse(text: str) -> list[str]:
    return [token.text for token in text_analyzer()(text)]


def test_news_words_that_look_like_stop_words_are_indexed():
    # Whoosh's default stop list would drop all of these.
    assert analyse("US sanctions in May") == ["us", "sanction", "mai"]  # Porter: may -> mai
    assert analyse("we can") == ["we", "can"]


def test_function_words_are_dropped():
    assert analyse("the pipeline of the company and the state") == ["pipelin", "compani", "state"]
    assert all(analyse(word) == [] for word in STOP_WORDS)


def test_accents_are_folded_after_stemming():
    assert analyse("Sánchez") == analyse("Sanchez") == ["sanchez"]


def test_us_is_not_the_stem_of_use():
    assert analyse("US") == ["us"]
    assert analyse("use used using uses useful") == ["use"] * 5
    assert analyse("users") == ["user"]


def test_term_of_one_word_is_what_the_analyser_makes_of_it():
    """Indexing analyses each distinct word with ``term_of``; queries use the analyser."""
    from search.analysis import WORD, term_of

    text = (ROOT / "seeds").glob("*.txt")
    words = {w for path in text for w in WORD.findall(path.read_text())}
    words |= {"US", "U.S", "used", "Using", "Łódź", "İstanbul", "Straße", "ÆON", "x", "A",
              "a1", "3.5", "ß", "ǅemal", "the", "THE", "naïve", "Sánchez", "co2"}
    analyser = text_analyzer()
    assert all(WORD.fullmatch(w) for w in words)  # term_of is given single tokens
    for word in words:
        tokens = [t.text for t in analyser(word)]
        assert term_of(word) == (tokens[0] if tokens else None), word
        assert len(tokens) <= 1, word



def test_compounds_are_found_in_one_pass_whatever_the_words_length():
    # The compound pattern once backtracked exponentially after a long word (and, tried
    # from inside one, quadratically): a 200,000-letter word must not stall a query.
    from search.analysis import COMPOUND

    text = "x" * 200_000 + " a cease-fire, an e-mail; AT&T-backed U.S.-led 3-4 in-depth"
    assert [m.group() for m in COMPOUND.finditer(text)] == [
        "cease-fire", "e-mail", "AT&T-backed", "3-4", "in-depth"]
    assert COMPOUND.fullmatch("Nagorno-Karabakh") and not COMPOUND.fullmatch("ceasefire")
