"""``GET /export``: every match of a search, streamed as CSV or JSONL.

Researchers take results into spreadsheets and notebooks (Aleph and Media Cloud export
too). The rows are the import's own records, so an export read back by ``search build``
is the same archive: CSV joins entity names with "; ", as the CSV import splits them.
At most ``NEWSDESK_MAX_EXPORT_ROWS`` rows are sent, in the search's order; the headers
say how many matched in all. The body is produced while it is sent, a few articles at
a time, so a large export never sits in memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

import falcon

from api.resources import load_query, search_request
from api.schemas import Schemas
from search.models import ENTITY_TYPES, Article
from search.query.results import SearchRequest
from search.query.searcher import Searcher

CSV_COLUMNS = ("id", "title", "date", "outlet", "url", *ENTITY_TYPES, "body", "captions")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
# Rows encoded per chunk of the response: few enough to start sending at once.
ROWS_PER_CHUNK = 50


def csv_rows(articles: Iterable[Article]) -> Iterator[str]:
    """A header row, then one row per article (cells quoted where needed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield _drain(buffer)
    for article in articles:
        record = article.to_export()
        writer.writerow(["; ".join(record[c]) if c in ENTITY_TYPES else record.get(c) or ""
                         for c in CSV_COLUMNS])
        yield _drain(buffer)


def jsonl_rows(articles: Iterable[Article]) -> Iterator[str]:
    for article in articles:
        yield json.dumps(article.to_export(), ensure_ascii=False) + "\n"


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def chunked(rows: Iterator[str]) -> Iterator[bytes]:
    """Rows encoded together, so the server writes a few large chunks, not many tiny ones."""
    batch: list[str] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= ROWS_PER_CHUNK:
            yield "".join(batch).encode("utf-8")
            batch = []
    if batch:
        yield "".join(batch).encode("utf-8")


def file_name(request: SearchRequest, fmt: str) -> str:
    """A download name that says what it holds: newsdesk-<query words>.<format>."""
    words = "".join(c if c.isalnum() else "-" for c in request.q.lower())
    words = "-".join(w for w in words.split("-") if w)[:60] or "all"
    return f"newsdesk-{words}.{fmt}"


class ExportResource:
    def __init__(self, searcher: Searcher, schemas: Schemas, limit: int) -> None:
        self.searcher = searcher
        self.schemas = schemas
        self.limit = limit

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        args = load_query(self.schemas.export_query, req)
        fmt = args.pop("format")
        request = search_request(args)
        matches = self.searcher.export(request, self.limit)
        rows = csv_rows(matches.articles) if fmt == "csv" else jsonl_rows(matches.articles)
        resp.content_type = MEDIA_TYPES[fmt]
        resp.set_header("Content-Disposition",
                        f'attachment; filename="{file_name(request, fmt)}"')
        resp.set_header("X-Total-Count", str(matches.total))
        resp.set_header("X-Export-Limit", str(self.limit))
        resp.set_header("X-Export-Truncated", "true" if matches.total > self.limit else "false")
        if matches.timed_out:  # the query's time budget ran out: these are the matches found
            resp.set_header("X-Timed-Out", "true")
        resp.stream = chunked(rows)
