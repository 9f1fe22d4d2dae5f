"""String rules for entity names that need no data: cleaning, matching keys, date tests.

Kept apart from the resolver so the aliases loader, the gazetteer and the resolver all
compute keys the same way: a variant in the aliases file only matches a mention if both
went through the very same ``clean_surface`` + ``name_key``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Typographic quotes and dashes vary between outlets ("Azerbaijan’s", "Nagorno–Karabakh");
# folding them first lets every later rule deal with plain ASCII punctuation only.
_PUNCT_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00ad": "",
    }
)

_WS = re.compile(r"\s+")
_EDGE_JUNK = " \"'()[]{}<>,;:!?*/|#=~^-"
_POSSESSIVE = re.compile(r"(?:'s|(?<=[sSzZ])')$")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
# NER spans sometimes run one token too far ("the Minsk Group of"): a name never ends in
# a lower-case function word.
_TRAILING_FUNCTION_WORD = re.compile(r"\s+(?:of|and|for|the|in|on|at|to|by|de|del|da)$")
_INITIALISM = re.compile(r"(?:^|\s)(?:[A-Za-z]\.){2,}$")
# Abbreviations whose final dot is part of the name; any other final dot is sentence end.
_DOTTED_ABBREVIATIONS = frozenset(
    {"co.", "corp.", "inc.", "ltd.", "jr.", "sr.", "bros.", "st.", "mt.", "ft.", "plc."}
)

_KEY_DROP = re.compile(r"['.]")
_KEY_SPLIT = re.compile(r"[^\w&+]+")

MONTHS = frozenset(
    {
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)
WEEKDAYS = frozenset(
    {
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
    }
)
_NUMBERISH = re.compile(r"^\d+(?:st|nd|rd|th|s)?$")
_LETTER = re.compile(r"[^\W\d_]")


# Tokens that never stand inside a name, so a span holding one is several names, or a
# name and a figure: a number ("Norwich 1 Wolverhampton", "J. Ratcliffe 63", "Kent 244",
# "Bevan 4-0-18-0", "+353"), a fixture's "v" ("St Johnstone v Airdrieonians"), a spaced
# dash (a headline's "BASEBALL - KEVIN BROWN"). A token with a digit after a letter
# ("A320", "COVID-19", "Army-2021") is part of a name and stays.
_BREAK_TOKEN = re.compile(r"^(?:[+(]?\d[\d.,:/+-]*(?:st|nd|rd|th|s|pct|%)?\)?|v|vs\.?|-+|--)$",
                          re.IGNORECASE)


def split_at_breaks(text: str) -> list[str]:
    """The names a span holds when it runs over a number, a "v" or a spaced dash; the
    span itself when it holds none (one token alone is never split)."""
    tokens = text.split(" ")
    if len(tokens) < 2 or not any(_BREAK_TOKEN.match(t) for t in tokens):
        return [text]
    parts: list[list[str]] = [[]]
    for token in tokens:
        if _BREAK_TOKEN.match(token):
            parts.append([])
        else:
            parts[-1].append(token)
    return [" ".join(p) for p in parts if p]


def strip_dates(text: str) -> str:
    """A month or weekday at either end of a place's or an organisation's span is the
    date it ran into ("Northampton May", "August National Association of ..."); a
    span of only dates is left to the drop rules."""
    tokens = text.split(" ")
    def dated(token: str) -> bool:
        word = token.strip(".,").lower()
        return word in MONTHS or word in WEEKDAYS
    while len(tokens) > 1 and dated(tokens[0]):
        tokens.pop(0)
    while len(tokens) > 1 and dated(tokens[-1]):
        tokens.pop()
    return " ".join(tokens)


def fold_text(text: str) -> str:
    """NFKC, plain quotes and dashes, single spaces: the form every other rule expects."""
    if not text.isascii():  # ASCII is already NFKC and has no typographic punctuation
        text = unicodedata.normalize("NFKC", text).translate(_PUNCT_FOLD)
    return _WS.sub(" ", text).strip()


def _cut_unbalanced_bracket(text: str) -> str:
    """``Azerbaijan (Press office`` -> ``Azerbaijan``: a span that opens a bracket it never
    closes ran into a caption credit, and the part before the bracket is the name."""
    for opening, closing in ("()", "[]"):
        idx = text.find(opening)
        if idx > 0 and closing not in text[idx:]:
            text = text[:idx]
    return text


def _strip_final_dot(text: str) -> str:
    if not text.endswith("."):
        return text
    last = text.rsplit(" ", 1)[-1].lower()
    if last in _DOTTED_ABBREVIATIONS or _INITIALISM.search(text):
        return text
    return text[:-1]


@lru_cache(maxsize=1 << 18)
def clean_surface(text: str) -> str:
    """Turn a raw mention into the name it stands for, without any knowledge of aliases.

    Strips what NER spans drag along (quotes, brackets, possessive "'s", a leading
    "the", a dangling "of") so that "the Kremlin's", "Kremlin" and "“Kremlin”" count as
    one name in the corpus statistics. Returns "" when nothing is left.
    """
    text = _cut_unbalanced_bracket(fold_text(text))
    previous = None
    while text != previous:
        previous = text
        text = text.strip(_EDGE_JUNK)
        text = _strip_final_dot(text)
        text = _POSSESSIVE.sub("", text)
        text = _LEADING_THE.sub("", text)
        text = _TRAILING_FUNCTION_WORD.sub("", text)
    return text


def fold_accents(text: str) -> str:
    """Strip diacritics ("Erdoğan" -> "Erdogan"): outlets differ in whether they keep them."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1 << 18)
def name_key(text: str) -> str:
    """Case-, accent- and punctuation-blind identity of a name.

    "U.S." and "US", "Nagorno-Karabakh" and "Nagorno Karabakh", "Erdoğan" and "Erdogan"
    get the same key. Used for alias lookup and for counting a name in the corpus.
    """
    text = _KEY_DROP.sub("", fold_accents(fold_text(text)).casefold())
    return " ".join(part for part in _KEY_SPLIT.split(text) if part)


# Digraphs that romanisation systems spell differently: Dzhokhar/Jokhar, Tchaikovsky/
# Chaikovsky, Zakharova/Zaharova, Aleksandr/Alexandr ("ks" only before a vowel: Marks).
_DIGRAPHS = re.compile(r"dzh|tch|kh|ph|ks(?=[aeiou])")
_DIGRAPH_REPLACEMENTS = {"dzh": "j", "tch": "ch", "kh": "h", "ph": "f", "ks": "x"}
_TRANSLIT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^ye"), "e"),
    # German umlaut spellings: Mueller/Müller, Schroeder/Schröder.
    (re.compile(r"(?<=[^aeiou])([uo])e(?=[^aeiou])"), r"\1"),
    # Slavic/Armenian "y" next to a vowel or at the end is an "i" in other systems
    # (Pashinyan/Pashinian, Shoygu/Shoigu, Sergey/Sergei, Zelensky/Zelenskiy); a "y"
    # between consonants (Smyth, Flynn) is an English spelling and is kept.
    (re.compile(r"y(?=[aeiou])|(?<=[aeiou])y|y$"), "i"),
)
_DOUBLED = re.compile(r"(\w)\1+")


@lru_cache(maxsize=1 << 18)
def translit_token(token: str) -> str:
    """One token of ``translit_key`` (cached: tokens such as first names repeat a lot)."""
    token = _DOUBLED.sub(r"\1", token)
    token = _DIGRAPHS.sub(lambda m: _DIGRAPH_REPLACEMENTS[m.group()], token)
    if "y" in token or "e" in token:
        for pattern, replacement in _TRANSLIT_RULES:
            token = pattern.sub(replacement, token)
    return _DOUBLED.sub(r"\1", token)


@lru_cache(maxsize=1 << 18)
def translit_key(key: str) -> str:
    """Spelling-blind key of a ``name_key``: equal for transliteration variants.

    Names from Russian, Armenian or Azerbaijani reach English news in several
    romanisations; this folds the usual differences (y/i, kh/h, doubled letters, ...)
    so the variants can be grouped without a fuzzy comparison of every pair.
    """
    return " ".join(translit_token(token) for token in key.split())


def is_date_or_number(key: str) -> bool:
    """True for keys that are only numbers, months, weekdays: dates NER mislabels."""
    tokens = key.split()
    if not tokens or not _LETTER.search(key):
        return True
    return all(t in MONTHS or t in WEEKDAYS or _NUMBERISH.match(t) for t in tokens)


def has_capital(text: str) -> bool:
    """Proper nouns carry a capital; a mention without one ("cts") is not a name.

    Scripts without case (CJK, Arabic) pass, since the test says nothing there.
    """
    return text.lower() != text or text.upper() == text


def is_shouting(text: str) -> bool:
    """All-caps forms ("MOSCOW" in a dateline) make poor display names."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) > 4 and all(ch.isupper() for ch in letters)
