"""txt: one article per file, with an optional leading `` date YYYY-MM-DD `` marker."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from search.formats.common import (
    SKIPPED,
    Item,
    binary_reason,
    cp1252_problem,
    decode,
    normalise_newlines,
    too_big,
)
from search.models import Problem, RawArticle

# --- txt -------------------------------------------------------------------------------

# The seed scraper wrote `` date 2020-08-13 `` in front of the first paragraph.
_TXT_DATE_MARKER = re.compile(r"\A ?date (\d{4}-\d{2}-\d{2})(?:[ \t]+|[ \t]*\n|\Z)")


def read_txt(path: Path, source: str, max_bytes: int) -> Iterator[Item]:
    size = path.stat().st_size
    if size == 0:
        yield Problem(source, None, "empty file", SKIPPED)
        return
    if size > max_bytes:
        yield Problem(source, None, too_big(size, max_bytes, "file"), SKIPPED)
        return
    raw = path.read_bytes()
    reason = binary_reason(raw)
    if reason:
        yield Problem(source, None, reason, SKIPPED)
        return
    text, fell_back = decode(raw.removeprefix(codecs.BOM_UTF8))
    if fell_back:
        yield cp1252_problem(source, None)
    if not text.strip():
        yield Problem(source, None, "empty file (whitespace only)", SKIPPED)
        return
    text = normalise_newlines(text)
    date = None
    marker = _TXT_DATE_MARKER.match(text)
    if marker:
        date, text = marker.group(1), text[marker.end() :]
    body = text.strip()
    if not body:
        yield Problem(source, 1, "no body", SKIPPED)
        return
    yield RawArticle(source=source, position=1, body=body, date=date)

