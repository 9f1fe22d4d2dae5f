"""Ranking quality must not regress: CISI through newsdesk's own import and query path.

The floors are the figures recorded in bench/README.md (rounded down); raise them when
a change improves ranking, never lower them to make a change pass.
"""

from __future__ import annotations

import pytest

from bench.cisi import evaluate, load_documents, load_qrels, load_queries, newsdesk_ranker
from tests.conftest import shared_data

FLOORS = {"nDCG@10": 0.34, "P@10": 0.31, "AP": 0.149, "R@100": 0.388}


@pytest.fixture(scope="module")
def cisi_scores(tmp_path_factory):
    data = shared_data("cisi")
    documents = load_documents(data)
    qrels = load_qrels(data)
    queries = load_queries(data, {q.query_id for q in qrels})
    rank, extra = newsdesk_ranker(documents, tmp_path_factory.mktemp("cisi"))
    scores, _ = evaluate(rank, queries, qrels)
    return scores, extra, len(documents), len(queries)


def test_the_whole_collection_is_imported_and_queried(cisi_scores):
    _, extra, documents, queries = cisi_scores
    assert documents == 1460 and queries == 76
    assert extra["failures"] == []


@pytest.mark.parametrize("measure", sorted(FLOORS))
def test_cisi_does_not_fall_below_the_recorded_level(cisi_scores, measure):
    scores, *_ = cisi_scores
    assert scores[measure] >= FLOORS[measure], f"{measure} fell to {scores[measure]:.4f}"
