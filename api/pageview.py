"""What the search page shows, computed from a ``SearchPage`` and the URL's state.

The templates only lay out what this module decides: which facet values get a box and
which are under "show more", the histogram's bars and their links, the pager's pages.
Kept apart from the Falcon resources so it is tested without HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.pagestate import PageState
from search.models import ENTITY_TYPES, Article
from search.query.results import FACETS, DateBucket, SearchPage

FACET_TITLES = {"outlet": "Outlets", "person": "People", "organisation": "Organisations",
                "place": "Places"}
# An article's entity list -> the facet (search parameter) that filters by it.
ENTITY_FACETS = dict(zip(ENTITY_TYPES, ("person", "organisation", "place"), strict=True))
# Values shown at once per facet; the rest (up to the page's facet size) under "show more".
VISIBLE_VALUES = 8
# The page asks for this many values per facet unless the URL says otherwise.
PAGE_FACET_SIZE = 30
# Matches spread over up to this many months are drawn by month, longer spans by year.
MONTHS_SHOWN = 24
# A bar is never wider than this (of CHART_WIDTH), so one bucket is not one slab.
WIDEST_BAR = 60
PAGER_RADIUS = 2
# Room a "YYYY-MM" label takes under a bar, in the chart's units.
LABEL_WIDTH = 50
# The histogram's drawing box (the SVG's viewBox; CSS scales it to the column).
CHART_WIDTH, CHART_HEIGHT = 900, 90


@dataclass(frozen=True, slots=True)
class FacetOption:
    value: str
    count: int | None  # None: a selected value outside the counted top values
    selected: bool
    toggle_url: str
    box_id: str


@dataclass(frozen=True, slots=True)
class FacetPanel:
    name: str
    title: str
    options: list[FacetOption]
    visible: int  # how many options show before "show more"
    truncated: bool
    any_of: bool


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    href: str | None  # None: the bar of undated articles, which no filter selects


@dataclass(frozen=True, slots=True)
class AxisLabel:
    text: str
    x: float
    anchor: str  # SVG text-anchor: start, middle or end


@dataclass(frozen=True, slots=True)
class Histogram:
    bars: list[Bar]
    interval: str
    labels: list[AxisLabel]
    summary: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT


@dataclass(frozen=True, slots=True)
class PagerLink:
    label: str
    href: str | None  # None: a gap ("…")
    current: bool = False


def by_year_if_long(buckets: list[DateBucket]) -> tuple[list[DateBucket], str]:
    """Month buckets as they are when they span at most ``MONTHS_SHOWN`` months, else
    summed by year: the page asks for months and draws whichever reads better, with one
    query instead of a second one at the other interval."""
    dated = [b.key for b in buckets if b.key]
    if not dated:
        return buckets, "year"
    first, last = (int(dated[0][:4]), int(dated[0][5:7])), (int(dated[-1][:4]), int(dated[-1][5:7]))
    months = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    if months <= MONTHS_SHOWN:
        return buckets, "month"
    years: dict[str | None, int] = {}
    for bucket in buckets:
        key = bucket.key[:4] if bucket.key else None
        years[key] = years.get(key, 0) + bucket.count
    return [DateBucket(key, count) for key, count in years.items()], "year"


def facet_panels(page: SearchPage, state: PageState) -> list[FacetPanel]:
    panels = []
    for kind in FACETS:
        facet = page.facets.get(kind.name)
        counted = facet.values if facet else []
        chosen = page.filters.values(kind.name)
        options = [(v.value, v.count, v.value in chosen) for v in counted]
        listed = {v.value for v in counted}
        options += [(value, None, True) for value in chosen if value not in listed]
        # Selected values first, so a chosen outlet is never hidden under "show more".
        options.sort(key=lambda o: not o[2])
        panels.append(FacetPanel(
            name=kind.name, title=FACET_TITLES[kind.name],
            options=[
                FacetOption(value, count, selected,
                            state.removing(kind.name, value) if selected
                            else state.adding(kind.name, value),
                            f"{kind.name}-{i}")
                for i, (value, count, selected) in enumerate(options)
            ],
            visible=max(VISIBLE_VALUES, sum(1 for o in options if o[2])),
            truncated=bool(facet and facet.truncated),
            any_of=kind.any_of,
        ))
    return panels


def histogram(buckets: list[DateBucket], interval: str, state: PageState) -> Histogram | None:
    """Bars scaled to the largest bucket; a dated bar links to its year or month."""
    if not buckets:
        return None
    width, height = CHART_WIDTH, CHART_HEIGHT
    top = max(b.count for b in buckets) or 1
    step = min(width / len(buckets), WIDEST_BAR)
    gap = min(2.0, step * 0.2)
    bars = []
    for i, bucket in enumerate(buckets):
        h = max(1.0, bucket.count / top * (height - 2))
        label = bucket.key or "no date"
        bars.append(Bar(
            label=label, count=bucket.count, x=round(i * step, 2), y=round(height - h, 2),
            width=round(step - gap, 2), height=round(h, 2),
            href=(state.setting(date_from=bucket.key, date_to=bucket.key)
                  if bucket.key else None),
        ))
    dated = [b.key for b in buckets if b.key]
    summary = (f"Articles by {interval}, {dated[0]} to {dated[-1]}" if dated
               else "No article has a date")
    return Histogram(bars=bars, interval=interval, labels=_axis(bars), summary=summary)


def _axis(bars: list[Bar]) -> list[AxisLabel]:
    """Every bar's label when they fit under it, otherwise the first and the last."""
    if bars[0].width >= LABEL_WIDTH:
        return [AxisLabel(b.label, round(b.x + b.width / 2, 2), "middle") for b in bars]
    first, last = bars[0], bars[-1]
    labels = [AxisLabel(first.label, first.x, "start")]
    if len(bars) > 1:
        labels.append(AxisLabel(last.label, round(last.x + last.width, 2), "end"))
    return labels


def pager(page: SearchPage, state: PageState, max_result_window: int) -> list[PagerLink]:
    """Previous, first, a few around the current one, last reachable, next."""
    last = min(page.total_pages, max(1, max_result_window // page.page_size))
    if last <= 1:
        return []
    current = min(page.page, last)
    shown = sorted({1, last, *range(max(1, current - PAGER_RADIUS),
                                    min(last, current + PAGER_RADIUS) + 1)})
    links = []
    if current > 1:
        links.append(PagerLink("Previous", state.setting(page=current - 1)))
    previous = 0
    for number in shown:
        if number - previous > 1:
            links.append(PagerLink("…", None))
        links.append(PagerLink(str(number), state.setting(page=number), number == current))
        previous = number
    if current < last:
        links.append(PagerLink("Next", state.setting(page=current + 1)))
    return links


@dataclass(frozen=True, slots=True)
class EntityLink:
    facet: str
    name: str
    href: str


def entity_links(article: Article, state: PageState) -> list[EntityLink]:
    """An article's entities, each a link that adds it as a filter to the search."""
    return [EntityLink(ENTITY_FACETS[kind], name, state.adding(ENTITY_FACETS[kind], name))
            for kind in ENTITY_TYPES for name in getattr(article, kind)]
