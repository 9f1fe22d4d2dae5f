"""The HTTP API through WSGI (webtest): answers, filters, limits, and every error path.

Expectations are computed from the seed texts and the index's export rather than written
out by hand, so a change in entity extraction moves both sides together.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from html import escape as html_escape
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from webtest import TestApp

from api.app import create_app
from api.schemas import make_schemas
from search.index.build import build_index
from search.settings import Settings
from tests.conftest import SEEDS
from tests.functional.conftest import EXTRA_ARTICLES, ODD_ID, assert_problem, write_jsonl

MARK = re.compile(r"</?mark>")
FACETS = {"outlet": "outlet", "person": "people", "organisation": "organisations",
          "place": "places"}
PAGE_KEYS = {
    "query", "filters", "sort", "total", "total_pages", "page", "page_size", "took_ms",
    "results", "facets", "dates", "suggestion", "notes", "timed_out",
}
RESULT_KEYS = {"id", "title", "date", "outlet", "url", "score", "highlights", "entities"}
ENTITY_KEYS = {"people", "organisations", "places"}
ARTICLE_KEYS = {"id", "title", "body", "captions", "date", "outlet", "url", "word_count",
                "entities"}


def search(app: TestApp, **params) -> dict:
    response = app.get("/search", params=params)
    assert response.status_int == 200
    assert response.content_type == "application/json"
    return response.json


def ids(page: dict) -> list[str]:
    return [r["id"] for r in page["results"]]


def seed_text(article_id: str) -> str:
    """The raw seed file of an article (txt seeds take their file name as id)."""
    return (SEEDS / f"{article_id}.txt").read_text(encoding="utf-8")


def has_word(text: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE) is not None


def plain(html: str) -> str:
    return MARK.sub("", html)


def assert_answered(response) -> None:
    """Any input gets an answer: 200 JSON, or a 4xx problem; never a 5xx."""
    if response.status_int == 200:
        assert response.content_type == "application/json"
        assert isinstance(response.json, dict)
    else:
        assert 400 <= response.status_int < 500, response.text
        assert_problem(response, response.status_int)


# -- /search: the acceptance check -------------------------------------------------------


def test_aliyev_with_putin_finds_exactly_the_articles_mentioning_both(app, exported):
    expected = {
        article_id for article_id, record in exported.items()
        if "Vladimir Putin" in record["people"] and has_word(seed_text(article_id), "Aliyev")
    }
    assert expected, "the seeds have an article mentioning both"

    page = search(app, q="Aliyev", person="Vladimir Putin")

    assert set(ids(page)) == expected
    assert page["total"] == len(expected)
    assert page["filters"]["person"] == ["Vladimir Putin"]
    for result in page["results"]:
        assert "Vladimir Putin" in result["entities"]["people"]
        fragments = result["highlights"]["body"]
        assert fragments
        assert all("<mark>Aliyev</mark>" in fragment for fragment in fragments), fragments
    person = page["facets"]["person"]["values"]
    names = [v["value"] for v in person]
    assert len(names) == len(set(names)), names
    assert "Putin" not in names
    assert {"value": "Vladimir Putin", "count": len(expected), "selected": True} in person
    assert [v["value"] for v in person if v["selected"]] == ["Vladimir Putin"]
    # Facet values are the index's canonical names, counted over the matches.
    for value in person:
        assert value["count"] == sum(value["value"] in exported[i]["people"] for i in expected)


# -- /search: the shape of an answer ------------------------------------------------------


def test_search_response_has_every_documented_key(app):
    page = search(app, q="Aliyev")
    assert set(page) == PAGE_KEYS
    assert set(page["filters"]) == {*FACETS, "date_from", "date_to"}
    assert page["query"] == "Aliyev"
    assert page["sort"] == "relevance"
    assert (page["page"], page["page_size"]) == (1, 10)
    assert page["total_pages"] == 1
    assert isinstance(page["took_ms"], int | float) and page["took_ms"] >= 0
    assert page["suggestion"] is None
    assert page["notes"] == []
    assert page["results"]
    for result in page["results"]:
        assert set(result) == RESULT_KEYS
        assert set(result["highlights"]) == {"title", "body", "captions"}
        assert isinstance(result["highlights"]["title"], str)
        assert isinstance(result["highlights"]["body"], list)
        assert isinstance(result["highlights"]["captions"], list)
        assert set(result["entities"]) == ENTITY_KEYS
        assert isinstance(result["score"], float) and result["score"] > 0
        assert result["date"] is None or dt.date.fromisoformat(result["date"])
        assert isinstance(result["outlet"], str) and result["outlet"]
    scores = [r["score"] for r in page["results"]]
    assert scores == sorted(scores, reverse=True)
    assert set(page["facets"]) == set(FACETS)
    for facet in page["facets"].values():
        assert set(facet) == {"values", "truncated"}
        assert isinstance(facet["truncated"], bool)
        for value in facet["values"]:
            assert set(value) == {"value", "count", "selected"}
    assert set(page["dates"]) == {"interval", "buckets"}
    assert page["dates"]["interval"] == "year"
    for bucket in page["dates"]["buckets"]:
        assert set(bucket) == {"key", "count"}


def test_empty_query_returns_every_article(app, exported):
    page = search(app, q="")
    assert page["total"] == len(exported) == 5
    assert set(ids(page)) == set(exported)
    assert page["suggestion"] is None


def test_no_q_at_all_is_the_empty_query(app):
    assert ids(search(app)) == ids(search(app, q=""))


def test_facet_counts_and_order_match_the_index(app, exported):
    page = search(app, q="")
    for name, field in FACETS.items():
        counts = Counter()
        for record in exported.values():
            values = [record[field]] if name == "outlet" else record[field]
            counts.update(set(values))
        facet = page["facets"][name]
        expected = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        assert [(v["value"], v["count"]) for v in facet["values"]] == expected, name
        assert not any(v["selected"] for v in facet["values"])
        assert facet["truncated"] == (len(counts) > 10), name


def test_outlet_filter(app, exported):
    tass = {i for i, r in exported.items() if r["outlet"] == "TASS"}
    assert tass
    page = search(app, outlet="TASS")
    assert set(ids(page)) == tass
    assert all(r["outlet"] == "TASS" for r in page["results"])
    outlets = {v["value"]: v for v in page["facets"]["outlet"]["values"]}
    assert outlets["TASS"]["selected"] is True
    # Outlets are ORed, so the outlet facet still offers the others.
    assert len(outlets) == len({r["outlet"] for r in exported.values()})


def test_two_outlets_are_ored(app, exported):
    wanted = {"TASS", "Associated Press"}
    page = search(app, outlet=sorted(wanted))
    assert set(ids(page)) == {i for i, r in exported.items() if r["outlet"] in wanted}
    assert page["filters"]["outlet"] == sorted(wanted)


@pytest.mark.parametrize(
    ("params", "low", "high"),
    [
        ({"date_from": "2020-08"}, "2020-08-01", None),
        ({"date_to": "2020-07"}, None, "2020-07-31"),
        ({"date_to": "2020"}, None, "2020-12-31"),
        ({"date_from": "2021", "date_to": "2021"}, "2021-01-01", "2021-12-31"),
        ({"date_from": "2020-07-16", "date_to": "2020-07-16"}, "2020-07-16", "2020-07-16"),
        ({"date_from": "2020-02", "date_to": "2020-02"}, "2020-02-01", "2020-02-29"),
    ],
    ids=["from-month", "to-month", "to-year", "one-year", "one-day", "leap-february"],
)
def test_date_filters(app, exported, params, low, high):
    expected = {
        i for i, r in exported.items()
        if r["date"] and (low is None or r["date"] >= low) and (high is None or r["date"] <= high)
    }
    page = search(app, **params)
    assert set(ids(page)) == expected
    assert page["filters"]["date_from"] == low
    assert page["filters"]["date_to"] == high
    assert all(r["date"] is not None for r in page["results"])


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sort_by_date_puts_unknown_dates_last(app, exported, sort):
    page = search(app, sort=sort)
    assert page["sort"] == sort
    dates = [r["date"] for r in page["results"]]
    known = sorted((d for d in (r["date"] for r in exported.values()) if d),
                   reverse=sort == "newest")
    unknown = sum(r["date"] is None for r in exported.values())
    assert unknown, "the seeds have undated articles"
    assert dates == [*known, *[None] * unknown]


def test_pagination_continues_where_the_previous_page_stopped(app):
    everything = ids(search(app, q="", page_size=10))
    pages = [search(app, q="", page_size=2, page=n) for n in (1, 2, 3)]
    assert [len(p["results"]) for p in pages] == [2, 2, 1]
    assert [p["page"] for p in pages] == [1, 2, 3]
    assert all(p["total"] == 5 and p["total_pages"] == 3 and p["page_size"] == 2 for p in pages)
    assert [i for p in pages for i in ids(p)] == everything
    past_the_end = search(app, q="", page_size=2, page=4)
    assert past_the_end["results"] == []
    assert past_the_end["total"] == 5


def test_facet_size_limits_values(app):
    page = search(app, q="", facet_size=1)
    for name, facet in page["facets"].items():
        assert len(facet["values"]) <= 1, name
    assert page["facets"]["person"]["truncated"] is True
    # 0 asks for no facet values at all (the search layer then skips facets).
    page = search(app, q="", facet_size=0)
    assert all(not facet["values"] for facet in page["facets"].values())


def test_selected_value_shows_even_beyond_facet_size(app):
    page = search(app, q="", person="Vladimir Putin", facet_size=1)
    values = page["facets"]["person"]["values"]
    assert {"value": "Vladimir Putin", "count": 2, "selected": True} in values
    assert len(values) <= 2


def test_date_interval_month(app, exported):
    page = search(app, q="", date_interval="month")
    assert page["dates"]["interval"] == "month"
    buckets = page["dates"]["buckets"]
    months = Counter(r["date"][:7] for r in exported.values() if r["date"])
    unknown = sum(r["date"] is None for r in exported.values())
    assert buckets == [
        *({"key": k, "count": c} for k, c in sorted(months.items())),
        {"key": None, "count": unknown},
    ]
    years = search(app, q="")["dates"]["buckets"]
    assert all(b["key"] is None or re.fullmatch(r"\d{4}", b["key"]) for b in years)
    assert sum(b["count"] for b in years) == len(exported)


def test_fragments_and_fragment_chars(app):
    none = search(app, q="Aliyev", fragments=0)
    assert all(r["highlights"]["body"] == [] for r in none["results"])
    one = search(app, q="Aliyev", fragments=1)
    assert all(len(r["highlights"]["body"]) == 1 for r in one["results"])
    short = search(app, q="Aliyev", fragments=5, fragment_chars=40)
    for result in short["results"]:
        assert 1 <= len(result["highlights"]["body"]) <= 5
        for fragment in result["highlights"]["body"]:
            assert "<mark>Aliyev</mark>" in fragment
            assert len(plain(fragment)) <= 40, fragment
    long = search(app, q="Aliyev", fragments=1, fragment_chars=400)
    assert all(len(plain(r["highlights"]["body"][0])) > 160 for r in long["results"])


def test_phrase_query_needs_the_words_in_order(app, exported):
    expected = {
        i for i in exported if re.search(r"military\s+supplies", seed_text(i), re.IGNORECASE)
    }
    phrase = search(app, q='"military supplies"')
    assert set(ids(phrase)) == expected
    words = search(app, q="military supplies")
    assert phrase["total"] < words["total"]
    assert search(app, q='"supplies military"')["total"] == 0
    for result in phrase["results"]:
        assert any("<mark>supplies</mark>" in f for f in result["highlights"]["body"])


def test_did_you_mean(app):
    page = search(app, q="Azerbaijn")
    assert page["total"] == 0
    assert page["suggestion"] is not None
    assert page["suggestion"].casefold() == "azerbaijan"
    assert search(app, q=page["suggestion"])["total"] > 0
    assert search(app, q="Azerbaijan")["suggestion"] is None


@pytest.mark.parametrize("q", ["TASS", "Lavrov Stepanakert", "Rosoboronexport Brussels",
                               "who met whom in Brussels"])
def test_no_suggestion_for_a_query_that_finds_itself_or_for_real_words(app, q):
    # TASS finds its article (it suggested "TALKS"). Words the archive or the language
    # has are not corrected, even when no article has all of them (the results are
    # relaxed): "whom" was corrected to "who".
    page = search(app, q=q)
    assert page["total"] > 0
    assert page["suggestion"] is None, page["suggestion"]


@pytest.mark.parametrize("q", ["Aliyev", "", '"military supplies"', "Karabakh OR Moscow"])
def test_highlights_have_no_markup_but_mark(app, q):
    for result in search(app, q=q, fragments=5)["results"]:
        for html in [result["highlights"]["title"], *result["highlights"]["body"]]:
            assert "<" not in plain(html), html
            assert ">" not in plain(html), html


def test_highlights_escape_html_from_the_article(extra_app):
    (title, body) = (EXTRA_ARTICLES[0]["title"], EXTRA_ARTICLES[0]["body"])
    page = search(extra_app, q="Zorbulan", fragments=5, fragment_chars=500)
    (result,) = page["results"]
    assert result["id"] == ODD_ID
    # Plain-text fields stay plain text; only highlights are HTML.
    assert result["title"] == title
    assert result["highlights"]["title"] == (
        "Tags &lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>Zorbulan</mark>"
    )
    fragments = " ".join(result["highlights"]["body"])
    assert "&lt;b&gt;<mark>Zorbulan</mark>&lt;/b&gt;" in fragments
    assert "&amp;" in fragments and "x &lt; y" in fragments
    for html in [result["highlights"]["title"], *result["highlights"]["body"]]:
        assert "<" not in plain(html), html
    article = extra_app.get("/articles/" + quote(ODD_ID, safe="")).json
    assert (article["title"], article["body"]) == (title, body)


# -- /search: every error is a 4xx problem ------------------------------------------------

BAD_SEARCHES = [
    ("foo=1", "foo", "unknown_parameter"),
    ("Q=Aliyev", "Q", "unknown_parameter"),
    ("page=abc", "page", "invalid_parameter"),
    ("page=", "page", "invalid_parameter"),
    ("page=1e3", "page", "invalid_parameter"),
    ("page_size=1.5", "page_size", "invalid_parameter"),
    ("fragments=x", "fragments", "invalid_parameter"),
    ("fragment_chars=19", "fragment_chars", "invalid_parameter"),
    ("facet_size=-1", "facet_size", "invalid_parameter"),
    ("page=0", "page", "invalid_parameter"),
    ("page=-1", "page", "invalid_parameter"),
    ("page=99999999999999999999999999", "page", "invalid_parameter"),
    ("page_size=0", "page_size", "invalid_parameter"),
    ("date_from=2020-13", "date_from", "invalid_parameter"),
    ("date_from=2020-02-30", "date_from", "invalid_parameter"),
    ("date_from=0000", "date_from", "invalid_parameter"),
    ("date_from=", "date_from", "invalid_parameter"),
    ("date_to=yesterday", "date_to", "invalid_parameter"),
    ("date_to=20200716", "date_to", "invalid_parameter"),
    ("date_from=2021&date_to=2020-12-31", "date_from", "invalid_parameter"),
    ("date_from=2020-07-17&date_to=2020-07-16", "date_from", "invalid_parameter"),
    ("sort=best", "sort", "invalid_parameter"),
    ("sort=", "sort", "invalid_parameter"),
    ("sort=NEWEST", "sort", "invalid_parameter"),
    ("date_interval=week", "date_interval", "invalid_parameter"),
    ("recency_half_life_days=0", "recency_half_life_days", "invalid_parameter"),
    ("recency_half_life_days=nan", "recency_half_life_days", "invalid_parameter"),
    ("recency_half_life_days=inf", "recency_half_life_days", "invalid_parameter"),
    ("person=", "person", "invalid_parameter"),
    ("outlet=" + "x" * 201, "outlet", "invalid_parameter"),
    ("q=a&q=b", "q", "repeated_parameter"),
    ("q=Aliyev&q=Aliyev", "q", "repeated_parameter"),
    ("page=1&page=2", "page", "repeated_parameter"),
    ("sort=newest&sort=oldest", "sort", "repeated_parameter"),
    ("q=%22unclosed", "q", "query_syntax"),
    ("q=(Aliyev", "q", "query_syntax"),
    ("q=Aliyev)", "q", "query_syntax"),
    ("q=()", "q", "query_syntax"),
    ("q=foo:bar", "q", "query_syntax"),
    ("q=content_hash:x", "q", "query_syntax"),
    ("q=id:000_9c4553827276a6e6", "q", "query_syntax"),
    ("q=Aliyev~3", "q", "query_syntax"),
    ("q=Aliyev~0", "q", "query_syntax"),
    ("q=NOT", "q", "query_syntax"),
    ("q=Aliyev%20OR", "q", "query_syntax"),
    ("q=*Aliyev", "q", "query_syntax"),
    ("q=" + "(" * 30 + "a" + ")" * 30, "q", "query_syntax"),
    ("q=*", "q", "query_too_broad"),
    ("q=a*", "q", "query_too_broad"),
]


@pytest.mark.parametrize(
    ("query_string", "param", "code"), BAD_SEARCHES, ids=[c[0][:40] for c in BAD_SEARCHES]
)
def test_bad_search_is_a_400_problem(app, query_string, param, code):
    response = app.get("/search?" + query_string, expect_errors=True)
    assert_problem(response, 400, param=param, code=code)


def test_unknown_parameters_are_all_named(app):
    response = app.get("/search?foo=1&bar=2", expect_errors=True)
    document = assert_problem(response, 400, param="bar", code="unknown_parameter")
    assert {e["param"] for e in document["errors"]} == {"foo", "bar"}


def test_limits_from_settings(app, seed_index):
    s = seed_index
    boundary = {
        "page_size": s.max_page_size,
        "page": s.max_result_window // s.max_page_size,
        "q": "a" * s.max_query_chars,
        "person": [f"Person {n}" for n in range(s.max_filter_values)],
        "facet_size": s.max_facet_size,
        "fragments": s.max_fragments,
        "fragment_chars": s.max_fragment_chars,
    }
    for name, value in boundary.items():
        params = {name: value}
        if name == "page":
            params["page_size"] = s.max_page_size
        assert app.get("/search", params=params).status_int == 200, name
    over = [
        ({"page_size": s.max_page_size + 1}, "page_size"),
        ({"page_size": s.max_page_size,
          "page": s.max_result_window // s.max_page_size + 1}, "page"),
        ({"page_size": 1, "page": s.max_result_window + 1}, "page"),
        ({"q": "a" * (s.max_query_chars + 1)}, "q"),
        ({"q": "Aliyev " * (s.max_query_chars // 7 + 1)}, "q"),
        ({"person": [f"Person {n}" for n in range(s.max_filter_values + 1)]}, "person"),
        ({"place": [f"Place {n}" for n in range(s.max_filter_values + 1)]}, "place"),
        ({"outlet": [f"Outlet {n}" for n in range(s.max_filter_values + 1)]}, "outlet"),
        ({"facet_size": s.max_facet_size + 1}, "facet_size"),
        ({"fragments": s.max_fragments + 1}, "fragments"),
        ({"fragment_chars": s.max_fragment_chars + 1}, "fragment_chars"),
    ]
    for params, param in over:
        response = app.get("/search", params=params, expect_errors=True)
        assert_problem(response, 400, param=param)


def test_unknown_route_is_404(app):
    assert_problem(app.get("/nope", expect_errors=True), 404, code="not_found")
    assert_problem(app.get("/search/extra", expect_errors=True), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [("delete", "/search"), ("put", "/search"), ("patch", "/articles/000_9c4553827276a6e6"),
     ("post", "/facets/person"), ("patch", "/health")],
)
def test_wrong_method_is_405(app, method, path):
    response = getattr(app, method)(path, expect_errors=True)
    assert_problem(response, 405, code="method_not_allowed")
    assert "GET" in response.headers["Allow"]


# -- weird input: an answer, never a 500 -------------------------------------------------

WEIRD = [
    "q=%D0%9F%D1%83%D1%82%D0%B8%D0%BD",  # Путин
    "q=%F0%9F%98%80%F0%9F%87%BA%F0%9F%87%A6",  # emoji and a flag
    "q=%D7%A9%D7%9C%D7%95%D7%9D%20Aliyev",  # Hebrew (RTL) and Latin
    "q=%D8%A7%D9%84%D9%82%D8%A7%D9%87%D8%B1%D8%A9",  # Arabic
    "q=%E2%80%8F%E2%80%AEAliyev",  # RTL mark and override
    "q=a%00b",
    "q=%00",
    "q=Aliyev%00",
    "q=%0A%0D%09",
    "q=x" + "y" * 498,
    "q=*",
    "q=-",
    "q=--Aliyev",
    "q=OR",
    "q=AND",
    "q=%22%22",
    "q=%22%20%22",
    "q=%ff%fe",
    "q=%zz",
    "q=%",
    "q=%25%25%25",
    "q=%C0%80",
    "q=%ED%A0%80",  # an encoded UTF-16 surrogate
    "q=title:",
    "q=:",
    "q=~",
    "q=\\",
    "q=Aliyev^2",
    "q=Aliyev!",
    "q=ab*~",
    "q=person:%00",
    "q=A%CC%8Aliyev",  # combining ring
    "q=%EF%BC%A1liyev",  # fullwidth A
    "person=%00",
    "person=%D0%9F%D1%83%D1%82%D0%B8%D0%BD",
    "outlet=%F0%9F%98%80",
    "place=Karabakh",
    "date_from=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%90",  # fullwidth digits
    "page=%EF%BC%91",
    "date_to=9999",
    "date_from=9999-12",
    "q=Aliyev&",
    "&&q=Aliyev",
    "q",
    "=Aliyev",
    "q=Aliyev&page_size=100&page=100",
]


@pytest.mark.parametrize("query_string", WEIRD)
def test_weird_input_gets_an_answer(app, query_string):
    assert_answered(app.get("/search?" + query_string, expect_errors=True))


@pytest.mark.parametrize(
    "path",
    [
        "/articles/%00", "/articles/%F0%9F%98%80", "/articles/..%2F..%2Fetc%2Fpasswd",
        "/articles/" + "x" * 2000, "/facets/person?prefix=%00",
        "/facets/person?prefix=%D0%9F", "/facets/%F0%9F%98%80", "/docs/assets/..%2F..%2Fapp.py",
        "/%00", "/search%00", "/static/..%2F..%2Fapp.py", "/static/%00",
    ],
)
def test_weird_paths_get_an_answer(app, path):
    response = app.get(path, expect_errors=True)
    assert_answered(response)
    assert "Traceback" not in response.text


# -- /articles ----------------------------------------------------------------------------


def test_article_in_full(app, exported):
    for article_id, record in exported.items():
        response = app.get(f"/articles/{article_id}")
        assert response.content_type == "application/json"
        article = response.json
        assert set(article) == ARTICLE_KEYS
        assert article["id"] == article_id
        assert (article["title"], article["date"], article["outlet"], article["url"]) == (
            record["title"], record["date"], record["outlet"], record["url"])
        assert article["entities"] == {k: record[k] for k in ENTITY_KEYS}
        assert article["body"].strip()
        assert article["word_count"] == len(article["body"].split()) > 0
        assert has_word(article["body"], "Aliyev") == has_word(seed_text(article_id), "Aliyev")
    assert app.get("/articles/001_9ed5408ae21413a6").json["date"] is None
    assert app.get("/articles/000_9c4553827276a6e6").json["date"] == "2020-08-13"


def test_article_id_with_url_encoded_characters(extra_app):
    for safe in ("", "/"):
        response = extra_app.get("/articles/" + quote(ODD_ID, safe=safe))
        assert response.json["id"] == ODD_ID
        assert response.json["date"] == "2024-01-05"
    # The id in search results is the one that fetches the article.
    (hit,) = search(extra_app, q="Zorbulan")["results"]
    assert extra_app.get("/articles/" + quote(hit["id"], safe="")).json["id"] == hit["id"]


def test_unknown_article_is_404(app):
    for article_id in ("nope", "000_9c4553827276a6e6x", "000_9c4553827276a6e6/", "%20"):
        response = app.get(f"/articles/{article_id}", expect_errors=True)
        assert_problem(response, 404, code="article_not_found")


def test_a_hyphenated_compound_and_its_closed_form_find_each_other(app):
    # "cease-fire" found only 001, and "ceasefire" only 002 and 004.
    hyphenated = {r["id"][:3] for r in search(app, q="cease-fire")["results"]}
    closed = {r["id"][:3] for r in search(app, q="ceasefire")["results"]}
    assert hyphenated == closed >= {"001", "002", "004"}
    closed_hit = next(r for r in search(app, q="ceasefire", fragments=5)["results"]
                      if r["id"].startswith("001"))
    assert "<mark>cease</mark>-<mark>fire</mark>" in " ".join(
        closed_hit["highlights"]["body"]).lower()
    marked = " ".join(f for r in search(app, q="cease-fire", fragments=5)["results"]
                      for f in r["highlights"]["body"]).lower()
    assert "<mark>cease</mark>-<mark>fire</mark>" in marked and "<mark>ceasefire</mark>" in marked


def test_a_company_name_with_an_ampersand_is_one_searchable_word(tmp_path):
    # AT&T was "at" (a stop word) and "t" (too short): nothing to search, a misleading note.
    source = tmp_path / "at.jsonl"
    write_jsonl(source, [
        {"id": "att", "title": "AT&T buys a rival", "body": "AT&T agreed to buy it, and R&D "
         "spending at the group rises.", "organisations": ["AT&T"]},
        {"id": "other", "title": "At the market", "body": "Trading at noon; T-shirts sold."},
    ])
    settings = Settings(index_dir=tmp_path / "index", extractor="none", build_processes=1)
    build_index([source], settings)
    app = TestApp(create_app(settings))
    page = search(app, q="AT&T")
    assert [r["id"] for r in page["results"]] == ["att"]
    assert not page["notes"]
    assert page["results"][0]["highlights"]["title"] == "<mark>AT&amp;T</mark> buys a rival"
    assert [r["id"] for r in search(app, q="r&d")["results"]] == ["att"]


def test_search_by_post_with_a_json_body_answers_as_the_get(app):
    params = {"q": "Aliyev", "person": ["Vladimir Putin"], "fragments": 1, "outlet": "TASS"}
    posted = app.post_json("/search", params).json
    got = app.get("/search", params={**params, "person": "Vladimir Putin"}).json
    posted.pop("took_ms"), got.pop("took_ms")
    assert posted == got
    long_query = " ".join(["переговоры"] * 300)  # 3,299 characters, ~20 KB as a URL
    assert app.post_json("/search", {"q": long_query}).json["query"] == long_query
    assert_problem(app.post_json("/search", {"q": "x", "pgae": 2}, expect_errors=True), 400,
                   param="pgae", code="unknown_parameter")
    assert_problem(app.post_json("/search", ["Aliyev"], expect_errors=True), 400,
                   code="invalid_body")
    assert_problem(app.post("/search", "q=Aliyev", expect_errors=True), 415)
    assert_problem(app.post_json("/search", {"q": "x" * 70_000}, expect_errors=True), 413)


def test_article_takes_only_a_query(app):
    response = app.get("/articles/000_9c4553827276a6e6?fields=title", expect_errors=True)
    assert_problem(response, 400, param="fields", code="unknown_parameter")


def test_article_with_a_query_has_its_words_marked_in_the_whole_text(app):
    url = "/articles/000_9c4553827276a6e6"
    plain_article = app.get(url).json
    assert "highlights" not in plain_article
    article = app.get(url, params={"q": "Aliyev Putin"}).json
    marked = article["highlights"]
    assert set(article) == ARTICLE_KEYS | {"highlights"}
    # The whole text, escaped, paragraphs kept; every Aliyev and Putin in it marked.
    assert plain(marked["body"]) == html_escape(plain_article["body"], quote=False)
    assert marked["body"].count("<mark>") == (
        len(re.findall(r"\bAliyev\b", plain_article["body"]))
        + len(re.findall(r"\bPutin\b", plain_article["body"]))
    ) >= 2
    assert "\n\n" in marked["body"]
    # A phrase with slop, the newcomer's case: the words are marked where they stand near.
    near = app.get(url, params={"q": '"Aliyev Putin"~5'}).json["highlights"]["body"]
    assert "<mark>Aliyev</mark>" in near and "<mark>Putin</mark>" in near
    (hit,) = [r for r in search(app, q='"Aliyev Putin"~5')["results"] if r["id"] == article["id"]]
    assert "<mark>" in " ".join(hit["highlights"]["body"])


# -- query-time resolution: what users type, as the index names it -----------------------
SEED_001 = "001_9ed5408ae21413a6"


@pytest.mark.parametrize("q, other", [("Pashinian", "Pashinyan"), ("Pashinyan", "Pashinian")])
def test_either_spelling_of_pashinyan_finds_both_articles(app, q, other):
    """001 writes "Pashinian", 004 "Pashinyan": one man, found by either spelling."""
    assert has_word(seed_text(SEED_001), "Pashinian")
    assert not has_word(seed_text(SEED_004), "Pashinian")
    page = search(app, q=q)
    assert set(ids(page)) == {SEED_001, SEED_004}
    assert any(other in note and q in note for note in page["notes"]), page["notes"]
    # Both spellings are marked where they stand.
    marked = " ".join(f for r in page["results"] for f in r["highlights"]["body"])
    assert "<mark>Pashinian</mark>" in marked and "<mark>Pashinyan</mark>" in marked


@pytest.mark.parametrize("q", ["person:pashinian", "person:Pashinyan",
                               'person:"Nikol Pashinian"'])
def test_person_field_query_resolves_a_transliteration(app, exported, q):
    expected = {i for i, r in exported.items() if "Nikol Pashinyan" in r["people"]}
    assert expected == {SEED_001, SEED_004}
    assert set(ids(search(app, q=q))) == expected


def test_person_shoygu_works_like_shoigu(app):
    shoigu = search(app, q="person:shoigu")
    shoygu = search(app, q="person:shoygu")
    assert ids(shoigu) and ids(shoygu) == ids(shoigu)
    assert any("Sergei Shoigu" in note for note in shoygu["notes"])
    assert shoigu["notes"] == []


def test_filter_value_resolves_and_echoes_the_canonical_value(app):
    page = search(app, person="Nikol Pashinian")
    assert set(ids(page)) == {SEED_001, SEED_004}
    assert page["filters"]["person"] == ["Nikol Pashinyan"]
    assert any("Nikol Pashinyan" in note for note in page["notes"])
    (value,) = [v for v in page["facets"]["person"]["values"] if v["value"] == "Nikol Pashinyan"]
    assert value["selected"]


@pytest.mark.parametrize("params", [
    {"person": "Nikol Pashinianov"}, {"q": "person:pashinianov"}, {"q": "Pashinianov"},
    {"person": "ßßßßß"}, {"place": "-"}, {"q": "person:!!!"}, {"organisation": "e" * 200},
    {"q": "person:" + "y" * 300}, {"q": "Zzzzzzz"},
])
def test_unknown_variants_match_nothing_and_never_crash(app, params):
    page = search(app, **params)
    assert page["total"] == 0, page["notes"]


# -- captions: their own field ---------------------------------------------------------
SEED_004 = "004_7de97581a2d11456"


def test_caption_names_are_entities_of_their_article(app):
    """Seed 004 names these only in photo captions, which the cleaner used to drop."""
    article = app.get(f"/articles/{SEED_004}").json
    for person in ("Sergei Lavrov", "Zohrab Mnatsakanyan", "Jeyhun Bayramov"):
        assert person in article["entities"]["people"]
        assert person in article["captions"] and person not in article["body"]
    assert "Stepanakert" in article["entities"]["places"]
    assert "via AP)" not in article["body"]
    # The video still appears twice in the page (with different spacing): kept once.
    assert article["captions"].count("Armenian solders guard their position") == 1


def test_a_caption_word_is_found_and_marked_with_captions_field(app):
    page = search(app, q="captions:Lavrov")
    assert ids(page) == [SEED_004]
    (hit,) = page["results"]
    assert any("<mark>Lavrov</mark>" in f for f in hit["highlights"]["captions"])
    assert ids(search(app, q="body:Lavrov")) == []
    marked = app.get(f"/articles/{SEED_004}", params={"q": "captions:Lavrov"}).json
    assert "<mark>Lavrov</mark>" in marked["highlights"]["captions"]
    assert "<mark>" not in marked["highlights"]["body"]


def test_a_body_query_does_not_mark_captions(app):
    # "Moscow" stands in 004's body and in a caption; body: marks only the body.
    (hit,) = [r for r in search(app, q="body:Moscow")["results"] if r["id"] == SEED_004]
    assert hit["highlights"]["captions"] == []
    assert any("<mark>" in f for f in hit["highlights"]["body"])
    marked = app.get(f"/articles/{SEED_004}", params={"q": "body:Moscow"}).json["highlights"]
    assert "<mark>" not in marked["captions"] and "<mark>Moscow</mark>" in marked["body"]
    # Without a field, the caption's Moscow is marked too.
    (hit,) = [r for r in search(app, q="Moscow")["results"] if r["id"] == SEED_004]
    assert any("<mark>Moscow</mark>" in f for f in hit["highlights"]["captions"])


@pytest.mark.parametrize("q, code", [('"peace', "query_syntax"), ("x" * 4001, "invalid_parameter")])
def test_article_with_a_bad_query_is_a_problem(app, q, code):
    response = app.get("/articles/000_9c4553827276a6e6", params={"q": q}, expect_errors=True)
    assert_problem(response, 400, param="q")


# -- /facets ------------------------------------------------------------------------------


def test_facet_prefix_finds_pashinyan(app, exported):
    expected = sum("Nikol Pashinyan" in r["people"] for r in exported.values())
    assert expected == 2, "Pashinian (001) and Pashinyan (004) are one person"
    body = app.get("/facets/person", params={"prefix": "pash"}).json
    assert body == {
        "facet": "person", "prefix": "pash", "truncated": False,
        "values": [{"value": "Nikol Pashinyan", "count": expected, "selected": False}],
    }
    for prefix in ("PASH", "Pash", "nikol p", "pashinyan"):
        values = app.get("/facets/person", params={"prefix": prefix}).json["values"]
        assert [v["value"] for v in values] == ["Nikol Pashinyan"], prefix


def test_facet_prefix_matches_a_variant_spelling(app):
    """Seed 001 spells him Pashinian, the index knows him as Nikol Pashinyan."""
    for prefix in ("pashinian", "Nikol Pashinian", "PASHINIA", "shoygu"):
        values = [v["value"] for v in
                  app.get("/facets/person", params={"prefix": prefix}).json["values"]]
        assert values == (["Sergei Shoigu"] if prefix == "shoygu" else ["Nikol Pashinyan"])
    # Folding does not widen short or odd prefixes: "zz" and "eeeee" are not "z", "e".
    for prefix in ("zzzzz", "ééééé", "qqqqqqqq"):
        assert app.get("/facets/person", params={"prefix": prefix}).json["values"] == []


def test_facet_prefix_matches_a_word_inside_the_value(app):
    values = app.get("/facets/place", params={"prefix": "karabakh"}).json["values"]
    assert "Nagorno-Karabakh" in [v["value"] for v in values]
    assert app.get("/facets/person", params={"prefix": "zzzz"}).json["values"] == []


def test_facet_size_and_truncated(app, exported, seed_index):
    counts = Counter(p for r in exported.values() for p in set(r["people"]))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    one = app.get("/facets/person", params={"size": 1}).json
    assert [(v["value"], v["count"]) for v in one["values"]] == ranked[:1]
    assert one["truncated"] is True
    everything = app.get("/facets/person", params={"size": seed_index.max_facet_size}).json
    assert [(v["value"], v["count"]) for v in everything["values"]] == ranked
    assert everything["truncated"] is False
    outlets = app.get("/facets/outlet").json["values"]
    assert {v["value"] for v in outlets} == {r["outlet"] for r in exported.values()}


def test_facet_errors(app, seed_index):
    # A facet that does not exist is a missing resource.
    assert_problem(app.get("/facets/nope", expect_errors=True), 404, param="name",
                   code="facet_not_found")
    assert_problem(app.get("/facets/people", expect_errors=True), 404, param="name")
    for size in (0, -1, seed_index.max_facet_size + 1, "abc", ""):
        response = app.get("/facets/person", params={"size": size}, expect_errors=True)
        assert_problem(response, 400, param="size")
    too_long = app.get("/facets/person", params={"prefix": "p" * 201}, expect_errors=True)
    assert_problem(too_long, 400, param="prefix")
    repeated = app.get("/facets/person?prefix=a&prefix=b", expect_errors=True)
    assert_problem(repeated, 400, param="prefix", code="repeated_parameter")
    unknown = app.get("/facets/person?q=a", expect_errors=True)
    assert_problem(unknown, 400, param="q", code="unknown_parameter")


# -- /health, /ready ----------------------------------------------------------------------


def test_health_and_ready(app):
    assert app.get("/health").json == {"status": "ok"}
    ready = app.get("/ready").json
    assert ready["status"] == "ready"
    assert ready["articles"] == 5
    assert isinstance(ready["generation"], str) and ready["generation"]
    built_at = dt.datetime.fromisoformat(ready["built_at"])
    assert built_at.tzinfo is not None
    assert ready["extractor"].startswith("spacy")


def test_without_an_index_ready_is_503_and_health_is_200(tmp_path):
    app = TestApp(create_app(Settings(index_dir=tmp_path)))
    assert app.get("/health").json == {"status": "ok"}
    for path in ("/ready", "/search?q=Aliyev", "/articles/x", "/facets/person"):
        assert_problem(app.get(path, expect_errors=True), 503, code="index_unavailable")


# -- /openapi.json, /docs -----------------------------------------------------------------


def test_openapi_document_is_valid_and_matches_the_validation(app, seed_index):
    # Imported here: without the dev dependency only this test fails, not the module.
    from openapi_spec_validator import validate

    response = app.get("/openapi.json")
    assert response.content_type == "application/json"
    spec = response.json
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/search", "/export", "/articles/{article_id}", "/articles", "/facets/{name}",
        "/health", "/ready"
    }
    export_params = {p["name"] for p in spec["paths"]["/export"]["get"]["parameters"]}
    assert export_params == set(make_schemas(seed_index).export_query.fields)
    assert {"q", "person", "sort", "format"} <= export_params
    article_ops = spec["paths"]["/articles/{article_id}"]
    assert set(article_ops) == {"get", "put", "delete"}
    for op in (article_ops["put"], article_ops["delete"], spec["paths"]["/articles"]["post"]):
        assert op["security"] == [{"bearer": []}]
        assert {"401", "403", "409"} <= set(op["responses"])
    assert {"201", "200", "413", "415"} <= set(article_ops["put"]["responses"])
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    search_op = spec["paths"]["/search"]["get"]
    documented = {p["name"]: p for p in search_op["parameters"] if p["in"] == "query"}
    accepted = set(make_schemas(seed_index).search_query.fields)
    assert set(documented) == accepted
    assert {"q", "person", "organisation", "place", "outlet", "page_size"} <= accepted
    assert documented["page_size"]["schema"]["maximum"] == seed_index.max_page_size
    assert documented["q"]["schema"]["maxLength"] == seed_index.max_query_chars
    assert documented["person"]["schema"]["type"] == "array"
    assert documented["sort"]["schema"]["enum"] == ["relevance", "newest", "oldest"]
    for name in ("date_from", "date_to"):
        schema = documented[name]["schema"]
        assert schema["type"] == "string", schema
        for text in ("2020", "2020-07", "2020-07-16"):
            assert re.search(schema["pattern"], text), (name, text)
        assert not re.search(schema["pattern"], "yesterday")
    assert "Problem" in spec["components"]["schemas"]
    problem = spec["components"]["responses"]["Problem"]
    assert "application/problem+json" in problem["content"]
    assert search_op["responses"]["400"] == {"$ref": "#/components/responses/Problem"}


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.urls += [v for k, v in attrs if k in {"src", "href"} and v]


def test_docs_page_and_its_assets(app):
    response = app.get("/docs")
    assert response.content_type == "text/html"
    assert "/openapi.json" in response.text
    parser = _Assets()
    parser.feed(response.text)
    assets = [u for u in parser.urls if u.startswith("/docs/assets/")]
    assert len(assets) >= 2
    assert all(u.startswith("/docs/assets/") for u in parser.urls)
    for url in assets:
        asset = app.get(url)
        assert asset.status_int == 200 and len(asset.body) > 1000, url
    assert_problem(app.get("/docs/assets/nope.js", expect_errors=True), 404)


# -- failures inside the search layer ----------------------------------------------------


class ExplodingSearcher:
    def search(self, request):
        raise RuntimeError("secret detail: /srv/index/segment_7 is corrupt")


def test_unexpected_error_is_a_bare_500_and_is_logged(seed_index, caplog):
    app = TestApp(create_app(seed_index, searcher=ExplodingSearcher()))
    with caplog.at_level(logging.ERROR, logger="newsdesk.api"):
        response = app.get("/search", params={"q": "Aliyev"}, expect_errors=True)
    document = assert_problem(response, 500, code="internal_error")
    for leak in ("Traceback", "RuntimeError", "secret", "/srv/index", "searcher"):
        assert leak not in response.text
    assert set(document) == {"type", "title", "status", "detail", "code"}
    (record,) = [r for r in caplog.records if r.name == "newsdesk.api"]
    assert record.levelno == logging.ERROR
    assert record.exc_info and record.exc_info[0] is RuntimeError
    assert "/search" in record.getMessage()


# -- a rebuild while the app runs ----------------------------------------------------------


def test_app_serves_a_rebuilt_index_without_restarting(tmp_path):
    settings = Settings(
        index_dir=tmp_path / "index", extractor="none", build_processes=1,
        reload_check_seconds=0,
    )
    build_index([SEEDS], settings)
    app = TestApp(create_app(settings))
    before = app.get("/ready").json
    assert before["articles"] == 5
    assert search(app, q="Zorbulan")["total"] == 0
    odd = "/articles/" + quote(ODD_ID, safe="")
    assert_problem(app.get(odd, expect_errors=True), 404, code="article_not_found")

    extra = write_jsonl(tmp_path / "extra.jsonl", EXTRA_ARTICLES)
    report = build_index([SEEDS, extra], settings)
    assert report.indexed == 6, report.summary()

    after = app.get("/ready").json
    assert after["articles"] == 6
    assert after["generation"] != before["generation"]
    assert ids(search(app, q="Zorbulan")) == [ODD_ID]
    assert app.get(odd).json["id"] == ODD_ID
    assert search(app, q="")["total"] == 6


# -- filter values spelled loosely ---------------------------------------------------------


@pytest.mark.parametrize(
    ("facet", "given", "canonical"),
    [("person", "Putin", "Vladimir Putin"), ("person", "vladimir putin", "Vladimir Putin"),
     ("outlet", "tass", "TASS")],
)
def test_loosely_spelled_filter_value_is_listed_once_and_selected(app, facet, given, canonical):
    """A filter matches case-insensitively or by a unique part of a name; its facet then
    shows the canonical value once, selected (it used to show it twice)."""
    page = search(app, **{facet: given})
    assert page["total"] > 0
    values = page["facets"][facet]["values"]
    assert [v["value"] for v in values].count(canonical) == 1, values
    assert next(v for v in values if v["value"] == canonical)["selected"] is True


# -- known bugs ---------------------------------------------------------------------------


def test_date_to_last_month_of_year_9999(app):
    assert search(app, date_to="9999-12")["filters"]["date_to"] == "9999-12-31"


def test_the_docs_page_answers_with_a_trailing_slash_too(app):
    assert app.get("/docs/").text == app.get("/docs").text


def test_head_search_answers_like_get_without_a_body(app):
    got = app.get("/search?q=Aliyev")
    head = app.head("/search?q=Aliyev")
    assert head.status_int == 200 and head.body == b""
    assert head.content_type == got.content_type
    assert_problem(app.get("/search?page=0", expect_errors=True), 400, param="page")
    assert app.head("/search?page=0", expect_errors=True).status_int == 400


@pytest.mark.parametrize("name", ["page_size", "facet_size", "fragments", "fragment_chars",
                                  "recency_half_life_days"])
def test_the_api_and_the_library_share_one_table_of_limits(app, seed_index, name):
    # The API's schemas and the library's own checks both read search.query.limits: at the
    # bound both accept, past it both refuse (the facet prefix was 200 in one, 4,000 in
    # the other).
    from search.query.limits import number_bounds
    from search.query.results import InvalidRequest, SearchRequest
    from search.query.searcher import Searcher

    bound = number_bounds(seed_index)[name]
    searcher = Searcher(seed_index)
    try:
        assert app.get("/search", {name: bound.high}).status_int == 200
        searcher.search(SearchRequest(**{name: bound.high}))
        assert_problem(app.get("/search", {name: bound.high + 1}, expect_errors=True), 400,
                       param=name)
        with pytest.raises(InvalidRequest):
            searcher.search(SearchRequest(**{name: bound.high + 1}))
        spec = app.get("/openapi.json").json["paths"]["/search"]["get"]["parameters"]
        (documented,) = [p for p in spec if p["name"] == name]
        assert documented["schema"]["maximum"] == bound.high
    finally:
        searcher.close()


def test_a_facet_prefix_has_one_limit_in_the_api_and_the_library(app, seed_index):
    from search.query.limits import MAX_PREFIX_CHARS
    from search.query.results import InvalidRequest
    from search.query.searcher import Searcher

    longest = "p" * MAX_PREFIX_CHARS
    assert app.get("/facets/person", {"prefix": longest}).status_int == 200
    assert_problem(app.get("/facets/person", {"prefix": longest + "p"}, expect_errors=True),
                   400, param="prefix")
    searcher = Searcher(seed_index)
    try:
        searcher.facet_values("person", longest, 10)
        with pytest.raises(InvalidRequest):
            searcher.facet_values("person", longest + "p", 10)
    finally:
        searcher.close()


# -- the entities issue's seed cases --------------------------------------------------------
@pytest.mark.parametrize("article_id, organisation", [
    ("000_9c4553827276a6e6", "Collective Security Treaty Organization"),
    ("002_002b8eaa92f1abb8", "Rosoboronexport"),
    ("003_31c74742bc13b3e8", "Russian Foreign Ministry"),
])
def test_seed_organisations_the_model_missed_are_found(exported, article_id, organisation):
    assert organisation in exported[article_id]["organisations"]


def test_karapetian_is_the_defence_minister_not_a_place(exported):
    record = exported["002_002b8eaa92f1abb8"]
    assert "Arshak Karapetyan" in record["people"] and "Karapetian" not in record["places"]


def test_europe_inside_the_osce_name_is_not_a_place(exported):
    osce = "Organization for Security and Cooperation in Europe"
    text = seed_text("000_9c4553827276a6e6")
    assert text.count("Europe") == text.count(osce) == 1
    assert "Europe" not in exported["000_9c4553827276a6e6"]["places"]
