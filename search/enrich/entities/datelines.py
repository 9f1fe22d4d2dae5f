"""The place of a dateline: "LONDON 1996-08-30", "MOSCOW, Russia —", "NICE , France".

A wire story opens with where it was filed, in capitals, and the small model reads a
line in capitals poorly (it found "LONDON" in some CoNLL articles and not in others).
A dateline is a place by the conventions of the trade, so its city (and the region or
country after it) are added as place mentions. Only the opening paragraphs of the body
are looked at, and a city counts only when a dateline's ending follows it (a date, a
wire's name in brackets, a long dash), so a headline such as "SOCCER - RESULTS" (a title,
never looked at) or a shouted sentence is not taken for one.
"""

from __future__ import annotations

import re
import string

# Paragraphs of the body (after the title) a dateline may open.
DATELINE_PARAGRAPHS = 3
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE = re.compile(
    r"^(?P<city>[A-Z][A-Z.'\-]+(?: [A-Z][A-Z.'\-]+){0,3})"
    r"(?:\s?,\s?(?P<region>(?!" + _MONTH + r"\s)[A-Z][a-z][A-Za-z.'\-]*"
    r"(?: [A-Z][a-z][A-Za-z.'\-]*){0,2}))?"
    r"(?:\s+\d{4}-\d{2}-\d{2}\b|\s?,\s?" + _MONTH + r"\s+\d{1,2}\b"
    r"|\s*\((?P<credit>Reuters|AP|AFP|TASS|Xinhua|dpa|UPI)\)|\s+(?:[\u2014\u2013]|--)\s)"
)


def dateline_places(text: str) -> list[tuple[str, str]]:
    """Place mentions of the dateline opening ``text``'s body (the text after its first
    paragraph, the title), in the order written."""
    match = _dateline(text)
    if match is None:
        return []
    places = [(string.capwords(match.group("city").lower()), "places")]
    if match.group("region"):
        places.append((match.group("region"), "places"))
    return places


def with_dateline(text: str, mentions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The dateline's places, then the mentions without the dateline's wire credit: the
    "(Reuters)" of "BAKU (Reuters) -" says who filed the story, not what it is about (a
    later "Reuters reported" is a mention like any other)."""
    match = _dateline(text)
    if match is None:
        return mentions
    credit = match.group("credit")
    if credit:
        for i, (surface, _) in enumerate(mentions):
            if surface == credit:
                mentions = mentions[:i] + mentions[i + 1:]
                break
    return dateline_places(text) + mentions


def _dateline(text: str) -> re.Match[str] | None:
    paragraphs = [p.strip() for p in text.split("\n\n")]
    body = [line.strip() for p in paragraphs[1:] for line in p.split("\n") if line.strip()]
    for line in body[:DATELINE_PARAGRAPHS]:
        match = _DATELINE.match(line)
        if match:
            return match
    return None
