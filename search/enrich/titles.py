"""A title for every article: explicit, else the headline line, else the first sentence.

Result lists are scanned by title, so an article without one is nearly invisible.
Scraped files often open with the headline (and a standfirst) as short lines with no
closing full stop; when there is none, the first sentence, trimmed at a clause or word
boundary, reads better than an id.
"""

from __future__ import annotations

import re

MAX_TITLE_CHARS = 110
MAX_HEADLINE_WORDS = 22
# Below this share of the limit, a cut at a comma makes too short a title.
MIN_CLAUSE_CUT = 50

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep",
    "st", "jr", "sr", "inc", "corp", "co", "ltd", "no", "vs", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e",
}
_SENTENCE_END = re.compile(r"""[.!?]["')\]]?(?=\s+["'(\[]?[A-Z0-9])""")
_ENDS_SENTENCE = re.compile(r"""[.!?]["')\]]?$""")
_DATELINE_START = re.compile(r"^[A-Z][A-Z.'\- ]{2,40},")


def first_sentence(paragraph: str) -> str:
    """The first sentence, not fooled by "Mr." or "U.S." or initials."""
    for match in _SENTENCE_END.finditer(paragraph):
        before = paragraph[: match.start()].rsplit(None, 1)
        word = before[-1].lower().lstrip("\"'(") if before else ""
        if word in _ABBREVIATIONS or len(word) == 1:
            continue
        return paragraph[: match.end()].strip()
    return paragraph.strip()


def trim_title(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """Cut a long sentence at a clause, else at a word boundary, marking the cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    clause = max(head.rfind(", "), head.rfind("; "), head.rfind(" - "))
    cut = clause if clause >= MIN_CLAUSE_CUT else head.rfind(" ")
    if cut <= 0:
        cut = limit
    return text[:cut].rstrip(" ,;:-") + "\u2026"


def looks_like_headline(paragraphs: list[str]) -> bool:
    """A short opening line with no closing punctuation, followed by the story."""
    if len(paragraphs) < 2:
        return False
    first = paragraphs[0]
    return (
        len(first.split()) <= MAX_HEADLINE_WORDS
        and len(first) <= 2 * MAX_TITLE_CHARS
        and not _ENDS_SENTENCE.search(first)
        and not _DATELINE_START.match(first)
    )


def choose_title(explicit: str | None, paragraphs: list[str]) -> tuple[str, list[str]]:
    """The title and the body paragraphs left once a headline line is taken out."""
    if explicit and explicit.strip():
        return " ".join(explicit.split()), paragraphs
    if looks_like_headline(paragraphs):
        return trim_title(paragraphs[0]), paragraphs[1:]
    if paragraphs:
        return trim_title(first_sentence(paragraphs[0])), paragraphs
    return "", paragraphs
