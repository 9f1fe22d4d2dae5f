"""The documented limits of a request, checked before any work: each is a 4xx, not a 500."""

from __future__ import annotations

from search.query.limits import Bound, number_bounds, text_lengths
from search.query.results import DATE_INTERVALS, FACET_FIELDS, SORTS, InvalidRequest, SearchRequest
from search.settings import Settings


def validate_search(request: SearchRequest, s: Settings) -> None:
    """Every documented limit of a search, checked before any work is done."""
    longest = text_lengths(s)["q"]
    if len(request.q) > longest:
        raise InvalidRequest(
            "q", f"the query has {len(request.q)} characters; the limit is {longest}",
            "query_too_long",
        )
    bounds = number_bounds(s)
    within("page_size", request.page_size, bounds["page_size"])
    within("page", request.page, Bound(1, max(1, s.max_result_window // request.page_size)))
    for name in ("facet_size", "fragments", "fragment_chars"):
        within(name, getattr(request, name), bounds[name])
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
    if request.recency_half_life_days is not None:
        within("recency_half_life_days", request.recency_half_life_days,
               bounds["recency_half_life_days"])


def validate_facet_values(facet: str, prefix: str, size: int, s: Settings) -> None:
    if facet not in FACET_FIELDS:
        raise InvalidRequest(
            "name", f"no facet {facet!r}: use one of {', '.join(FACET_FIELDS)}",
            "facet_not_found",
        )
    within("size", size, number_bounds(s)["size"])
    longest = text_lengths(s)["prefix"]
    if len(prefix) > longest:
        raise InvalidRequest("prefix", f"prefix has {len(prefix)} characters; the limit "
                             f"is {longest}")


def within(param: str, value: float, bound: Bound) -> None:
    if not bound.holds(value):
        raise InvalidRequest(param, f"{param} must be {bound.describe()}, not {value:g}")
