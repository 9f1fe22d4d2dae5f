"""Where Whoosh's own writer spends its time: the same articles written three ways.

newsdesk no longer writes through Whoosh's writer (its segments are inverted in numpy,
``search/index/invert.py``); this stays as the reference for why. It writes newsdesk's
schema with Whoosh's writer (title and body inverted with positions), the same without
positions, and the body stored but not inverted. Each
variant writes the same synthetic articles (``bench/synth.py``) into a fresh index in
one process, so the ratios show what the time is spent on.

    python -m bench.writer [--n 2000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable

from whoosh import index as whoosh_index
from whoosh.fields import STORED, TEXT, Schema

from bench.synth import generate
from search.analysis import text_analyzer
from search.index.schema import build_schema


def _schema_without_positions() -> Schema:
    schema = build_schema()
    for name in ("title", "body"):
        schema.remove(name)
        schema.add(name, TEXT(stored=True, analyzer=text_analyzer(), phrase=False))
    return schema


def _schema_body_stored_only() -> Schema:
    schema = build_schema()
    schema.remove("body")
    schema.add("body", STORED())
    return schema


VARIANTS: dict[str, Callable[[], Schema]] = {
    "Whoosh's writer: title and body inverted, with positions": build_schema,
    "title and body inverted, no positions": _schema_without_positions,
    "title inverted, body stored only": _schema_body_stored_only,
}


def write(schema: Schema, articles: list[dict]) -> tuple[float, float]:
    """Seconds in ``add_document`` for all articles, and in the commit."""
    with tempfile.TemporaryDirectory() as tmp:
        ix = whoosh_index.create_in(tmp, schema)
        writer = ix.writer()
        clock = time.perf_counter()
        for a in articles:
            writer.add_document(id=a["id"], title=a["title"], body=a["body"], outlet=a["outlet"])
        added = time.perf_counter()
        writer.commit()
        done = time.perf_counter()
        ix.close()
    return added - clock, done - added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="synthetic articles (default 2000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true",
                        help="also profile the as-built variant and print the top functions")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    articles = list(generate(args.n, args.seed))
    words = sum(len(a["body"].split()) for a in articles)
    print(f"{args.n} articles, {words:,} body words, one process\n")
    print("| what Whoosh writes | add_document s | commit s | total s | articles/s |")
    print("|---|--:|--:|--:|--:|")
    for name, make in VARIANTS.items():
        add, commit = write(make(), articles)
        total = add + commit
        print(f"| {name} | {add:.1f} | {commit:.1f} | {total:.1f} | {args.n / total:,.0f} |")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(write, build_schema(), articles)
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(15)
        print("\n" + out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
