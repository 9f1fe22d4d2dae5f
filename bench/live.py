"""Live writes under load: journal fsync cost, mixed traffic, visibility, a rebuild's swap.

    python -m bench.live --n 10000 --seconds 60

One run, loopback only, bounded in time:

1. The journal's cost: ``--journal-writes`` acknowledged writes one at a time (one
   fsync each) against the same number in one batch (one fsync), in a scratch folder.
2. gunicorn (2 workers, the repo's gunicorn.conf.py) on a copy of the synthetic index,
   with a write key. ``--clients`` threads each loop over 9 searches (the bench query
   set, full workload) and 1 PUT (a new article, or a new version of an earlier one)
   for ``--seconds``: throughput, p50/p95 per kind, and every non-2xx counted.
3. Visibility: ``--visibility`` PUTs of an article with a word of its own, each polled
   until a search finds it; seconds from the 201 to the first hit.
4. A full rebuild (``search build --force``) of the same index while the mixed traffic
   runs again: failed requests during the swap, and whether the articles written
   through the API are still there after it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.measure import REPO_ROOT, log, machine_info, percentiles
from bench.prepare import prepare
from bench.serve import free_port, search_url, wait_ready
from bench.workloads import load_queries

KEY = "bench-live-key"
OUT = REPO_ROOT / "bench" / "out"
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def journal_cost(writes: int) -> dict:
    from search.index.journal import PUT, Journal

    record = {"title": "Journal cost", "body": "A short article for the journal benchmark."}
    rows = {}
    with tempfile.TemporaryDirectory(dir=OUT) as scratch:
        for mode in ("single", "batch"):
            journal = Journal(Path(scratch) / mode)
            ops = [(PUT, f"{mode}-{i}", record, "v", None) for i in range(writes)]
            clock = time.perf_counter()
            if mode == "single":
                for op in ops:
                    journal.write([op], lambda _id: None)
            else:
                journal.write(ops, lambda _id: None)
            seconds = time.perf_counter() - clock
            rows[mode] = {"writes": writes, "seconds": seconds,
                          "ms_per_write": seconds * 1000 / writes}
    return rows


def request(method: str, url: str, body: dict | None = None) -> tuple[int, float]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    clock = time.perf_counter()
    try:
        with OPENER.open(urllib.request.Request(url, data=data, method=method,
                                                headers=headers), timeout=30) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        status = exc.code
        exc.close()
    except OSError:
        status = -1
    return status, (time.perf_counter() - clock) * 1000


def mixed(base: str, urls: list[str], clients: int, seconds: float, tag: str,
          written: set[str]) -> dict:
    """``clients`` threads, each 9 searches then 1 PUT, until ``seconds`` have passed;
    acknowledged ids are added to ``written``."""
    lock = threading.Lock()
    found: dict[str, list[float]] = {"search": [], "write": []}
    failures: list[str] = []
    deadline = time.monotonic() + seconds

    def client(k: int) -> None:
        i = 0
        while time.monotonic() < deadline:
            for j in range(9):
                status, ms = request("GET", urls[(k * 37 + i * 9 + j) % len(urls)])
                with lock:
                    found["search"].append(ms)
                    if status != 200:
                        failures.append(f"search {status}")
            article_id = f"{tag}-{k}-{i % 50}"  # past 50, new versions of earlier ones
            status, ms = request("PUT", f"{base}/articles/{article_id}",
                                 {"title": f"Live {tag} {k} {i}",
                                  "body": f"Live traffic article {i} from client {k}."})
            with lock:
                found["write"].append(ms)
                if status not in (200, 201):
                    failures.append(f"write {status}")
                else:
                    written.add(article_id)
            i += 1

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    clock = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - clock
    total = len(found["search"]) + len(found["write"])
    return {
        "seconds": elapsed, "clients": clients, "requests": total,
        "requests_per_s": total / elapsed,
        "search": percentiles(found["search"]), "write": percentiles(found["write"]),
        "searches": len(found["search"]), "writes": len(found["write"]),
        "failures": len(failures), "failure_samples": sorted(set(failures))[:5],
    }


def visibility(base: str, samples: int) -> dict:
    delays = []
    for i in range(samples):
        word = f"glimmerquux{i}x"
        status, _ = request("PUT", f"{base}/articles/vis-{i}",
                            {"title": "Visibility", "body": f"The word {word} is new."})
        assert status == 201, status
        acked = time.perf_counter()
        while time.perf_counter() - acked < 30:
            with OPENER.open(f"{base}/search?q={word}&facet_size=0&fragments=0",
                             timeout=30) as resp:
                if json.loads(resp.read())["total"] == 1:
                    break
            time.sleep(0.01)
        delays.append(time.perf_counter() - acked)
    return {"samples": samples, "p50_s": sorted(delays)[len(delays) // 2],
            "max_s": max(delays), "all_s": delays}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--visibility", type=int, default=10)
    parser.add_argument("--journal-writes", type=int, default=200)
    args = parser.parse_args(argv)
    from search.index.build import build_index
    from search.settings import Settings

    inputs = prepare(OUT, args.n, args.seed, 210, 0, 0.0)
    queries = load_queries(inputs.queries)
    work = OUT / f"live-n{args.n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    index_dir = work / "index"
    settings = Settings(index_dir=index_dir, extractor="none")
    log(f"live: building {args.n} articles ...")
    build_index([inputs.tagged], settings)
    results: dict = {"config": vars(args), "machine": machine_info()}
    log("live: journal cost ...")
    results["journal"] = journal_cost(args.journal_writes)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(NEWSDESK_INDEX_DIR=str(index_dir), PORT=str(port), NEWSDESK_WORKERS="2",
               NEWSDESK_API_KEYS=KEY, NEWSDESK_EXTRACTOR="none")
    with open(work / "gunicorn.log", "w") as server_log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}"],
            cwd=REPO_ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT)
        try:
            wait_ready(base, proc, 120)
            urls = [search_url(base, q) for q in queries]
            log(f"live: mixed traffic {args.seconds:.0f} s ...")
            written: set[str] = set()
            results["mixed"] = mixed(base, urls, args.clients, args.seconds, "mix", written)
            log("live: visibility ...")
            results["visibility"] = visibility(base, args.visibility)
            log("live: a full rebuild under the same traffic ...")
            rebuild_log = open(work / "rebuild.log", "w")  # noqa: SIM115 - closed below
            rebuild = subprocess.Popen(
                [sys.executable, "-m", "search", "build", str(inputs.tagged), "--force",
                 "--index", str(index_dir)], cwd=REPO_ROOT, env=env,
                stdout=rebuild_log, stderr=subprocess.STDOUT)
            clock = time.perf_counter()
            results["during_rebuild"] = mixed(base, urls, args.clients, args.seconds, "reb",
                                              written)
            rebuild.wait()
            rebuild_log.close()
            results["rebuild"] = {"exit": rebuild.returncode,
                                  "seconds_under_load": time.perf_counter() - clock}
            time.sleep(2)  # the writer applies what was written during the rebuild
            with OPENER.open(f"{base}/search?q=%22live+traffic+article%22&facet_size=0"
                             "&fragments=0&page_size=1", timeout=30) as resp:
                kept = json.loads(resp.read())["total"]
            results["rebuild"]["api_articles_found"] = kept
            results["rebuild"]["api_articles_written"] = len(written)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    (OUT / f"live-{args.n}.json").write_text(json.dumps(results, indent=2, default=str))
    report = render(results)
    (OUT / f"live-{args.n}.md").write_text(report)
    print(report)
    return 0


def render(r: dict) -> str:
    j = r["journal"]
    lines = [f"# newsdesk live writes, n={r['config']['n']}", "",
             "| measure | value |", "|---|---|",
             f"| journal, one write per fsync | {j['single']['ms_per_write']:.2f} ms per write "
             f"({j['single']['writes']} writes) |",
             f"| journal, {j['batch']['writes']} writes in one fsync | "
             f"{j['batch']['seconds'] * 1000:.1f} ms per batch, "
             f"{j['batch']['ms_per_write']:.3f} ms per write |"]
    for key, label in (("mixed", "mixed traffic (9 searches : 1 PUT)"),
                       ("during_rebuild", "the same during a full rebuild and its swap")):
        m = r[key]
        lines.append(
            f"| {label} | {m['requests_per_s']:.0f} req/s over {m['seconds']:.0f} s, "
            f"{m['clients']} clients; search p50/p95 {m['search']['p50']:.1f}/"
            f"{m['search']['p95']:.1f} ms, PUT p50/p95 {m['write']['p50']:.1f}/"
            f"{m['write']['p95']:.1f} ms; {m['searches']} searches, {m['writes']} writes, "
            f"**{m['failures']} failed** |")
    v = r["visibility"]
    lines.append(f"| searchable after the 201 ({v['samples']} writes) | p50 {v['p50_s']:.2f} s, "
                 f"max {v['max_s']:.2f} s |")
    rb = r["rebuild"]
    lines.append(f"| the rebuild | exit {rb['exit']}; articles written through the API found "
                 f"after it: {rb['api_articles_found']} of the {rb['api_articles_written']} "
                 "distinct ids acknowledged |")
    m = r["machine"]
    lines.append(f"| machine | {m['nproc']} CPUs, {m['cpu']}, {m['date']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
