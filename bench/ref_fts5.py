"""Reference line: SQLite FTS5 from Python's standard library, used the plain way.

Schema: ``docs_fts`` (FTS5 over title and body, ``porter unicode61`` tokenizer, content
stored in FTS5 so ``snippet()`` can read it), ``docs`` (id, outlet, ISO date, url;
``rowid`` shared with ``docs_fts``) and ``entities`` (doc, kind, name; indexed both
ways). The build inserts everything in one transaction, then builds the secondary
indexes and runs FTS5's ``optimize`` (merging its segments, as tantivy merges).

Queries: the user query becomes an FTS5 MATCH of quoted words and phrases (implicit
AND); outlets and dates become SQL on ``docs``, each entity value an ``EXISTS`` on
``entities``. ``docs_fts`` is forced to be the outer loop (``CROSS JOIN``) so that
``ORDER BY rank`` (= ``bm25()``) is done inside FTS5 and ``snippet()`` runs for the
ten returned rows only.

* top10: the ranked top-10 query (id, title) + a ``count(*)`` of all matches;
* highlights: the top-10 query also selects ``highlight()`` of the title and a
  24-token ``snippet()`` of the body (~160 characters) + the count;
* facets: highlights, plus the matching rowids materialised into a temp table (its
  row count is the total), then ``GROUP BY`` over it for outlet, each entity kind
  (top 10 each) and year.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from bench.workloads import BenchQuery, iso, query_terms

SCHEMA = """
CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, outlet TEXT, date TEXT,
                   url TEXT);
CREATE VIRTUAL TABLE docs_fts USING fts5(title, body, tokenize = 'porter unicode61');
CREATE TABLE entities (doc INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL);
"""
POST_LOAD = """
CREATE INDEX entities_by_name ON entities (kind, name, doc);
CREATE INDEX entities_by_doc ON entities (doc, kind, name);
INSERT INTO docs_fts (docs_fts) VALUES ('optimize');
ANALYZE;
"""
ENTITY_KINDS = ("people", "organisations", "places")
SNIPPET_TOKENS = 24  # ~160 characters of synthetic news text
# Read-side tuning any deployment would do: a 64 MB page cache and memory-mapped reads.
READ_PRAGMAS = ("PRAGMA cache_size = -65536", "PRAGMA mmap_size = 268435456",
                "PRAGMA temp_store = MEMORY")


def build(source: Path, db_path: Path) -> dict:
    """Index the JSONL ``source`` into a new database; returns counts and seconds."""
    db_path.unlink(missing_ok=True)
    clock = time.perf_counter()
    con = sqlite3.connect(db_path)
    try:
        con.executescript(SCHEMA)
        indexed = 0
        with con, open(source, encoding="utf-8") as lines:
            for rowid, line in enumerate(lines, start=1):
                r = json.loads(line)
                con.execute("INSERT INTO docs VALUES (?, ?, ?, ?, ?)",
                            (rowid, r["id"], r.get("outlet"), r.get("date"), r.get("url")))
                con.execute("INSERT INTO docs_fts (rowid, title, body) VALUES (?, ?, ?)",
                            (rowid, r.get("title") or "", r["body"]))
                con.executemany("INSERT INTO entities VALUES (?, ?, ?)",
                                [(rowid, kind, name) for kind in ENTITY_KINDS
                                 for name in r.get(kind, ())])
                indexed += 1
        con.executescript(POST_LOAD)
    finally:
        con.close()
    return {"indexed": indexed, "seconds": time.perf_counter() - clock}


def match_expression(q: str) -> str:
    """FTS5 MATCH text: every word and phrase quoted (no operator surprises), ANDed."""
    return " ".join('"' + text.replace('"', '""') + '"' for text, _ in query_terms(q))


def where_clause(query: BenchQuery) -> tuple[str, list]:
    """The MATCH plus the filters as SQL over ``docs d`` and ``entities``."""
    sql = ["docs_fts MATCH ?"]
    params: list = [match_expression(query.q)]
    if query.outlets:
        sql.append(f"d.outlet IN ({', '.join('?' * len(query.outlets))})")
        params += query.outlets
    if query.date_from:
        sql.append("d.date >= ?")
        params.append(iso(query.date_from))
    if query.date_to:
        sql.append("d.date <= ?")
        params.append(iso(query.date_to))
    for kind, name in query.entity_filters():
        sql.append("EXISTS (SELECT 1 FROM entities e WHERE e.doc = docs_fts.rowid "
                   "AND e.kind = ? AND e.name = ?)")
        params += [kind, name]
    return " AND ".join(sql), params


FROM = "FROM docs_fts CROSS JOIN docs d ON d.rowid = docs_fts.rowid"
TOP_COLUMNS = "d.id, docs_fts.title, docs_fts.rank"
HIGHLIGHT_COLUMNS = (TOP_COLUMNS + ", highlight(docs_fts, 0, '<b>', '</b>'), "
                     f"snippet(docs_fts, 1, '<b>', '</b>', '…', {SNIPPET_TOKENS})")
FACET_SQL = {
    "outlet": "SELECT d.outlet, count(*) AS n FROM temp.hits h JOIN docs d ON d.rowid = h.doc "
              "GROUP BY d.outlet ORDER BY n DESC, d.outlet LIMIT 10",
    **{kind: "SELECT e.name, count(*) AS n FROM temp.hits h JOIN entities e "
             f"ON e.doc = h.doc AND e.kind = '{kind}' GROUP BY e.name "
             "ORDER BY n DESC, e.name LIMIT 10" for kind in ENTITY_KINDS},
    "years": "SELECT substr(d.date, 1, 4) AS y, count(*) FROM temp.hits h "
             "JOIN docs d ON d.rowid = h.doc GROUP BY y",
}


class Fts5Engine:
    name = "SQLite FTS5"

    def __init__(self, db_path: Path) -> None:
        self.con = sqlite3.connect(db_path, check_same_thread=False)
        for pragma in READ_PRAGMAS:
            self.con.execute(pragma)
        self.con.execute("CREATE TEMP TABLE hits (doc INTEGER PRIMARY KEY)")

    def prepare(self, query: BenchQuery, workload: str) -> tuple[str, str, list]:
        return workload, *where_clause(query)

    def run(self, prepared: tuple[str, str, list]) -> int:
        workload, where, params = prepared
        columns = TOP_COLUMNS if workload == "top10" else HIGHLIGHT_COLUMNS
        self.con.execute(  # the page, read to the end as an application would
            f"SELECT {columns} {FROM} WHERE {where} ORDER BY docs_fts.rank LIMIT 10", params
        ).fetchall()
        if workload != "facets":
            return self.con.execute(f"SELECT count(*) {FROM} WHERE {where}", params).fetchone()[0]
        self.con.execute("DELETE FROM temp.hits")
        total = self.con.execute(
            f"INSERT INTO temp.hits (doc) SELECT docs_fts.rowid {FROM} WHERE {where}", params
        ).rowcount
        for sql in FACET_SQL.values():
            self.con.execute(sql).fetchall()
        return total

    def close(self) -> None:
        self.con.close()
