"""The search page's state lives in its URL: the links that change it keep everything else."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from api.pagestate import PageState, read_url


def params(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_blank_form_fields_are_not_given():
    state = PageState.from_params({"q": "oil", "person": ["", "Ann Lee", "  "], "date_from": ""})
    assert state.pairs == [("q", "oil"), ("person", "Ann Lee")]
    assert state.as_params() == {"q": "oil", "person": "Ann Lee"}


def test_repeated_values_come_back_as_a_list_in_order():
    state = PageState([("person", "B"), ("q", "x"), ("person", "A"), ("person", "C")])
    assert state.as_params() == {"person": ["B", "A", "C"], "q": "x"}


def test_adding_a_filter_keeps_the_rest_and_returns_to_page_one():
    state = PageState([("q", "grain"), ("place", "China"), ("page", "3"), ("sort", "newest")])
    assert params(state.adding("person", "Ann Lee & Co")) == [
        ("q", "grain"), ("place", "China"), ("sort", "newest"), ("person", "Ann Lee & Co")]
    # A value already applied is not added twice.
    assert params(state.adding("place", "China")) == state.pairs


def test_removing_one_value_or_a_whole_parameter():
    state = PageState([("q", "x"), ("place", "A"), ("place", "B"), ("page", "2")])
    assert params(state.removing("place", "A")) == [("q", "x"), ("place", "B")]
    assert params(state.removing("place")) == [("q", "x")]


def test_setting_the_page_keeps_it_and_other_settings_drop_it():
    state = PageState([("q", "x"), ("page", "2")])
    assert params(state.setting(page=5)) == [("q", "x"), ("page", "5")]
    assert params(state.setting(sort="oldest")) == [("q", "x"), ("sort", "oldest")]
    assert params(state.setting(q=None)) == []
    assert PageState([]).url() == "/"


def test_chips_remove_exactly_their_filter():
    state = PageState([("q", "x"), ("person", "Ann"), ("outlet", "Wire"),
                       ("date_from", "1987-03"), ("date_to", "1987-03")])
    chips = {c.label: params(c.remove_url) for c in state.chips()}
    assert chips == {
        "person: Ann": [("q", "x"), ("outlet", "Wire"), ("date_from", "1987-03"),
                        ("date_to", "1987-03")],
        "outlet: Wire": [("q", "x"), ("person", "Ann"), ("date_from", "1987-03"),
                         ("date_to", "1987-03")],
        "date: 1987-03": [("q", "x"), ("person", "Ann"), ("outlet", "Wire")],
    }
    assert [c.label for c in PageState([("date_to", "1990")]).chips()] == ["date: … to 1990"]


def test_export_links_keep_the_selection_and_order_but_not_the_paging():
    state = PageState([("q", "x"), ("place", "A"), ("page", "4"), ("page_size", "50"),
                       ("sort", "newest"), ("fragments", "2")])
    url = state.export_url("csv")
    assert urlsplit(url).path == "/export"
    assert params(url) == [("q", "x"), ("place", "A"), ("sort", "newest"), ("format", "csv")]


def test_article_links_encode_every_character_of_an_id():
    assert read_url("wire/2024 a&b?c#d%e+é", "oil prices") == (
        "/read/wire%2F2024%20a%26b%3Fc%23d%25e%2B%C3%A9?q=oil+prices")
    assert read_url("plain") == "/read/plain"
