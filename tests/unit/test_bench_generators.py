"""Checks for the benchmark generators (bench.synth, bench.queries).

Benchmarks are only comparable if the inputs are reproducible and shaped like news,
so these tests pin determinism and the advertised distributions. They stay small
(tens of articles, metadata-only sampling for distributions) to run in ~2 s.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from bench import queries, synth
from bench.wordlists import OUTLETS

SEED = 7
N_SMALL = 40
FACET_SAMPLE = 5_000  # metadata-only: cheap enough for tight distribution checks


@pytest.fixture(scope="module")
def articles() -> list[dict]:
    return list(synth.generate(N_SMALL, SEED))


@pytest.fixture(scope="module")
def facets() -> list[synth.Facets]:
    corpus = synth.get_corpus(SEED)
    return [synth.article_facets(corpus, i) for i in range(FACET_SAMPLE)]


@pytest.fixture(scope="module")
def query_set() -> list[dict]:
    return queries.generate_queries(210, SEED, corpus_n=N_SMALL)


# ----------------------------------------------------------------------- articles


def test_same_seed_gives_identical_articles(articles: list[dict]) -> None:
    assert list(synth.generate(N_SMALL, SEED)) == articles


def test_chunking_does_not_change_output(articles: list[dict]) -> None:
    split = list(synth.generate(15, SEED)) + list(synth.generate(N_SMALL - 15, SEED, start=15))
    assert split == articles
    assert synth.article(27, SEED) == articles[27]


def test_jsonl_bytes_identical_for_any_chunk_size(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    synth.write_jsonl(a, 12, SEED, chunk=5)
    synth.write_jsonl(b, 12, SEED, chunk=100)
    assert a.read_bytes() == b.read_bytes()


def test_different_seed_gives_different_articles(articles: list[dict]) -> None:
    other = list(synth.generate(5, SEED + 1))
    assert all(o["body"] != a["body"] for o, a in zip(other, articles, strict=False))
    assert synth.get_corpus(SEED + 1).people[:20] != synth.get_corpus(SEED).people[:20]


def test_jsonl_lines_are_valid_records(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    synth.write_jsonl(path, 20, SEED)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 20
    for k, line in enumerate(lines, start=1):
        record = json.loads(line)
        assert set(record) - {"date"} == {"id", "title", "body", "outlet", "url"}
        assert record["id"] == f"syn-{k:06d}"
        year = record["date"][:4] if "date" in record else "undated"
        assert re.fullmatch(rf"https://example\.[a-z-]+\.test/{year}/{record['id']}",
                            record["url"])


def test_body_word_counts_and_paragraphs(articles: list[dict]) -> None:
    for record in articles:
        assert 400 <= len(record["body"].split()) <= 800
        paragraphs = record["body"].split("\n\n")
        assert len(paragraphs) >= 3
        assert all(p and "\n" not in p and (p[0].isupper() or p[0] == '"') for p in paragraphs)


def test_titles_are_capitalised_5_to_12_words(articles: list[dict]) -> None:
    for record in articles:
        assert 5 <= len(record["title"].split()) <= 12
        assert record["title"][0].isupper()


def test_entities_are_written_in_the_text(articles: list[dict]) -> None:
    corpus = synth.get_corpus(SEED)
    text = "\n".join(r["body"] for r in articles)
    people = sum(name in text for name in corpus.people[:300])
    places = sum(f"in {place}" in text for place in corpus.places[:100])
    assert people >= 5 and places >= 5


def test_dates_in_range_recent_heavy_with_some_missing(facets: list[synth.Facets]) -> None:
    dates = [f.date for f in facets if f.date is not None]
    missing = 1 - len(dates) / len(facets)
    assert 0.012 <= missing <= 0.028
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates)
    assert min(dates) >= "2015-01-01" and max(dates) <= "2024-12-31"
    years = Counter(d[:4] for d in dates)
    assert len(years) == 10
    assert years["2024"] > 1.3 * years["2015"]


def test_outlets_forty_and_skewed(facets: list[synth.Facets]) -> None:
    corpus = synth.get_corpus(SEED)
    assert sorted(corpus.outlets) == sorted(OUTLETS) and len(set(OUTLETS)) == 40
    counts = sorted(Counter(f.outlet for f in facets).values(), reverse=True)
    assert len(counts) == 40
    median = counts[len(counts) // 2]
    assert counts[0] > 5 * median


def test_facets_match_built_articles(articles: list[dict]) -> None:
    corpus = synth.get_corpus(SEED)
    for i, record in enumerate(articles[:10]):
        f = synth.article_facets(corpus, i)
        assert record.get("date") == f.date
        assert record["outlet"] == corpus.outlets[f.outlet]


# ------------------------------------------------------------------------ queries


def test_query_set_is_deterministic(query_set: list[dict]) -> None:
    assert queries.generate_queries(210, SEED, corpus_n=N_SMALL) == query_set
    assert queries.generate_queries(210, SEED + 1, corpus_n=N_SMALL) != query_set


def test_query_set_shape(query_set: list[dict]) -> None:
    assert len(query_set) == 210
    json.dumps(query_set)
    kinds = Counter(q["kind"] for q in query_set)
    assert set(kinds) == {"common_word", "rare_word", "and", "phrase", "entity"}
    filtered = sum(bool(q["filters"]) for q in query_set)
    assert 0.35 <= filtered / len(query_set) <= 0.45
    allowed = {"outlet", "person", "place", "organisation", "date_from", "date_to"}
    for q in query_set:
        assert set(q) == {"kind", "q", "filters"}
        assert set(q["filters"]) <= allowed
        for key in ("date_from", "date_to"):
            if key in q["filters"]:
                assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", q["filters"][key])


def test_phrases_entities_and_words_occur_in_generated_text(
    query_set: list[dict], articles: list[dict]
) -> None:
    # Tokens with punctuation stripped, joined by single spaces: a quoted query
    # matches when it is a run of whole tokens, as a phrase search would see it.
    token_lists = [re.findall(r"[\w']+", r["title"] + " " + r["body"]) for r in articles]
    texts = [f" {' '.join(tokens)} " for tokens in token_lists]
    vocabularies = [set(tokens) for tokens in token_lists]
    for q in query_set:
        if q["kind"] in ("phrase", "entity"):
            assert any(f" {q['q'].strip(chr(34))} " in text for text in texts), q
        elif q["kind"] in ("and", "rare_word"):
            words = set(q["q"].split())
            assert any(words <= vocabulary for vocabulary in vocabularies), q


def test_anchored_filters_agree_with_some_article(query_set: list[dict]) -> None:
    outlets = {r["outlet"] for r in synth.generate(N_SMALL, SEED)}
    outlet_queries = [q for q in query_set if "outlet" in q["filters"]]
    assert outlet_queries
    hits = sum(bool(outlets & set(q["filters"]["outlet"])) for q in outlet_queries)
    assert hits >= 0.7 * len(outlet_queries)


def test_clis_write_their_files(tmp_path: Path) -> None:
    jsonl, qjson = tmp_path / "c.jsonl", tmp_path / "q.json"
    assert synth.main(["--n", "3", "--seed", str(SEED), "--out", str(jsonl)]) == 0
    assert [json.loads(line)["id"] for line in jsonl.read_text().splitlines()] == [
        "syn-000001", "syn-000002", "syn-000003"]
    args = ["--n", "10", "--seed", str(SEED), "--corpus-n", "3", "--out", str(qjson)]
    assert queries.main(args) == 0
    assert len(json.loads(qjson.read_text())) == 10


def test_feed_holds_only_the_corrected_articles_spread_over_the_archive(tmp_path: Path) -> None:
    from bench.prepare import FEED_NOTE, feed_records

    tagged = tmp_path / "tagged.jsonl"
    tagged.write_text("".join(json.dumps({"id": f"a{i}", "body": "text"}) + "\n"
                              for i in range(100)))
    feed = list(feed_records(tagged, 10, 100))
    assert [r["id"] for r in feed] == [f"a{i}" for i in range(5, 100, 10)]
    assert all(r["body"].endswith(FEED_NOTE) for r in feed)
