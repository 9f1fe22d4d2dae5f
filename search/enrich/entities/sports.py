"""Teams in sports results: a place name with a score after it is a club.

Wire copy carries results and standings as plain lines ("Norwich 1 Wolverhampton 0",
"Somerset 83 and 174 , Leicestershire 296 .", "NEW YORK 75 59 .560 -", "Birmingham v
Barnsley"). There "Norwich" and "NEW YORK" are teams, organisations, whatever the model
or the corpus vote says the name is elsewhere: so, in that article only, they are typed
organisations (the city keeps its type everywhere else). National sides named as their
country are not retyped: the aliases file pins a country's type, and the resolver keeps
pinned types.

Across the corpus, a name that stands as a team in some article and is no known place
(``places``: "Leicestershire", "Deportivo Coruna", not "Chicago") is a club in every
article (``EntityResolver.observe_teams``). Teams the model did not mention at all are
added, as organisations. A line counts as results when it holds two names each followed
by a score, or one name followed by two numbers or more (a standings row), or a fixture
("X v Y"). In prose a name is rarely followed by a bare number, and never twice a line.
"""

from __future__ import annotations

import re

from search.enrich.entities.names import clean_surface, name_key

# A run of capitalised words (a team's name), then a score: "Port Vale 2", "Kent 108-3".
_TEAM_SCORE = re.compile(
    r"(?<![\w.])((?:[A-Z][\w'&.]*(?:-[A-Z][\w'&.]*)*)(?: (?:[A-Z][\w'&.]*|de|of))*?)"
    r" (\d{1,3}(?:-\d{1,2})?)(?= |$)"
)
# A standings row: a name, then two numbers or more ("CHICAGO 72 64 .529 9").
_STANDINGS = re.compile(r"^((?:[A-Z][\w'&.]*)(?: [A-Z][\w'&.]*)*) \d{1,3} \d{1,3}(?: |$)")
_FIXTURE = re.compile(
    r"((?:[A-Z][\w'&.]*)(?: [A-Z][\w'&.]*)*) v ((?:[A-Z][\w'&.]*)(?: [A-Z][\w'&.]*)*)")
_INITIAL = re.compile(r"^[A-Z]\.")
# Words that start a results line without being a team ("Result", "Scores").
_NOT_TEAMS = frozenset({"result", "results", "score", "scores", "division", "group", "round",
                        "half", "time", "attendance", "points", "played", "halftime"})


def team_keys(text: str) -> frozenset[str]:
    """``name_key`` of every name that stands as a team in ``text``'s results lines."""
    return frozenset(teams(text))


def teams(text: str) -> dict[str, str]:
    """Every name that stands as a team in ``text``'s results lines: key -> as written."""
    keys: dict[str, str] = {}
    for line in text.split("\n"):
        line = line.strip()
        if not line or (not any(ch.isdigit() for ch in line) and " v " not in line):
            continue
        names = [m.group(1) for m in _TEAM_SCORE.finditer(line)]
        standing = _STANDINGS.match(line)
        if len(names) >= 2:
            found = names
        elif standing:
            found = [standing.group(1)]
        else:
            found = []
        for a, b in _FIXTURE.findall(line):
            found += [a, b]
        for name in found:
            key = name_key(clean_surface(name))
            if key and key.split()[0] not in _NOT_TEAMS:
                keys.setdefault(key, clean_surface(name))
    return keys


def with_teams(mentions: list[tuple[str, str]], found: dict[str, str]
               ) -> list[tuple[str, str]]:
    """The mentions, and the teams no mention names, as organisations: the model often
    misses a club in a table ("Tranmere", "Scunthorpe") that it reads in prose."""
    named = {name_key(clean_surface(surface)) for surface, _ in mentions}
    # An initial and a surname ("P. Simmons 4-38") is a player and his figures.
    missing = [(surface, "organisations") for key, surface in found.items()
               if key not in named and not _INITIAL.match(surface)]
    return mentions + missing
