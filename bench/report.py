"""Markdown tables from a results dict (the same dict ``bench.run`` saves as JSON).

Kept apart from the measuring code so a saved ``results-<n>.json`` can be re-rendered
(``python -m bench.report results.json``) without re-running anything.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

MB = 1_000_000
DASH = "–"

ENGINES = (  # (key in results["queries"] and "builds", row label)
    ("newsdesk", "newsdesk (extractor none)"),
    ("fts5", "SQLite FTS5"),
    ("tantivy", "tantivy"),
)
BUILD_KEY = {"newsdesk": "newsdesk-none", "fts5": "fts5", "tantivy": "tantivy"}


def ms(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def triple(stats: dict | None, keys: Sequence[str] = ("p50", "p95", "p99")) -> str:
    if not stats:
        return DASH
    text = " / ".join(ms(stats[k]) for k in keys)
    return text + (f" ({stats['errors']} errors)" if stats.get("errors") else "")


def number(value: float | None, digits: int = 0) -> str:
    return DASH if value is None else f"{value:,.{digits}f}"


def engine_label(key: str, label: str, machine: dict) -> str:
    version = {"fts5": machine.get("sqlite"), "tantivy": machine.get("tantivy")}.get(key)
    return f"{label} {version}" if version else label


def main_table(results: dict) -> list[str]:
    machine = results["machine"]
    http = results.get("http") or {}
    lines = [
        "| engine | index docs/s | index MB | build peak RSS MB | top-10 p50/p95/p99 ms "
        "| +highlights p50/p95/p99 ms | +facets p50/p95/p99 ms | HTTP p50/p95/p99 ms "
        "(sequential) | HTTP req/s, 4 clients (p50/p95 ms) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for key, label in ENGINES:
        build = results["builds"].get(BUILD_KEY[key])
        queries = results["queries"].get(key)
        if build is None and queries is None:
            continue
        queries = queries or {}
        http_seq = http_conc = DASH
        if key == "newsdesk" and http:
            http_seq = triple(http["sequential"])
            conc = http["concurrent"]
            http_conc = f"{conc['requests_per_s']:.1f} ({triple(conc, ('p50', 'p95'))})"
        lines.append(
            f"| {engine_label(key, label, machine)} "
            f"| {number(build and build['docs_per_s'])} "
            f"| {number(build and build['index_bytes'] / MB, 1)} "
            f"| {number(build and build['peak_rss_mb'])} "
            f"| {triple(queries.get('top10'))} | {triple(queries.get('highlights'))} "
            f"| {triple(queries.get('facets'))} | {http_seq} | {http_conc} |"
        )
    return lines


def build_line(label: str, build: dict | None, note: str = "") -> str | None:
    if build is None:
        return None
    workers = build.get("children_peak_rss_mb", 0.0)
    worker_note = f", its worker processes up to {workers:.0f} MB each" if workers else ""
    return (f"| {label} | {build['docs_per_s']:,.1f} docs/s ({build['indexed']:,} docs in "
            f"{build['seconds']:.1f} s wall, {build['cpu_seconds']:.1f} s CPU, peak RSS "
            f"{build['peak_rss_mb']:.0f} MB{worker_note}){note} |")


def phases(build: dict) -> str:
    parts = build["details"].get("phases", {})
    return ", ".join(f"{k} {v:.1f}" for k, v in parts.items())


def agreement(results: dict) -> str:
    base = (results["queries"].get("newsdesk") or {}).get("top10")
    if not base:
        return DASH
    parts = []
    for key, label in ENGINES[1:]:
        other = (results["queries"].get(key) or {}).get("top10")
        if other:
            same = sum(a == b for a, b in zip(base["totals"], other["totals"], strict=True))
            parts.append(f"{label} {same}/{len(base['totals'])}")
    http = results.get("http")
    if http:
        facets = results["queries"]["newsdesk"]["facets"]["totals"]
        same = sum(a == b for a, b in zip(facets, http["sequential_totals"], strict=True))
        parts.append(f"newsdesk over HTTP {same}/{len(facets)}")
    return ", ".join(parts) or DASH


def slowest_line(results: dict, workload: str = "facets", limit: float = 10.0) -> str:
    """The query where newsdesk is furthest behind tantivy, and how many are past ``limit``x.

    One timed pass per engine, so a single query's ratio carries the machine's noise;
    it finds the query shapes that are slow, not a precise factor."""
    ours = ((results["queries"].get("newsdesk") or {}).get(workload) or {}).get("latencies_ms")
    theirs = ((results["queries"].get("tantivy") or {}).get(workload) or {}).get("latencies_ms")
    if not ours or not theirs:
        return DASH
    ratios = [(a / b if b > 0 else 0.0, i, a, b)
              for i, (a, b) in enumerate(zip(ours, theirs, strict=True))]
    worst, index, a, b = max(ratios)
    beyond = sum(r > limit for r, *_ in ratios)
    return (f"worst {worst:.1f}x (query #{index}: {a:.2f} ms vs {b:.2f} ms); "
            f"{beyond} of {len(ratios)} queries over {limit:.0f}x")


def hits_line(results: dict) -> str:
    base = (results["queries"].get("newsdesk") or {}).get("top10")
    if not base:
        return DASH
    totals = [t for t in base["totals"] if t >= 0]
    zero = sum(t == 0 for t in totals)
    return (f"median {statistics.median(totals):.0f}, max {max(totals)}, "
            f"{zero} of {len(totals)} queries match nothing")


def details_table(results: dict) -> list[str]:
    b = results["builds"]
    machine = results["machine"]
    rows = ["| measure | value |", "|---|---|"]
    spacy = b.get("newsdesk-spacy")
    spacy_note = ""
    if spacy:
        extract = spacy["details"]["phases"].get("extract", 0.0)
        words = results["inputs"].get("sample_words", 0)
        if extract:
            spacy_note = (f"; measured on the first {spacy['indexed']} articles only; extract "
                          f"phase alone {spacy['indexed'] / extract:.1f} docs/s = "
                          f"{words / extract:,.0f} words/s incl. model load")
    for key, label, note in (
        ("newsdesk-none", "newsdesk build, extractor none", ""),
        ("newsdesk-gazetteer", "newsdesk build, extractor gazetteer", ""),
        ("newsdesk-spacy", "newsdesk build, extractor spacy (model)", spacy_note),
    ):
        line = build_line(label, b.get(key), note)
        if line:
            rows.append(line)
    if "newsdesk-none" in b:
        none = b["newsdesk-none"]
        rows.append(f"| newsdesk build phases, none (s) | {phases(none)} |")
        rows.append(f"| newsdesk index MB without its extraction cache | "
                    f"{(none['index_bytes'] - none.get('cache_bytes', 0)) / MB:.1f} |")
    rebuild = b.get("newsdesk-rebuild")
    if rebuild and "newsdesk-none" in b:
        first = b["newsdesk-none"]["seconds"]
        up = "up to date" if rebuild["details"].get("up_to_date") else "NOT up to date"
        rows.append(f"| rebuild unchanged (none): first build / rebuild time | "
                    f"{first / rebuild['seconds']:.0f}x ({first:.1f} s / "
                    f"{rebuild['seconds']:.2f} s; build said: {up}) |")
    update = b.get("newsdesk-update")
    if update and "newsdesk-none" in b:
        first = b["newsdesk-none"]["seconds"]
        d = update["details"]
        rows.append(f"| --update with {d['indexed']} changed articles (of {d['read']}) | "
                    f"{update['seconds']:.1f} s ({first / update['seconds']:.1f}x faster than "
                    f"the full build; phases: {phases(update)}) |")
    feed = b.get("newsdesk-feed")
    if feed:
        d = feed["details"]
        rows.append(f"| --update from a feed of {d['indexed']} changed articles alone | "
                    f"{feed['seconds']:.2f} s whole process (phases: {phases(feed)}; "
                    f"peak RSS {feed['peak_rss_mb']:.0f} MB) |")
    for key, label in (("fts5", "SQLite FTS5 build"), ("tantivy", "tantivy build")):
        line = build_line(label, b.get(key))
        if line:
            rows.append(line)
    http = results.get("http")
    if http:
        workers = ", ".join(f"{w['rss_mb']:.0f} MB (peak {w['peak_rss_mb']:.0f})"
                            for w in http["workers"])
        rows.append(f"| gunicorn worker RSS after the HTTP run | {workers or DASH} |")
    rows.append(f"| newsdesk hits per query | {hits_line(results)} |")
    rows.append("| newsdesk / tantivy per query, highlights + facets | "
                f"{slowest_line(results)} |")
    rows.append(f"| queries whose total hit count equals newsdesk's | {agreement(results)} |")
    code = results.get("code", {})
    if code.get("snapshot_of"):
        later = (", edited in the work tree since" if code.get("live_tree_differs")
                 else ", same as the work tree at the end")
        rows.append(f"| code measured | snapshot of {code['snapshot_of']} taken at the start "
                    f"(fingerprint {code['at_start']}{later}) |")
    elif "changed_during_run" in code:
        changed = ("YES: the numbers mix code versions" if code["changed_during_run"]
                   else "no")
        rows.append(f"| search/, api/ or rules edited during the run | {changed} |")
    rows.append(f"| date | {machine['date']} |")
    rows.append(f"| machine | {machine['nproc']} CPUs, {machine['cpu']}, load average at "
                f"start {', '.join(f'{x:.1f}' for x in machine['load_average'])} |")
    rows.append(f"| software | Python {machine['python']}, SQLite {machine['sqlite']}, "
                f"tantivy {machine['tantivy']}, whoosh-reloaded {machine['whoosh']}, "
                f"numpy {machine['numpy']}, gunicorn {machine['gunicorn']} |")
    return rows


def notes(results: dict) -> list[str]:
    cfg = results["config"]
    return [
        f"Corpus: `bench.synth` n={cfg['n']} seed={cfg['seed']}, with the entity names the "
        f"generator wrote into each article added as people/organisations/places keys "
        f"(all engines index the same records and entities); {cfg['queries']} queries "
        f"from `bench.queries` seed={cfg['seed']}.",
        "Latencies: one warm-up pass of the query set, then one timed pass, in-process "
        "(perf_counter around one search call, engine objects kept open); filters apply "
        "in every workload. top-10 = ranked top 10 with stored fields + total count "
        "(newsdesk also always returns its date histogram); +highlights = marked title "
        "and one ~160-char body fragment per hit; +facets = top-10 outlet/person/"
        "organisation/place counts over all matches + per-year histogram.",
        "HTTP: gunicorn with gunicorn.conf.py, 2 sync workers, on 127.0.0.1; full "
        "workload (highlights + facets); sequential = one pass after a warm-up pass; "
        f"concurrent = 4 client threads over {cfg['http_passes']} passes of the query "
        "set (at most 60 s); one new connection per request.",
        "docs/s = documents indexed / wall seconds of the build call (JSONL parsing "
        "included, interpreter start-up excluded); index MB = disk usage of the index "
        "directory or database file (newsdesk: includes its extraction cache); peak RSS "
        "= VmHWM of the build process (its forked workers, if any, are listed apart).",
        "The machine is shared and has few cores: compare ratios within one run.",
    ]


def render(results: dict) -> str:
    cfg = results["config"]
    lines = [f"# newsdesk benchmark, n={cfg['n']}, {cfg['queries']} queries", ""]
    lines += [*main_table(results), "", *details_table(results), ""]
    lines += [f"- {note}" for note in notes(results)]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m bench.report results-<n>.json", file=sys.stderr)
        return 2
    sys.stdout.write(render(json.loads(Path(args[0]).read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
