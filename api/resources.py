"""Thin resources: validate the query string, make one call into ``search``, serialise.

No Whoosh object and no ranking logic lives here; each ``on_get`` is three steps, so the
HTTP layer can be read at a glance and the library tested without it.
"""

from __future__ import annotations

import json

import falcon
from marshmallow import Schema, ValidationError

from api.errors import Problem, invalid_parameters
from api.schemas import Schemas
from api.writes import JSON_TYPES, Writes, parse_json, read_body
from search.models import ENTITY_TYPES, Article
from search.query.results import FACET_FIELDS, FACETS, Filters, SearchPage, SearchRequest
from search.query.searcher import Searcher

LIST_PARAMS = tuple(FACET_FIELDS)  # every facet filter may be given several times
# A POST /search body: the parameters, with a query of up to max_query_chars characters.
MAX_SEARCH_BODY_BYTES = 64_000


def load_query(schema: Schema, req: falcon.Request) -> dict:
    """Query parameters through a schema."""
    return load_query_params(schema, req.params)


def load_query_params(schema: Schema, given: dict) -> dict:
    """A query string's parameters through a schema; a scalar given twice is an error,
    not a guess."""
    for name, value in given.items():
        if name not in LIST_PARAMS and isinstance(value, list):
            raise Problem(
                400, "repeated_parameter", f"{name} is given {len(value)} times; give it once",
                [{"param": name, "message": f"{name} may be given only once"}],
            )
    return load_params(schema, given)


def load_params(schema: Schema, given: dict) -> dict:
    """Parameters (from a query string or a JSON body) through a schema; a list parameter
    given once is a list of one."""
    params = {name: [value] if name in LIST_PARAMS and not isinstance(value, list) else value
              for name, value in given.items()}
    try:
        return schema.load(params)
    except ValidationError as exc:
        raise invalid_parameters(exc.messages) from None


def send(resp: falcon.Response, schema: Schema, payload: dict) -> None:
    resp.text = json.dumps(schema.dump(payload), ensure_ascii=False)


def entities(article: Article) -> dict:
    return {kind: getattr(article, kind) for kind in ENTITY_TYPES}


class SearchResource:
    def __init__(self, searcher: Searcher, schemas: Schemas) -> None:
        self.searcher = searcher
        self.schemas = schemas

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._search(resp, load_query(self.schemas.search_query, req))

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        """The same search with its parameters as a JSON object: queries whose URL would
        pass the server's request-line limit (a long query in a non-Latin script)."""
        doc = parse_json(read_body(req, JSON_TYPES, MAX_SEARCH_BODY_BYTES, None))
        if not isinstance(doc, dict):
            raise Problem(400, "invalid_body", "the body must be a JSON object of parameters")
        self._search(resp, load_params(self.schemas.search_query, doc))

    def _search(self, resp: falcon.Response, args: dict) -> None:
        page = self.searcher.search(search_request(args))
        send(resp, self.schemas.search_page, search_payload(page))

    def on_head(self, req: falcon.Request, resp: falcon.Response) -> None:
        """The same answer's status and headers (Falcon sends no body for HEAD)."""
        self.on_get(req, resp)


def search_request(args: dict) -> SearchRequest:
    """A search from loaded parameters (the search, export and page schemas' output)."""
    args = dict(args)
    filters = Filters(
        **{kind.filters_field: tuple(args.pop(kind.name)) for kind in FACETS},
        date_from=args.pop("date_from"),
        date_to=args.pop("date_to"),
    )
    return SearchRequest(filters=filters, **args)


def search_payload(page: SearchPage) -> dict:
    f = page.filters
    return {
        "query": page.query,
        "filters": {
            **{kind.name: list(f.values(kind.name)) for kind in FACETS},
            "date_from": f.date_from, "date_to": f.date_to,
        },
        "sort": page.sort,
        "total": page.total,
        "total_pages": page.total_pages,
        "page": page.page,
        "page_size": page.page_size,
        "took_ms": page.took_ms,
        "results": [
            {
                "id": hit.article.id,
                "title": hit.article.title,
                "date": hit.article.date_label,
                "outlet": hit.article.outlet,
                "url": hit.article.url,
                "score": hit.score,
                "highlights": {"title": hit.highlights.title, "body": hit.highlights.body,
                               "captions": hit.highlights.captions},
                "entities": entities(hit.article),
            }
            for hit in page.hits
        ],
        "facets": {
            name: {"values": facet.values, "truncated": facet.truncated}
            for name, facet in page.facets.items()
        },
        "dates": {"interval": page.date_interval, "buckets": page.dates},
        "suggestion": page.suggestion,
        "notes": page.notes,
        "timed_out": page.timed_out,
    }


class ArticleResource:
    WRITE_METHODS = frozenset({"PUT", "DELETE"})

    def __init__(self, searcher: Searcher, schemas: Schemas, writes: Writes) -> None:
        self.searcher = searcher
        self.schemas = schemas
        self.writes = writes

    def on_put(self, req: falcon.Request, resp: falcon.Response, article_id: str) -> None:
        self.writes.put(req, resp, article_id)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, article_id: str) -> None:
        self.writes.delete(req, resp, article_id)

    def on_get(self, req: falcon.Request, resp: falcon.Response, article_id: str) -> None:
        args = load_query(self.schemas.article_query, req)
        view = self.searcher.read(article_id, args["q"])
        if view is None:
            raise Problem(404, "article_not_found", f"no article with id {article_id!r}")
        article = view.article
        payload = {
            "id": article.id, "title": article.title, "body": article.body,
            "captions": article.captions,
            "date": article.date_label, "outlet": article.outlet, "url": article.url,
            "word_count": article.word_count, "entities": entities(article),
        }
        if view.body_marked is not None:
            payload["highlights"] = {"title": view.title_marked, "body": view.body_marked,
                                     "captions": view.captions_marked}
        if article.content_hash:
            resp.set_header("ETag", f'"{article.content_hash}"')
        send(resp, self.schemas.article, payload)


class ArticlesResource:
    """``POST /articles``: many articles, one NDJSON line each."""

    WRITE_METHODS = frozenset({"POST"})

    def __init__(self, writes: Writes) -> None:
        self.writes = writes

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.writes.bulk(req, resp)


class FacetValuesResource:
    def __init__(self, searcher: Searcher, schemas: Schemas) -> None:
        self.searcher = searcher
        self.schemas = schemas

    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        args = load_query(self.schemas.facet_query, req)
        facet = self.searcher.facet_values(name, args["prefix"], args["size"])
        payload = {
            "facet": name, "prefix": args["prefix"],
            "values": facet.values, "truncated": facet.truncated,
        }
        send(resp, self.schemas.facet_values, payload)


class HealthResource:
    """The process is alive and answering; says nothing about the index."""

    def __init__(self, schemas: Schemas) -> None:
        self.schemas = schemas

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send(resp, self.schemas.health, {"status": "ok"})

    def on_head(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Load balancers probe with HEAD."""


class ReadyResource:
    """The index is open and searchable (503 problem otherwise)."""

    def __init__(self, searcher: Searcher, schemas: Schemas) -> None:
        self.searcher = searcher
        self.schemas = schemas

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send(resp, self.schemas.ready, {"status": "ready", **self.searcher.status()})

    def on_head(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.searcher.status()  # raises IndexMissing -> 503 when there is no index
