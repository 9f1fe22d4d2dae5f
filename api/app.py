"""The Falcon application: wiring only.

``create_app`` builds everything from a ``Settings`` (tests pass one with a temporary
index); ``get_app`` is gunicorn's entry point and the only place that reads the
environment. Each worker opens the index once and follows rebuilds by itself.
"""

from __future__ import annotations

import contextlib

import falcon

from api import docs, errors
from api.auth import KeyMiddleware
from api.export import ExportResource
from api.logs import RequestIdMiddleware
from api.metrics import Metrics, MetricsMiddleware, MetricsResource
from api.openapi import build_spec
from api.pages import ReadPageResource, SearchPageResource
from api.rendering import STATIC_PATH, STATIC_URL, Templates
from api.resources import (
    ArticleResource,
    ArticlesResource,
    FacetValuesResource,
    HealthResource,
    ReadyResource,
    SearchResource,
)
from api.schemas import make_schemas
from api.writes import Writes
from search.index.live import Writer
from search.index.store import IndexMissing
from search.query.searcher import Searcher
from search.settings import Settings

API_VERSION = "1.0.0"


def create_app(settings: Settings | None = None, searcher: Searcher | None = None) -> falcon.App:
    settings = settings or Settings()
    searcher = searcher or Searcher(settings)
    schemas = make_schemas(settings)
    metrics = Metrics(searcher, settings.metrics_dir)
    # Request ids first: every later middleware, resource and log line sees the id.
    app = falcon.App(
        cors_enable=True,
        middleware=[RequestIdMiddleware(), MetricsMiddleware(metrics), KeyMiddleware(settings)],
    )
    app.req_options.keep_blank_qs_values = True
    errors.install(app)
    app.add_route("/search", SearchResource(searcher, schemas))
    app.add_route("/export", ExportResource(searcher, schemas, settings.max_export_rows))
    # ``path``: ids from JSONL/CSV may contain "/" (the server decodes %2F before routing).
    writes = Writes(searcher, schemas, settings)
    app.add_route("/articles", ArticlesResource(writes))
    app.add_route("/articles/{article_id:path}", ArticleResource(searcher, schemas, writes))
    app.add_route("/facets/{name}", FacetValuesResource(searcher, schemas))
    app.add_route("/health", HealthResource(schemas))
    app.add_route("/ready", ReadyResource(searcher, schemas))
    app.add_route("/metrics", MetricsResource(metrics))
    app.add_route("/openapi.json", docs.OpenApiResource(build_spec(schemas, API_VERSION)))
    # Both spellings of the page's address; its assets are absolute, so both work. (No
    # global trailing-slash rule: in /articles/{id} the slash may be part of an id.)
    app.add_route("/docs", docs.DocsResource())
    app.add_route("/docs/", docs.DocsResource())
    app.add_static_route("/docs/assets", docs.ASSETS_PATH)
    # The search page for people: HTML over the same library and limits (api/pages.py).
    templates = Templates()
    app.add_route("/", SearchPageResource(searcher, schemas, templates, settings))
    app.add_route("/read/{article_id:path}", ReadPageResource(searcher, schemas, templates))
    app.add_static_route(STATIC_URL, STATIC_PATH)
    return app


def get_app() -> falcon.App:
    settings = Settings.from_env()
    searcher = Searcher(settings)
    # Open the index now, not on the first user's request; without one, /ready answers 503
    # until a build publishes it.
    with contextlib.suppress(IndexMissing):
        searcher.generation()
    app = create_app(settings, searcher)
    # Every worker runs a writer thread; the one that holds the writer lock applies the
    # journal (the others wait to take over if it dies). A read-only index has none.
    Writer(settings, on_publish=searcher.refresh).start()
    return app

