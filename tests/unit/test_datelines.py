"""Datelines: the place a story was filed from is a place of the article."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.enrich.entities.datelines import dateline_places

LOC = "places"


@pytest.mark.parametrize(("body", "places"), [
    ("LONDON 1996-08-30 West Indian all-rounder Phil Simmons", ["London"]),
    ("MOSCOW, Russia \u2014 Moscow on Saturday accused", ["Moscow", "Russia"]),
    ("MOSCOW, July 16. /TASS/. Russian Deputy Foreign Minister", ["Moscow"]),
    ("NICE , France 1996-08-30 Results", ["Nice", "France"]),
    ("ST. LOUIS 1996-08-30 Ron Gant", ["St. Louis"]),
    ("BAKU (Reuters) - Azerbaijan said", ["Baku"]),
])
def test_a_dateline_city_and_region_are_places(body, places):
    assert dateline_places(f"Title\n\n{body}") == [(p, LOC) for p in places]


@pytest.mark.parametrize("text", [
    "SOCCER - ENGLISH LEAGUE RESULTS .\n\nResults of English soccer matches",  # a title
    "Title\n\nTHE END - of the talks came on Friday.",  # a single hyphen: a headline's
    "Title\n\nNATO said on Friday it would meet.",
    "Title\n\nFirst.\n\nSecond.\n\nThird.\n\nLONDON 1996-08-30 too deep in the text",
])
def test_no_dateline_no_place(text):
    assert dateline_places(text) == []


@given(st.text(max_size=200))
def test_any_text_without_error(text):
    assert all(etype == LOC and name for name, etype in dateline_places(text))


def test_a_datelines_wire_credit_is_not_a_mention():
    from search.enrich.entities.datelines import with_dateline

    text = "Title\n\nBAKU (Reuters) - Azerbaijan said Reuters was wrong."
    mentions = [("Reuters", "organisations"), ("Azerbaijan", LOC), ("Reuters", "organisations")]
    assert with_dateline(text, mentions) == [
        ("Baku", LOC), ("Azerbaijan", LOC), ("Reuters", "organisations")]
    assert with_dateline("Title\n\nNo dateline.", mentions) == mentions
