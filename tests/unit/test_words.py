"""The indexer's numpy word finder and interner against the regex and a dict.

The index, the query parser and the highlighter must agree on every word, and the
regex (``search.analysis.WORD``) is what the query side uses: so the bulk path is held
to it exactly, on every code point and on random mixes of the characters that decide
word boundaries. Interning is held to a plain dict, including when hashes collide.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.analysis import WORD, code_points, word_spans
from search.index import words as words_module
from search.index.words import group_equal, intern_words


def regex_words(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in WORD.finditer(text)]


def numpy_words(text: str) -> list[tuple[int, int]]:
    starts, ends = word_spans(code_points(text))
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def dict_intern(texts: list[str]) -> tuple[list[str], list[int], list[int], list[int]]:
    """The reference: every word through a dict, in order of first occurrence."""
    seen: dict[str, int] = {}
    ids, counts, offsets = [], [], []
    for text in texts:
        found = list(WORD.finditer(text))
        counts.append(len(found))
        for match in found:
            ids.append(seen.setdefault(match.group(), len(seen)))
            offsets.append(match.start())
    return list(seen), ids, counts, offsets


def assert_interned_like_dict(texts: list[str]) -> None:
    words, ids, counts, offsets = intern_words(texts)
    expected = dict_intern(texts)
    assert words == expected[0]
    assert ids.tolist() == expected[1]
    assert counts.tolist() == expected[2]
    assert offsets.tolist() == expected[3]
    assert ids.dtype == np.int32 and counts.dtype == np.int64 and offsets.dtype == np.int64


def test_every_code_point_is_a_word_character_exactly_when_the_regex_says() -> None:
    # Each code point between spaces, then each between letters (where a joiner joins).
    every = [chr(c) for c in range(0x110000)]
    spaced = " ".join(every)
    assert numpy_words(spaced) == regex_words(spaced)
    between_letters = "a" + "a".join(every) + "a"
    assert numpy_words(between_letters) == regex_words(between_letters)


@pytest.mark.parametrize("text", [
    "", "a", ".", "&", "a.b", "a..b", "a.&b", "U.S.", "AT&T", ".a.", "&a&", "3.5%",
    "_a_", "a\u0301b", "Łódź", "𝐀𝐁.𝐂", "😀a😀", "\ud800a\udc00", "a.\nb", "x" * 70_000,
])
def test_word_boundaries_match_the_regex_on_the_hard_cases(text: str) -> None:
    assert numpy_words(text) == regex_words(text)


# The characters that decide boundaries, plus a few of every kind.
BOUNDARY_ALPHABET = st.sampled_from(
    [*"ab1_ .&\n\t-'", "é", "e\u0301", "ß", "٣", "²", "𝐀", "😀", "\u00a0", "\ud800", "中"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(BOUNDARY_ALPHABET, max_size=60).map("".join))
def test_word_boundaries_match_the_regex_on_random_mixes(text: str) -> None:
    assert numpy_words(text) == regex_words(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["ab", "Ab", "b", "ba", "a.b", "AT&T", "é", " ", ".",
                                          "\n", "𝐀", "a1"]), max_size=20).map("".join),
                max_size=8))
def test_interning_matches_a_dict(texts: list[str]) -> None:
    assert_interned_like_dict(texts)


def test_interning_across_runs_matches_a_dict(monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs of a few characters: words recur across many runs, and a text longer than a
    # run is a run of its own.
    monkeypatch.setattr(words_module, "RUN_CHARS", 16)
    texts = ["the cat sat", "on the mat", "", "a very long text about the cat and the mat",
             "cat", "U.S. cat AT&T", "mat the"]
    assert_interned_like_dict(texts)


def test_a_text_longer_than_a_run_gets_its_own_power_tables(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.setattr(words_module, "RUN_CHARS", 1024)
    assert_interned_like_dict(["short one", "word " * 1000 + "end", "word end"])


@pytest.mark.parametrize("collide", [
    lambda codes, starts, ends: np.zeros(starts.size, np.uint64),  # every word one hash
    lambda codes, starts, ends: (ends - starts).astype(np.uint64) << np.uint64(40),  # by length
])
@pytest.mark.parametrize("texts", [
    ["the cat sat on the mat", "tac the", "", "mat cat"],
    # Same length, same first eight characters (compared packed), different after them.
    ["internationalist internationalism", "internationalism"],
    # Code points beyond a byte: compared character by character throughout.
    ["中文 文中 中文", "Łódź Lódź łódź"],
])
def test_colliding_hashes_never_merge_different_words(monkeypatch: pytest.MonkeyPatch,
                                                      collide, texts: list[str]) -> None:
    monkeypatch.setattr(words_module, "word_hashes", collide)
    assert_interned_like_dict(texts)


def test_no_texts_and_texts_without_words() -> None:
    assert_interned_like_dict([])
    assert_interned_like_dict(["", " . & ", "\n"])


def test_groups_are_numbered_in_order_of_first_occurrence() -> None:
    groups, firsts = group_equal(np.array([9, 4, 9, 7, 4], np.uint64) << np.uint64(32))
    assert groups.tolist() == [0, 1, 0, 2, 1]
    assert firsts.tolist() == [0, 1, 3]
