"""Teams in results lines: organisations in that article, not the city elsewhere."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from search.enrich.entities.aliases import aliases_from_toml, bundled_text
from search.enrich.entities.canonical import EntityResolver
from search.enrich.entities.sports import team_keys, teams, with_teams

PER, ORG, LOC = "people", "organisations", "places"
RESULTS = ("Division one\nBradford 1 Tranmere 0\nHuddersfield 1 Crystal Palace 1\n"
           "Postponed : Birmingham v Barnsley\n"
           "Somerset 83 and 174 ( P. Simmons 4-38 ) , Leicestershire 296 .\n"
           "NEW YORK 75 59 .560 -\n")


def test_results_lines_name_teams():
    assert team_keys(RESULTS) == {"bradford", "tranmere", "huddersfield", "crystal palace",
                                  "birmingham", "barnsley", "somerset", "p simmons",
                                  "leicestershire", "new york"}


def test_prose_with_numbers_names_no_team():
    prose = ("The Kremlin said 40 people died in 3 towns.\nPutin met Aliyev on August 12 .\n"
             "Boeing sold 12 jets to Armenia in 2020.")
    assert team_keys(prose) == frozenset()


def test_a_team_is_an_organisation_in_its_article_only():
    data = bundled_text()
    lists = aliases_from_toml(data[data.index("\n[ignore]"):], "lists")
    pinned = aliases_from_toml('[places]\n"Russia" = []\n' + data[data.index("\n[ignore]"):])
    news = [("Chicago", LOC), ("Chicago", LOC), ("Phil Simmons", PER)]
    table = [("Chicago", LOC), ("Russia", LOC), ("Phil Simmons", PER)]
    for aliases in (lists, pinned):
        resolver = EntityResolver(aliases)
        resolver.observe(news)
        resolver.observe(table)
        found = resolver.resolve(table, teams=frozenset({"chicago", "russia", "phil simmons"}))
        assert "Chicago" in found[ORG] and "Phil Simmons" in found[PER]
        assert "Chicago" in resolver.resolve(news)[LOC]
    assert "Russia" in found[LOC]  # a national side: the aliases pin the country's type


def test_teams_the_model_missed_are_added_but_not_players():
    mentions = with_teams([("Bradford", LOC)], teams(RESULTS))
    added = {surface for surface, etype in mentions[1:] if etype == ORG}
    assert {"Tranmere", "Crystal Palace", "NEW YORK"} <= added
    assert "P. Simmons" not in added and "Bradford" not in added


@given(st.text(max_size=300))
def test_any_text_yields_teams_without_error(text):
    assert all(isinstance(k, str) and k for k in team_keys(text))


def test_a_team_that_is_no_known_place_is_a_club_everywhere():
    data = bundled_text()
    lists = aliases_from_toml(data[data.index("\n[ignore]"):], "lists")
    prose = [("Leicestershire", PER), ("Chicago", LOC)]
    resolver = EntityResolver(lists)
    resolver.observe(prose)
    resolver.observe_teams(team_keys("Leicestershire 296 , Chicago 83 ."))
    found = resolver.resolve(prose)  # an article without results lines
    assert found[ORG] == ["Leicestershire"] and found[LOC] == ["Chicago"]
    again = EntityResolver.from_dict(resolver.to_dict(), lists)
    assert again.resolve(prose) == found
