"""One benchmark run: newsdesk against SQLite FTS5 and tantivy, same documents, same queries.

``python -m bench.run [--n 10000] [--seed 7] [--queries 210] [--out bench/out]
[--skip-http] [--skip-refs] [--skip-gazetteer] [--model-sample 300] [--update-share 0.01]
[--feed 10]``

Steps (progress on stderr; the markdown table on stdout and in
``<out>/results-<n>.md``, every raw number in ``<out>/results-<n>.json``):

1. inputs: the synthetic corpus, its entity-tagged copy and the query set, generated
   or reused (``bench.prepare``);
2. newsdesk builds, each in its own process for its peak RSS: extractor none and
   gazetteer on all articles, spacy on the first ``--model-sample`` (the model is far
   slower), then the none build again unchanged (must say up to date);
3. in-process latencies of the three workloads on the none index;
4. the same index over HTTP under gunicorn, sequential and with 4 clients;
5. SQLite FTS5 and tantivy: built (in processes) and queried the same way;
6. an ``--update`` of the none index with 1% of the articles changed (a re-crawl: every
   record given, few changed), then one from a feed of ``--feed`` changed articles alone
   (last, because they change the index the earlier steps read).

Code snapshot: others edit ``search/`` and ``api/`` while a run takes its ~10-20
minutes, and a run that builds with one version and serves with another compares
nothing (it happened: HTTP came out faster than in-process). So ``main`` first copies
``search/``, ``api/``, ``bench/`` and ``gunicorn.conf.py`` to ``<out>/work-.../code``
and re-executes itself from there: every build child, the in-process searcher and
gunicorn then run the code as it was when the run started. ``--live-code`` skips this.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from bench import report
from bench.measure import (
    REPO_ROOT,
    code_fingerprint,
    disk_usage,
    log,
    machine_info,
    percentiles,
    run_child,
)
from bench.prepare import Inputs, prepare
from bench.workloads import WORKLOADS, BenchQuery, Engine, NewsdeskEngine, load_queries, measure

HTTP_PASSES = 3
HTTP_MAX_SECONDS = 60.0
HTTP_CLIENTS = 4
HTTP_WORKERS = 2
SNAPSHOT_ENV = "BENCH_SNAPSHOT_OF"  # set in the re-executed run: the live tree's root
SNAPSHOT_ITEMS = ("search", "api", "bench", "gunicorn.conf.py")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="articles in the corpus")
    parser.add_argument("--seed", type=int, default=7, help="corpus and query seed")
    parser.add_argument("--queries", type=int, default=210, help="queries in the set")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "out",
                        help="inputs, indexes and results go here (git-ignored)")
    parser.add_argument("--skip-http", action="store_true", help="no gunicorn step")
    parser.add_argument("--skip-refs", action="store_true", help="no FTS5 / tantivy lines")
    parser.add_argument("--skip-gazetteer", action="store_true",
                        help="no gazetteer build (it costs as much as the none build)")
    parser.add_argument("--model-sample", type=int, default=300,
                        help="articles for the spaCy build (0 = skip it)")
    parser.add_argument("--update-share", type=float, default=0.01,
                        help="share of articles changed for the --update build (0 = skip)")
    parser.add_argument("--feed", type=int, default=10,
                        help="articles in a live-feed --update: only the changed ones are "
                             "given (0 = skip)")
    parser.add_argument("--live-code", action="store_true",
                        help="run the work tree's code directly, without a snapshot")
    args = parser.parse_args(argv)
    if args.feed < 0:
        parser.error("--feed must be 0 or more")
    if args.n < 1 or args.queries < 1 or args.model_sample < 0 or not 0 <= args.update_share < 1:
        parser.error("--n and --queries must be >= 1, --model-sample >= 0, "
                     "0 <= --update-share < 1")
    return args


class Run:
    """The state of one run: where things go, and the results dict saved after each step
    (so a long run that fails late still leaves its numbers behind)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.out = args.out.resolve()
        self.work = self.out / f"work-n{args.n}-s{args.seed}"
        self.logs = self.work / "logs"
        self.json_path = self.out / f"results-{args.n}.json"
        self.md_path = self.out / f"results-{args.n}.md"
        self.results: dict = {
            "config": {**{k: (str(v) if isinstance(v, Path) else v)
                          for k, v in vars(args).items()}, "http_passes": HTTP_PASSES},
            "machine": machine_info(),
            "code": {"root": str(REPO_ROOT), "snapshot_of": os.environ.get(SNAPSHOT_ENV),
                     "at_start": code_fingerprint()},
            "inputs": {},
            "builds": {},
            "queries": {},
            "http": None,
        }

    def save(self) -> None:
        self.json_path.write_text(json.dumps(self.results, indent=1, default=str))

    def fresh_dir(self, name: str) -> Path:
        """``work/name``, with whatever an earlier run left there removed."""
        path = self.work / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
        return path

    # -- builds -------------------------------------------------------------------------

    def build(self, key: str, child_args: list[str], target: Path) -> dict:
        """Run one build child and record docs/s, disk usage and peak RSS."""
        log(f"build {key} ...")
        child = run_child(child_args, self.logs / f"build-{key}.log")
        payload = child.payload
        seconds = payload["seconds"]
        row = {
            "indexed": payload["indexed"],
            "seconds": seconds,
            "docs_per_s": payload["indexed"] / seconds if seconds else 0.0,
            "index_bytes": disk_usage(target),
            "peak_rss_mb": child.peak_rss_mb,
            "children_peak_rss_mb": child.children_peak_rss_mb,
            "cpu_seconds": child.cpu_seconds,
            "wall_seconds": child.wall_seconds,
            "details": payload,
        }
        log(f"build {key}: {row['indexed']} docs in {seconds:.1f} s "
            f"({row['docs_per_s']:.1f} docs/s), peak RSS {row['peak_rss_mb']:.0f} MB")
        self.results["builds"][key] = row
        self.save()
        return row

    def newsdesk_build(self, key: str, source: Path, index_dir: Path, extractor: str,
                       update: bool = False) -> dict:
        args = ["newsdesk", "--source", str(source), "--target", str(index_dir),
                "--extractor", extractor]
        row = self.build(key, [*args, "--update"] if update else args, index_dir)
        row["cache_bytes"] = disk_usage(index_dir / "cache")  # the extraction cache's share
        self.save()
        return row

    def newsdesk_builds(self, inputs: Inputs) -> Path:
        """Builds of step 2; returns the none index the query steps read."""
        none_dir = self.fresh_dir("newsdesk-none")
        self.newsdesk_build("newsdesk-none", inputs.tagged, none_dir, "none")
        if not self.args.skip_gazetteer:
            self.newsdesk_build("newsdesk-gazetteer", inputs.tagged,
                                self.fresh_dir("newsdesk-gazetteer"), "gazetteer")
        if inputs.sample is not None:
            self.newsdesk_build("newsdesk-spacy", inputs.sample,
                                self.fresh_dir("newsdesk-spacy"), "spacy")
        self.newsdesk_build("newsdesk-rebuild", inputs.tagged, none_dir, "none")
        return none_dir

    # -- queries ------------------------------------------------------------------------

    def query_engine(self, key: str, engine: Engine, queries: list[BenchQuery]) -> None:
        """The three workloads on one open engine; latencies and totals kept raw."""
        try:
            for workload in WORKLOADS:
                log(f"queries {key} {workload} ...")
                result = measure(engine, queries, workload)
                stats = percentiles(result.latencies_ms)
                self.results["queries"].setdefault(key, {})[workload] = {
                    **stats, "errors": result.error_count, "error_samples": result.errors,
                    "totals": result.totals, "latencies_ms": result.latencies_ms,
                }
                log(f"queries {key} {workload}: p50 {stats['p50']:.2f} ms, "
                    f"p95 {stats['p95']:.2f} ms, {result.error_count} errors")
        finally:
            engine.close()
        self.save()

    # -- steps --------------------------------------------------------------------------

    def http(self, index_dir: Path, queries: list[BenchQuery]) -> None:
        from bench.serve import run_http

        log("HTTP: gunicorn ...")
        self.results["http"] = run_http(
            index_dir, queries, self.logs / "gunicorn.log", workers=HTTP_WORKERS,
            clients=HTTP_CLIENTS, passes=HTTP_PASSES, max_seconds=HTTP_MAX_SECONDS,
        )
        seq, conc = self.results["http"]["sequential"], self.results["http"]["concurrent"]
        log(f"HTTP: sequential p50 {seq['p50']:.1f} ms; concurrent "
            f"{conc['requests_per_s']:.1f} req/s")
        self.save()

    def references(self, inputs: Inputs, queries: list[BenchQuery]) -> None:
        from bench.ref_fts5 import Fts5Engine
        from bench.ref_tantivy import TantivyEngine

        db = self.fresh_dir("fts5.sqlite")
        self.build("fts5", ["fts5", "--source", str(inputs.tagged), "--target", str(db)], db)
        self.query_engine("fts5", Fts5Engine(db), queries)
        tantivy_dir = self.fresh_dir("tantivy")
        self.build("tantivy", ["tantivy", "--source", str(inputs.tagged),
                               "--target", str(tantivy_dir)], tantivy_dir)
        self.query_engine("tantivy", TantivyEngine(tantivy_dir), queries)

    def describe_inputs(self, inputs: Inputs) -> None:
        info = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(inputs).items()}
        if inputs.sample is not None:
            info["sample_words"] = sum(
                len(r.get("title", "").split()) + len(r["body"].split())
                for r in map(json.loads, inputs.sample.read_text(encoding="utf-8").splitlines())
            )
        self.results["inputs"] = info

    def execute(self) -> str:
        args = self.args
        self.logs.mkdir(parents=True, exist_ok=True)
        log(f"inputs: n={args.n} seed={args.seed} queries={args.queries} in {self.out}")
        inputs = prepare(self.out, args.n, args.seed, args.queries, args.model_sample,
                         args.update_share, args.feed)
        self.describe_inputs(inputs)
        queries = load_queries(inputs.queries)
        none_dir = self.newsdesk_builds(inputs)
        self.query_engine("newsdesk", NewsdeskEngine(none_dir), queries)
        if not args.skip_http:
            self.http(none_dir, queries)
        if not args.skip_refs:
            self.references(inputs, queries)
        if inputs.changed is not None:
            self.newsdesk_build("newsdesk-update", inputs.changed, none_dir, "none", update=True)
        if inputs.feed is not None:
            self.newsdesk_build("newsdesk-feed", inputs.feed, none_dir, "none", update=True)
        code = self.results["code"]
        code["at_end"] = code_fingerprint()
        code["changed_during_run"] = code["at_end"] != code["at_start"]
        if code["snapshot_of"]:
            live = code_fingerprint(Path(code["snapshot_of"]))
            code["live_tree_differs"] = live != code["at_end"]
        if code["changed_during_run"]:
            log("warning: search/ or api/ changed during the run; the numbers mix versions")
        markdown = report.render(self.results)
        self.md_path.write_text(markdown)
        self.save()
        log(f"wrote {self.md_path} and {self.json_path}")
        return markdown


def snapshot_code(dest: Path) -> None:
    """Copy the code under test to ``dest`` (caches and benchmark output left out)."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    skip = shutil.ignore_patterns("__pycache__", "out", "*.pyc")
    for item in SNAPSHOT_ITEMS:
        source = REPO_ROOT / item
        if source.is_dir():
            shutil.copytree(source, dest / item, ignore=skip)
        else:
            shutil.copy2(source, dest / item)


def exec_from_snapshot(args: argparse.Namespace, argv: Sequence[str]) -> None:
    """Replace this process by the same run started from a fresh code snapshot."""
    out = args.out.resolve()
    dest = out / f"work-n{args.n}-s{args.seed}" / "code"
    snapshot_code(dest)
    log(f"code snapshot of {REPO_ROOT} in {dest}")
    env = os.environ | {SNAPSHOT_ENV: str(REPO_ROOT), "PYTHONPATH": str(dest)}
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(dest)  # python -m resolves bench.run from the working directory first
    os.execve(sys.executable, [sys.executable, "-m", "bench.run", *argv, "--out", str(out)],
              env)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if not args.live_code and SNAPSHOT_ENV not in os.environ:
        exec_from_snapshot(args, argv)  # does not return
    run = Run(args)
    sys.stdout.write(run.execute())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
