"""Query-time name resolution: known variants resolve, nothing else does."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from search.enrich.entities.aliases import aliases_from_toml
from search.index.columns import FacetColumn
from search.query.names import QueryNames
from search.query.results import Filters

ALIASES = aliases_from_toml(
    '[organisations]\n"Collective Security Treaty Organization" = ["CSTO"]\n')


def column(*values: str) -> FacetColumn:
    return FacetColumn(tuple(sorted(values)), np.zeros(1, np.int64), np.zeros(0, np.int64))


def names(surfaces=()) -> QueryNames:
    return QueryNames(
        {"people": column("Nikol Pashinyan", "David Cameron", "Sergei Shoigu"),
         "places": column("Cameroon", "Yerevan"),
         "organisations": column("Collective Security Treaty Organization")},
        ALIASES, surfaces)


def test_a_transliteration_or_an_alias_names_the_canonical_value():
    found = names()
    people = found._columns["people"].values
    assert [people[i] for i in found.matching("people", "pashinian")] == ["Nikol Pashinyan"]
    assert people[found.exact("people", "Sergey Shoygu")] == "Sergei Shoigu"
    orgs = found._columns["organisations"].values
    assert orgs[found.exact("organisations", "CSTO")] == "Collective Security Treaty Organization"
    assert found.exact("places", "CSTO") is None  # an alias names a value of its own type


def test_filters_are_echoed_canonical_with_a_note():
    filters, notes = names().resolve_filters(Filters(people=("Nikol Pashinian",),
                                                     places=("Atlantis",)))
    assert filters.people == ("Nikol Pashinyan",) and filters.places == ("Atlantis",)
    assert notes == ["person=Nikol Pashinian is Nikol Pashinyan"]


def test_spellings_are_of_one_type_only():
    found = names([("Pashinian", "people"), ("Erevan", "places")])
    assert found.spellings("Pashinyan") == ["Pashinian"]  # as the names write it
    # One key ("cameron"), but a person and a country: neither is a spelling of the other.
    assert found.spellings("Cameron") == found.spellings("Cameroon") == []
    assert found.spellings("Yerevan") == ["Erevan"]
    assert found.spellings("pashinian pashinyan") == found.spellings("Lavrov") == []


@given(st.text(max_size=60))
def test_any_text_resolves_or_not_without_error(text):
    found = names([("Pashinian", "people")])
    for col in ("people", "places", "organisations", "outlet"):
        assert isinstance(found.matching(col, text), list)
        assert isinstance(found.with_prefix(col, text), list)
        found.exact(col, text)
    assert isinstance(found.spellings(text), list)
