"""Ranking quality must not regress: CISI and Reuters topics through newsdesk's own path.

The floors are the figures recorded in bench/README.md (rounded down); raise them when
a change improves ranking, never lower them to make a change pass.
"""

from __future__ import annotations

import pytest

from bench import topics
from bench.cisi import evaluate, load_documents, load_qrels, load_queries, newsdesk_ranker
from tests.conftest import shared_data

CISI_FLOORS = {"nDCG@10": 0.362, "P@10": 0.326, "AP": 0.158, "R@100": 0.401}
TOPICS_FLOORS = {"nDCG@10": 0.746, "P@10": 0.691, "AP": 0.527, "R@100": 0.642}


@pytest.fixture(scope="module")
def cisi_scores(tmp_path_factory):
    data = shared_data("cisi")
    documents = load_documents(data)
    qrels = load_qrels(data)
    queries = load_queries(data, {q.query_id for q in qrels})
    rank, extra = newsdesk_ranker(documents, tmp_path_factory.mktemp("cisi"))
    scores, _ = evaluate(rank, queries, qrels)
    return scores, extra, len(documents), len(queries)


@pytest.fixture(scope="module")
def topics_scores(tmp_path_factory):
    rows = topics.run_all(
        shared_data("reuters21578"), tmp_path_factory.mktemp("topics"), include_refs=False
    )
    return rows[0]


def test_the_whole_collection_is_imported_and_queried(cisi_scores):
    _, extra, documents, queries = cisi_scores
    assert documents == 1460 and queries == 76
    assert extra["failures"] == []


@pytest.mark.parametrize("measure", sorted(CISI_FLOORS))
def test_cisi_does_not_fall_below_the_recorded_level(cisi_scores, measure):
    scores, *_ = cisi_scores
    assert scores[measure] >= CISI_FLOORS[measure], f"{measure} fell to {scores[measure]:.4f}"


def test_every_reuters_topic_with_enough_stories_is_queried(topics_scores):
    assert topics_scores["documents"] == 4613
    assert topics_scores["queries"] == 46
    assert topics_scores["failed_queries"] == 0


@pytest.mark.parametrize("measure", sorted(TOPICS_FLOORS))
def test_reuters_topics_do_not_fall_below_the_recorded_level(topics_scores, measure):
    score = topics_scores[measure]
    assert score >= TOPICS_FLOORS[measure], f"{measure} fell to {score:.4f}"
