"""Writes over HTTP: PUT, DELETE, bulk NDJSON, versions, keys and limits (webtest).

The live writer's thread is not running here: each test applies the journal itself
(``apply_journal``), the step the writer repeats every ``write_refresh_seconds``.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest
from webtest import TestApp

from api.app import create_app
from search.index.build import build_index
from search.index.journal import JOURNAL, Journal
from search.index.live import apply_journal
from search.settings import Settings, SettingsError
from tests.conftest import SEEDS
from tests.functional.conftest import assert_problem

KEY = "s3cret-write-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
SEED_ID = "000_9c4553827276a6e6"
ARTICLE = {"title": "Quorblat council meets", "body": "The quorblat council met in Baku.\n\n"
           "Ministers of the quorblat region spoke.", "date": "2024-05-01",
           "outlet": "Example Wire", "people": ["Ilham Aliyev"], "places": ["Azerbaijan"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("writes")
    settings = Settings(index_dir=root / "index", extractor="none", build_processes=1,
                        reload_check_seconds=0, api_keys=KEY, max_write_bytes=2_000,
                        max_bulk_lines=5)
    build_index([SEEDS], settings)
    return settings


@pytest.fixture
def settings(built, tmp_path) -> Settings:
    """A fresh copy of the seed index for each test: writes change it."""
    shutil.copytree(built.index_dir, tmp_path / "index", symlinks=True)
    return replace(built, index_dir=tmp_path / "index")


@pytest.fixture
def app(settings) -> TestApp:
    return TestApp(create_app(settings))


def total(app: TestApp, q: str) -> int:
    return app.get("/search", {"q": q}).json["total"]


def test_put_creates_then_replaces_and_the_article_is_searchable_once_applied(app, settings):
    created = app.put_json("/articles/api-1", ARTICLE, headers=AUTH)
    assert created.status_int == 201
    assert created.json["result"] == "created"
    assert created.headers["ETag"] == f'"{created.json["version"]}"'
    assert total(app, "quorblat") == 0  # acknowledged (journaled), not applied yet
    assert apply_journal(settings).indexed == 1
    found = app.get("/search", {"q": "quorblat"}).json["results"]
    assert [r["id"] for r in found] == ["api-1"]
    assert found[0]["outlet"] == "Example Wire" and found[0]["date"] == "2024-05-01"
    assert found[0]["entities"]["people"] == ["Ilham Aliyev"]
    article = app.get("/articles/api-1")
    assert article.headers["ETag"] == created.headers["ETag"]
    assert article.json["body"] == ARTICLE["body"]

    replaced = app.put_json("/articles/api-1", {"title": "News", "body": "About zeplinar."},
                            headers=AUTH)
    assert replaced.status_int == 200 and replaced.json["result"] == "updated"
    assert replaced.json["version"] != created.json["version"]
    apply_journal(settings)
    assert total(app, "quorblat") == 0 and total(app, "zeplinar") == 1


def test_an_article_from_the_files_is_replaced_and_deleted_like_any_other(app, settings):
    version = app.get(f"/articles/{SEED_ID}").headers["ETag"]
    stale = app.put_json(f"/articles/{SEED_ID}", ARTICLE,
                         headers={**AUTH, "If-Match": '"0000"'}, expect_errors=True)
    assert_problem(stale, 409, code="version_conflict")
    updated = app.put_json(f"/articles/{SEED_ID}", ARTICLE,
                           headers={**AUTH, "If-Match": version})
    assert updated.status_int == 200
    again = app.put_json(f"/articles/{SEED_ID}", ARTICLE, headers={**AUTH, "If-Match": version},
                         expect_errors=True)
    assert_problem(again, 409, code="version_conflict")  # the version moved on
    assert app.delete(f"/articles/{SEED_ID}", headers=AUTH).status_int == 204
    assert_problem(app.delete(f"/articles/{SEED_ID}", headers=AUTH, expect_errors=True), 404,
                   code="article_not_found")
    apply_journal(settings)
    assert_problem(app.get(f"/articles/{SEED_ID}", expect_errors=True), 404)
    assert app.get("/ready").json["articles"] == 4


def test_if_match_star_needs_an_existing_article(app):
    missing = app.put_json("/articles/api-2", ARTICLE, headers={**AUTH, "If-Match": "*"},
                           expect_errors=True)
    assert_problem(missing, 409, code="version_conflict")
    assert app.put_json(f"/articles/{SEED_ID}", ARTICLE,
                        headers={**AUTH, "If-Match": "*"}).status_int == 200


def test_a_full_rebuild_keeps_what_was_written_through_the_api(app, settings):
    app.put_json("/articles/api-3", ARTICLE, headers=AUTH)
    app.delete(f"/articles/{SEED_ID}", headers=AUTH)
    report = build_index([SEEDS], settings, force=True)  # the journal not applied before
    assert report.indexed == 5  # four seeds and the API's article
    assert total(app, "quorblat") == 1
    assert_problem(app.get(f"/articles/{SEED_ID}", expect_errors=True), 404)
    assert apply_journal(settings) is None  # the rebuild already holds every entry
    # And an unchanged rebuild is up to date, the API's writes included.
    assert build_index([SEEDS], settings).up_to_date


def test_bulk_ndjson_writes_the_good_lines_and_reports_each_bad_one(app, settings):
    lines = [
        json.dumps({"id": "b-1", **ARTICLE}),
        json.dumps({"id": "b-2", "title": "no body"}),
        "{not json",
        json.dumps({"body": "no id here"}),
        json.dumps({"id": SEED_ID, "title": "Seed", "body": "Seed replaced by bulk."}),
    ]
    response = app.post("/articles", "\n".join(lines).encode(),
                        headers={**AUTH, "Content-Type": "application/x-ndjson"})
    assert response.status_int == 200
    items = response.json["items"]
    assert response.json["errors"] is True
    assert [(i["line"], i["status"]) for i in items] == [(1, 201), (2, 400), (3, 400),
                                                         (4, 400), (5, 200)]
    assert items[1]["error"]["code"] == "invalid_field" and "body" in items[1]["error"]["detail"]
    assert items[2]["error"]["code"] == "invalid_json" and "line 3" in items[2]["error"]["detail"]
    assert items[3]["error"]["code"] == "missing_id"
    apply_journal(settings)
    assert total(app, "quorblat") == 1 and total(app, '"seed replaced by bulk"') == 1


def test_bulk_limits(app):
    too_many = "\n".join(json.dumps({"id": f"x{i}", "body": "text"}) for i in range(6))
    response = app.post("/articles", too_many.encode(), expect_errors=True,
                        headers={**AUTH, "Content-Type": "application/x-ndjson"})
    assert_problem(response, 413, code="too_many_lines")
    response = app.post("/articles", b"{}", headers={**AUTH, "Content-Type": "application/json"},
                        expect_errors=True)
    assert_problem(response, 415, code="unsupported_media_type")


@pytest.mark.parametrize("body, content_type, status, code, words", [
    (b'{"body": "x"', "application/json", 400, "invalid_json", "line 1, column 13"),
    (b'{"body": "x", "colour": "red"}', "application/json", 400, "unknown_field", "colour"),
    (b'{"body": "   "}', "application/json", 400, "invalid_field", "body is empty"),
    (b'{"title": "t"}', "application/json", 400, "invalid_field", "body"),
    (b'{"body": "x", "id": "other"}', "application/json", 400, "id_mismatch", "path"),
    (b'{"body": "x", "people": "Putin"}', "application/json", 400, "invalid_field", "people"),
    (b'["a list"]', "application/json", 400, "invalid_body", "object"),
    (b'\xff\xfe{}', "application/json", 400, "invalid_json", "UTF-8"),
    # An escaped lone surrogate is no character either (it once made the journal a 500).
    (b'{"body": "x \\ud800 y"}', "application/json", 400, "invalid_json", "lone surrogate"),
    (b'{"body": "x", "people": ["A\\udc00"]}', "application/json", 400, "invalid_json",
     "surrogate"),
    (b'{"body": "x"}', "text/plain", 415, "unsupported_media_type", "application/json"),
    (b'{"body": "' + b"x" * 3_000 + b'"}', "application/json", 413, "body_too_large", "2,000"),
])
def test_a_bad_write_is_a_problem_and_writes_nothing(app, settings, body, content_type,
                                                     status, code, words):
    response = app.put("/articles/bad-1", body, expect_errors=True,
                       headers={**AUTH, "Content-Type": content_type})
    document = assert_problem(response, status, code=code)
    assert words in document["detail"]
    assert not (settings.index_dir / JOURNAL).exists()


def test_writes_need_a_write_key(app):
    missing = app.put_json("/articles/k-1", ARTICLE, expect_errors=True)
    assert_problem(missing, 401, code="key_required")
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    for header in ("Bearer wrong", f"Basic {KEY}", "Bearer", KEY):
        response = app.put_json("/articles/k-1", ARTICLE, expect_errors=True,
                                headers={"Authorization": header})
        assert response.status_int in (401, 403), header
        assert_problem(response, response.status_int)
    assert_problem(app.delete(f"/articles/{SEED_ID}", expect_errors=True), 401)
    assert app.get("/search", {"q": "Aliyev"}).status_int == 200  # reads stay open


def test_without_keys_a_server_takes_no_writes(settings):
    app = TestApp(create_app(replace(settings, api_keys="")))
    response = app.put_json("/articles/k-2", ARTICLE, headers=AUTH, expect_errors=True)
    document = assert_problem(response, 403, code="writes_disabled")
    assert "NEWSDESK_API_KEYS" in document["detail"]


def test_read_keys_and_a_keys_file(settings, tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("# write keys\nfile-key-1\n\nfile-key-2\n")
    app = TestApp(create_app(replace(settings, api_keys="", api_keys_file=str(keys),
                                     read_keys="reader")))
    assert_problem(app.get("/search", {"q": "Aliyev"}, expect_errors=True), 401)
    for key in ("reader", "file-key-2"):  # a write key reads too
        assert app.get("/search", {"q": "Aliyev"},
                       headers={"Authorization": f"Bearer {key}"}).status_int == 200
    assert_problem(app.put_json("/articles/k-3", ARTICLE, expect_errors=True,
                                headers={"Authorization": "Bearer reader"}), 403)
    assert app.put_json("/articles/k-3", ARTICLE,
                        headers={"Authorization": "Bearer file-key-1"}).status_int == 201
    assert app.get("/health").status_int == 200 and app.get("/ready").status_int == 200
    with pytest.raises(SettingsError, match="NEWSDESK_API_KEYS_FILE"):
        create_app(replace(settings, api_keys_file=str(tmp_path / "missing")))


def test_an_append_cut_short_by_a_crash_is_dropped_and_never_applied(app, settings):
    app.put_json("/articles/j-1", ARTICLE, headers=AUTH)
    with open(settings.index_dir / JOURNAL, "ab") as journal:
        journal.write(b'{"seq":2,"op":"put","id":"torn","record":{"body":"half')  # no newline
    assert [e.id for e in Journal(settings.index_dir).entries()] == ["j-1"]
    app.put_json("/articles/j-2", {"body": "second zeplinar"}, headers=AUTH)
    entries = list(Journal(settings.index_dir).entries())
    assert [(e.seq, e.id) for e in entries] == [(1, "j-1"), (2, "j-2")]
    apply_journal(settings)
    assert total(app, "quorblat") == 1 and total(app, "zeplinar") == 1


def test_a_full_disk_refuses_the_write_with_507_and_keeps_the_journal_and_searches(
    app, settings, monkeypatch
):
    import errno
    import os

    app.put_json("/articles/d-1", ARTICLE, headers=AUTH)
    before = (settings.index_dir / JOURNAL).read_bytes()
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("search.index.journal.os.fsync", full)
    response = app.put_json("/articles/d-2", {"body": "never stored"}, headers=AUTH,
                            expect_errors=True)
    assert_problem(response, 507, code="storage_full")
    monkeypatch.setattr("search.index.journal.os.fsync", real_fsync)
    assert (settings.index_dir / JOURNAL).read_bytes() == before  # the refused line taken back
    assert app.get("/search", {"q": "Aliyev"}).status_int == 200
    # The next write, once there is room, gets the next number: nothing was half-written.
    assert app.put_json("/articles/d-3", {"body": "stored"}, headers=AUTH).status_int == 201
    assert [(e.seq, e.id) for e in Journal(settings.index_dir).entries()] == [(1, "d-1"),
                                                                            (2, "d-3")]


def test_a_writer_that_cannot_write_its_segment_leaves_the_index_and_journal_as_they_were(
    app, settings, monkeypatch
):
    import errno

    import numpy as np

    from search.index.store import IndexStore

    app.put_json("/articles/w-1", ARTICLE, headers=AUTH)
    store = IndexStore(settings.index_dir)
    serving = store.current()
    journal = (settings.index_dir / JOURNAL).read_bytes()
    real_save = np.save

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "save", full)
    with pytest.raises(OSError, match="No space"):
        apply_journal(settings)
    monkeypatch.setattr(np, "save", real_save)
    assert store.current() == serving  # nothing half-published
    assert not list(store.generations_dir.glob(".tmp-*"))  # the attempt cleaned up
    assert (settings.index_dir / JOURNAL).read_bytes() == journal
    assert total(app, "quorblat") == 0
    assert apply_journal(settings).indexed == 1  # the next pass, with room, applies it
    assert total(app, "quorblat") == 1


def test_a_path_id_follows_the_same_rule_as_a_body_id(app):
    for bad in ("x" * 501, "%20%20"):
        response = app.put_json(f"/articles/{bad}", ARTICLE, headers=AUTH, expect_errors=True)
        assert_problem(response, 400, code="invalid_id")
        assert_problem(app.delete(f"/articles/{bad}", headers=AUTH, expect_errors=True), 400,
                       code="invalid_id")
    assert app.put_json("/articles/" + "x" * 500, ARTICLE, headers=AUTH).status_int == 201


def test_a_year_may_be_written_as_a_number_as_the_import_takes_it(app, settings):
    assert app.put_json("/articles/y-1", {**ARTICLE, "date": 2023}, headers=AUTH).status_int == 201
    for bad in (True, 20.5, ["2023"], "x" * 101):
        response = app.put_json("/articles/y-2", {**ARTICLE, "date": bad}, headers=AUTH,
                                expect_errors=True)
        assert_problem(response, 400, code="invalid_field", param="date")
    apply_journal(settings)
    assert app.get("/articles/y-1").json["date"] == "2023"
