"""Reuters-21578 SGML: one article per ``<REUTERS>`` element, with its editors' tags."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from search.enrich.rules import bundled_rules
from search.formats.common import (
    FIELD_EMPTIED,
    READ_CHUNK,
    SKIPPED,
    Item,
    normalise_newlines,
    open_problem,
)
from search.models import ENTITY_TYPES, Problem, RawArticle

# --- reuters sgml ----------------------------------------------------------------------

_REUTERS_OPEN = re.compile(r"<REUTERS\b([^>]*)>", re.IGNORECASE)
_REUTERS_CLOSE = re.compile(r"</REUTERS\s*>", re.IGNORECASE)
_NEWID = re.compile(r'\bNEWID\s*=\s*"?(\d+)', re.IGNORECASE)
_TEXT = re.compile(r"<TEXT\b([^>]*)>(.*?)(?:</TEXT\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_TEXT_TYPE = re.compile(r'\bTYPE\s*=\s*"?(\w+)', re.IGNORECASE)
_BODY = re.compile(r"<BODY>(.*?)(?:</BODY\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_HEADER_ELEMENTS = re.compile(r"<(TITLE|DATELINE|AUTHOR)>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_ELEMENTS = {
    tag: re.compile(rf"<{tag}>(.*?)</{tag}\s*>", re.IGNORECASE | re.DOTALL)
    for tag in ("DATE", "TITLE", "DATELINE", "PLACES", "PEOPLE", "ORGS")
}
_D_VALUES = re.compile(r"<D>(.*?)</D\s*>", re.IGNORECASE | re.DOTALL)
_REUTERS_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})")
# Spelled out rather than strptime("%b"), which follows the process locale.
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
# "SALVADOR, Feb 26 -": cut after the day number; one dateline runs into the body.
_DATELINE_END = re.compile(r"(.*?\d)[\s,]*-(?:\s+|$)")
_CHAR_REF = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot|apos);")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
# C0/C1 controls except tab and newline: the wire service's framing bytes (&#2; &#3;
# &#5; ...) carry no text, and a stray DEL (&#127;) replaces a lost character.
_CONTROLS = dict.fromkeys([*range(9), 11, 12, *range(14, 32), *range(127, 160)])
_TAG_SECTIONS = (("PLACES", "places", "places"), ("PEOPLE", "people", "people"),
                 ("ORGS", "orgs", "organisations"))
_LOWER_WORDS = frozenset({"and", "of", "the", "de", "du", "da", "van", "von"})


def read_reuters(path: Path, source: str, max_bytes: int) -> Iterator[Item]:
    with path.open("rb") as stream:
        problem = open_problem(stream, source)
        if problem:
            yield problem
            return
        ordinal = 0
        for segment in _sgml_segments(stream, max_bytes):
            if isinstance(segment, _Oversized):
                ordinal += 1
                label = _record_label(segment.head)
                reason = f"{label}: record is over the {max_bytes:,}-byte limit"
                yield Problem(source, ordinal, reason, SKIPPED)
                continue
            for attrs, content, closed in _split_records(segment):
                ordinal += 1
                if closed:
                    yield from _reuters_record(attrs, content, source, ordinal)
                else:
                    reason = f"{_record_label(attrs)}: record not closed (file truncated?)"
                    yield Problem(source, ordinal, reason, SKIPPED)
        if ordinal == 0:
            yield Problem(source, None, "no <REUTERS> records found", SKIPPED)


class _Oversized:
    """Marks a record dropped for size; keeps its start to name it in the report."""

    def __init__(self, head: str) -> None:
        self.head = head


class _Unclosed(str):
    """The text after the last ``</REUTERS>``: a record there was cut off."""


def _sgml_segments(stream: BinaryIO, max_bytes: int) -> Iterator[str | _Oversized]:
    """Yield the text up to each ``</REUTERS>``, reading the file in chunks.

    The files are read as latin-1, which maps every byte to one character, so a chunk
    boundary can never split a character and nothing can fail to decode.
    """
    buffer = ""
    skipping = False
    while True:
        chunk = stream.read(READ_CHUNK)
        buffer += chunk.decode("latin-1")
        pos = 0
        while match := _REUTERS_CLOSE.search(buffer, pos):
            if not skipping:
                segment = buffer[pos : match.start()]
                yield _Oversized(segment[:500]) if len(segment) > max_bytes else segment
            skipping = False
            pos = match.end()
        buffer = buffer[pos:]
        if not chunk:
            break
        if len(buffer) > max_bytes and not skipping:
            yield _Oversized(buffer[:500])
            skipping = True
        if skipping:
            buffer = buffer[-16:]  # keep enough to find a close tag split across chunks
    if buffer.strip() and not skipping:
        yield _Unclosed(buffer)


def _split_records(segment: str) -> Iterator[tuple[str, str, bool]]:
    """Split a segment into (attributes, content, closed) per ``<REUTERS>`` opening.

    Text before the first opening (the DOCTYPE line) is not a record. A missing close
    tag mid-file still leaves a complete record before the next opening, so those are
    parsed; only the last record of an unclosed tail is incomplete.
    """
    opens = list(_REUTERS_OPEN.finditer(segment))
    for index, match in enumerate(opens):
        last = index == len(opens) - 1
        end = len(segment) if last else opens[index + 1].start()
        closed = not (last and isinstance(segment, _Unclosed))
        yield match.group(1), segment[match.end() : end], closed


def _record_label(text: str) -> str:
    match = _NEWID.search(text)
    return f"NEWID {match.group(1)}" if match else "record without NEWID"


def _reuters_record(attrs: str, content: str, source: str, ordinal: int) -> Iterator[Item]:
    label = _record_label(attrs)
    title = _clean_line(_element(content, "TITLE"))
    body, dateline = _reuters_body(content)
    if not body:
        reason = f"{label}: no body" + (" (headline only)" if title else "")
        yield Problem(source, ordinal, reason, SKIPPED)
        return
    date = _reuters_date(_element(content, "DATE"))
    if date is None:
        raw_date = _clean_line(_element(content, "DATE"))
        shown = repr(raw_date) if raw_date else "missing"
        yield Problem(source, ordinal, f"{label}: date {shown} not understood", FIELD_EMPTIED)
    newid = _NEWID.search(attrs)
    yield RawArticle(
        source=source,
        position=ordinal,
        body=body,
        id=f"reuters-{newid.group(1)}" if newid else None,
        title=title,
        date=date,
        outlet="Reuters",
        dateline=dateline,
        tags=_reuters_tags(content),
    )


def _element(content: str, tag: str) -> str | None:
    match = _ELEMENTS[tag].search(content)
    return match.group(1) if match else None


def _reuters_body(content: str) -> tuple[str | None, str | None]:
    """Find the body and dateline by the record's layout.

    Normal records wrap the story in ``<BODY>``. ``TYPE="BRIEF"`` records carry only a
    headline (and a "Blah blah blah." placeholder): no article. ``TYPE="UNPROC"``
    records (tables, Fed reports) have no ``<BODY>``, so their whole text is the body.
    """
    text_match = _TEXT.search(content)
    if not text_match:
        return None, None
    attrs, text = text_match.groups()
    dateline, spill = _split_dateline(_element(text, "DATELINE"))
    body_match = _BODY.search(text)
    if body_match:
        raw_body = body_match.group(1)
    elif _text_type(attrs) == "BRIEF":
        return None, dateline
    else:
        raw_body = _HEADER_ELEMENTS.sub("", text)
    body = _clean_text(raw_body).strip()
    if body and spill:
        # One dateline swallowed the body's first words ("... Feb 26 - Brazil's anti-").
        body = spill + ("" if spill.endswith("-") else " ") + body
    return body or None, dateline


def _text_type(attrs: str) -> str:
    match = _TEXT_TYPE.search(attrs)
    return match.group(1).upper() if match else ""


def _split_dateline(raw: str | None) -> tuple[str | None, str]:
    """Return (dateline without its trailing dash, any body text caught inside it)."""
    line = _clean_line(raw)
    if not line:
        return None, ""
    match = _DATELINE_END.match(line)
    if match:
        return match.group(1).strip(), line[match.end() :].strip()
    return line.rstrip(" -,") or None, ""


def _reuters_date(raw: str | None) -> str | None:
    """``26-FEB-1987 15:01:01.79`` -> ``1987-02-26``; the time of day is not kept."""
    match = _REUTERS_DATE.search(raw or "")
    if not match:
        return None
    day, month, year = match.groups()
    number = _MONTHS.get(month.upper())
    if number is None:
        return None
    try:
        return dt.date(int(year), number, int(day)).isoformat()
    except ValueError:
        return None


def _reuters_tags(content: str) -> dict[str, list[str]]:
    names = _reuters_names()
    tags: dict[str, list[str]] = {}
    for tag, section, entity_type in _TAG_SECTIONS:
        values: list[str] = []
        for code in _D_VALUES.findall(_element(content, tag) or ""):
            name = _display_name(names.get(section, {}), section, _clean_line(code) or "")
            if name and name not in values:
                values.append(name)
        if values:
            tags[entity_type] = values
    return {key: tags[key] for key in ENTITY_TYPES if key in tags}


@functools.cache
def _reuters_names() -> dict[str, dict[str, str]]:
    """Load the code -> display name table once; it is data, so editors can extend it."""
    return bundled_rules("reuters_codes.toml")


def _display_name(table: Mapping[str, str], section: str, code: str) -> str:
    """Readable name for a Reuters code: the table, else a rule (see the TOML header)."""
    code = code.strip().lower()
    if not code:
        return ""
    if code in table:
        return table[code]
    if section == "orgs" and len(code) <= 5 and code.isalpha():
        return code.upper()
    words = code.replace("_", "-").split("-")
    return " ".join(
        word if index and word in _LOWER_WORDS else word.capitalize()
        for index, word in enumerate(words)
        if word
    )


def _decode_ref(match: re.Match[str]) -> str:
    ref = match.group(1)
    if ref in _NAMED_REFS:
        return _NAMED_REFS[ref]
    digits = ref[1:]
    number = int(digits[1:], base=16) if digits[0] in "xX" else int(digits)
    if number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
        return ""
    return chr(number)


def _clean_text(raw: str) -> str:
    """Decode SGML references, then drop control characters (the decoded ones too)."""
    text = _CHAR_REF.sub(_decode_ref, normalise_newlines(raw))
    return normalise_newlines(text).translate(_CONTROLS)


def _clean_line(raw: str | None) -> str | None:
    """Cleaned single-line value (titles, datelines, codes): whitespace collapsed."""
    if raw is None:
        return None
    return " ".join(_clean_text(raw).split()) or None

