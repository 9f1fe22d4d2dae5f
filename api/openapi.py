"""The OpenAPI document, generated from the marshmallow schemas the app validates with."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from api.schemas import Schemas

PROBLEM = {"$ref": "#/components/responses/Problem"}


def _custom_field_mapping(converter, field, **kwargs) -> dict:
    """A field's own ``_jsonschema_type_mapping`` (PeriodField's string + pattern):
    apispec does not read that hook by itself, so dates showed up untyped."""
    mapping = getattr(field, "_jsonschema_type_mapping", None)
    return mapping() if mapping is not None else {}


def build_spec(schemas: Schemas, version: str) -> dict:
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="newsdesk",
        version=version,
        openapi_version="3.0.3",
        plugins=[plugin],
        info={"description": "Full-text search over news archives: ranked (BM25F), "
              "highlighted, faceted by outlet, people, organisations, places and date."},
    )
    plugin.converter.add_attribute_function(_custom_field_mapping)
    spec.components.schema("Problem", schema=schemas.problem)
    spec.components.response(
        "Problem",
        {"description": "application/problem+json (RFC 9457)",
         "content": {"application/problem+json": {"schema": "Problem"}}},
    )

    def operation(summary, response, query=None, path_params=(), errors=(400, 404, 503)):
        op = {
            "summary": summary,
            "parameters": [
                {"in": "path", "name": n, "required": True, "schema": {"type": "string"}}
                for n in path_params
            ],
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": response}}},
                **{str(status): PROBLEM for status in (*errors, 405, 500)},
            },
        }
        if query is not None:
            op["parameters"].append({"in": "query", "schema": query})
        return op

    search_post = operation("Search articles, the parameters as a JSON object (for queries "
                            "too long for a URL)", schemas.search_page, errors=(400, 413, 415, 503))
    search_post["requestBody"] = {"required": True, "content": {
        "application/json": {"schema": schemas.search_query}}}
    spec.path("/search", operations={
        "get": operation("Search articles", schemas.search_page, schemas.search_query),
        "post": search_post,
    })
    export = operation("Every match of a search, streamed as CSV or JSONL (at most "
                       "NEWSDESK_MAX_EXPORT_ROWS, in the search's order)", None,
                       schemas.export_query, errors=(400, 503))
    export["responses"]["200"] = {
        "description": "The matches. X-Total-Count: how many matched in all; "
                       "X-Export-Truncated: true when that is more than were sent.",
        "headers": {name: {"schema": {"type": kind}} for name, kind in (
            ("X-Total-Count", "integer"), ("X-Export-Limit", "integer"),
            ("X-Export-Truncated", "string"))},
        "content": {"text/csv": {"schema": {"type": "string"}},
                    "application/x-ndjson": {"schema": {"type": "string"}}},
    }
    spec.path("/export", operations={"get": export})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "A key from NEWSDESK_API_KEYS"})
    write_errors = (400, 401, 403, 409, 413, 415, 503, 507)

    def write(summary, request_type, request_schema, response, status="200",
              path_params=(), errors=write_errors):
        op = operation(summary, response, path_params=path_params, errors=errors)
        op["security"] = [{"bearer": []}]
        if request_type is not None:
            op["requestBody"] = {"required": True,
                                 "content": {request_type: {"schema": request_schema}}}
        if status != "200":
            op["responses"][status] = op["responses"].pop("200")
        return op

    put = write("Create or replace an article (201 created, 200 replaced); If-Match: a "
                "version (ETag) to replace only that one", "application/json",
                schemas.article_write, schemas.write_result, path_params=("article_id",))
    put["responses"]["201"] = put["responses"]["200"]
    delete = write("Delete an article (If-Match as for PUT)", None, None, schemas.write_result,
                   path_params=("article_id",), errors=(400, 401, 403, 404, 409, 503, 507))
    delete["responses"] = {"204": {"description": "Deleted"},
                           **{k: v for k, v in delete["responses"].items() if k != "200"}}
    spec.path("/articles/{article_id}", operations={
        "get": operation("One article, in full (with q: the query's words marked)",
                         schemas.article, schemas.article_query, path_params=("article_id",),
                         errors=(400, 404, 503)),
        "put": put,
        "delete": delete,
    })
    spec.path("/articles", operations={"post": write(
        "Many articles, one JSON object a line with its id (a bad line fails alone; each "
        "line's result in order)", "application/x-ndjson",
        {"type": "array", "items": schemas.article_write,
         "description": "NDJSON: each item one line, with its id"},
        schemas.bulk_result)})
    spec.path("/facets/{name}", operations={"get": operation(
        "Facet values by prefix (autocomplete): name is outlet, person, organisation or place",
        schemas.facet_values, schemas.facet_query, path_params=("name",))})
    spec.path("/health", operations={"get": operation(
        "Process is alive", schemas.health, errors=())})
    spec.path("/ready", operations={"get": operation(
        "Index is open (503 until one is)", schemas.ready, errors=(503,))})
    return spec.to_dict()
