"""Operations: /metrics, request ids, the healthcheck and the container's start command."""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prometheus_client.parser import text_string_to_metric_families
from webtest import TestApp

import api.__main__ as start
from api import healthcheck
from api.app import create_app
from search.index.store import IndexStore
from search.settings import Settings
from tests.conftest import SEEDS


@pytest.fixture()
def fresh_app(seed_index):
    """Its own metrics: counts from other tests' requests do not leak in."""
    return TestApp(create_app(seed_index))


def metric_families(app) -> dict:
    response = app.get("/metrics")
    assert response.content_type == "text/plain"
    return {f.name: f for f in text_string_to_metric_families(response.text)}


def sample(families: dict, name: str, suffix: str = "", **labels) -> float:
    for s in families[name].samples:
        if s.name == name + suffix and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    raise AssertionError(f"no {name}{suffix} {labels}")


def test_requests_are_counted_by_route_template_and_status(fresh_app):
    for _ in range(3):
        fresh_app.get("/search?q=Aliyev")
    fresh_app.get("/articles/000_9c4553827276a6e6")
    fresh_app.get("/articles/no-such-id", status=404)
    fresh_app.get("/no/such/route", status=404)
    fresh_app.get("/search?page_size=500", status=400)
    families = metric_families(fresh_app)
    counted = "newsdesk_http_requests"
    assert sample(families, counted, "_total", route="/search", status="200") == 3
    assert sample(families, counted, "_total", route="/search", status="400") == 1
    # One series per route template, not per article id.
    assert sample(families, counted, "_total", route="/articles/{article_id:path}",
                  status="200") == 1
    assert sample(families, counted, "_total", route="/articles/{article_id:path}",
                  status="404") == 1
    assert sample(families, counted, "_total", route="unmatched", status="404") == 1
    latency = "newsdesk_http_request_duration_seconds"
    assert sample(families, latency, "_count", route="/search", status="200") == 3
    assert sample(families, latency, "_sum", route="/search", status="200") > 0


def test_index_metrics_describe_the_served_generation(fresh_app):
    families = metric_families(fresh_app)
    ready = fresh_app.get("/ready").json
    assert sample(families, "newsdesk_index_ready") == 1
    assert sample(families, "newsdesk_index_articles") == ready["articles"] == 5
    info = families["newsdesk_index_generation_info"].samples[0]
    assert info.labels["generation"] == ready["generation"]
    assert info.labels["extractor"] == ready["extractor"]
    assert sample(families, "newsdesk_index_build_duration_seconds") > 0
    assert sample(families, "newsdesk_index_age_seconds") >= 0


def test_metrics_without_an_index_say_not_ready(tmp_path):
    families = metric_families(TestApp(create_app(Settings(index_dir=tmp_path))))
    assert sample(families, "newsdesk_index_ready") == 0
    assert "newsdesk_index_articles" not in families


def test_odd_methods_share_one_label(fresh_app):
    fresh_app.request("/search", method="FROB", status="*")
    families = metric_families(fresh_app)
    methods = {s.labels["method"] for s in families["newsdesk_http_requests"].samples}
    assert "FROB" not in methods and "other" in methods


@pytest.mark.parametrize("path,status", [("/health", 200), ("/articles/missing", 404),
                                          ("/search?page=0", 400), ("/nowhere", 404)])
def test_a_client_request_id_is_echoed_on_every_answer(fresh_app, path, status):
    response = fresh_app.get(path, headers={"X-Request-ID": "abc-123"}, status=status)
    assert response.headers["X-Request-ID"] == "abc-123"


@pytest.mark.parametrize("given", [None, "", "x" * 129, "has space", "new\u00e9line"])
def test_a_missing_or_unusable_request_id_is_replaced_by_a_generated_one(fresh_app, given):
    headers = {} if given is None else {"X-Request-ID": given.encode().decode("latin-1")}
    first = fresh_app.get("/health", headers=headers).headers["X-Request-ID"]
    second = fresh_app.get("/health", headers=headers).headers["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


def test_app_log_lines_carry_the_request_id(seed_index, caplog, monkeypatch):
    from api.logs import RequestIdFilter

    app = create_app(seed_index)
    resource = app._router.find("/search")[0]
    monkeypatch.setattr(resource.searcher, "search", _raise)
    caplog.handler.addFilter(RequestIdFilter())
    TestApp(app).get("/search?q=x", headers={"X-Request-ID": "req-7"}, status=500)
    (record,) = [r for r in caplog.records if r.name == "newsdesk.api"]
    assert record.request_id == "req-7"


def _raise(*args, **kwargs):
    raise RuntimeError("boom")


# -- the healthcheck ------------------------------------------------------------------


class _Ready(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        self.send_response(self.status if self.path == "/ready" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("status,code", [(200, 0), (503, 1)])
def test_healthcheck_follows_ready(monkeypatch, capsys, status, code):
    handler = type("Handler", (_Ready,), {"status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("PORT", str(server.server_address[1]))
        assert healthcheck.main() == code
    finally:
        server.shutdown()
    assert capsys.readouterr().out.startswith("healthy" if code == 0 else "unhealthy")


def test_healthcheck_with_nothing_listening_is_unhealthy(monkeypatch, capsys):
    from tests.functional.test_gunicorn import free_port

    monkeypatch.setenv("PORT", str(free_port()))
    assert healthcheck.main() == 1
    assert capsys.readouterr().out.startswith("unhealthy")


# -- python -m api: the container's command ------------------------------------------


@pytest.fixture()
def no_exec(monkeypatch):
    """Records the exec of gunicorn instead of replacing the test process."""
    calls = []
    monkeypatch.setattr(start.os, "execv", lambda path, argv: calls.append(argv))
    return calls


def _env(monkeypatch, **values):
    for key in [k for k in os.environ if k.startswith("NEWSDESK_")]:
        monkeypatch.delenv(key)
    for key, value in values.items():
        monkeypatch.setenv(key, value)


def test_start_builds_the_samples_into_an_empty_index_then_serves(tmp_path, monkeypatch, no_exec):
    index = tmp_path / "index"
    _env(monkeypatch, NEWSDESK_INDEX_DIR=str(index), NEWSDESK_SAMPLE_DIR=str(SEEDS),
         NEWSDESK_EXTRACTOR="gazetteer")
    assert start.main() == 0
    assert IndexStore(index).manifest()["articles"] == 5
    (argv,) = no_exec
    assert argv[1:4] == ["-m", "gunicorn", "--config"]
    assert argv[4].endswith("gunicorn.conf.py") and os.path.isfile(argv[4])


def test_start_serves_an_existing_index_without_rebuilding(seed_index, monkeypatch, no_exec):
    store = IndexStore(seed_index.index_dir)
    before = store.current()
    _env(monkeypatch, NEWSDESK_INDEX_DIR=str(seed_index.index_dir),
         NEWSDESK_SAMPLE_DIR="/nonexistent")
    assert start.main() == 0
    assert store.current() == before and len(no_exec) == 1


def test_start_on_a_read_only_empty_index_serves_and_waits(tmp_path, monkeypatch, no_exec):
    index = tmp_path / "index"
    index.mkdir()
    # The container's :ro mount; permission bits alone would not stop root (CI) writing.
    real_access = os.access
    monkeypatch.setattr(start.os, "access", lambda path, mode: (
        False if mode == os.W_OK and path == index else real_access(path, mode)))
    _env(monkeypatch, NEWSDESK_INDEX_DIR=str(index), NEWSDESK_SAMPLE_DIR=str(SEEDS))
    assert start.main() == 0
    assert list(index.iterdir()) == [] and len(no_exec) == 1


def test_start_that_cannot_build_the_samples_fails_with_one_line(
    tmp_path, monkeypatch, no_exec, capsys
):
    empty = tmp_path / "no-articles"
    empty.mkdir()
    _env(monkeypatch, NEWSDESK_INDEX_DIR=str(tmp_path / "index"), NEWSDESK_SAMPLE_DIR=str(empty),
         NEWSDESK_EXTRACTOR="none")
    assert start.main() == 1
    assert no_exec == []
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("newsdesk: ")


def test_start_with_a_bad_setting_fails_with_one_line(monkeypatch, no_exec, capsys):
    _env(monkeypatch, NEWSDESK_WORKERS="many")
    assert start.main() == 1
    assert no_exec == []
    assert capsys.readouterr().err == "newsdesk: NEWSDESK_WORKERS='many' is not a valid int\n"


def test_settings_name_the_metrics_and_sample_folders():
    settings = Settings.from_env(
        {"PROMETHEUS_MULTIPROC_DIR": "/tmp/m", "NEWSDESK_SAMPLE_DIR": "/s"}
    )
    assert settings.metrics_dir == "/tmp/m"
    assert str(settings.sample_dir) == "/s"
