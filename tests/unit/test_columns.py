"""Facet columns: the inverted value lists agree with the documents' own values."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from search.index.columns import FacetColumn
from search.index.segment import facet_csr

VALUES = ["Baku", "Moscow", "Paris", "Yerevan", "Łódź"]


@given(
    st.lists(st.lists(st.sampled_from(VALUES), max_size=4), max_size=30),
    st.lists(st.integers(0, len(VALUES) - 1), max_size=3),
    st.integers(0, 5),
)
def test_docs_with_any_is_the_documents_carrying_a_value(per_doc, wanted, extra):
    values, offsets, ords = facet_csr(per_doc)
    column = FacetColumn(tuple(values), offsets, ords)
    ordinals = np.asarray([w for w in wanted if w < len(values)], np.int64)
    size = len(per_doc) + extra  # a generation may be larger than this segment
    expected = np.zeros(size, bool)
    names = {values[o] for o in ordinals}
    for d, doc_values in enumerate(per_doc):
        expected[d] = bool(names & set(doc_values))
    assert np.array_equal(column.docs_with_any(ordinals, size), expected)


@given(
    st.lists(st.lists(st.lists(st.sampled_from(VALUES), max_size=3), max_size=8), min_size=1,
             max_size=4),
    st.lists(st.sampled_from(VALUES), max_size=3),
)
def test_a_united_column_filters_through_its_segments_inverted_lists(segments, wanted):
    # A generation's column reads each segment's own inverted lists (cached while the
    # segment lives): the same documents as the documents' own values say.
    from search.index.columns import unite

    columns = [FacetColumn(*facet_csr(per_doc)) for per_doc in segments]
    united = unite(columns)
    ordinals = np.asarray([united.values.index(w) for w in wanted if w in united.values],
                          np.int64)
    every_doc = [names for per_doc in segments for names in per_doc]
    expected = np.array([bool(set(wanted) & set(names)) for names in every_doc], bool)
    assert np.array_equal(united.docs_with_any(ordinals, len(every_doc)), expected)
