"""Highlighting with the index's real analyzer: stemmed matches, escaping, fragments."""

from __future__ import annotations

import html
import itertools
import re

import pytest

from search.analysis import text_analyzer
from search.query.highlight import Highlighter

_ANALYZER = text_analyzer()
ELLIPSIS = "\u2026"


def analyse(text: str) -> list[str]:
    return [tok.text for tok in _ANALYZER(text)]


def terms(*words: str) -> frozenset[str]:
    """Index terms of query words, as the evaluator collects them."""
    return frozenset(t for w in words for t in analyse(w))


@pytest.fixture(scope="module")
def highlighter() -> Highlighter:
    return Highlighter(analyse)


def plain(fragment: str) -> str:
    """The text a fragment shows: no marks, no escapes, no ellipses."""
    text = html.unescape(fragment.replace("<mark>", "").replace("</mark>", ""))
    return text.strip(ELLIPSIS)


def marked(fragment: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", fragment)]


def filler(start: int, count: int) -> str:
    """Distinct, unmatched words, so every piece of text occurs once."""
    return " ".join(f"w{i}" for i in range(start, start + count))


# -- marking --------------------------------------------------------------------------------


def test_stemmed_matches_are_marked_in_their_surface_form(highlighter):
    title = highlighter.mark("Elections: the election of electoral officers", terms("election"))
    assert title == (
        "<mark>Elections</mark>: the <mark>election</mark> of electoral officers"
    )
    # "electoral" stems to "elector", another term; it is marked when that term is searched.
    assert marked(highlighter.mark("electoral", terms("electoral"))) == ["electoral"]


def test_only_whole_words_are_marked(highlighter):
    text = "Reelection and preelection talk; election-day plans"
    assert marked(highlighter.mark(text, terms("election"))) == ["election"]


def test_accents_and_case_are_folded(highlighter):
    text = "Pedro SÁNCHEZ met Sanchez supporters"
    assert marked(highlighter.mark(text, terms("sánchez"))) == ["SÁNCHEZ", "Sanchez"]


def test_title_marks_every_match_and_keeps_the_rest(highlighter):
    title = "Vote count delayed as votes pile up"
    assert highlighter.mark(title, terms("vote")) == (
        "<mark>Vote</mark> count delayed as <mark>votes</mark> pile up"
    )
    assert highlighter.mark(title, terms("turbine")) == title
    assert highlighter.mark(title, frozenset()) == title
    assert highlighter.mark("", terms("vote")) == ""


def test_stop_words_are_never_marked(highlighter):
    text = "The vote and the count"
    assert marked(highlighter.mark(text, terms("the vote"))) == ["vote"]


# -- escaping -------------------------------------------------------------------------------


HOSTILE = 'Fans & critics <script>alert("x")</script> discussed the elections <b>today</b>.'


def test_text_is_escaped_but_marks_are_real(highlighter):
    title = highlighter.mark(HOSTILE, terms("election"))
    assert "<script>" not in title and "<b>" not in title
    assert "&lt;script&gt;" in title and "&lt;b&gt;today&lt;/b&gt;" in title
    assert "Fans &amp; critics" in title
    assert "<mark>elections</mark>" in title
    assert re.sub(r"</?mark>", "", title).count("<") == 0
    assert html.unescape(re.sub(r"</?mark>", "", title)) == HOSTILE


def test_a_match_inside_markup_is_marked_and_escaped(highlighter):
    title = highlighter.mark("<b>election</b> & <i>vote</i>", terms("election", "vote"))
    assert title == (
        "&lt;b&gt;<mark>election</mark>&lt;/b&gt; &amp; &lt;i&gt;<mark>vote</mark>&lt;/i&gt;"
    )


def test_fragments_are_escaped(highlighter):
    (fragment,) = highlighter.fragments(HOSTILE, terms("election"), 3, 200)
    assert "<script>" not in fragment and "&lt;script&gt;" in fragment
    assert "&amp;" in fragment and "<mark>elections</mark>" in fragment


# -- fragments -----------------------------------------------------------------------------


def spread_text(matches: int, gap: int = 60) -> str:
    """``matches`` sentences with "election" in them, ``gap`` filler words apart."""
    parts = []
    for i in range(matches):
        parts.append(f"{filler(i * 1000, gap)} the election number{i} {filler(i * 1000 + 500, 3)}.")
    return " ".join(parts)


@pytest.mark.parametrize("count", [0, 1, 2, 3, 5])
def test_fragment_count_limit(highlighter, count):
    fragments = highlighter.fragments(spread_text(6), terms("election"), count, 80)
    assert len(fragments) == count
    for fragment in fragments:
        assert marked(fragment) == ["election"]


def test_fewer_fragments_when_matches_are_few(highlighter):
    fragments = highlighter.fragments(spread_text(2), terms("election"), 5, 80)
    assert len(fragments) == 2


@pytest.mark.parametrize("size", [20, 40, 80, 160, 300])
def test_fragment_size_is_about_the_requested_size(highlighter, size):
    text = spread_text(6, gap=120)
    fragments = highlighter.fragments(text, terms("election"), 5, size)
    assert fragments
    for fragment in fragments:
        shown = plain(fragment)
        assert len(shown) <= size
        assert len(shown) >= size // 2
        assert shown in text


def test_fragments_do_not_overlap(highlighter):
    text = spread_text(8, gap=8)  # matches close together: windows compete
    for size in (30, 60, 100, 200):
        fragments = highlighter.fragments(text, terms("election"), 5, size)
        spans = []
        for fragment in fragments:
            shown = plain(fragment)
            start = text.find(shown)
            assert start != -1 and text.find(shown, start + 1) == -1
            spans.append((start, start + len(shown)))
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start, (size, fragments)


def test_ellipses_mark_cut_text(highlighter):
    text = spread_text(3)
    fragments = highlighter.fragments(text, terms("election"), 3, 60)
    for fragment in fragments:
        assert fragment.startswith(ELLIPSIS) and fragment.endswith(ELLIPSIS)
    whole = "A short election note."
    assert highlighter.fragments(whole, terms("election"), 3, 100) == [
        "A short <mark>election</mark> note."
    ]


def test_best_window_comes_first(highlighter):
    text = (
        f"The election was called. {filler(0, 80)} Voters said the election vote "
        f"was fair. {filler(100, 80)} Another election followed."
    )
    fragments = highlighter.fragments(text, terms("election", "vote"), 3, 60)
    assert sorted(marked(fragments[0])) == ["election", "vote"]
    assert len(fragments) == 3


@pytest.mark.parametrize(
    "text",
    [
        "Before the election, biggr vote. After that many things happened in the town.",
        "word word word word word election------------------------------ end of it all",
        "some words before the elections;and more words after it all ends here",
        "alpha beta gamma delta election\u2014vote epsilon zeta eta theta iota kappa",
    ],
)
@pytest.mark.parametrize("size", range(20, 61, 3))
def test_every_fragment_shows_its_matches(highlighter, text, size):
    # Fixed: with little slack after the last match, the fragment used to end at the
    # space before that match, dropping it (or every match) from the fragment.
    query = terms("election", "vote")
    wanted = [m.group() for m in re.finditer(r"\w+", text) if analyse(m.group()) and
              analyse(m.group())[0] in query]
    fragments = highlighter.fragments(text, query, 3, size)
    assert fragments
    shown = [word for fragment in fragments for word in marked(fragment)]
    assert shown, fragments
    for fragment in fragments:
        assert marked(fragment), fragment
    assert set(shown) <= set(wanted)


@pytest.mark.parametrize("between", ["x", "biggr", "xx, yy", "a b c d e f", "one, two; three"])
@pytest.mark.parametrize("extra", [0, 1, 2, 3])
def test_a_window_that_fits_every_term_shows_every_term(highlighter, between, extra):
    # Fixed: when the matches filled the window, it ended before the last match.
    core = f"election {between} vote"
    text = f"Before the {core}. After that many things happened in the town."
    (fragment,) = highlighter.fragments(text, terms("election", "vote"), 1, len(core) + extra)
    assert marked(fragment) == ["election", "vote"]


def test_no_match_returns_the_escaped_opening(highlighter):
    text = "Tom & Jerry <3 cheese. " + filler(0, 100)
    (fragment,) = highlighter.fragments(text, terms("election"), 3, 40)
    assert fragment.startswith("Tom &amp; Jerry &lt;3 cheese.")
    assert fragment.endswith(ELLIPSIS)
    assert "<mark>" not in fragment
    assert len(plain(fragment)) <= 40
    assert text.startswith(plain(fragment))


def test_no_match_in_a_short_text_returns_all_of_it(highlighter):
    assert highlighter.fragments("Short & sweet.", terms("election"), 3, 40) == [
        "Short &amp; sweet."
    ]
    assert highlighter.fragments("Short & sweet.", frozenset(), 3, 40) == ["Short &amp; sweet."]


def test_newlines_become_spaces(highlighter):
    text = "First election paragraph.\n\nSecond paragraph here."
    (fragment,) = highlighter.fragments(text, terms("election"), 1, 200)
    assert fragment == "First <mark>election</mark> paragraph. Second paragraph here."


def test_phrase_words_are_marked_only_where_they_stand_together():
    from search.analysis import text_analyzer

    analyzer = text_analyzer()
    highlighter = Highlighter(lambda t: [tok.text for tok in analyzer(t)])
    text = "The Lachin Corridor is closed. A second corridor near Lachin stays open."
    marked = highlighter.mark(text, frozenset(), (("lachin", "corridor"),))
    assert marked.count("<mark>") == 2
    assert marked.startswith("The <mark>Lachin</mark> <mark>Corridor</mark> is closed.")
    # Stop words between the words do not break the run, as they do not in the index.
    marked = highlighter.mark("the state of the union", frozenset(), (("state", "union"),))
    assert marked == "the <mark>state</mark> of the <mark>union</mark>"


# -- offsets: where the index says each word stands ------------------------------------------


def test_matches_at_the_very_start_and_end_of_a_text(highlighter):
    assert highlighter.mark("Election", terms("election")) == "<mark>Election</mark>"
    text = "Elections came; the count ended with the election"
    assert marked(highlighter.mark(text, terms("election"))) == ["Elections", "election"]
    assert highlighter.mark(text, terms("election")).endswith("the <mark>election</mark>")


def test_offsets_count_characters_not_bytes(highlighter):
    # Multi-byte letters, a combining accent and a character outside the BMP before the match.
    text = "Łódź — naïve café 👍🏽 Zoë\u0301 met the voters in Kraków"
    assert marked(highlighter.mark(text, terms("voters", "kraków", "łódź"))) == [
        "Łódź", "voters", "Kraków"
    ]


def test_a_text_longer_than_two_byte_offsets_reach(highlighter):
    # Offsets past 65,535 characters need four bytes: the match at the end is still found.
    text = filler(0, 12_000) + " the final election result"
    assert len(text) > 70_000
    (fragment,) = highlighter.fragments(text, terms("election"), 1, 60)
    assert marked(fragment) == ["election"] and fragment.endswith("result")


def test_phrase_with_slop_marks_every_word_of_a_match_and_no_other():
    from search.query.phrases import Phrase

    highlighter = Highlighter(analyse)
    text = ("Aliyev met Putin today. Putin spoke first, then many other delegates arrived, "
            "and finally Aliyev")

    def shown(slop: int) -> list[str]:
        return marked(highlighter.mark(text, frozenset(), (Phrase(("aliyev", "putin"), slop),)))

    assert shown(0) == []  # never adjacent
    assert shown(1) == ["Aliyev", "Putin"]  # one word between: the first pair only
    assert shown(5) == ["Aliyev", "Putin", "Putin"]  # the second Putin is 4 positions on
    # Stop words do not count: "Aliyev and Putin" is an exact phrase, as in the index.
    assert marked(highlighter.mark("Aliyev and Putin", frozenset(), (("aliyev", "putin"),))) == [
        "Aliyev", "Putin"
    ]
