"""Ranking quality on news: Reuters-21578 topic names as queries, editors' topics as judgments.

CISI is library-science abstracts queried with long questions; newsdesk's users search
news with a few words. Reuters editors tagged every 1987 wire story with its economic
topics (``<TOPICS><D>crude</D>...``), so a topic's name is a short news query and the
stories tagged with it are the relevant ones. The judgments are coarse (a story that
mentions gold in passing is not tagged "gold"), so the figures rank configurations
against each other rather than measure absolute quality. The query texts are the topic
descriptions of the collection's documentation, fixed before any run, for topics with
at least eight tagged stories among the indexed ones.

    python -m bench.topics [--data ../shared/data/reuters21578]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import ir_measures
from whoosh import index as whoosh_index

from bench.cisi import fts5_ranker, score_engines, searcher_ranker, table, tantivy_ranker
from search.index.build import build_index
from search.index.schema import from_stored
from search.index.store import IndexStore
from search.query.searcher import Searcher
from search.settings import Settings

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "reuters21578"
MIN_RELEVANT = 8

# Topic code -> the words a researcher would type for it (after the collection's
# category descriptions).
TOPIC_QUERIES = {
    "earn": "earnings",
    "acq": "mergers acquisitions",
    "crude": "crude oil",
    "grain": "grain",
    "money-fx": "foreign exchange",
    "interest": "interest rates",
    "trade": "trade",
    "wheat": "wheat",
    "ship": "shipping",
    "corn": "corn",
    "money-supply": "money supply",
    "sugar": "sugar",
    "coffee": "coffee",
    "oilseed": "oilseeds",
    "livestock": "livestock",
    "gnp": "gross national product",
    "soybean": "soybeans",
    "gold": "gold",
    "veg-oil": "vegetable oil",
    "nat-gas": "natural gas",
    "bop": "balance of payments",
    "carcass": "meat",
    "dlr": "dollar",
    "reserves": "foreign reserves",
    "copper": "copper",
    "jobs": "unemployment",
    "cpi": "consumer price index",
    "barley": "barley",
    "meal-feed": "animal feed",
    "cotton": "cotton",
    "yen": "yen",
    "rubber": "rubber",
    "palm-oil": "palm oil",
    "rice": "rice",
    "ipi": "industrial production index",
    "orange": "orange juice",
    "alum": "aluminium",
    "retail": "retail sales",
    "hog": "hogs",
    "gas": "gasoline",
    "soy-meal": "soybean meal",
    "cocoa": "cocoa",
    "sorghum": "sorghum",
    "housing": "housing starts",
    "strategic-metal": "strategic metals",
    "rapeseed": "rapeseed",
    "iron-steel": "iron steel",
    "zinc": "zinc",
    "wpi": "wholesale price index",
}

_RECORD = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_NEWID = re.compile(r'NEWID="(\d+)"')
_TOPICS = re.compile(r"<TOPICS>(.*?)</TOPICS>", re.S)
_D = re.compile(r"<D>(.*?)</D>")


def load_topics(data: Path) -> dict[str, set[str]]:
    """Article id (as newsdesk names Reuters records) -> its editor-assigned topics."""
    topics: dict[str, set[str]] = {}
    for path in sorted(data.glob("*.sgm")):
        for attrs, body in _RECORD.findall(path.read_text(encoding="latin-1")):
            newid = _NEWID.search(attrs)
            tags = _TOPICS.search(body)
            if newid and tags:
                topics[f"reuters-{newid.group(1)}"] = set(_D.findall(tags.group(1)))
    return topics


def judgments(topics: dict[str, set[str]], indexed: set[str]) -> list[ir_measures.Qrel]:
    qrels = []
    for doc_id in sorted(indexed):
        for topic in sorted(topics.get(doc_id, ())):
            if topic in TOPIC_QUERIES:
                qrels.append(ir_measures.Qrel(topic, doc_id, 1))
    counts: dict[str, int] = {}
    for q in qrels:
        counts[q.query_id] = counts.get(q.query_id, 0) + 1
    return [q for q in qrels if counts[q.query_id] >= MIN_RELEVANT]


def newsdesk_index(data: Path, workdir: Path) -> tuple[Searcher, list[dict]]:
    settings = Settings(index_dir=workdir / "index", extractor="none", build_processes=1)
    build_index(sorted(data.glob("*.sgm")), settings, force=True)
    ix = whoosh_index.open_dir(str(IndexStore(settings.index_dir).require_current()))
    try:
        with ix.searcher() as reader:
            documents = [from_stored(fields) for fields in reader.all_stored_fields()]
    finally:
        ix.close()
    refs = [{"id": a.id, "title": a.title, "body": a.body} for a in documents]
    return Searcher(settings), refs


def run_all(data: Path, workdir: Path, include_refs: bool = True) -> list[dict]:
    searcher, documents = newsdesk_index(data, workdir)
    qrels = judgments(load_topics(data), {d["id"] for d in documents})
    judged = {q.query_id for q in qrels}
    queries = {code: text for code, text in TOPIC_QUERIES.items() if code in judged}
    engines = [("newsdesk (defaults)", searcher_ranker(searcher))]
    if include_refs:
        engines.append(("SQLite FTS5 bm25()", fts5_ranker(documents)))
        engines.append(("tantivy 0.27 BM25", tantivy_ranker(documents)))
    rows = score_engines(engines, queries, qrels, len(documents))
    searcher.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--skip-refs", action="store_true", help="newsdesk only")
    args = parser.parse_args(argv)
    if not any(args.data.glob("*.sgm")):
        print(f"bench.topics: no Reuters-21578 files at {args.data}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        rows = run_all(args.data, Path(tmp), include_refs=not args.skip_refs)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
