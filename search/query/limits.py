"""Every limit of a request, in one table, with its default: read by the library's own
checks (``validation``) and by the API's schemas, so the two cannot disagree.

The bounds that operators may change come from ``Settings``; the rest are fixed here.
Defaults are the ``SearchRequest`` dataclass's.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields

from search.query.results import SearchRequest
from search.settings import Settings

# A fragment shorter than this shows hardly a word around its match.
MIN_FRAGMENT_CHARS = 20
# A recency half-life over a thousand years is no blending at all.
MAX_HALF_LIFE_DAYS = 365_000
# A facet value prefix (autocomplete) longer than any name it could complete.
MAX_PREFIX_CHARS = 200
FACET_VALUES_DEFAULT_SIZE = 10
# An article id written through the API (path or body).
MAX_ID_CHARS = 500
# The query language's own limits: terms (words, phrases, names) and nesting levels.
MAX_QUERY_TERMS = 1024
MAX_QUERY_DEPTH = 20


@dataclass(frozen=True, slots=True)
class Bound:
    low: float
    high: float
    low_inclusive: bool = True

    def holds(self, value: float) -> bool:
        above = value >= self.low if self.low_inclusive else value > self.low
        return above and value <= self.high

    def describe(self) -> str:
        low = f"{self.low:g}" if self.low_inclusive else f"above {self.low:g}"
        return f"between {low} and {self.high:g}"


def number_bounds(s: Settings) -> dict[str, Bound]:
    """Numeric parameters of a search (and ``size`` of facet values)."""
    return {
        "page": Bound(1, s.max_result_window),  # and page * page_size <= the window
        "page_size": Bound(1, s.max_page_size),
        "facet_size": Bound(0, s.max_facet_size),
        "fragments": Bound(0, s.max_fragments),
        "fragment_chars": Bound(MIN_FRAGMENT_CHARS, s.max_fragment_chars),
        "recency_half_life_days": Bound(0, MAX_HALF_LIFE_DAYS, low_inclusive=False),
        "size": Bound(1, s.max_facet_size),
    }


def text_lengths(s: Settings) -> dict[str, int]:
    """The longest accepted text parameters, in characters."""
    return {"q": s.max_query_chars, "prefix": MAX_PREFIX_CHARS}


def default(name: str):
    """A search parameter's default, as ``SearchRequest`` declares it."""
    for f in fields(SearchRequest):
        if f.name == name:
            return None if f.default is MISSING else f.default
    if name == "size":
        return FACET_VALUES_DEFAULT_SIZE
    raise KeyError(name)
