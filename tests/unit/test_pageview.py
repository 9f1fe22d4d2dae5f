"""What the search page draws: histogram bars, facet boxes, the pager."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from api.pagestate import PageState
from api.pageview import (
    CHART_HEIGHT,
    VISIBLE_VALUES,
    by_year_if_long,
    facet_panels,
    histogram,
    pager,
)
from search.query.results import DateBucket, Facet, FacetValue, Filters, SearchPage


def page_of(total=0, page=1, page_size=10, facets=None, filters=None) -> SearchPage:
    filters = filters or Filters()
    return SearchPage(query="", total=total, page=page, page_size=page_size, took_ms=1.0,
                      hits=[], facets=facets or {}, dates=[], suggestion=None, notes=[],
                      sort="relevance", filters=filters)


def test_months_stay_months_up_to_two_years_and_are_summed_by_year_beyond():
    short = [DateBucket("1987-02", 3), DateBucket("1988-12", 4), DateBucket(None, 1)]
    assert by_year_if_long(short) == (short, "month")
    long = [DateBucket("1987-02", 3), DateBucket("1987-11", 2), DateBucket("1989-02", 4),
            DateBucket(None, 1)]
    assert by_year_if_long(long) == (
        [DateBucket("1987", 5), DateBucket("1989", 4), DateBucket(None, 1)], "year")
    assert by_year_if_long([DateBucket(None, 2)]) == ([DateBucket(None, 2)], "year")


def test_bars_scale_to_the_largest_bucket_and_link_to_their_period():
    state = PageState([("q", "oil"), ("page", "2")])
    chart = histogram([DateBucket("1987", 10), DateBucket("1988", 5), DateBucket(None, 2)],
                      "year", state)
    tall, half, undated = chart.bars
    assert tall.height == CHART_HEIGHT - 2 and tall.y == 2
    assert abs(half.height - (CHART_HEIGHT - 2) / 2) < 0.01
    assert parse_qsl(urlsplit(half.href).query) == [
        ("q", "oil"), ("date_from", "1988"), ("date_to", "1988")]
    assert undated.href is None and undated.label == "no date"
    assert chart.summary == "Articles by year, 1987 to 1988"
    assert histogram([], "year", state) is None


def test_facets_put_selected_values_first_and_show_a_selected_value_not_counted():
    counted = Facet([FacetValue(f"v{i}", 20 - i, False) for i in range(12)], truncated=True)
    filters = Filters(outlets=("v11", "Elsewhere"))
    panel = facet_panels(page_of(facets={"outlet": counted}, filters=filters),
                         PageState([("outlet", "v11"), ("outlet", "Elsewhere")]))[0]
    assert panel.name == "outlet" and panel.any_of and panel.truncated
    assert [(o.value, o.count, o.selected) for o in panel.options[:2]] == [
        ("v11", 9, True), ("Elsewhere", None, True)]
    assert panel.visible == VISIBLE_VALUES
    # A selected value's link removes it; another's adds it.
    assert parse_qsl(urlsplit(panel.options[0].toggle_url).query) == [("outlet", "Elsewhere")]
    assert ("outlet", "v0") in parse_qsl(urlsplit(panel.options[2].toggle_url).query)
    assert len({o.box_id for o in panel.options}) == len(panel.options)


def test_the_pager_shows_the_ends_and_the_neighbours_of_the_current_page():
    state = PageState([("q", "x")])
    links = pager(page_of(total=95, page=5), state, max_result_window=10_000)
    assert [link.label for link in links] == [
        "Previous", "1", "…", "3", "4", "5", "6", "7", "…", "10", "Next"]
    assert [link.label for link in links if link.current] == ["5"]
    assert pager(page_of(total=10), state, 10_000) == []
    # Only pages inside the result window are offered.
    window = pager(page_of(total=10_000, page=1, page_size=100), state, max_result_window=500)
    assert [link.label for link in window][-2:] == ["5", "Next"]
