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
