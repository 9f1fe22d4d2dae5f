"""The forward index answers exact phrases exactly as Whoosh's position matching does."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from whoosh import query as wq

from bench.synth import generate
from search.index.build import build_index
from search.index.store import IndexStore
from search.query.generation import Generation
from search.settings import Settings


@pytest.fixture(scope="module")
def generation(tmp_path_factory):
    root = tmp_path_factory.mktemp("forward")
    articles = list(generate(150, seed=11))
    source = root / "articles.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in articles))
    settings = Settings(index_dir=root / "index", extractor="none", build_processes=1)
    build_index([source], settings)
    gen = Generation(IndexStore(settings.index_dir).require_current())
    yield gen, articles
    gen.close()


def test_phrases_match_whoosh_on_long_fields(generation):
    gen, articles = generation
    rng = random.Random(5)
    checked = 0
    for article in rng.sample(articles, 60):
        words = article["body"].split()
        start = rng.randrange(len(words) - 4)
        terms = gen.analyse(" ".join(words[start : start + rng.choice((2, 3, 4))]))
        if len(terms) < 2:
            continue
        for field in ("title", "body"):
            ids = [gen.postings[field].index_of(t) for t in terms]
            if None in ids:
                continue
            mine = gen.forward[field].with_sequence(np.flatnonzero(gen.live), ids)
            whoosh = set(gen.searcher.docs_for_query(wq.Phrase(field, terms)))
            assert set(mine.tolist()) == whoosh, terms
            checked += 1
    assert checked > 40


def test_a_phrase_spanning_two_articles_is_not_a_match(generation):
    gen, _ = generation
    body = gen.forward["body"]
    last = int(body.terms[body.offsets[1] - 1])  # last term of document 0
    first = int(body.terms[body.offsets[1]])  # first term of document 1
    found = set(body.with_sequence(np.array([0, 1]), [last, first]).tolist())

    def inside(doc: int) -> bool:
        lo, hi = int(body.offsets[doc]), int(body.offsets[doc + 1])
        return any(body.terms[i] == last and body.terms[i + 1] == first for i in range(lo, hi - 1))

    assert found == {doc for doc in (0, 1) if inside(doc)}
