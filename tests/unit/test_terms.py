"""The article-id table: a sorted sequence read in place, as a list would answer."""

from __future__ import annotations

import bisect

import pytest

from search.index.terms import SortedTerms, save_sorted_terms


def table(tmp_path, terms: list[str]) -> SortedTerms:
    blob, offsets = tmp_path / "t.bin", tmp_path / "t_off.npy"
    save_sorted_terms(blob, offsets, terms)
    return SortedTerms(blob, offsets)


IDS = sorted(["reuters-1", "reuters-10", "reuters-2", "Łódź-7", "a\ud800b", "", "z" * 300, "中文"])


def test_the_table_reads_back_as_the_sorted_list(tmp_path) -> None:
    terms = table(tmp_path, IDS)
    assert len(terms) == len(IDS)
    assert list(terms) == IDS
    assert terms[1:4] == IDS[1:4] and terms[-1] == IDS[-1] and terms[::-2] == IDS[::-2]


@pytest.mark.parametrize("wanted", [*IDS, "reuters-3", "a", "zz", "\uffff"])
def test_lookups_find_exactly_the_ids_the_list_holds(tmp_path, wanted: str) -> None:
    terms = table(tmp_path, IDS)
    assert bisect.bisect_left(terms, wanted) == bisect.bisect_left(IDS, wanted)
    assert terms.index_of(wanted) == (IDS.index(wanted) if wanted in IDS else None)


def test_an_empty_table(tmp_path) -> None:
    terms = table(tmp_path, [])
    assert len(terms) == 0 and list(terms) == [] and terms.index_of("x") is None
    with pytest.raises(IndexError):
        terms[0]


def test_many_lookups_decode_the_table_once_and_answer_alike(tmp_path) -> None:
    ids = sorted(f"reuters-{i}" for i in range(500))
    terms = table(tmp_path, ids)
    answers = [terms.index_of(t) for t in [*ids, "missing", "reuters-"]]
    assert answers == [*range(500), None, None]
    assert terms._decoded == ids  # decoded, whole, once past DECODE_AFTER lookups
    assert list(terms) == ids and terms[3] == ids[3]
