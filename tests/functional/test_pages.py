"""The search page and the article page over HTTP, without a browser: what the server sends.

Every control is a link or a GET form, so these tests read the links out of the HTML and
follow them, the way a browser without JavaScript would. The browser tests
(tests/browser) drive the same pages in Chromium.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from webtest import TestApp

from api.app import create_app
from search.index.build import build_index
from search.settings import Settings
from tests.functional.conftest import EXTRA_ARTICLES, ODD_ID, assert_problem, write_jsonl


class Page(HTMLParser):
    """The parts of a page the tests look at: links, form fields, result ids, text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, aria-label or text)
        self.inputs: list[dict[str, str | None]] = []
        self.hits: list[str] = []
        self.text: list[str] = []
        self._link: dict[str, str | None] | None = None
        self._link_text: list[str] = []
        self._in_hit_title = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "href" in a:
            self._link, self._link_text = a, []
            if self._in_hit_title and a["href"].startswith("/read/"):
                self.hits.append(a["href"])
        elif tag in ("input", "select"):
            self.inputs.append({"tag": tag, **a})
        elif tag == "h2":
            self._in_hit_title = True

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            label = self._link.get("aria-label") or "".join(self._link_text).strip()
            self.links.append((self._link["href"], label))
            self._link = None
        elif tag == "h2":
            self._in_hit_title = False

    def handle_data(self, data):
        self.text.append(data)
        if self._link is not None:
            self._link_text.append(data)

    def link(self, label: str) -> str:
        found = [href for href, text in self.links if text == label]
        assert found, (label, [t for _, t in self.links])
        return found[0]

    def plain(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


def ids_of(page: Page) -> list[str]:
    from urllib.parse import unquote

    return [unquote(urlsplit(href).path.removeprefix("/read/")) for href in page.hits]


def get_page(app: TestApp, url: str, status: int = 200) -> Page:
    response = app.get(url, status=status)
    assert response.content_type == "text/html"
    return Page(response.text)


def shared_person(exported: dict[str, dict]) -> tuple[str, set[str]]:
    """A person named in more than one seed but not in all: a filter that narrows."""
    by_name: dict[str, set[str]] = {}
    for record in exported.values():
        for name in record["people"]:
            by_name.setdefault(name, set()).add(record["id"])
    name = max((n for n, ids in by_name.items() if 1 < len(ids) < len(exported)),
               key=lambda n: (len(by_name[n]), n))
    return name, by_name[name]


def test_the_front_page_lists_every_article_with_its_facets(app, exported):
    response = app.get("/")
    assert response.content_type == "text/html" and response.charset == "utf-8"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    page = Page(response.text)
    assert sorted(ids_of(page)) == sorted(exported)
    assert f"{len(exported)} articles" in page.plain()
    boxes = {(i["name"], i["value"]) for i in page.inputs if i.get("type") == "checkbox"}
    people = {name for r in exported.values() for name in r["people"]}
    assert {v for n, v in boxes if n == "person"} <= people
    assert {n for n, _ in boxes} == {"outlet", "person", "organisation", "place"}
    # Every asset is the app's own, and is served.
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', response.text):
        assert app.get(asset).status_int == 200
    assert not re.search(r'(?:href|src)="(?:https?:)?//', response.text)


def test_a_facet_link_narrows_the_results_and_its_chip_takes_it_away(app, exported):
    name, expected = shared_person(exported)
    first = get_page(app, "/?q=Armenia")
    narrowed = get_page(app, first.link(f"Add the filter person: {name}"))
    armenia = set(ids_of(first))
    assert set(ids_of(narrowed)) == expected & armenia
    assert len(ids_of(narrowed)) < len(armenia)
    # The box of the value is ticked, and a chip says the filter is on.
    ticked = [i for i in narrowed.inputs if i.get("name") == "person" and "checked" in i]
    assert [i["value"] for i in ticked] == [name]
    back = get_page(app, narrowed.link(f"Remove the filter person: {name}"))
    assert ids_of(back) == ids_of(first)


def test_the_form_submits_the_same_state_as_the_links(app, exported):
    """Without JavaScript a ticked box is sent by the form: blank boxes are not filters."""
    name, expected = shared_person(exported)
    page = get_page(app, f"/?q=&person={quote(name)}&person=&organisation=&date_from=&sort=")
    assert set(ids_of(page)) == expected


def test_an_entity_under_a_result_adds_its_filter(app, exported):
    name, expected = shared_person(exported)
    page = get_page(app, "/")
    link = next(href for href, text in page.links
                if text == name and "person=" in href)
    assert parse_qsl(urlsplit(link).query) == [("person", name)]
    assert set(ids_of(get_page(app, link))) == expected


def test_paging_links_walk_every_result_once(app, exported):
    seen, url = [], "/?page_size=2&sort=oldest"
    while url:
        page = get_page(app, url)
        seen += ids_of(page)
        nexts = [href for href, text in page.links if text == "Next"]
        url = nexts[0] if nexts else None
        assert len(seen) <= len(exported)
    assert sorted(seen) == sorted(exported)
    # page_size is carried by the form, so a new query keeps it.
    hidden = {i["name"]: i["value"] for i in page.inputs if i.get("type") == "hidden"}
    assert hidden == {"page_size": "2"}


def test_the_histogram_bars_filter_to_their_period(app, exported):
    page = get_page(app, "/")
    bars = [(href, text) for href, text in page.links if "date_from=" in href]
    assert bars, "the seeds have dates: the histogram has bars"
    dated = [r["date"] for r in exported.values() if r["date"]]
    href, label = bars[0]
    period = label.split(":")[0]
    narrowed = get_page(app, href)
    assert sorted(ids_of(narrowed)) == sorted(
        r["id"] for r in exported.values() if r["date"] and r["date"].startswith(period))
    assert len(ids_of(narrowed)) < len(exported) or len(set(d[:7] for d in dated)) == 1
    assert f"date: {period}" in narrowed.plain()


def test_sorting_by_date_orders_the_results(app, exported):
    newest = ids_of(get_page(app, "/?sort=newest"))
    dated = sorted((r["date"], i) for i, r in exported.items() if r["date"])
    assert newest[: len(dated)] == [i for _, i in reversed(dated)]


def test_did_you_mean_links_to_the_corrected_search(app):
    page = get_page(app, "/?q=Azerbajan")
    assert "Did you mean" in page.plain()
    link = next(href for href, text in page.links if text.lower() == "azerbaijan")
    assert parse_qsl(urlsplit(link).query) == [("q", "Azerbaijan")]
    assert ids_of(get_page(app, link))


def test_markup_in_queries_and_articles_is_escaped(extra_app):
    response = extra_app.get("/", params={"q": '<script>alert("q")</script> Zorbulan'})
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert" in response.text
    page = Page(response.text)
    assert ids_of(page) == [ODD_ID]
    assert "Tags <script>alert(1)</script> & Zorbulan" in page.plain()  # shown as text
    reading = extra_app.get(page.hits[0])
    assert "<b>Zorbulan" not in reading.text and "<mark>Zorbulan</mark>" in reading.text


def test_the_article_page_marks_the_query_and_links_its_entities(app, exported):
    article_id, record = next((i, r) for i, r in sorted(exported.items()) if r["people"])
    word = record["title"].split()[0].strip(",.\"'")
    response = app.get(f"/read/{quote(article_id, safe='')}", params={"q": word})
    assert "<mark>" in response.text
    page = Page(response.text)
    for paragraph in record["body"].split("\n\n")[:3]:
        assert re.sub(r"\s+", " ", paragraph).strip() in page.plain()
    person = record["people"][0]
    link = next(href for href, text in page.links if text == person)
    assert parse_qsl(urlsplit(link).query) == [("person", person)]
    assert article_id in ids_of(get_page(app, link))
    back = next(href for href, text in page.links if text.startswith("← Search for"))
    assert parse_qsl(urlsplit(back).query) == [("q", word)]


def test_an_article_with_an_unsafe_url_is_not_a_link(tmp_path):
    settings = Settings(index_dir=tmp_path / "index", extractor="none", build_processes=1)
    record = {"id": "a", "body": "Text of the article.", "url": "javascript:alert(1)"}
    build_index([write_jsonl(tmp_path / "a.jsonl", [record])], settings)
    response = TestApp(create_app(settings)).get("/read/a")
    assert 'href="javascript:' not in response.text
    assert "javascript:alert(1)" in response.text


@pytest.mark.parametrize(("url", "status", "words"), [
    ("/?page=0", 400, "page: must be greater than or equal to 1"),
    ("/?q=a&q=b", 400, "q is given 2 times"),
    ("/?date_from=2021-13", 400, "date_from"),
    ("/?date_from=2022&date_to=2021", 400, "date_from is after date_to"),
    ("/?sort=best", 400, "sort"),
    ("/?colour=red", 400, "unknown parameter 'colour'"),
    ("/?q=" + "x" * 4001, 400, "the query is longer than 4000 characters"),
    ("/?q=%22unclosed", 400, "quote"),
    ("/?page=1001", 400, "page"),
    ("/read/no-such-article", 404, "no article with id 'no-such-article'"),
    ("/read/x?q=a&q=b", 400, "q is given 2 times"),
])
def test_a_refused_request_is_a_readable_page_with_the_apis_status(app, url, status, words):
    response = app.get(url, status=status)
    assert response.content_type == "text/html"
    text = Page(response.text).plain()
    assert words.lower() in text.lower(), text
    assert "Traceback" not in response.text and "File \"" not in response.text


def test_without_an_index_the_page_says_so_with_503(tmp_path):
    app = TestApp(create_app(Settings(index_dir=tmp_path / "none")))
    for url in ("/", "/read/x"):
        response = app.get(url, status=503)
        assert response.content_type == "text/html"
        assert "not ready" in Page(response.text).plain()


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_holds_every_match_in_the_search_order(app, exported):
    search = app.get("/search", params={"q": "Armenia", "sort": "newest", "page_size": 100}).json
    response = app.get("/export", params={"q": "Armenia", "sort": "newest", "format": "csv"})
    assert response.content_type == "text/csv"
    assert response.headers["X-Total-Count"] == str(search["total"])
    assert response.headers["X-Export-Truncated"] == "false"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "newsdesk-armenia.csv" in response.headers["Content-Disposition"]
    rows = read_csv(response.text)
    assert [r["id"] for r in rows] == [hit["id"] for hit in search["results"]]
    for row in rows:
        record = exported[row["id"]]
        assert row["body"] == record["body"] and row["title"] == record["title"]
        assert row["people"].split("; ") == record["people"] or not record["people"]


def test_jsonl_export_builds_the_same_archive_again(app, exported, tmp_path):
    response = app.get("/export", params={"format": "jsonl"})
    assert response.content_type == "application/x-ndjson"
    lines = response.text.splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(exported)
    again = Settings(index_dir=tmp_path / "again", extractor="none", build_processes=1)
    (tmp_path / "export.jsonl").write_text(response.text, encoding="utf-8")
    report = build_index([tmp_path / "export.jsonl"], again)
    assert report.indexed == len(exported)
    rebuilt = TestApp(create_app(again)).get("/export", params={"format": "jsonl"})
    assert sorted(rebuilt.text.splitlines()) == sorted(lines)


def test_csv_export_reads_back_as_the_same_records(app, exported, tmp_path):
    (tmp_path / "export.csv").write_bytes(app.get("/export", params={"format": "csv"}).body)
    again = Settings(index_dir=tmp_path / "again", extractor="none", build_processes=1)
    assert build_index([tmp_path / "export.csv"], again).indexed == len(exported)
    rebuilt = TestApp(create_app(again)).get("/export", params={"format": "jsonl"})
    records = [json.loads(line) for line in rebuilt.text.splitlines()]
    assert {r["id"]: r for r in records} == exported


def test_an_export_stops_at_its_cap_and_says_how_many_matched(seed_index, exported):
    capped = TestApp(create_app(replace(seed_index, max_export_rows=2)))
    response = capped.get("/export", params={"format": "jsonl", "sort": "oldest"})
    assert len(response.text.splitlines()) == 2
    assert response.headers["X-Total-Count"] == str(len(exported))
    assert response.headers["X-Export-Limit"] == "2"
    assert response.headers["X-Export-Truncated"] == "true"
    page = Page(capped.get("/").text)
    assert "Export the first 2:" in page.plain()


@pytest.mark.parametrize(("query", "param"), [
    ({}, "format"),
    ({"format": "xml"}, "format"),
    ({"format": "csv", "page": "2"}, "page"),
    ({"format": "csv", "date_from": "1999-02-30"}, "date_from"),
])
def test_a_bad_export_request_is_a_problem_document(app, query, param):
    assert_problem(app.get("/export", params=query, status=400), 400, param)


def test_the_extra_articles_odd_id_reads_and_exports(extra_app):
    response = extra_app.get("/read/" + quote(ODD_ID, safe=""))
    assert EXTRA_ARTICLES[0]["title"] in Page(response.text).plain()
    rows = read_csv(extra_app.get("/export", params={"format": "csv", "q": "Zorbulan"}).text)
    assert [r["id"] for r in rows] == [ODD_ID]


@pytest.mark.parametrize("url", [
    "/read/%00", "/read/" + "x" * 2000, "/read/..%2F..%2Fetc%2Fpasswd", "/?q=%00",
    "/?person=%00&outlet=%F0%9F%98%80", "/?page=%EF%BC%91", "/?q=%FF%FE", "/?page_size=1e9",
    "/?date_from=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%90", "/read/x?q=" + "(" * 50,
])
def test_weird_page_requests_get_a_page(app, url):
    response = app.get(url, expect_errors=True)
    assert response.status_int in (200, 400, 404), response.text
    assert response.content_type == "text/html"
    assert "Traceback" not in response.text


@pytest.mark.parametrize("url", ["/export?format=csv&q=%00", "/export?format=jsonl&person=%00"])
def test_weird_exports_get_an_answer(app, url):
    response = app.get(url, expect_errors=True)
    assert response.status_int == 200 or assert_problem(response, response.status_int)


def test_captions_show_on_the_article_page_and_as_result_fragments(app, exported):
    article_id, record = next((i, r) for i, r in sorted(exported.items()) if r.get("captions"))
    caption = record["captions"].split("\n\n")[0]
    word = max(caption.split(), key=len).strip(".,;:()\"'")
    reading = Page(app.get(f"/read/{quote(article_id, safe='')}").text).plain()
    assert "Photo captions" in reading
    assert re.sub(r"\s+", " ", caption).strip() in reading
    marked = app.get(f"/read/{quote(article_id, safe='')}", params={"q": f"captions:{word}"})
    assert re.search(r'<section class="captions".*<mark>', marked.text, re.S)
    results = app.get("/", params={"q": f"captions:{word}"}).text
    assert 'class="fragment caption"' in results and "<mark>" in results
