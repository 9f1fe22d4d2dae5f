"""The query side end to end over one small, hand-written index.

Twelve articles with known outlets, dates (one unknown) and editor-assigned entities
(extractor "none", so those are the only entities), which makes every expected hit
set and every facet count computable from ``ARTICLES`` itself.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from search.index.build import build_index
from search.query.filters import parse_period
from search.query.results import Filters, InvalidRequest, SearchRequest
from search.query.searcher import Searcher
from search.settings import Settings

ARTICLES = [
    {
        "id": "a01", "title": "Pipeline talks in Baku", "date": "2019-03-10", "outlet": "Reuters",
        "body": "Energy ministers met in Baku to discuss the gas pipeline. The pipeline would "
        "carry gas to Europe by next winter.",
        "people": ["Ilham Aliyev"], "organisations": ["SOCAR"], "places": ["Azerbaijan", "Europe"],
    },
    {
        "id": "a02", "title": "Pipeline delayed again", "date": "2020-01-15", "outlet": "TASS",
        "body": "The pipeline project was delayed by a dispute over transit fees, officials in "
        "Moscow said on Wednesday.",
        "people": ["Vladimir Putin"], "organisations": ["Gazprom"], "places": ["Russia"],
    },
    {
        "id": "a03", "title": "Leaders gather for climate summit", "date": "2020-06-01",
        "outlet": "Associated Press",
        "body": "World leaders arrived for the climate summit where emissions targets will "
        "dominate the agenda.",
        "people": ["Vladimir Putin", "Angela Merkel"], "organisations": ["United Nations"],
        "places": ["Germany", "Russia"],
    },
    {
        "id": "a04", "title": "Ministers prepare talks", "date": "2020-06-15", "outlet": "Reuters",
        "body": "Ministers said climate policy at the next summit would wait for a later "
        "meeting of the group.",
        "people": ["Angela Merkel"], "organisations": ["European Union"], "places": ["Germany"],
    },
    {
        "id": "a05", "title": "Vaccine trial results published", "date": "2020-06-30",
        "outlet": "Daily Planet",
        "body": "Researchers published results of a vaccine trial involving thousands of "
        "volunteers across Europe.",
        "people": ["Ugur Sahin"], "organisations": ["BioNTech", "European Union"],
        "places": ["Germany", "Europe"],
    },
    {
        "id": "a06", "title": "Hospitals brace for winter", "date": "2020-07-01",
        "outlet": "Daily Planet",
        "body": "Hospitals are preparing for a difficult winter while the vaccine rollout "
        "continues in several countries.",
        "people": ["Lucía Méndez"], "organisations": ["World Health Organization"],
        "places": ["Europe"],
    },
    {
        "id": "a07", "title": "Harvest season begins", "date": "2020-12-31", "outlet": "TASS",
        "body": "Farmers in the south started work early this year and expect good weather "
        "for grain crops overall.",
        "people": [], "organisations": [], "places": ["Russia"],
    },
    {
        "id": "a08", "title": "Farm report from the south", "date": "2021-02-02",
        "outlet": "Associated Press",
        "body": "Farmers in the north started the harvest early this year and expect fair "
        "weather for most crops.",
        "people": [], "organisations": [], "places": ["Ukraine"],
    },
    {
        # a09 and a10: same length and title; "turbine" twice in a09 (older), once in a10.
        "id": "a09", "title": "Energy output news", "date": "2018-05-05", "outlet": "Reuters",
        "body": "A wind turbine factory opened near the coast and a second turbine plant is "
        "planned for spring.",
        "people": ["Vladimir Putin", "Ilham Aliyev"], "organisations": ["Gazprom"],
        "places": ["Russia", "Azerbaijan"],
    },
    {
        "id": "a10", "title": "Energy output news", "date": "2021-05-05", "outlet": "Reuters",
        "body": "A wind turbine factory opened near the coast and a second solar plant is "
        "planned for spring.",
        "people": ["Vladimir Putin"], "organisations": [], "places": ["Russia"],
    },
    {
        "id": "a11", "title": "Election campaign opens", "outlet": "Daily Planet",  # no date
        "body": "Candidates opened the election campaign as electoral officials checked lists "
        "of elected councils.",
        "people": ["Angela Merkel"], "organisations": [], "places": ["Germany"],
    },
    {
        "id": "a12", "title": "Quiet week for markets", "date": "2021-05-05",
        "outlet": "Associated Press",
        "body": "Markets were calm this week with little news from central banks & the "
        "pipeline sector.",
        "people": [], "organisations": ["European Central Bank"], "places": [],
    },
]
BY_ID = {a["id"]: a for a in ARTICLES}
ALL_IDS = set(BY_ID)
# Facet name in requests and responses -> key of the fixture records.
FACET_KEYS = {"outlet": "outlet", "person": "people", "organisation": "organisations",
              "place": "places"}


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("search-index")
    source = root / "articles.jsonl"
    write_jsonl(source, ARTICLES)
    settings = Settings(index_dir=root / "index", extractor="none", build_processes=1)
    report = build_index([source], settings)
    assert report.indexed == len(ARTICLES), report.summary()
    return settings


@pytest.fixture(scope="module")
def searcher(settings) -> Searcher:
    searcher = Searcher(settings)
    yield searcher
    searcher.close()


def search(searcher: Searcher, q: str = "", **kwargs):
    kwargs.setdefault("page_size", 100)
    return searcher.search(SearchRequest(q=q, **kwargs))


def ids(page) -> list[str]:
    return [hit.article.id for hit in page.hits]


def hit_set(searcher: Searcher, q: str = "", **kwargs) -> set[str]:
    page = search(searcher, q, **kwargs)
    found = ids(page)
    assert len(found) == len(set(found)) == page.total
    return set(found)


def truth(facet: str, matched: set[str]) -> Counter:
    """Facet counts computed from the fixture records of ``matched``."""
    key = FACET_KEYS[facet]
    counts: Counter = Counter()
    for doc_id in matched:
        value = BY_ID[doc_id][key]
        counts.update([value] if isinstance(value, str) else set(value))
    return counts


def counts_of(facet) -> dict[str, int]:
    return {v.value: v.count for v in facet.values}


def date_of(doc_id: str) -> dt.date | None:
    value = BY_ID[doc_id].get("date")
    return dt.date.fromisoformat(value) if value else None


# -- the fixture index is what the records say ---------------------------------------------


def test_articles_are_stored_with_their_editor_entities(searcher):
    for record in ARTICLES:
        article = searcher.article(record["id"])
        assert article is not None
        assert (article.title, article.body, article.outlet) == (
            record["title"], record["body"], record["outlet"]
        )
        assert article.date == date_of(record["id"])
        for key in ("people", "organisations", "places"):
            assert getattr(article, key) == record[key], (record["id"], key)


def test_article_by_id_absent(searcher):
    assert searcher.article("a99") is None
    assert searcher.article("") is None


# -- boolean logic ------------------------------------------------------------------------


def test_words_are_anded_by_default(searcher):
    assert hit_set(searcher, "pipeline") == {"a01", "a02", "a12"}
    assert hit_set(searcher, "pipeline europe") == {"a01"}
    assert hit_set(searcher, "pipeline AND europe") == {"a01"}



def test_no_full_match_relaxes_to_most_words_and_says_so(searcher):
    page = search(searcher, "pipeline hospitals")
    hits = {h.article.id for h in page.hits}
    assert hits == hit_set(searcher, "pipeline OR hospitals")
    assert any("no article contains all 2 words" in n for n in page.notes)
    strict = search(searcher, "pipeline europe")
    assert not strict.notes


def test_or(searcher):
    assert hit_set(searcher, "pipeline OR vaccine") == {"a01", "a02", "a12", "a05", "a06"}
    assert hit_set(searcher, "(pipeline OR vaccine) europe") == {"a01", "a05"}


def test_not_and_minus(searcher):
    assert hit_set(searcher, "pipeline -europe") == {"a02", "a12"}
    assert hit_set(searcher, "pipeline NOT europe") == {"a02", "a12"}
    assert hit_set(searcher, "-pipeline") == ALL_IDS - {"a01", "a02", "a12"}
    assert hit_set(searcher, "pipeline -(europe OR moscow)") == {"a12"}


def test_blank_query_matches_everything(searcher):
    assert hit_set(searcher, "") == ALL_IDS
    assert hit_set(searcher, "   ") == ALL_IDS


def test_only_stop_words_match_nothing(searcher):
    assert hit_set(searcher, "the") == set()


# -- phrases, fields, prefix, fuzzy ----------------------------------------------------------


def test_phrase_needs_adjacent_words(searcher):
    # a03 has "climate summit"; a04 has "climate policy at the next summit".
    assert hit_set(searcher, "climate summit") == {"a03", "a04"}
    assert hit_set(searcher, '"climate summit"') == {"a03"}
    assert hit_set(searcher, '"summit climate"') == set()


def test_phrase_slop_allows_words_between(searcher):
    assert hit_set(searcher, '"climate summit"~1') == {"a03"}
    assert hit_set(searcher, '"climate summit"~6') == {"a03", "a04"}


def test_title_and_body_fields(searcher):
    assert hit_set(searcher, "title:pipeline") == {"a01", "a02"}
    assert hit_set(searcher, "body:pipeline") == {"a01", "a02", "a12"}
    assert hit_set(searcher, "title:harvest") == {"a07"}
    assert hit_set(searcher, "body:harvest") == {"a08"}


def test_outlet_field(searcher):
    assert hit_set(searcher, "outlet:reuters") == {"a01", "a04", "a09", "a10"}
    assert hit_set(searcher, 'outlet:"associated press"') == {"a03", "a08", "a12"}
    assert hit_set(searcher, "outlet:press") == {"a03", "a08", "a12"}  # a word of the name


def test_entity_fields_match_canonical_names_by_a_part(searcher):
    putin = {a["id"] for a in ARTICLES if "Vladimir Putin" in a["people"]}
    assert hit_set(searcher, "person:putin") == putin
    assert hit_set(searcher, "person:PUTIN") == putin
    assert hit_set(searcher, 'person:"vladimir putin"') == putin
    assert hit_set(searcher, "person:mendez") == {"a06"}  # accents folded
    assert hit_set(searcher, 'organisation:"european union"') == {"a04", "a05"}
    assert hit_set(searcher, 'organization:"european union"') == {"a04", "a05"}
    assert hit_set(searcher, "place:germany -person:merkel") == {"a05"}
    assert hit_set(searcher, "person:nobody") == set()


def test_prefix(searcher):
    assert hit_set(searcher, "pipe*") == {"a01", "a02", "a12"}
    assert hit_set(searcher, "elect*") == {"a11"}
    assert hit_set(searcher, "title:harv*") == {"a07"}


def test_prefix_marks_every_expanded_word(searcher):
    (hit,) = search(searcher, "elect*").hits
    body = " ".join(hit.highlights.body)
    for word in ("election", "electoral", "elected"):
        assert f"<mark>{word}</mark>" in body


def test_fuzzy(searcher):
    assert hit_set(searcher, "harvst~1") == {"a07", "a08"}
    assert hit_set(searcher, "harvst~") == {"a07", "a08"}
    assert hit_set(searcher, "vacine~2") == {"a05", "a06"}
    assert hit_set(searcher, "harvst") == set()


def test_fuzzy_finds_the_correctly_spelt_word(searcher):
    assert hit_set(searcher, "election~1") == {"a11"}


def test_prefix_of_a_whole_word_finds_it(searcher):
    assert hit_set(searcher, "vaccine*") == {"a05", "a06"}


def test_too_short_prefix_is_an_invalid_query(searcher):
    with pytest.raises(InvalidRequest) as err:
        search(searcher, "p*")
    assert err.value.param == "q" and err.value.code == "query_too_broad"


# -- ranking -------------------------------------------------------------------------------


def test_title_match_outranks_body_only_match(searcher):
    # a07 has "harvest" in its title only, a08 in its body only; a08 is the newer one.
    page = search(searcher, "harvest")
    assert ids(page) == ["a07", "a08"]
    assert page.hits[0].score > page.hits[1].score


def test_higher_term_frequency_outranks_lower_at_equal_length(searcher):
    # a09 (two "turbine") is older than a10 (one), so date tie-breaking cannot explain it.
    page = search(searcher, "turbine")
    assert ids(page) == ["a09", "a10"]
    assert page.hits[0].score > page.hits[1].score


def test_equal_scores_break_ties_newest_first(searcher):
    page = search(searcher, "energy output")
    assert ids(page) == ["a10", "a09"]
    assert page.hits[0].score == page.hits[1].score


# -- sorting ----------------------------------------------------------------------------------


def expected_by_date(matched: set[str], newest: bool) -> list[str]:
    known = sorted((i for i in matched if date_of(i)), key=date_of, reverse=newest)
    return known + sorted(i for i in matched if not date_of(i))


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sort_by_date_puts_unknown_dates_last(searcher, sort):
    page = search(searcher, "", sort=sort)
    got = ids(page)
    assert got[-1] == "a11"  # the only article without a date
    dates = [date_of(i) for i in got[:-1]]
    assert dates == sorted(dates, reverse=(sort == "newest"))
    assert set(got) == ALL_IDS


def test_sort_newest_of_a_query(searcher):
    page = search(searcher, "pipeline OR election OR vaccine", sort="newest")
    matched = {"a01", "a02", "a12", "a11", "a05", "a06"}
    assert ids(page) == expected_by_date(matched, newest=True)


def test_sort_oldest_of_a_query(searcher):
    page = search(searcher, "pipeline OR election OR vaccine", sort="oldest")
    matched = {"a01", "a02", "a12", "a11", "a05", "a06"}
    assert ids(page) == expected_by_date(matched, newest=False)


# -- filters ----------------------------------------------------------------------------------


def test_entity_filter_values_are_anded(searcher):
    both = Filters(people=("Vladimir Putin", "Angela Merkel"))
    assert hit_set(searcher, filters=both) == {"a03"}
    one = Filters(people=("Angela Merkel",))
    assert hit_set(searcher, filters=one) == {"a03", "a04", "a11"}
    places = Filters(places=("Russia", "Azerbaijan"))
    assert hit_set(searcher, filters=places) == {"a09"}


def test_filters_of_different_facets_are_anded(searcher):
    filters = Filters(people=("Vladimir Putin",), organisations=("Gazprom",))
    assert hit_set(searcher, filters=filters) == {"a02", "a09"}
    filters = Filters(people=("Vladimir Putin",), outlets=("TASS",))
    assert hit_set(searcher, filters=filters) == {"a02"}


def test_outlet_filter_values_are_ored(searcher):
    filters = Filters(outlets=("TASS", "Daily Planet"))
    expected = {a["id"] for a in ARTICLES if a["outlet"] in ("TASS", "Daily Planet")}
    assert hit_set(searcher, filters=filters) == expected


def test_unknown_filter_value_matches_nothing(searcher):
    assert hit_set(searcher, filters=Filters(people=("Nobody Known",))) == set()
    assert hit_set(searcher, filters=Filters(outlets=("Nowhere Gazette",))) == set()


def test_filters_combine_with_the_query(searcher):
    filters = Filters(outlets=("Reuters",))
    assert hit_set(searcher, "energy", filters=filters) == {"a01", "a09", "a10"}
    assert hit_set(searcher, "pipeline", filters=filters) == {"a01"}


def expected_between(start: dt.date | None, end: dt.date | None) -> set[str]:
    return {
        i for i in ALL_IDS
        if date_of(i) is not None
        and (start is None or date_of(i) >= start)
        and (end is None or date_of(i) <= end)
    }


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        ("2020", "2020", {"a02", "a03", "a04", "a05", "a06", "a07"}),
        ("2020-06", "2020-06", {"a03", "a04", "a05"}),
        ("2020-06-15", "2020-06-30", {"a04", "a05"}),
        ("2020-06-30", "2020-07-01", {"a05", "a06"}),
        ("2020-12-31", "2020-12-31", {"a07"}),
        ("2021-05-05", "2021", {"a10", "a12"}),
    ],
)
def test_date_filters_are_inclusive(searcher, low, high, expected):
    start, end = parse_period(low, end=False), parse_period(high, end=True)
    assert expected_between(start, end) == expected  # the table itself is right
    filters = Filters(date_from=start, date_to=end)
    assert hit_set(searcher, filters=filters) == expected


def test_open_ended_date_filters_exclude_unknown_dates(searcher):
    later = Filters(date_from=parse_period("2021", end=False))
    assert hit_set(searcher, filters=later) == {"a08", "a10", "a12"}
    earlier = Filters(date_to=parse_period("2019", end=True))
    assert hit_set(searcher, filters=earlier) == {"a01", "a09"}


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("2020", False, dt.date(2020, 1, 1)),
        ("2020", True, dt.date(2020, 12, 31)),
        ("2020-06", False, dt.date(2020, 6, 1)),
        ("2020-06", True, dt.date(2020, 6, 30)),
        ("2020-02", True, dt.date(2020, 2, 29)),
        ("2021-02", True, dt.date(2021, 2, 28)),
        ("2020-12", True, dt.date(2020, 12, 31)),
        ("2020-06-15", False, dt.date(2020, 6, 15)),
        ("2020-06-15", True, dt.date(2020, 6, 15)),
        (" 2020-06 ", False, dt.date(2020, 6, 1)),
    ],
)
def test_parse_period(text, end, expected):
    assert parse_period(text, end=end) == expected


@pytest.mark.parametrize(
    "text",
    ["", "  ", "20", "20201", "abcd", "2020-13", "2020-00", "2020-06-31", "2020-02-30",
     "2020/06/15", "June 2020", "2020-06-15-01", "0000", "2020-xx", "15-06-2020"],
)
@pytest.mark.parametrize("end", [False, True])
def test_parse_period_rejects_bad_input(text, end):
    with pytest.raises(ValueError, match="YYYY"):
        parse_period(text, end=end)


# -- facets --------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["", "pipeline OR vaccine OR summit", "energy", "-pipeline"])
def test_facets_count_all_matches_not_the_page(searcher, q):
    matched = hit_set(searcher, q)
    page = search(searcher, q, page_size=1, facet_size=100)
    assert len(page.hits) == min(1, len(matched)) and page.total == len(matched)
    for facet in FACET_KEYS:
        assert counts_of(page.facets[facet]) == dict(truth(facet, matched)), facet
        assert not page.facets[facet].truncated
        assert not any(v.selected for v in page.facets[facet].values)


def test_facets_are_ordered_by_count_then_name(searcher):
    page = search(searcher, "", page_size=1, facet_size=100)
    for facet in page.facets.values():
        keys = [(-v.count, v.value) for v in facet.values]
        assert keys == sorted(keys)


def test_facets_respect_date_filters(searcher):
    filters = Filters(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 12, 31))
    page = search(searcher, "", page_size=1, facet_size=100, filters=filters)
    matched = expected_between(filters.date_from, filters.date_to)
    for facet in FACET_KEYS:
        assert counts_of(page.facets[facet]) == dict(truth(facet, matched)), facet


def test_entity_facets_respect_every_filter_and_flag_the_selected_value(searcher):
    filters = Filters(people=("Angela Merkel",))
    page = search(searcher, "", page_size=1, facet_size=100, filters=filters)
    matched = {"a03", "a04", "a11"}
    for facet in FACET_KEYS:
        assert counts_of(page.facets[facet]) == dict(truth(facet, matched)), facet
    flags = {v.value: v.selected for v in page.facets["person"].values}
    assert flags == {"Angela Merkel": True, "Vladimir Putin": False}


def test_outlet_facet_is_disjunctive(searcher):
    filters = Filters(outlets=("Reuters",))
    page = search(searcher, "", page_size=1, facet_size=100, filters=filters)
    reuters = {a["id"] for a in ARTICLES if a["outlet"] == "Reuters"}
    assert page.total == len(reuters)
    # Other outlets are counted as if the outlet filter were off ...
    assert counts_of(page.facets["outlet"]) == dict(truth("outlet", ALL_IDS))
    selected = [v.value for v in page.facets["outlet"].values if v.selected]
    assert selected == ["Reuters"]
    # ... while entity facets count only what the filters let through.
    for facet in ("person", "organisation", "place"):
        assert counts_of(page.facets[facet]) == dict(truth(facet, reuters)), facet


def test_outlet_facet_respects_the_other_filters(searcher):
    filters = Filters(outlets=("Reuters",), people=("Vladimir Putin",))
    page = search(searcher, "", page_size=1, facet_size=100, filters=filters)
    putin = {a["id"] for a in ARTICLES if "Vladimir Putin" in a["people"]}
    assert counts_of(page.facets["outlet"]) == dict(truth("outlet", putin))
    assert page.total == len({"a09", "a10"})


def test_selected_value_with_no_matches_still_shows(searcher):
    page = search(searcher, "vaccine", filters=Filters(outlets=("TASS",)))
    assert page.total == 0
    outlets = {v.value: (v.count, v.selected) for v in page.facets["outlet"].values}
    assert outlets == {"Daily Planet": (2, False), "TASS": (0, True)}
    page = search(searcher, "", filters=Filters(people=("Nobody Known",)))
    assert [(v.value, v.count, v.selected) for v in page.facets["person"].values] == [
        ("Nobody Known", 0, True)
    ]


def test_selected_value_outside_the_top_is_added(searcher):
    page = search(searcher, "", facet_size=1, filters=Filters(outlets=("TASS",)))
    values = [(v.value, v.count, v.selected) for v in page.facets["outlet"].values]
    assert values == [("Reuters", 4, False), ("TASS", 2, True)]


@pytest.mark.parametrize("value", ["vladimir putin", "Putin", "VLADIMIR PUTIN"])
def test_filter_value_in_another_case_selects_the_canonical_value_once(searcher, value):
    # Fixed: the filter matched "Vladimir Putin", but the facet listed it twice, once
    # unselected and once selected (compared with the raw filter text).
    page = search(searcher, "", facet_size=100, filters=Filters(people=(value,)))
    assert page.total == 4
    putin = [v for v in page.facets["person"].values if v.value == "Vladimir Putin"]
    assert [(v.count, v.selected) for v in putin] == [(4, True)]
    assert len(page.facets["person"].values) == len({v.value for v in page.facets["person"].values})


def test_facet_size_and_truncated(searcher):
    places = truth("place", ALL_IDS)
    ranked = sorted(places, key=lambda v: (-places[v], v))
    page = search(searcher, "", page_size=1, facet_size=0)
    assert all(not facet.values for facet in page.facets.values())
    for size in (1, 2, len(ranked) - 1, len(ranked), len(ranked) + 5):
        facet = search(searcher, "", page_size=1, facet_size=size).facets["place"]
        assert [v.value for v in facet.values] == ranked[:size]
        assert [v.count for v in facet.values] == [places[v] for v in ranked[:size]]
        assert facet.truncated == (size < len(ranked)), size


# -- date histogram ------------------------------------------------------------------------


def test_date_histogram_by_year(searcher):
    page = search(searcher, "", page_size=1, date_interval="year")
    years = Counter(str(date_of(i).year) for i in ALL_IDS if date_of(i))
    assert [(b.key, b.count) for b in page.dates] == [*sorted(years.items()), (None, 1)]
    assert sum(b.count for b in page.dates) == page.total


def test_date_histogram_by_month(searcher):
    page = search(searcher, "", page_size=1, date_interval="month")
    months = Counter(date_of(i).strftime("%Y-%m") for i in ALL_IDS if date_of(i))
    assert [(b.key, b.count) for b in page.dates] == [*sorted(months.items()), (None, 1)]
    assert ("2020-06", 3) in [(b.key, b.count) for b in page.dates]
    assert sum(b.count for b in page.dates) == page.total


def test_date_histogram_follows_the_query_and_filters(searcher):
    page = search(searcher, "pipeline OR election", page_size=1,
                  filters=Filters(outlets=("TASS", "Daily Planet", "Associated Press")))
    # a02 (TASS, 2020), a11 (Daily Planet, no date), a12 (AP, 2021); a01 is Reuters.
    assert [(b.key, b.count) for b in page.dates] == [("2020", 1), ("2021", 1), (None, 1)]
    assert sum(b.count for b in page.dates) == page.total == 3


def test_date_histogram_without_unknown_dates_has_no_none_bucket(searcher):
    page = search(searcher, "pipeline", page_size=1)
    assert [(b.key, b.count) for b in page.dates] == [("2019", 1), ("2020", 1), ("2021", 1)]


# -- pagination ----------------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
@pytest.mark.parametrize("q", ["", "pipeline OR energy OR vaccine OR farmers OR election"])
@pytest.mark.parametrize("page_size", [1, 2, 5])
def test_pages_partition_the_results(searcher, sort, q, page_size):
    everything = search(searcher, q, sort=sort)
    pages = []
    number = 1
    while True:
        page = search(searcher, q, sort=sort, page=number, page_size=page_size)
        assert page.total == everything.total and page.page == number
        if not page.hits:
            break
        assert len(page.hits) == min(page_size, everything.total - (number - 1) * page_size)
        pages.extend(ids(page))
        number += 1
    assert number - 1 == -(-everything.total // page_size)
    assert pages == ids(everything)
    assert len(pages) == len(set(pages)) == everything.total


def test_page_past_the_end_is_empty(searcher):
    page = search(searcher, "pipeline", page=5, page_size=10)
    assert page.total == 3 and page.hits == []


# -- limits ---------------------------------------------------------------------------------


def invalid(searcher: Searcher, **kwargs) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as err:
        searcher.search(SearchRequest(**kwargs))
    return err.value


def test_page_size_limits(searcher, settings):
    assert invalid(searcher, page_size=0).param == "page_size"
    assert invalid(searcher, page_size=-1).param == "page_size"
    assert invalid(searcher, page_size=settings.max_page_size + 1).param == "page_size"
    assert search(searcher, page_size=settings.max_page_size).total == len(ARTICLES)


def test_result_window_limits_the_page(settings):
    small = Searcher(replace(settings, max_result_window=20))
    try:
        assert small.search(SearchRequest(page=2, page_size=10)).hits  # 2 * 10 <= 20
        assert small.search(SearchRequest(page=20, page_size=1)).hits == []
        for page, size in ((3, 10), (21, 1), (2, 15), (0, 10)):
            with pytest.raises(InvalidRequest) as err:
                small.search(SearchRequest(page=page, page_size=size))
            assert err.value.param == "page", (page, size)
    finally:
        small.close()


def test_default_result_window(searcher, settings):
    last = settings.max_result_window // 100
    assert search(searcher, page=last, page_size=100).hits == []
    assert invalid(searcher, page=last + 1, page_size=100).param == "page"


def test_query_length_limit(searcher, settings):
    longest = "pipeline".ljust(settings.max_query_chars)
    assert search(searcher, longest).total == 3  # at the limit: accepted
    err = invalid(searcher, q=longest + " ")
    assert (err.param, err.code) == ("q", "query_too_long")


def test_filter_value_limits(searcher, settings):
    many = tuple(f"Name {i}" for i in range(settings.max_filter_values + 1))
    assert invalid(searcher, filters=Filters(people=many)).param == "person"
    assert invalid(searcher, filters=Filters(organisations=many)).param == "organisation"
    assert invalid(searcher, filters=Filters(places=many)).param == "place"
    assert invalid(searcher, filters=Filters(outlets=many)).param == "outlet"
    enough = many[: settings.max_filter_values]
    assert search(searcher, filters=Filters(outlets=enough)).total == 0


def test_date_range_must_be_ordered(searcher):
    filters = Filters(date_from=dt.date(2021, 1, 1), date_to=dt.date(2020, 12, 31))
    assert invalid(searcher, filters=filters).param == "date_from"
    same_day = Filters(date_from=dt.date(2020, 6, 15), date_to=dt.date(2020, 6, 15))
    assert hit_set(searcher, filters=same_day) == {"a04"}


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"sort": "best"}, "sort"),
        ({"sort": ""}, "sort"),
        ({"date_interval": "week"}, "date_interval"),
        ({"facet_size": -1}, "facet_size"),
        ({"facet_size": 101}, "facet_size"),
        ({"fragments": 6}, "fragments"),
        ({"fragment_chars": 19}, "fragment_chars"),
        ({"fragment_chars": 501}, "fragment_chars"),
        ({"recency_half_life_days": 0}, "recency_half_life_days"),
        ({"recency_half_life_days": -5}, "recency_half_life_days"),
    ],
)
def test_other_parameter_limits(searcher, kwargs, param):
    assert invalid(searcher, **kwargs).param == param


@pytest.mark.parametrize("q", ['"unclosed', "(pipeline", "pipeline)", "id:a01", "pipeline OR",
                               "word~3", "*pipe", "NOT", "date:2020"])
def test_syntax_errors_are_invalid_q(searcher, q):
    err = invalid(searcher, q=q)
    assert (err.param, err.code) == ("q", "query_syntax")
    assert str(err)


# -- did you mean ----------------------------------------------------------------------------


def test_misspelt_word_gets_a_suggestion_that_finds_hits(searcher):
    page = search(searcher, "vacine")
    assert page.total == 0
    assert page.suggestion == "vaccine"
    assert search(searcher, page.suggestion).total == 2


def test_suggestion_keeps_the_rest_of_the_query(searcher):
    page = search(searcher, "vacine trial")
    # No article has both words: the results are relaxed, and the suggestion is offered.
    assert any("no article contains all" in n for n in page.notes)
    assert page.suggestion == "vaccine trial"
    assert hit_set(searcher, page.suggestion) == {"a05"}
    assert search(searcher, "campaing").suggestion == "campaign"


@pytest.mark.parametrize("q", ["vaccine", "baku", "wind", "pipeline", "harvest"])
def test_correct_query_gets_no_suggestion(searcher, q):
    page = search(searcher, q)
    assert page.total > 0
    assert page.suggestion is None


def test_suggestion_is_not_offered_when_it_finds_nothing_under_the_filters(searcher):
    page = search(searcher, "vacine", filters=Filters(outlets=("TASS",)))
    assert page.total == 0
    assert page.suggestion is None


# -- facet values (autocomplete) ---------------------------------------------------------------


def document_frequency(facet: str) -> Counter:
    return truth(facet, ALL_IDS)


def test_facet_values_prefix_matches_a_word_inside_the_name(searcher):
    people = document_frequency("person")
    facet = searcher.facet_values("person", "put", 10)
    assert [(v.value, v.count, v.selected) for v in facet.values] == [
        ("Vladimir Putin", people["Vladimir Putin"], False)
    ]
    assert [v.value for v in searcher.facet_values("person", "vlad", 10).values] == [
        "Vladimir Putin"
    ]


def test_facet_values_are_case_insensitive(searcher):
    lower = searcher.facet_values("organisation", "euro", 10)
    upper = searcher.facet_values("organisation", "EURO", 10)
    assert lower == upper
    orgs = document_frequency("organisation")
    assert [(v.value, v.count) for v in lower.values] == [
        ("European Union", orgs["European Union"]),
        ("European Central Bank", orgs["European Central Bank"]),
    ]


def test_facet_values_counts_are_document_frequencies(searcher):
    for facet in FACET_KEYS:
        frequencies = document_frequency(facet)
        values = searcher.facet_values(facet, "", 100)
        assert counts_of(values) == dict(frequencies), facet
        assert not values.truncated


def test_facet_values_size_limit(searcher):
    places = document_frequency("place")
    ranked = sorted(places, key=lambda v: (-places[v], v))
    facet = searcher.facet_values("place", "", 2)
    assert [v.value for v in facet.values] == ranked[:2]
    assert facet.truncated
    assert searcher.facet_values("place", "zzz", 5).values == []


def test_facet_values_limits(searcher, settings):
    with pytest.raises(InvalidRequest) as err:
        searcher.facet_values("colour", "", 10)
    assert err.value.param == "name"
    for size in (0, settings.max_facet_size + 1):
        with pytest.raises(InvalidRequest) as err:
            searcher.facet_values("person", "", size)
        assert err.value.param == "size"
    with pytest.raises(InvalidRequest) as err:
        searcher.facet_values("person", "x" * (settings.max_query_chars + 1), 10)
    assert err.value.param == "prefix"


def test_facet_values_ignore_accents_like_queries_do(searcher):
    assert [v.value for v in searcher.facet_values("person", "mendez", 10).values] == [
        "Lucía Méndez"
    ]


# -- highlights in hits ----------------------------------------------------------------------


def test_hits_carry_escaped_highlights(searcher):
    (hit,) = search(searcher, "markets pipeline").hits
    assert hit.highlights.title == "Quiet week for <mark>markets</mark>"
    body = " ".join(hit.highlights.body)
    assert "<mark>Markets</mark>" in body and "<mark>pipeline</mark>" in body
    assert "banks &amp; the" in body


def test_fragments_parameters_are_honoured(searcher):
    (hit,) = search(searcher, "markets", fragments=0).hits
    assert hit.highlights.body == []
    (hit,) = search(searcher, "markets", fragments=2, fragment_chars=20).hits
    assert 1 <= len(hit.highlights.body) <= 2
    for fragment in hit.highlights.body:
        text = html.unescape(fragment.replace("<mark>", "").replace("</mark>", ""))
        assert len(text.strip("\u2026")) <= 20


# -- recency -----------------------------------------------------------------------------------


def test_recency_is_off_by_default(searcher):
    assert SearchRequest().recency_half_life_days is None
    page = search(searcher, "turbine")
    assert ids(page) == ["a09", "a10"]  # tf wins; a09 is three years older


def test_recency_blending_lets_newer_hits_win(searcher):
    plain = search(searcher, "turbine")
    blended = search(searcher, "turbine", recency_half_life_days=30)
    assert ids(blended) == ["a10", "a09"]
    # The newest article in the index (a10) keeps its score; older ones lose.
    assert blended.hits[0].score == pytest.approx(plain.hits[1].score, rel=1e-3)
    assert blended.hits[1].score < plain.hits[0].score


def test_recency_separates_equal_relevance_hits(searcher):
    plain = search(searcher, "energy output")
    assert plain.hits[0].score == plain.hits[1].score
    blended = search(searcher, "energy output", recency_half_life_days=365)
    assert ids(blended) == ["a10", "a09"]
    assert blended.hits[0].score > blended.hits[1].score
    # Three years at a one-year half-life: an eighth of the score.
    assert blended.hits[1].score == pytest.approx(blended.hits[0].score / 8, rel=0.01)


def test_recency_treats_unknown_dates_as_the_oldest(searcher):
    raw = {h.article.id: h.score for h in search(searcher, "election OR pipeline").hits}
    blended = search(searcher, "election OR pipeline", recency_half_life_days=3650)
    factors = {h.article.id: h.score / raw[h.article.id] for h in blended.hits}
    dated = {h.article.id: h.article.date for h in blended.hits if h.article.date}
    assert "a11" in factors and "a11" not in dated
    # As old as the oldest article in the archive: never above any dated hit's factor.
    assert factors["a11"] <= min(f for i, f in factors.items() if i in dated) + 1e-6
    assert factors["a11"] < 1.0


# -- reloading ---------------------------------------------------------------------------------


def test_searcher_picks_up_a_new_generation_without_being_recreated(tmp_path):
    source = tmp_path / "articles.jsonl"
    write_jsonl(source, [ARTICLES[0], ARTICLES[1]])
    settings = Settings(index_dir=tmp_path / "index", extractor="none", build_processes=1,
                        reload_check_seconds=0)
    build_index([source], settings)
    searcher = Searcher(settings)
    try:
        assert hit_set(searcher, "pipeline") == {"a01", "a02"}
        assert searcher.article("a12") is None
        first = searcher.status()["generation"]
        write_jsonl(source, [ARTICLES[0], ARTICLES[11]])
        build_index([source], settings)
        assert hit_set(searcher, "pipeline") == {"a01", "a12"}
        assert searcher.article("a02") is None
        assert searcher.article("a12") is not None
        status = searcher.status()
        assert status["generation"] != first and status["articles"] == 2
        assert counts_of(search(searcher, "").facets["outlet"]) == {
            "Reuters": 1, "Associated Press": 1
        }
    finally:
        searcher.close()


def test_phrase_highlights_mark_the_phrase_not_its_words_elsewhere(searcher):
    page = search(searcher, '"turbine factory"', fragments=1, fragment_chars=400)
    assert {h.article.id for h in page.hits} == {"a09", "a10"}
    a09 = next(h for h in page.hits if h.article.id == "a09")
    (fragment,) = a09.highlights.body
    assert "<mark>turbine</mark> <mark>factory</mark>" in fragment
    assert "second turbine plant" in fragment  # the lone "turbine" is not marked


def test_a_phrase_with_slop_marks_its_words_where_they_stand_near_each_other(searcher):
    # a04: "climate policy at the next summit" (summit is 4 positions after climate).
    page = search(searcher, '"climate summit"~6', fragments=1, fragment_chars=400)
    (fragment,) = next(h for h in page.hits if h.article.id == "a04").highlights.body
    assert "<mark>climate</mark> policy at the next <mark>summit</mark>" in fragment
    # Too far apart for ~1: a04 does not match, and a03's adjacent words are marked.
    (hit,) = search(searcher, '"climate summit"~1', fragments=1).hits
    assert "<mark>climate</mark> <mark>summit</mark>" in hit.highlights.body[0]


def test_a_field_query_marks_only_that_field(searcher):
    (hit,) = search(searcher, "title:harvest", fragments=1).hits
    assert hit.highlights.title == "<mark>Harvest</mark> season begins"
    (hit,) = search(searcher, "body:harvest", fragments=1).hits
    assert hit.highlights.title == "Farm report from the south"
    assert "the <mark>harvest</mark> early" in hit.highlights.body[0]
    a01 = next(h for h in search(searcher, "body:pipeline", fragments=1).hits
               if h.article.id == "a01")
    assert "<mark>" not in a01.highlights.title
    assert "<mark>pipeline</mark>" in a01.highlights.body[0]


def test_a_query_past_its_time_budget_answers_with_what_it_found(settings, monkeypatch):
    from dataclasses import replace as replaced

    words = "pipeline vaccine turbine harvest election markets climate summit"
    full = search(Searcher(settings), words)  # more than four words: any of them, summed
    assert not full.timed_out
    clock = iter(range(0, 10_000))  # from here on, each look at the clock is a second later
    monkeypatch.setattr("search.query.evaluate.time.monotonic", lambda: next(clock))
    searcher = Searcher(replaced(settings, query_budget_ms=3_500))
    try:
        page = search(searcher, words)
        assert page.timed_out
        assert any("time budget" in n for n in page.notes)
        assert 0 < page.total < full.total  # the first terms' articles, not nothing
    finally:
        searcher.close()


# -- ranking details that a mutation of the code must not get past ------------------------


def test_a_shorter_text_outranks_a_longer_one_with_the_same_count(tmp_path):
    # BM25's length normalisation: with it off, both would score the same.
    source = tmp_path / "lengths.jsonl"
    filler = " ".join(f"word{i}" for i in range(60))
    write_jsonl(source, [
        {"id": "short", "title": "Note", "body": "A zanzibar note."},
        {"id": "long", "title": "Note", "body": f"A zanzibar note. {filler}"},
    ])
    settings = Settings(index_dir=tmp_path / "index", extractor="none", build_processes=1)
    build_index([source], settings)
    searcher = Searcher(settings)
    try:
        page = search(searcher, "zanzibar")
        assert ids(page) == ["short", "long"]
        assert page.hits[0].score > page.hits[1].score
    finally:
        searcher.close()


def test_phrase_slop_counts_the_words_between_exactly(searcher):
    # a04: "climate policy at the next summit": two indexed words between (at and the
    # are stop words), so ~2 is the least slop that finds it.
    assert "a04" in hit_set(searcher, '"climate summit"~2')
    assert "a04" not in hit_set(searcher, '"climate summit"~1')


def test_a_prefix_scores_the_best_of_its_expansions_not_their_sum(searcher):
    # a11 holds "election" and "electoral", two expansions of elect*.
    def score(q: str) -> float:
        return next(h.score for h in search(searcher, q).hits if h.article.id == "a11")

    assert score("elect*") == pytest.approx(max(score("election"), score("electoral")))
    assert score("elect*") < score("election") + score("electoral")


def test_recency_counts_age_from_the_newest_article_not_from_today(searcher):
    # A closed archive (Reuters 1987) aged from today would scale every score to zero
    # alike; aged from its newest article, that article keeps its whole score.
    plain = {h.article.id: h.score for h in search(searcher, "energy output").hits}
    blended = {h.article.id: h.score for h in
               search(searcher, "energy output", recency_half_life_days=1).hits}
    assert blended["a10"] == pytest.approx(plain["a10"])  # 2021-05-05, the newest dated
    assert blended["a09"] < plain["a09"] / 1000  # three years older


def test_a_tiny_half_life_keeps_only_the_newest_without_overflow_warnings(searcher):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "overflow encountered in divide" would fail here
        # The least float above 0: every age over it overflows.
        blended = search(searcher, "turbine", recency_half_life_days=5e-324)
    assert ids(blended)[0] == "a10"
    assert blended.hits[1].score == 0.0
