"""What a search asks for and what it answers, as plain records (no HTTP, no Whoosh)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from search.models import Article

SORTS = ("relevance", "newest", "oldest")
DATE_INTERVALS = ("year", "month")


@dataclass(frozen=True, slots=True)
class FacetKind:
    """One facet, in the one place facets are described: the name users give (a search
    parameter, ``/facets/{name}``, ``name:value`` in a query), the index column it reads,
    the ``Filters`` field holding its values, and how several of them combine."""

    name: str
    column: str
    filters_field: str
    # Values ORed (an article has one outlet: "any of these"), and so counted as if its
    # own filter were off; otherwise ANDed (articles mentioning all of them).
    any_of: bool = False


FACETS = (
    FacetKind("outlet", "outlet", "outlets", any_of=True),
    FacetKind("person", "people", "people"),
    FacetKind("organisation", "organisations", "organisations"),
    FacetKind("place", "places", "places"),
)
FACET_KINDS = {f.name: f for f in FACETS}
# Facet names users see, and the column each reads.
FACET_FIELDS = {f.name: f.column for f in FACETS}
FACET_COLUMNS = frozenset(FACET_FIELDS.values())


class InvalidRequest(ValueError):
    """A request outside the documented limits; ``param`` names the offending parameter."""

    def __init__(self, param: str, message: str, code: str = "invalid_parameter") -> None:
        super().__init__(message)
        self.param = param
        self.code = code


@dataclass(frozen=True, slots=True)
class Filters:
    """Entity values are ANDed (articles mentioning all); outlets are ORed."""

    people: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def values(self, facet: str) -> tuple[str, ...]:
        return getattr(self, FACET_KINDS[facet].filters_field)


@dataclass(frozen=True, slots=True)
class SearchRequest:
    q: str = ""
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 10
    facet_size: int = 10
    date_interval: str = "year"
    fragments: int = 3
    fragment_chars: int = 160
    # Blend recency into relevance: score * 0.5 ** (age_days / half_life). Off when None.
    recency_half_life_days: float | None = None


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True, slots=True)
class Facet:
    values: list[FacetValue]
    # More values matched than were returned.
    truncated: bool


@dataclass(frozen=True, slots=True)
class DateBucket:
    # "2020" or "2020-07"; None is the bucket of articles with no known date (always last).
    key: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Highlights:
    title: str
    body: list[str]
    # Fragments of the captions that matched; none when the query matched no caption
    # (a caption's opening, unlike the body's, says nothing about why the article came).
    captions: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ArticleView:
    """One article to read, with the words of the query that found it marked."""

    article: Article
    # The whole title and body, escaped, matches in <mark>; None without a query.
    title_marked: str | None = None
    body_marked: str | None = None
    captions_marked: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    article: Article
    score: float
    highlights: Highlights


@dataclass(frozen=True, slots=True)
class SearchPage:
    query: str
    total: int
    page: int
    page_size: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, Facet]
    dates: list[DateBucket]
    suggestion: str | None
    notes: list[str]
    sort: str
    filters: Filters
    date_interval: str = "year"
    # The query ran past its time budget: the results are what was found until then.
    timed_out: bool = False

    @property
    def total_pages(self) -> int:
        return -(-self.total // self.page_size) if self.page_size else 0


@dataclass(frozen=True, slots=True)
class Matches:
    """All matches of a search in order (an export), up to a limit, read as iterated."""

    total: int  # every match, also those past the limit
    articles: Iterator[Article]
    notes: list[str]
    timed_out: bool = False
