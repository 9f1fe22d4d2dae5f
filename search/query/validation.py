"""The documented limits of a request, checked before any work: each is a 4xx, not a 500."""

from __future__ import annotations

from search.query.results import DATE_INTERVALS, FACET_FIELDS, SORTS, InvalidRequest, SearchRequest
from search.settings import Settings


def validate_search(request: SearchRequest, s: Settings) -> None:
    """Every documented limit of a search, checked before any work is done."""
    if len(request.q) > s.max_query_chars:
        raise InvalidRequest(
            "q", f"the query has {len(request.q)} characters; the limit is {s.max_query_chars}",
            "query_too_long",
        )
    within("page_size", request.page_size, 1, s.max_page_size)
    within("page", request.page, 1, max(1, s.max_result_window // request.page_size))
    within("facet_size", request.facet_size, 0, s.max_facet_size)
    within("fragments", request.fragments, 0, s.max_fragments)
    within("fragment_chars", request.fragment_chars, 20, s.max_fragment_chars)
    if request.sort not in SORTS:
        raise InvalidRequest("sort", f"sort must be one of {', '.join(SORTS)}")
    if request.date_interval not in DATE_INTERVALS:
        raise InvalidRequest(
            "date_interval", f"date_interval must be one of {', '.join(DATE_INTERVALS)}"
        )
    f = request.filters
    for facet in FACET_FIELDS:
        if len(f.values(facet)) > s.max_filter_values:
            raise InvalidRequest(facet, f"at most {s.max_filter_values} {facet} values")
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise InvalidRequest("date_from", "date_from is after date_to")
    half_life = request.recency_half_life_days
    if half_life is not None and not 0 < half_life <= 365_000:
        raise InvalidRequest("recency_half_life_days", "must be between 0 and 365000 days")


def validate_facet_values(facet: str, prefix: str, size: int, s: Settings) -> None:
    if facet not in FACET_FIELDS:
        raise InvalidRequest(
            "name", f"no facet {facet!r}: use one of {', '.join(FACET_FIELDS)}",
            "facet_not_found",
        )
    within("size", size, 1, s.max_facet_size)
    if len(prefix) > s.max_query_chars:
        raise InvalidRequest("prefix", "prefix is too long")


def within(param: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise InvalidRequest(param, f"{param} must be between {low} and {high}, not {value}")
