"""JSONL: one JSON object per line, read line by line with a cap per line."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from search.formats.common import (
    READ_CHUNK,
    SKIPPED,
    Item,
    cp1252_problem,
    decode,
    open_problem,
)
from search.formats.fields import article_from_fields, normalise_keys
from search.models import Problem

# --- jsonl -----------------------------------------------------------------------------


def read_jsonl(path: Path, source: str, max_bytes: int) -> Iterator[Item]:
    with path.open("rb") as stream:
        yield from read_jsonl_stream(stream, source, max_bytes)


def read_jsonl_stream(stream: BinaryIO, source: str, max_bytes: int) -> Iterator[Item]:
    """JSONL from an open binary stream (a file, or standard input)."""
    problem = open_problem(stream, source)
    if problem:
        yield problem
        return
    yield from _jsonl_lines(stream, source, max_bytes)


def _read_line(stream: BinaryIO, max_bytes: int) -> tuple[bytes | None, bool]:
    """Read one line, holding at most ``max_bytes`` of it in memory.

    Returns (line, too_long); a line over the limit is drained and returned as None
    so the next call starts on the following line. (None, False) means end of file.
    """
    raw = stream.readline(max_bytes + 2)
    if not raw:
        return None, False
    if len(raw.rstrip(b"\r\n")) <= max_bytes:
        return raw, False
    while raw and not raw.endswith(b"\n"):
        raw = stream.readline(READ_CHUNK)
    return None, True


def _jsonl_lines(stream: BinaryIO, source: str, max_bytes: int) -> Iterator[Item]:
    line_no = 0
    seen_content = cp1252_reported = False
    while True:
        raw, too_long = _read_line(stream, max_bytes)
        if raw is None and not too_long:
            break
        line_no += 1
        if too_long:
            seen_content = True
            reason = f"line is over the {max_bytes:,}-byte limit"
            yield Problem(source, line_no, reason, SKIPPED)
            continue
        if line_no == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if not raw.strip():
            continue
        first_content, seen_content = not seen_content, True
        if b"\x00" in raw:
            yield Problem(source, line_no, "line contains NUL bytes", SKIPPED)
            continue
        text, fell_back = decode(raw)
        if fell_back and not cp1252_reported:
            cp1252_reported = True
            yield cp1252_problem(source, line_no)
        if first_content and text.strip() in ("[", "{"):
            # A pretty-printed .json document: every line would fail on its own, so
            # one clear file-level message beats a problem per line.
            reason = "not JSON Lines (a multi-line JSON document?); expected one object per line"
            yield Problem(source, None, reason, SKIPPED)
            return
        yield from _jsonl_record(text, source, line_no)
    if not seen_content:
        yield Problem(source, None, "empty file (blank lines only)", SKIPPED)


def _jsonl_record(text: str, source: str, line_no: int) -> Iterator[Item]:
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Problem(source, line_no, f"not valid JSON: {exc.msg} (column {exc.colno})", SKIPPED)
        return
    except RecursionError:
        yield Problem(source, line_no, "not valid JSON: nested too deeply", SKIPPED)
        return
    if not isinstance(record, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean"}.get(type(record))
        what = kind or ("null" if record is None else "a number")
        yield Problem(source, line_no, f"JSON value is {what}, not an object", SKIPPED)
        return
    yield from article_from_fields(normalise_keys(record.items()), source, line_no)

