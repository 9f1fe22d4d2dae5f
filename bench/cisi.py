"""Ranking quality on CISI: newsdesk's defaults against SQLite FTS5 and tantivy, one run.

The documents go through newsdesk's own import path (JSONL -> ``build_index``) and the
queries through its user query language with default settings, exactly as a user's
would; the measures come from ``ir-measures``. The references index the same titles
and abstracts with their stock English stemming and rank with their stock BM25.

    python -m bench.cisi [--data ../shared/data/cisi] [--out bench/out/cisi]
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import ir_measures
from ir_measures import AP, P, R, nDCG

from search.index.build import build_index
from search.query.results import InvalidRequest, SearchRequest
from search.query.searcher import Searcher
from search.settings import Settings

MEASURES = [nDCG @ 10, P @ 10, AP, R @ 100]
DEPTH = 100
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cisi"
_FIELD = re.compile(r"^\.([A-Z])\s*(\S*)")

Ranker = Callable[[str], list[str]]


def parse_records(path: Path) -> list[dict[str, str]]:
    """CISI's ``.I id`` / ``.T`` / ``.W`` ... layout into one dict of fields per record."""
    records: list[dict[str, str]] = []
    field = None
    for line in path.read_text(encoding="latin-1").splitlines():
        m = _FIELD.match(line)
        if m and (m.group(1) != "I" or m.group(2).isdigit()):
            if m.group(1) == "I":
                records.append({"id": m.group(2)})
                field = None
            else:
                field = m.group(1)
                records[-1].setdefault(field, "")
            continue
        if field and records:
            records[-1][field] += line + "\n"
    return records


def load_documents(data: Path) -> list[dict]:
    return [
        {"id": f"cisi-{r['id']}", "title": " ".join(r.get("T", "").split()),
         "body": r.get("W", "").strip()}
        for r in parse_records(data / "CISI.ALL")
    ]


def load_queries(data: Path, judged: set[str]) -> dict[str, str]:
    """Query texts (the .W part), only for queries that have judgments."""
    return {
        r["id"]: " ".join(r.get("W", "").split())
        for r in parse_records(data / "CISI.QRY")
        if r["id"] in judged
    }


def load_qrels(data: Path) -> list[ir_measures.Qrel]:
    qrels = []
    for line in (data / "CISI.REL").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2:
            qrels.append(ir_measures.Qrel(parts[0], f"cisi-{parts[1]}", 1))
    return qrels


def newsdesk_ranker(documents: list[dict], workdir: Path, **request) -> tuple[Ranker, dict]:
    source = workdir / "cisi.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in documents))
    settings = Settings(index_dir=workdir / "index", extractor="none", build_processes=1)
    build_index([source], settings, force=True)
    return searcher_ranker(Searcher(settings), **request)


def searcher_ranker(searcher: Searcher, **request) -> tuple[Ranker, dict]:
    """Ranks through newsdesk's query path; a refused query ranks nothing and is recorded."""
    failures: list[str] = []

    def rank(text: str) -> list[str]:
        try:
            page = searcher.search(
                SearchRequest(q=text, page_size=DEPTH, fragments=0, facet_size=0, **request)
            )
        except InvalidRequest as exc:
            failures.append(f"{exc.param}: {exc}")
            return []
        return [hit.article.id for hit in page.hits]

    return rank, {"failures": failures}


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9]+", text)


def fts5_ranker(documents: list[dict]) -> tuple[Ranker, dict]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, "
                "tokenize='porter unicode61')")
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)",
                   [(d["id"], d["title"], d["body"]) for d in documents])

    def rank(text: str) -> list[str]:
        words = _words(text)
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = db.execute(
            "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, DEPTH)
        )
        return [row[0] for row in rows]

    return rank, {}


def tantivy_ranker(documents: list[dict]) -> tuple[Ranker, dict]:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name="en_stem")
    builder.add_text_field("body", tokenizer_name="en_stem")
    index = tantivy.Index(builder.build())
    writer = index.writer()
    for d in documents:
        writer.add_document(tantivy.Document(id=d["id"], title=d["title"], body=d["body"]))
    writer.commit()
    index.reload()
    searcher = index.searcher()

    def rank(text: str) -> list[str]:
        words = _words(text)
        if not words:
            return []
        query, _errors = index.parse_query_lenient(" ".join(words), ["title", "body"])
        hits = searcher.search(query, DEPTH).hits
        return [searcher.doc(address)["id"][0] for _, address in hits]

    return rank, {}


def evaluate(rank: Ranker, queries: dict[str, str], qrels) -> tuple[dict, float]:
    run = []
    clock = time.perf_counter()
    for qid, text in queries.items():
        for position, doc_id in enumerate(rank(text)):
            run.append(ir_measures.ScoredDoc(qid, doc_id, float(DEPTH - position)))
    elapsed = time.perf_counter() - clock
    scores = ir_measures.calc_aggregate(MEASURES, qrels, run)
    return {str(m): float(scores.get(m, 0.0)) for m in MEASURES}, elapsed / max(1, len(queries))


def run_all(data: Path, workdir: Path, include_refs: bool = True) -> list[dict]:
    documents = load_documents(data)
    qrels = load_qrels(data)
    queries = load_queries(data, {q.query_id for q in qrels})
    engines: list[tuple[str, tuple[Ranker, dict]]] = [
        ("newsdesk (defaults)", newsdesk_ranker(documents, workdir)),
    ]
    if include_refs:
        engines.append(("SQLite FTS5 bm25()", fts5_ranker(documents)))
        engines.append(("tantivy 0.27 BM25", tantivy_ranker(documents)))
    return score_engines(engines, queries, qrels, len(documents))


def score_engines(engines: list[tuple[str, tuple[Ranker, dict]]], queries: dict[str, str],
                  qrels, documents: int) -> list[dict]:
    """One row of measures per engine, as ``table`` prints them."""
    rows = []
    for name, (rank, extra) in engines:
        scores, per_query = evaluate(rank, queries, qrels)
        rows.append({"engine": name, **scores, "ms_per_query": per_query * 1000,
                     "documents": documents, "queries": len(queries),
                     "failed_queries": len(extra.get("failures", []))})
    return rows


def table(rows: list[dict]) -> str:
    head = "| engine | nDCG@10 | P@10 | MAP | recall@100 | ms/query | failed queries |"
    lines = [head, "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['engine']} | {r['nDCG@10']:.4f} | {r['P@10']:.4f} | {r['AP']:.4f} | "
            f"{r['R@100']:.4f} | {r['ms_per_query']:.1f} | {r['failed_queries']} |"
        )
    first = rows[0]
    lines.append(f"\n{first['documents']} documents, {first['queries']} judged queries.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=None, help="write results.json here")
    parser.add_argument("--skip-refs", action="store_true", help="newsdesk only")
    args = parser.parse_args(argv)
    if not (args.data / "CISI.ALL").exists():
        print(f"bench.cisi: no CISI collection at {args.data}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        rows = run_all(args.data, Path(tmp), include_refs=not args.skip_refs)
    print(table(rows))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
