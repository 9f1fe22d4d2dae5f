"""Marshmallow schemas for every query string and response: validation, and the OpenAPI source.

The limits (page size, result window, facet size ...) come from ``Settings`` so the
documentation shows exactly what the server enforces; the schemas are therefore made
per app by ``make_schemas`` rather than declared once at import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from search.query.filters import parse_period
from search.query.limits import MAX_ID_CHARS, default, number_bounds, text_lengths
from search.query.results import DATE_INTERVALS, SORTS
from search.settings import Settings

# GET /export's formats (api/export.py writes them).
EXPORT_FORMATS = ("csv", "jsonl")

# Exactly the periods the API accepts: a year (not 0000), a year-month, or a real date
# (month lengths, and 29 February in leap years only), so a client or a generated test
# that follows the document is never refused.
_YEAR = "(?!0000)[0-9]{4}"
_LEAP = "([0-9]{2}(0[48]|[2468][048]|[13579][26])|([2468][048]|[13579][26])00)"
PERIOD_PATTERN = (
    f"^({_YEAR}(-(0[1-9]|1[0-2]))?"
    f"|{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
    f"|{_YEAR}-(0[13-9]|1[0-2])-(29|30)"
    f"|{_YEAR}-(0[13578]|1[02])-31"
    f"|{_LEAP}-02-29)$"
)


class PeriodField(fields.Field):
    """An ISO date, or a year-month or year (as an upper bound: the end of that period)."""

    def __init__(self, *, end: bool, **kwargs) -> None:
        super().__init__(**kwargs)
        self.end = end

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("must be a date: YYYY, YYYY-MM or YYYY-MM-DD")
        try:
            return parse_period(value, end=self.end)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def _jsonschema_type_mapping(self):  # pragma: no cover - read by apispec only
        return {"type": "string", "pattern": PERIOD_PATTERN}


class DateText(fields.Field):
    """A written article's date as the JSONL import takes it: text, or a year as a number."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and len(value) <= 100:
            return value
        raise ValidationError("must be a date as text (at most 100 characters) or a year")

    def _jsonschema_type_mapping(self):  # pragma: no cover - read by apispec only
        return {"oneOf": [{"type": "string", "maxLength": 100}, {"type": "integer"}]}


class QuerySchema(Schema):
    """Query strings: unknown parameters are errors, so typos do not pass silently."""

    class Meta:
        unknown = RAISE


def _values(description: str) -> fields.List:
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        load_default=list,
        metadata={"description": description},
    )


@dataclass(frozen=True)
class Schemas:
    search_query: Schema
    export_query: Schema
    article_query: Schema
    facet_query: Schema
    search_page: Schema
    article: Schema
    facet_values: Schema
    health: Schema
    ready: Schema
    problem: Schema
    article_write: Schema
    write_result: Schema
    bulk_result: Schema


def make_schemas(settings: Settings) -> Schemas:
    bounds = number_bounds(settings)
    lengths = text_lengths(settings)

    def number(kind, name: str, **kwargs):
        """A numeric parameter with its bound and default from ``search.query.limits``."""
        b = bounds[name]
        return kind(load_default=default(name), validate=validate.Range(
            min=b.low, max=b.high, min_inclusive=b.low_inclusive), **kwargs)

    def query_text(description: str):
        return fields.String(
            load_default="",
            validate=validate.Length(max=lengths["q"],
                                     error="the query is longer than {max} characters"),
            metadata={"description": description},
        )

    class MatchQuery(QuerySchema):
        """What selects and orders the matches: a search's and an export's parameters."""

        q = query_text("Words (all must match), \"phrases\", OR, NOT or -word, "
                       "field:value (title, body, captions, outlet, person, organisation, "
                       "place), "
                       "word* (prefix), word~ (fuzzy). Empty: every article.")
        person = _values("Only articles mentioning all of these people (canonical names).")
        organisation = _values("Only articles mentioning all of these organisations.")
        place = _values("Only articles mentioning all of these places.")
        outlet = _values("Only articles from any of these outlets.")
        date_from = PeriodField(
            end=False, load_default=None,
            metadata={"description": "Inclusive lower bound: YYYY, YYYY-MM or YYYY-MM-DD."},
        )
        date_to = PeriodField(
            end=True, load_default=None,
            metadata={"description": "Inclusive upper bound: YYYY, YYYY-MM or YYYY-MM-DD."},
        )
        sort = fields.String(load_default=default("sort"), validate=validate.OneOf(SORTS))
        recency_half_life_days = number(
            fields.Float, "recency_half_life_days", allow_nan=False,
            metadata={"description": "Blend recency into relevance: a score halves every "
                      "this many days of age. Off unless given."},
        )

        @validates_schema
        def check_dates(self, data, **kwargs):
            if data["date_from"] and data["date_to"] and data["date_from"] > data["date_to"]:
                raise ValidationError("date_from is after date_to", "date_from")

    class SearchQuery(MatchQuery):
        page = number(fields.Integer, "page", strict=False, metadata={
            "description": "1-based; page * page_size may not exceed "
                           f"{settings.max_result_window}."})
        page_size = number(fields.Integer, "page_size")
        facet_size = number(fields.Integer, "facet_size")
        date_interval = fields.String(
            load_default=default("date_interval"), validate=validate.OneOf(DATE_INTERVALS)
        )
        fragments = number(fields.Integer, "fragments")
        fragment_chars = number(fields.Integer, "fragment_chars")

        @validates_schema
        def check_window(self, data, **kwargs):
            if data["page"] * data["page_size"] > settings.max_result_window:
                raise ValidationError(
                    f"page * page_size may not exceed {settings.max_result_window}", "page"
                )

    class ExportQuery(MatchQuery):
        format = fields.String(
            required=True, validate=validate.OneOf(EXPORT_FORMATS),
            metadata={"description": "csv (a header row; entity names joined by \"; \") "
                      "or jsonl (one import record a line). Both read back with "
                      "`search build`."},
        )

    class ArticleQuery(QuerySchema):
        q = query_text("A search query (as in /search): its words are marked in the whole "
                       "title and text, returned as highlights.")

    class FacetQuery(QuerySchema):
        prefix = fields.String(
            load_default="", validate=validate.Length(max=lengths["prefix"]),
            metadata={"description": "Values whose name, or a word in it, starts with this."},
        )
        size = number(fields.Integer, "size")

    return Schemas(
        search_query=SearchQuery(),
        export_query=ExportQuery(),
        article_query=ArticleQuery(),
        facet_query=FacetQuery(),
        search_page=SearchPageSchema(),
        article=ArticleSchema(),
        facet_values=FacetValuesSchema(),
        health=HealthSchema(),
        ready=ReadySchema(),
        problem=ProblemSchema(),
        article_write=ArticleWriteSchema(),
        write_result=WriteResultSchema(),
        bulk_result=BulkResultSchema(),
    )


class EntitiesSchema(Schema):
    people = fields.List(fields.String())
    organisations = fields.List(fields.String())
    places = fields.List(fields.String())


class HighlightsSchema(Schema):
    title = fields.String(metadata={"description": "HTML: escaped text, matches in <mark>."})
    body = fields.List(fields.String(), metadata={"description": "HTML fragments."})
    captions = fields.List(fields.String(), metadata={
        "description": "HTML fragments of the photo captions the query matched (none if "
                       "it matched no caption)."})


class ArticleHighlightsSchema(Schema):
    title = fields.String(metadata={"description": "HTML: escaped text, matches in <mark>."})
    body = fields.String(metadata={"description": "HTML: the whole text escaped, matches "
                                   "in <mark>, paragraphs separated by \\n\\n."})
    captions = fields.String(metadata={"description": "HTML: the captions escaped, matches "
                                       "in <mark>, captions separated by \\n\\n."})


class ResultSchema(Schema):
    id = fields.String()
    title = fields.String()
    date = fields.String(allow_none=True, metadata={"description": "As precise as the source "
                         "gave it: YYYY-MM-DD, or YYYY-MM, or YYYY (never a made-up day)."})
    outlet = fields.String()
    url = fields.String(allow_none=True)
    score = fields.Float()
    highlights = fields.Nested(HighlightsSchema)
    entities = fields.Nested(EntitiesSchema)


class FacetValueSchema(Schema):
    value = fields.String()
    count = fields.Integer()
    selected = fields.Boolean()


class FacetSchema(Schema):
    values = fields.List(fields.Nested(FacetValueSchema))
    truncated = fields.Boolean(metadata={"description": "More values exist than shown."})


class DateBucketSchema(Schema):
    key = fields.String(allow_none=True, metadata={"description": "YYYY or YYYY-MM; null: no date"})
    count = fields.Integer()


class DatesSchema(Schema):
    interval = fields.String()
    buckets = fields.List(fields.Nested(DateBucketSchema))


class FacetsSchema(Schema):
    """Counts over all matches; empty when the request asked for facet_size=0."""

    outlet = fields.Nested(FacetSchema)
    person = fields.Nested(FacetSchema)
    organisation = fields.Nested(FacetSchema)
    place = fields.Nested(FacetSchema)


class FiltersEchoSchema(Schema):
    person = fields.List(fields.String())
    organisation = fields.List(fields.String())
    place = fields.List(fields.String())
    outlet = fields.List(fields.String())
    date_from = fields.Date(allow_none=True)
    date_to = fields.Date(allow_none=True)


class SearchPageSchema(Schema):
    query = fields.String()
    filters = fields.Nested(FiltersEchoSchema)
    sort = fields.String()
    total = fields.Integer()
    total_pages = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()
    took_ms = fields.Float()
    results = fields.List(fields.Nested(ResultSchema))
    facets = fields.Nested(FacetsSchema)
    dates = fields.Nested(DatesSchema)
    suggestion = fields.String(allow_none=True, metadata={"description": "Did you mean"})
    notes = fields.List(fields.String())
    timed_out = fields.Boolean(metadata={"description": "The query ran past its time budget "
                                         "(NEWSDESK_QUERY_BUDGET_MS): the results are partial."})


class ArticleSchema(Schema):
    id = fields.String()
    title = fields.String()
    body = fields.String(metadata={"description": "Plain text, paragraphs separated by \\n\\n."})
    captions = fields.String(metadata={"description": "Photo captions, kept apart from the "
                                       "body; plain text, separated by \\n\\n (empty if "
                                       "none)."})
    date = fields.String(allow_none=True, metadata={"description": "As precise as the source "
                         "gave it: YYYY-MM-DD, or YYYY-MM, or YYYY (never a made-up day)."})
    outlet = fields.String()
    url = fields.String(allow_none=True)
    word_count = fields.Integer()
    entities = fields.Nested(EntitiesSchema)
    highlights = fields.Nested(
        ArticleHighlightsSchema,
        metadata={"description": "Only with a query (q): the whole title and text."},
    )


class ArticleWriteSchema(Schema):
    """An article written through the API: the JSONL import's fields."""

    class Meta:
        unknown = RAISE

    id = fields.String(validate=validate.Length(min=1, max=MAX_ID_CHARS),
                       metadata={"description": "In a bulk line, required; in a PUT, the "
                                 "path's id (given here too, it must be the same)."})
    title = fields.String(allow_none=True, validate=validate.Length(max=2_000))
    body = fields.String(required=True, validate=validate.Length(min=1),
                         metadata={"description": "Plain text; paragraphs separated by "
                                   "blank lines."})
    date = DateText(allow_none=True,
                    metadata={"description": "ISO 8601, YYYY-MM or a year (a number too), "
                              "or as the import reads dates."})
    outlet = fields.String(allow_none=True, validate=validate.Length(max=500))
    url = fields.String(allow_none=True, validate=validate.Length(max=2_000))
    captions = fields.String(allow_none=True, metadata={
        "description": "Photo captions, kept apart from the body; separated by blank lines."})
    people = fields.List(fields.String(validate=validate.Length(max=500)),
                         validate=validate.Length(max=1_000))
    organisations = fields.List(fields.String(validate=validate.Length(max=500)),
                                validate=validate.Length(max=1_000))
    places = fields.List(fields.String(validate=validate.Length(max=500)),
                         validate=validate.Length(max=1_000))

    @validates_schema
    def _has_text(self, data, **kwargs):
        if not data.get("body", "").strip():
            raise ValidationError("body is empty", "body")


class WriteResultSchema(Schema):
    id = fields.String()
    result = fields.String(metadata={"description": "created, updated or deleted"})
    version = fields.String(allow_none=True,
                            metadata={"description": "The article's version (also its ETag); "
                                      "send it in If-Match to update only that version."})


class BulkItemSchema(Schema):
    line = fields.Integer()
    id = fields.String(allow_none=True)
    status = fields.Integer()
    result = fields.String(allow_none=True)
    version = fields.String(allow_none=True)
    error = fields.Dict(allow_none=True, metadata={"description": "code and detail"})


class BulkResultSchema(Schema):
    errors = fields.Boolean(metadata={"description": "Whether any line failed."})
    items = fields.List(fields.Nested(BulkItemSchema))


class FacetValuesSchema(Schema):
    facet = fields.String()
    prefix = fields.String()
    values = fields.List(fields.Nested(FacetValueSchema))
    truncated = fields.Boolean()


class HealthSchema(Schema):
    status = fields.String()


class ReadySchema(Schema):
    status = fields.String()
    articles = fields.Integer()
    generation = fields.String()
    built_at = fields.String(allow_none=True)
    extractor = fields.String(allow_none=True)


class ParamErrorSchema(Schema):
    param = fields.String()
    message = fields.String()


class ProblemSchema(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String()
    param = fields.String(allow_none=True)
    errors = fields.List(fields.Nested(ParamErrorSchema))
