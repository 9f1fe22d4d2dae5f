"""Reference line: tantivy (Rust) through its Python binding, used the documented way.

Schema: ``title`` and ``body`` text with the ``en_stem`` tokenizer (lower case +
English Snowball stemmer, no stop words), stored; ``id``, ``url`` stored raw;
``outlet``, ``people``, ``organisations``, ``places`` as raw-tokenized (exact) text
fields, indexed and ``fast`` (columnar, what aggregations read), multi-valued for
entities; ``day`` as an indexed, fast integer ``YYYYMMDD`` (range filters, and a
histogram with interval 10000 gives per-year buckets). The build adds every document
through one ``IndexWriter`` (default 128 MB heap, default thread count), commits and
waits for merges.

Queries: ``Index.parse_query`` over title and body with ``conjunction_by_default`` (the
query set's words and "phrases" are tantivy syntax too); filters are ``term_set``
(outlets, ORed), ``term`` (each entity, ANDed) and ``range`` (day) queries wrapped in
``const_score_query(..., 0)`` so they filter without changing the ranking, all
``Must`` clauses of one ``boolean_query``.

* top10: ``searcher.search(query, 10, count=True)`` (BM25 top 10 + total), and the 10
  stored documents loaded;
* highlights: the same plus ``SnippetGenerator`` snippets of the title and of the body
  (``set_max_num_chars(160)``), generators created per query;
* facets: highlights plus one ``searcher.aggregate`` call with terms aggregations
  (size 10) on outlet and the three entity fields and the per-year histogram, over all
  matches.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import tantivy

from bench.workloads import FACET_SIZE, FRAGMENT_CHARS, PAGE_SIZE, BenchQuery

TEXT_FIELDS = ["title", "body"]
FACET_FIELDS = ("outlet", "people", "organisations", "places")
TITLE_CHARS = 500  # newsdesk marks the whole title
AGGREGATIONS = {
    **{name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS},
    "years": {"histogram": {"field": "day", "interval": 10_000}},
}


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("body", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("url", stored=True, tokenizer_name="raw")
    for name in FACET_FIELDS:
        sb.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    sb.add_integer_field("day", stored=True, indexed=True, fast=True)
    return sb.build()


def day_number(iso: str) -> int:
    """"2019-03-04" -> 20190304: ordered like dates, and // 10000 is the year."""
    return int(iso.replace("-", ""))


def to_document(record: dict) -> tantivy.Document:
    fields: dict = {"id": record["id"], "title": record.get("title") or "",
                    "body": record["body"]}
    for key in ("url", "outlet"):
        if record.get(key):
            fields[key] = record[key]
    for name in FACET_FIELDS[1:]:
        if record.get(name):
            fields[name] = list(record[name])
    if record.get("date"):
        fields["day"] = day_number(record["date"])
    return tantivy.Document(**fields)


def build(source: Path, index_dir: Path) -> dict:
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    clock = time.perf_counter()
    index = tantivy.Index(build_schema(), path=str(index_dir))
    writer = index.writer()
    indexed = 0
    with open(source, encoding="utf-8") as lines:
        for line in lines:
            writer.add_document(to_document(json.loads(line)))
            indexed += 1
    writer.commit()
    writer.wait_merging_threads()
    return {"indexed": indexed, "seconds": time.perf_counter() - clock}


def _filter(query: tantivy.Query) -> tuple[tantivy.Occur, tantivy.Query]:
    return tantivy.Occur.Must, tantivy.Query.const_score_query(query, 0.0)


class TantivyEngine:
    name = "tantivy"

    def __init__(self, index_dir: Path) -> None:
        self.index = tantivy.Index.open(str(index_dir))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def filters(self, query: BenchQuery) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        Q = tantivy.Query
        clauses = []
        if query.outlets:
            clauses.append(_filter(Q.term_set_query(self.schema, "outlet", list(query.outlets))))
        for kind, name in query.entity_filters():
            clauses.append(_filter(Q.term_query(self.schema, kind, name)))
        if query.date_from or query.date_to:
            low = day_number(query.date_from.isoformat()) if query.date_from else None
            high = day_number(query.date_to.isoformat()) if query.date_to else None
            clauses.append(_filter(Q.range_query(self.schema, "day", tantivy.FieldType.Integer,
                                                 low, high)))
        return clauses

    def prepare(self, query: BenchQuery, workload: str) -> tuple[str, str, list]:
        """Filter clauses are built here, untimed, like newsdesk's ``Filters``; the
        query text is parsed in ``run``, as newsdesk parses it inside ``search``."""
        return workload, query.q, self.filters(query)

    def run(self, prepared: tuple[str, str, list]) -> int:
        workload, q, filters = prepared
        text = self.index.parse_query(q, TEXT_FIELDS, conjunction_by_default=True)
        query = (tantivy.Query.boolean_query([(tantivy.Occur.Must, text), *filters])
                 if filters else text)
        result = self.searcher.search(query, PAGE_SIZE, count=True)
        docs = [self.searcher.doc(address) for _, address in result.hits]
        if workload != "top10" and docs:
            title = tantivy.SnippetGenerator.create(self.searcher, query, self.schema, "title")
            title.set_max_num_chars(TITLE_CHARS)
            body = tantivy.SnippetGenerator.create(self.searcher, query, self.schema, "body")
            body.set_max_num_chars(FRAGMENT_CHARS)
            for doc in docs:
                title.snippet_from_doc(doc).to_html()
                body.snippet_from_doc(doc).to_html()
        if workload == "facets":
            self.searcher.aggregate(query, AGGREGATIONS)
        return result.count

    def close(self) -> None:
        del self.searcher, self.index
