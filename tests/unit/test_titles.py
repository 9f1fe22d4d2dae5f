"""Titles: explicit, headline line, or a trimmed first sentence."""

from search.enrich.titles import MAX_TITLE_CHARS, choose_title, first_sentence, trim_title


def test_explicit_title_wins_and_body_is_untouched():
    title, body = choose_title("  BAHIA   COCOA REVIEW ", ["Showers continued."])
    assert (title, body) == ("BAHIA COCOA REVIEW", ["Showers continued."])


def test_headline_line_becomes_title_and_leaves_the_body():
    paragraphs = ["Russia accuses Azerbaijan of breaking ceasefire", "Moscow says so.", "More."]
    assert choose_title(None, paragraphs) == (paragraphs[0], paragraphs[1:])


def test_first_sentence_when_no_headline():
    paragraphs = ["Mr. Smith went to Washington on Monday. He met the U.S. envoy.", "More."]
    assert choose_title(None, paragraphs) == ("Mr. Smith went to Washington on Monday.", paragraphs)


def test_dateline_paragraph_is_not_a_headline():
    paragraphs = ["MOSCOW, July 16 - talks went on", "Second."]
    assert choose_title(None, paragraphs)[1] == paragraphs


def test_long_sentence_is_trimmed_with_a_marker():
    sentence = (
        "Azerbaijani President Ilham Aliyev has expressed concern that Russia has provided "
        "military supplies to Armenia in the weeks following deadly clashes along the border."
    )
    title = trim_title(first_sentence(sentence))
    assert len(title) <= MAX_TITLE_CHARS + 1 and title.endswith("\u2026")
    assert sentence.startswith(title[:-1])


def test_empty_body_gives_empty_title():
    assert choose_title(None, []) == ("", [])
