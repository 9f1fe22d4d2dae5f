"""Facet value look-up: the same answers as a scan, by folded words."""

from search.index.values import ValueIndex

VALUES = ("Angela Merkel", "Ilham Aliyev", "Heydar Aliyev", "Lucía Méndez", "Vladimir Putin",
          "Jean-Claude Juncker", "TASS")


def test_exact_ignores_case_and_accents():
    index = ValueIndex(VALUES)
    assert index.exact("vladimir putin") == 4
    assert index.exact("LUCIA MENDEZ") == 3


def test_a_unique_part_of_a_name_names_it_and_an_ambiguous_one_does_not():
    index = ValueIndex(VALUES)
    assert index.exact("putin") == 4
    assert index.exact("aliyev") is None
    assert index.matching("aliyev") == [1, 2]


def test_words_must_stand_in_order():
    index = ValueIndex(VALUES)
    assert index.matching("claude juncker") == [5]
    assert index.matching("juncker claude") == []


def test_prefix_matches_a_name_or_any_word_in_it():
    index = ValueIndex(VALUES)
    assert index.with_prefix("ali") == [1, 2]
    assert index.with_prefix("men") == [3]
    assert index.with_prefix("jean-cl") == [5]
    assert index.with_prefix("") == list(range(len(VALUES)))
    assert index.with_prefix("zzz") == []


def test_names_fold_as_the_text_does_so_lodz_finds_lodz():
    """Filters, facet prefixes and the text search fold letters alike (Ł, ø, ß ...)."""
    from search.analysis import fold, text_analyzer

    index = ValueIndex(("Łódź", "Søren Kierkegaard", "Kraków"))
    assert index.exact("lodz") == 0 and index.with_prefix("lod") == [0]
    assert index.exact("soren kierkegaard") == 1
    assert index.matching("krakow") == [2]
    for name in ("Łódź", "Søren", "Kraków"):
        assert [t.text for t in text_analyzer()(name)] == [fold(name)]
