"""What the search page costs over the API: the same searches as HTML and as JSON.

    python -m bench.page [--n 10000] [--seed 7] [--queries 210] [--rounds 3]

The benchmark's synthetic archive (``bench.prepare``, the tagged records, no entity
model) is built once into ``<out>/page-n<N>``; then each query of the set is asked,
in-process through the WSGI app, as ``GET /search`` with the page's own work (30 values
per facet, month buckets, three fragments) and as ``GET /`` (the page, which runs that
search and renders it). Both are timed in the same minutes, interleaved, so the table's
"page - API" line is what the HTML costs; the page's promise is a few ms.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

from webtest import TestApp

from api.app import create_app
from api.pageview import PAGE_FACET_SIZE
from bench.measure import REPO_ROOT, log, machine_info, percentiles
from bench.prepare import prepare
from bench.serve import query_params
from bench.workloads import BenchQuery, load_queries
from search.index.build import build_index
from search.settings import Settings


def api_params(query: BenchQuery) -> list[tuple[str, str | int]]:
    """The page's search as API parameters: what the page asks the library for."""
    return [*query_params(query), ("facet_size", PAGE_FACET_SIZE), ("date_interval", "month")]


def timed(app: TestApp, url: str) -> float:
    start = time.perf_counter()
    app.get(url, status=200)
    return (time.perf_counter() - start) * 1000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=210)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the query set")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "out")
    args = parser.parse_args(argv)
    inputs = prepare(args.out, args.n, args.seed, args.queries, 0, 0)
    settings = Settings(index_dir=args.out / f"page-n{args.n}", extractor="none")
    log(f"building (or finding up to date) {settings.index_dir}")
    build_index([inputs.tagged], settings)
    app = TestApp(create_app(settings))
    queries = load_queries(inputs.queries)
    urls = [("/search?" + urlencode(api_params(q)), "/?" + urlencode(query_params(q)))
            for q in queries]
    for api_url, page_url in urls:  # warm-up: both paths see every query once
        timed(app, api_url)
        timed(app, page_url)
    api, page, extra = [], [], []
    for _ in range(args.rounds):
        for api_url, page_url in urls:
            a, p = timed(app, api_url), timed(app, page_url)
            api.append(a)
            page.append(p)
            extra.append(p - a)
    machine = machine_info()
    rows = [("API: GET /search (JSON)", percentiles(api)),
            ("page: GET / (HTML)", percentiles(page))]
    print(f"\n{len(queries)} queries x {args.rounds} rounds over {args.n:,} articles, "
          f"in-process WSGI; {machine['nproc']} cores, {machine['cpu']}, {machine['date']}\n")
    print("| request | p50 ms | p95 ms | p99 ms |\n|---|--:|--:|--:|")
    for name, p in rows:
        print(f"| {name} | {p['p50']:.2f} | {p['p95']:.2f} | {p['p99']:.2f} |")
    difference = percentiles(extra)
    print(f"| page - API, per query | {difference['p50']:.2f} | {difference['p95']:.2f} | "
          f"{difference['p99']:.2f} |")
    print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in machine['load_average'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
