"""Fixtures for the HTTP layer: one app over the shared seed index, and the problem check."""

from __future__ import annotations

import json
from http import HTTPStatus
from pathlib import Path

import pytest
from webtest import TestApp

from api.app import create_app
from search.index.build import build_index
from search.index.export import iter_export
from search.index.store import IndexStore
from search.settings import Settings
from tests.conftest import SEEDS

PROBLEM = "application/problem+json"

# Records that the seeds lack: an id that needs URL encoding (a "/" too), and markup
# in the title and body that highlights must escape.
ODD_ID = "wire/2024 a&b?c#d%e+é"
EXTRA_ARTICLES = [
    {
        "id": ODD_ID,
        "title": "Tags <script>alert(1)</script> & Zorbulan",
        "body": "The <b>Zorbulan</b> treaty & the \"x < y\" clause were signed in Baku. "
        "Officials said the Zorbulan text would be published <i>soon</i>.",
        "date": "2024-01-05",
        "outlet": "Example Wire",
    },
]


def assert_problem(response, status: int, param: str | None = None, code: str | None = None):
    """An RFC 9457 problem document with ``status``; returns it for further checks.

    Takes a webtest response or a ``urllib.error.HTTPError``.
    """
    if hasattr(response, "status_int"):
        got_status, content_type = response.status_int, response.content_type
        text = response.text
    else:
        got_status, content_type = response.code, response.headers.get_content_type()
        text = response.read().decode("utf-8")
    assert got_status == status, text
    assert 400 <= status < 600
    assert content_type == PROBLEM, (content_type, text)
    document = json.loads(text)
    for key in ("type", "title", "status", "detail"):
        assert key in document, (key, document)
    assert document["status"] == status
    assert isinstance(document["type"], str) and document["type"]
    assert document["title"] == HTTPStatus(status).phrase
    assert isinstance(document["detail"], str) and document["detail"].strip()
    if code is not None:
        assert document["code"] == code, document
    if param is not None:
        assert document.get("param") == param, document
        assert param in [e["param"] for e in document.get("errors", [])], document
        assert all(e["message"].strip() for e in document["errors"]), document
    return document


@pytest.fixture(scope="session")
def app(seed_index: Settings) -> TestApp:
    return TestApp(create_app(seed_index))


@pytest.fixture(scope="session")
def exported(seed_index: Settings) -> dict[str, dict]:
    """The seed index's articles (with body and canonical entities), by id."""
    return {r["id"]: r for r in iter_export(IndexStore(seed_index.index_dir))}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def extra_index(tmp_path_factory) -> Settings:
    """Seeds plus ``EXTRA_ARTICLES``, no entity model (fast)."""
    root = tmp_path_factory.mktemp("extra-index")
    settings = Settings(index_dir=root / "index", extractor="none", build_processes=1)
    extra = write_jsonl(root / "extra.jsonl", EXTRA_ARTICLES)
    report = build_index([SEEDS, extra], settings)
    assert report.indexed == 6, report.summary()
    return settings


@pytest.fixture(scope="session")
def extra_app(extra_index: Settings) -> TestApp:
    return TestApp(create_app(extra_index))
