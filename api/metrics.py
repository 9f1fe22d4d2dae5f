"""``/metrics``: Prometheus text format, pooled across gunicorn's workers.

Request counts and latencies are counted where requests are served, so under gunicorn
each worker writes them to prometheus-client's multiprocess folder and a scrape, which
reaches one worker, adds up every worker's files. The index figures are facts of the
generation being served, not sums over processes: they are read at scrape time from the
worker's open generation by a collector, so they can never go stale or double.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import falcon
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from search.index.store import IndexMissing
from search.query.searcher import Searcher

# Requests that match no route share one label, so a scan of random paths cannot grow
# the number of series without bound; files under a static route (the docs' assets) too.
UNMATCHED_ROUTE = "unmatched"
STATIC_ROUTE = "static"
KNOWN_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
# Latency buckets in seconds: searches take milliseconds, a cold generation open ~1 s.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The app's metrics and the registry a scrape reads.

    With ``multiprocess_dir`` (gunicorn), request metrics live in that folder and the
    registry reads every worker's files; without it (tests, one process), they are
    registered in this registry alone. Each app gets its own, so building several apps
    in one process (tests) never collides in prometheus-client's global registry.
    """

    def __init__(self, searcher: Searcher, multiprocess_dir: str = "") -> None:
        self.registry = CollectorRegistry()
        if multiprocess_dir:
            MultiProcessCollector(self.registry, path=multiprocess_dir)
            own = None  # values go to the shared folder; the collector above reads them
        else:
            own = self.registry
        labels = ("route", "method", "status")
        self.requests = Counter(
            "newsdesk_http_requests", "HTTP requests answered.", labels, registry=own
        )
        self.latency = Histogram(
            "newsdesk_http_request_duration_seconds", "Time to answer an HTTP request.",
            labels, buckets=LATENCY_BUCKETS, registry=own,
        )
        self.registry.register(IndexCollector(searcher))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class IndexCollector(Collector):
    """The served generation: which, how many articles, how old, how long it took to build."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher

    def collect(self) -> Iterator[Metric]:
        ready = GaugeMetricFamily(
            "newsdesk_index_ready", "1 when an index generation is open and searchable."
        )
        try:
            gen = self.searcher.generation()
        except IndexMissing:
            ready.add_metric([], 0)
            yield ready
            return
        ready.add_metric([], 1)
        yield ready
        info = GaugeMetricFamily(
            "newsdesk_index_generation_info", "The generation being served (always 1).",
            labels=["generation", "extractor"],
        )
        info.add_metric([gen.name, str(gen.manifest.get("extractor", ""))], 1)
        yield info
        yield GaugeMetricFamily(
            "newsdesk_index_articles", "Searchable articles in the served generation.",
            value=gen.doc_count,
        )
        built_at = gen.manifest.get("built_at")
        if built_at:
            age = time.time() - dt.datetime.fromisoformat(built_at).timestamp()
            yield GaugeMetricFamily(
                "newsdesk_index_age_seconds", "Seconds since the served generation was built.",
                value=max(0.0, age),
            )
        build_seconds = gen.manifest.get("build_seconds")
        if build_seconds is not None:
            yield GaugeMetricFamily(
                "newsdesk_index_build_duration_seconds",
                "How long the build that published the served generation took.",
                value=float(build_seconds),
            )


class MetricsMiddleware:
    """Counts and times every request by route template (not raw path) and status."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.started = time.perf_counter()

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        started = getattr(req.context, "started", None)
        if started is None:
            return
        route = req.uri_template or (UNMATCHED_ROUTE if resource is None else STATIC_ROUTE)
        method = req.method if req.method in KNOWN_METHODS else "other"
        labels = (route, method, str(resp.status_code))
        self.metrics.requests.labels(*labels).inc()
        self.metrics.latency.labels(*labels).observe(time.perf_counter() - started)


class MetricsResource:
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = CONTENT_TYPE_LATEST
        resp.data = self.metrics.render()
