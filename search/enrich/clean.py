"""Turn a raw article body into clean paragraphs.

Scraped and wire text carries things readers do not want to search or read: site
chrome after the article (sign-in prompts, "read more:" lists), photo captions in the
middle, hard-wrapped wire lines, typographic quotes that make "Aliyev’s" and
"Aliyev's" different strings. Everything here is conservative: when unsure, text is
kept, because dropping a real paragraph loses data silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from search.enrich.rules import compile_pattern, load_toml

# A line with more words than this is article prose, never site chrome.
MAX_CHROME_LINE_WORDS = 30
# A block of trailing chrome needs this many lines unless a strong (anchored) rule matches.
MIN_WEAK_TAIL_LINES = 3

_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
        "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None, "\u00ad": None,
    }
)
# Runs of spaces and tabs, but not a single space: most of a text is single spaces, and
# replacing each with itself cost more than all other cleaning together.
_SPACES = re.compile(r"[\t\f\v\r][ \t\f\v\r]*| [ \t\f\v\r]+")
_INDENTED = re.compile(r"^[ \t]{2,}\S")
# A line that ends a sentence ends with one of these (a last-character test: a regex
# anchored at the end would try every position of the line first).
_SENTENCE_ENDS = frozenset(".!?:;\"')]\u201d\u2019")


@dataclass(frozen=True, slots=True)
class BoilerplateRules:
    tail: tuple[re.Pattern[str], ...]
    caption: tuple[re.Pattern[str], ...]
    tail_min_share: float

    @classmethod
    def load(cls, extra_paths: Sequence[Path] = ()) -> BoilerplateRules:
        docs = load_toml("boilerplate.toml", extra_paths)
        return cls(
            tail=tuple(compile_pattern(p) for d in docs for p in d.get("tail", [])),
            caption=tuple(compile_pattern(p) for d in docs for p in d.get("caption", [])),
            tail_min_share=float(docs[-1].get("tail_min_share", docs[0]["tail_min_share"])),
        )


def normalise(text: str) -> str:
    """One canonical spelling of quotes and spaces, so equal words compare equal."""
    if not text.isascii():  # ASCII is already NFC and has none of the quotes to fold
        text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    # Whatever ``_SPACES`` matches starts with one of these: ``in`` finds them five times
    # faster than the regex finds nothing, and most paragraphs have none.
    if "  " in text or "\t" in text or "\f" in text or "\v" in text or "\r" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs from the layouts archives use.

    Blank-line separated blocks and one paragraph per line (web scrapes, exports), and
    hard-wrapped wire copy where a paragraph starts with an indent (Reuters). A line
    that continues a sentence (the previous line ends without closing punctuation) is
    joined to it; otherwise each line is its own paragraph.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    wire_layout = sum(bool(_INDENTED.match(line)) for line in lines) >= 2
    paragraphs: list[list[str]] = []
    open_block = False
    for line in lines:
        stripped = line.strip()
        if not stripped:
            open_block = False
            continue
        if wire_layout:
            joins = open_block and not _INDENTED.match(line)
        else:
            joins = open_block and paragraphs[-1][-1][-1:] not in _SENTENCE_ENDS
        if joins:
            paragraphs[-1].append(stripped)
        else:
            paragraphs.append([stripped])
        open_block = True
    return [p for p in (normalise(" ".join(block)) for block in paragraphs) if p]


def is_caption(paragraph: str, rules: BoilerplateRules) -> bool:
    return any(p.search(paragraph) for p in rules.caption)


def strip_tail(lines: list[str], rules: BoilerplateRules) -> list[str]:
    """Drop the trailing run of chrome lines, if there is one.

    The run must start on a matching line, hold at least ``tail_min_share`` matching
    lines and contain only short lines; a weak (unanchored) match needs several lines
    so that an article ending "voter registration closes Friday." keeps its last line.
    """
    cut = len(lines)
    matched = 0
    strong = False
    for i in range(len(lines) - 1, -1, -1):
        # Normalised here, line by line from the end: the walk stops at the first line of
        # prose, so most of a long article is never looked at.
        line = normalise(lines[i])
        if len(line.split()) > MAX_CHROME_LINE_WORDS:
            break
        hits = [p for p in rules.tail if p.search(line)]
        if hits:
            matched += 1
        run = len(lines) - i
        if hits and matched / run >= rules.tail_min_share:
            line_strong = any(p.pattern.startswith("^") for p in hits)
            if line_strong or run >= MIN_WEAK_TAIL_LINES or strong:
                cut, strong = i, strong or line_strong
    return lines[:cut]


@dataclass(frozen=True, slots=True)
class CleanText:
    """An article's text, cleaned: its paragraphs, and its photo captions apart."""

    paragraphs: list[str]
    captions: list[str]


def clean_body(text: str, rules: BoilerplateRules) -> list[str]:
    """Paragraphs of the article proper: no trailing chrome, no captions."""
    return clean_text(text, rules).paragraphs


def clean_text(text: str, rules: BoilerplateRules) -> CleanText:
    """The article proper, and its captions kept apart (not dropped: the names in them
    are often the only mention of who is pictured). Repeated captions are kept once.

    The tail is cut on raw lines, before paragraphs are joined, because chrome is
    often a run of single-newline lines that would otherwise merge into one block.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    content = [i for i, line in enumerate(lines) if line.strip()]
    kept = strip_tail([lines[i] for i in content], rules)
    if len(kept) < len(content):
        lines = lines[: content[len(kept)]] if kept else []
    body: list[str] = []
    captions: list[str] = []
    for paragraph in split_paragraphs("\n".join(lines)):
        if not is_caption(paragraph, rules):
            body.append(paragraph)
        elif paragraph not in captions:
            captions.append(paragraph)
    return CleanText(body, captions)


def clean_captions(text: str | None) -> list[str]:
    """Captions given as their own field: paragraphs, normalised, each once."""
    found: list[str] = []
    for paragraph in split_paragraphs(text or ""):
        if paragraph not in found:
            found.append(paragraph)
    return found
