"""Partial dates ("2022-07", JSON 2023) at the precision they were given, end to end."""

from __future__ import annotations

import json

import pytest
from webtest import TestApp

from api.app import create_app
from search.index.build import build_index
from search.index.export import iter_export
from search.index.store import IndexStore
from search.settings import Settings
from tests.functional.conftest import write_jsonl

RECORDS = [
    {"id": "month", "title": "Harbour report", "body": "The harbour report.", "date": "2022-07"},
    {"id": "day", "title": "Harbour day", "body": "The harbour day.", "date": "2022-07-15"},
    {"id": "year", "title": "Harbour year", "body": "The harbour year.", "date": 2023},
    {"id": "noyear", "title": "Harbour note", "body": "The harbour note.", "date": "July 16"},
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("partial")
    source = root / "dated.jsonl"
    write_jsonl(source, RECORDS)
    settings = Settings(index_dir=root / "index", extractor="none", build_processes=1)
    report = build_index([source], settings)
    return settings, report


@pytest.fixture(scope="module")
def app(built):
    return TestApp(create_app(built[0]))


def dates(app, **params) -> dict[str, str | None]:
    page = app.get("/search", {"q": "harbour", "page_size": 10, **params}).json
    return {r["id"]: r["date"] for r in page["results"]}


def test_dates_are_answered_as_precisely_as_they_were_given(app, built):
    assert dates(app) == {"month": "2022-07", "day": "2022-07-15", "year": "2023",
                          "noyear": None}
    assert app.get("/articles/year").json["date"] == "2023"
    reasons = [p.reason for p in built[1].problems]
    assert reasons == ["date 'July 16' lacks a year"]  # it has no year; the others do


@pytest.mark.parametrize(("date_from", "date_to", "expected"), [
    ("2022-07", "2022-07", {"month", "day"}),
    ("2022", "2022", {"month", "day"}),
    ("2022-07-10", "2022-07-20", {"day"}),  # a July article is not known to be mid-July
    ("2023", "2023", {"year"}),
    ("2023-01", "2023-01", set()),  # nor is an article of 2023 known to be of January
    ("2022-07", "2023", {"month", "day", "year"}),
])
def test_a_partial_date_is_in_a_range_when_all_of_its_period_is(app, date_from, date_to,
                                                                 expected):
    assert set(dates(app, date_from=date_from, date_to=date_to)) == expected


def test_the_histogram_puts_each_date_where_its_precision_allows(app):
    def buckets(interval):
        page = app.get("/search", {"q": "harbour", "date_interval": interval}).json
        return [(b["key"], b["count"]) for b in page["dates"]["buckets"]]

    assert buckets("year") == [("2022", 2), ("2023", 1), (None, 1)]
    assert buckets("month") == [("2022-07", 2), ("2023", 1), (None, 1)]  # not "2023-01"


def test_sorting_by_date_uses_the_start_of_a_partial_date(app):
    newest = app.get("/search", {"q": "harbour", "sort": "newest"}).json["results"]
    assert [r["id"] for r in newest] == ["year", "day", "month", "noyear"]


def test_an_export_builds_the_same_dates_again(built, tmp_path):
    settings = built[0]
    exported = list(iter_export(IndexStore(settings.index_dir)))
    assert {r["id"]: r["date"] for r in exported} == {
        "month": "2022-07", "day": "2022-07-15", "year": "2023", "noyear": None}
    again = tmp_path / "again.jsonl"
    again.write_text("".join(json.dumps(r) + "\n" for r in exported))
    rebuilt = Settings(index_dir=tmp_path / "index", extractor="none", build_processes=1)
    build_index([again], rebuilt)
    assert dates(TestApp(create_app(rebuilt))) == dates(TestApp(create_app(settings)))
