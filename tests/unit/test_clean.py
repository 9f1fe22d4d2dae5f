"""Cleaning: chrome and captions go, article text stays."""

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from search.enrich.clean import (
    _QUOTES,
    _SPACES,
    BoilerplateRules,
    clean_body,
    clean_captions,
    clean_text,
    normalise,
    split_paragraphs,
    strip_tail,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def rules() -> BoilerplateRules:
    return BoilerplateRules.load()


def test_normalise_folds_typographic_quotes_and_spaces():
    assert (
        normalise("Aliyev\u2019s \u201cclarification\u201d\u00a0 now")
        == 'Aliyev\'s "clarification" now'
    )


@given(st.text(alphabet=st.sampled_from("ab \t\f\v\r")))
def test_normalise_makes_every_run_of_spaces_and_tabs_one_space(text):
    assert normalise(text) == re.sub(r"[ \t\f\v\r]+", " ", text).strip()


def test_paragraphs_one_per_line_when_lines_end_sentences():
    text = "First sentence here.\nSecond paragraph here.\nThird one."
    assert split_paragraphs(text) == [
        "First sentence here.",
        "Second paragraph here.",
        "Third one.",
    ]


def test_hard_wrapped_wire_copy_is_joined_per_indented_paragraph():
    text = (
        "Showers continued throughout the week in\nthe Bahia cocoa zone, alleviating\n"
        "the drought.\n    The dry period means the temporao\nwill be late this year.\n"
    )
    assert split_paragraphs(text) == [
        "Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought.",
        "The dry period means the temporao will be late this year.",
    ]


def test_seed_004_loses_its_registration_block_and_captions(rules):
    paragraphs = clean_body((SEEDS / "004_7de97581a2d11456.txt").read_text(), rules)
    text = "\n".join(paragraphs)
    for chrome in ("Registering", "Sign in", "read more", "Check your email", "Log in"):
        assert chrome not in text
    assert "AP Photo" not in text and "via AP)" not in text
    assert paragraphs[-1].startswith("Ethnic Armenian separatists in Nagorno-Karabakh")
    assert "Moscow on Saturday accused Azerbaijan" in text


def test_seed_004_captions_are_kept_apart_once_each(rules):
    cleaned = clean_text((SEEDS / "004_7de97581a2d11456.txt").read_text(), rules)
    assert len(cleaned.captions) == 4  # the video still is in the page twice
    assert all(c.endswith("AP)") or c.endswith("(AP Photo)") for c in cleaned.captions)
    assert any("Sergei Lavrov" in c for c in cleaned.captions)
    assert not any("Lavrov" in p for p in cleaned.paragraphs)


def test_captions_given_apart_are_paragraphs_each_once():
    assert clean_captions("A man walks.\n\nA  man walks.\n\nPutin, left.") == [
        "A man walks.", "Putin, left."]
    assert clean_captions(None) == clean_captions("  \n ") == []


def test_single_weak_match_at_the_end_is_article_text(rules):
    lines = ["A long paragraph about the vote. " * 3, "Voter registration closes Friday."]
    assert strip_tail(lines, rules) == lines


def test_strong_signoff_alone_is_cut(rules):
    assert strip_tail(["Prices rose 3 pct.", "Reuter"], rules) == ["Prices rose 3 pct."]


def test_long_lines_are_never_chrome(rules):
    prose = "Sign in to the ministry's register was required for every one of the " + "x " * 40
    assert strip_tail(["intro", "read more:", prose], rules) == ["intro", "read more:", prose]


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_clean_seeds_keep_most_of_their_text(rules, seed):
    raw = (SEEDS / seed).read_text()
    cleaned = " ".join(clean_body(raw, rules))
    assert len(cleaned.split()) > 0.6 * len(raw.split())


# The fast paths of cleaning (a substring test before the space regex, a last-character
# test for a sentence's end) against the plain regexes they stand for.
_MESSY = st.lists(st.sampled_from([*"ab .!?\"')]:;\t\f\v\r", "\u00a0", "\u2019", "é", "  "]),
                  max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(_MESSY)
def test_normalise_collapses_spaces_exactly_as_the_regex(text: str) -> None:
    folded = text if text.isascii() else unicodedata.normalize("NFC", text).translate(_QUOTES)
    assert normalise(text) == _SPACES.sub(" ", folded).strip()


@settings(max_examples=300, deadline=None)
@given(st.lists(_MESSY, max_size=6).map("\n".join))
def test_paragraphs_join_where_a_line_ends_without_closing_punctuation(text: str) -> None:
    ends = re.compile(r"[.!?:;\"')\]\u201d\u2019]$")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assume(sum(bool(re.match(r"^[ \t]{2,}\S", line)) for line in lines) < 2)  # not wire copy
    expected: list[list[str]] = []
    open_block = False
    for line in lines:
        if not line.strip():
            open_block = False
            continue
        if open_block and not ends.search(expected[-1][-1]):
            expected[-1].append(line.strip())
        else:
            expected.append([line.strip()])
        open_block = True
    assert split_paragraphs(text) == [p for p in (normalise(" ".join(b)) for b in expected) if p]
