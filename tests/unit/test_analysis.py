"""What the text analyser keeps: the index and the queries share it, so this is what is findable."""

from __future__ import annotations

from search.analysis import STOP_WORDS, text_analyzer


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
