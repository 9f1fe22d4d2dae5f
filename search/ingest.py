"""Readers: turn input files into ``RawArticle`` records, or ``Problem`` records.

A build must survive whatever users point it at, so nothing here raises on bad
input: every file, line, row or record that cannot be used becomes a ``Problem``
that says where it is and what the build did about it. Readers stream (line by
line, row by row, record by record) so archive size does not bound memory; only
a single .txt article is read whole.

Formats, chosen by extension unless ``fmt`` forces one:

- ``txt`` (.txt, .text): one article per file, the whole text is the body. An
  optional leading date marker (`` date YYYY-MM-DD ``) becomes the date.
- ``jsonl`` (.jsonl, .ndjson, .json): one JSON object per line.
- ``csv`` (.csv): comma-separated with a header row; quoted cells may span lines.
- ``reuters`` (.sgm, .sgml): Reuters-21578 SGML, one article per ``<REUTERS>``.

Fields kept from JSONL keys and CSV columns (names are matched case-insensitively,
after trimming spaces; every other key or column is ignored):

- ``id``, ``title``, ``date``, ``outlet``, ``url``: text; other JSON scalars are
  converted with ``str()`` (``17`` -> ``"17"``); empty values become None. A nested
  list or object is left empty and reported, rather than indexed as a Python repr.
- ``body``, or ``text`` when ``body`` is empty or absent: required; a record without
  one is skipped ("no body").
- ``people``, ``organisations`` (or ``organizations``), ``places``: editor-assigned
  entities, a JSON list or a ``;``-separated string, stored in ``RawArticle.tags``.

Dates stay strings here: parsing them is the enrichment stage's job, so a
reader only reports what it can see (bad encoding, missing cells, broken JSON).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import json
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import BinaryIO

from search.models import ENTITY_TYPES, Problem, RawArticle

FORMATS = ("txt", "jsonl", "csv", "reuters")

_EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".sgm": "reuters",
    ".sgml": "reuters",
}

Item = RawArticle | Problem

SKIPPED = "skipped"
FIELD_EMPTIED = "field_emptied"
DECODED_AS_CP1252 = "decoded_as_cp1252"

# Enough to see a NUL byte or a UTF-16 BOM without reading a big file twice.
_SNIFF_BYTES = 8192
_CHUNK = 1 << 20


def iter_sources(
    paths: Sequence[str | Path] | str | Path,
    fmt: str | None = None,
    max_bytes: int = 10_000_000,
) -> Iterator[Item]:
    """Yield every article (and every problem) found under ``paths``, in a stable order.

    ``fmt`` forces one format for all files. ``max_bytes`` caps a .txt file, and a
    single JSONL line, CSV row or Reuters record, so one runaway input cannot exhaust
    memory. Argument errors raise ``ValueError`` at call time (not at first ``next``),
    because they are the caller's bug, not bad input.
    """
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if max_bytes < 1:
        raise ValueError(f"max_bytes must be positive, got {max_bytes}")
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return _iter_sources([Path(p) for p in paths], fmt, max_bytes)


def _iter_sources(paths: list[Path], fmt: str | None, max_bytes: int) -> Iterator[Item]:
    for path in paths:
        for found in _expand(path):
            if isinstance(found, Problem):
                yield found
            else:
                yield from _read_file(found, fmt, max_bytes)


# --- finding files -------------------------------------------------------------------


def _expand(path: Path) -> Iterator[Path | Problem]:
    """Resolve one argument to files; a typo in a path is reported, not fatal."""
    if path.is_dir():
        yield from _walk(path)
    elif path.exists():
        yield path
    else:
        yield Problem(str(path), None, "no such file or folder", SKIPPED)


def _walk(root: Path) -> Iterator[Path | Problem]:
    """Walk a folder in sorted order so two builds of the same tree agree.

    Hidden entries (editor swap files, .git, .DS_Store) are never articles. Symlinked
    folders are followed once; remembering real paths stops symlink loops.
    """
    errors: list[OSError] = []
    seen = {os.path.realpath(root)}
    found_any = False
    for folder, dirs, files in os.walk(root, onerror=errors.append, followlinks=True):
        kept_dirs = []
        for name in sorted(dirs):
            real = os.path.realpath(os.path.join(folder, name))
            if not name.startswith(".") and real not in seen:
                seen.add(real)
                kept_dirs.append(name)
        dirs[:] = kept_dirs
        for error in errors:
            yield Problem(str(error.filename), None, f"cannot read folder: {error.strerror}")
        errors.clear()
        for name in sorted(files):
            if not name.startswith("."):
                found_any = True
                yield Path(folder, name)
    for error in errors:
        yield Problem(str(error.filename), None, f"cannot read folder: {error.strerror}")
    if not found_any:
        yield Problem(str(root), None, "folder contains no files", SKIPPED)


def _format_for(path: Path, fmt: str | None) -> str | Problem:
    if fmt is not None:
        return fmt
    suffix = path.suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    kind = suffix or "(no extension)"
    return Problem(str(path), None, f"unrecognised file type {kind}", SKIPPED)


def _read_file(path: Path, fmt: str | None, max_bytes: int) -> Iterator[Item]:
    """Dispatch one file to its reader, turning I/O failures into problems."""
    source = str(path)
    chosen = _format_for(path, fmt)
    if isinstance(chosen, Problem):
        yield chosen
        return
    if not path.is_file():
        # A FIFO or device would block or never end; only regular files are read.
        yield Problem(source, None, "not a regular file", SKIPPED)
        return
    readers = {"txt": _read_txt, "jsonl": _read_jsonl, "csv": _read_csv, "reuters": _read_reuters}
    try:
        yield from readers[chosen](path, source, max_bytes)
    except OSError as exc:
        yield Problem(source, None, f"cannot read file: {exc.strerror or exc}", SKIPPED)


# --- bytes to text ---------------------------------------------------------------------


def _cp1252_table() -> dict[int, str]:
    """Map the bytes cp1252 defines in 0x80-0x9F; the five it leaves undefined stay
    latin-1, so decoding never fails and never drops a byte."""
    table = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue
    return table


_CP1252_FIX = _cp1252_table()


def _decode(raw: bytes) -> tuple[str, bool]:
    """Decode UTF-8, else cp1252 (what legacy Windows exports really are).

    Returns the text and whether the fallback was needed, so the caller can report it
    once instead of losing the article.
    """
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("latin-1").translate(_CP1252_FIX), True


def _binary_reason(head: bytes) -> str | None:
    """Say why a file's first bytes are not text we can read, or None if they are."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "binary file (UTF-16 text is not supported; save it as UTF-8)"
    if b"\x00" in head:
        return "binary file (contains NUL bytes)"
    return None


def _open_problem(stream: BinaryIO, source: str) -> Problem | None:
    """Check a streamed file's start for emptiness or binary content, then rewind."""
    head = stream.read(_SNIFF_BYTES)
    stream.seek(0)
    if not head:
        return Problem(source, None, "empty file", SKIPPED)
    reason = _binary_reason(head)
    return Problem(source, None, reason, SKIPPED) if reason else None


def _cp1252_problem(source: str, position: int | None) -> Problem:
    where = "" if position is None else " (first such line; others are decoded the same way)"
    reason = f"not valid UTF-8; decoded as cp1252{where}"
    return Problem(source, position, reason, DECODED_AS_CP1252)


def _too_big(size: int, max_bytes: int, what: str) -> str:
    return f"{what} is {size:,} bytes, over the {max_bytes:,}-byte limit"


# --- txt -------------------------------------------------------------------------------

# The seed scraper wrote `` date 2020-08-13 `` in front of the first paragraph.
_TXT_DATE_MARKER = re.compile(r"\A ?date (\d{4}-\d{2}-\d{2})(?:[ \t]+|[ \t]*\n|\Z)")


def _read_txt(path: Path, source: str, max_bytes: int) -> Iterator[Item]:
    size = path.stat().st_size
    if size == 0:
        yield Problem(source, None, "empty file", SKIPPED)
        return
    if size > max_bytes:
        yield Problem(source, None, _too_big(size, max_bytes, "file"), SKIPPED)
        return
    raw = path.read_bytes()
    reason = _binary_reason(raw)
    if reason:
        yield Problem(source, None, reason, SKIPPED)
        return
    text, fell_back = _decode(raw.removeprefix(codecs.BOM_UTF8))
    if fell_back:
        yield _cp1252_problem(source, None)
    if not text.strip():
        yield Problem(source, None, "empty file (whitespace only)", SKIPPED)
        return
    text = _normalise_newlines(text)
    date = None
    marker = _TXT_DATE_MARKER.match(text)
    if marker:
        date, text = marker.group(1), text[marker.end() :]
    body = text.strip()
    if not body:
        yield Problem(source, 1, "no body", SKIPPED)
        return
    yield RawArticle(source=source, position=1, body=body, date=date)


def _normalise_newlines(text: str) -> str:
    """Windows and old-Mac line ends would otherwise leak ``\\r`` into bodies."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- mapping JSONL objects and CSV rows ----------------------------------------------

_SCALAR_FIELDS = ("id", "title", "date", "outlet", "url")
_TAG_KEYS = {
    "people": "people",
    "organisations": "organisations",
    "organizations": "organisations",
    "places": "places",
}
_BODY_KEYS = ("body", "text")
KEPT_FIELDS = frozenset((*_SCALAR_FIELDS, *_BODY_KEYS, *_TAG_KEYS))


def _scalar(value: object) -> tuple[str | None, str | None]:
    """Return (text, complaint). A nested list/object cannot stand in for a title or a
    date, and ``str()`` of it would index Python reprs, so it is refused instead."""
    if value is None:
        return None, None
    if isinstance(value, list):
        return None, "a list"
    if isinstance(value, dict):
        return None, "an object"
    text = _normalise_newlines(value if isinstance(value, str) else str(value)).strip()
    return text or None, None


def _tag_values(value: object) -> tuple[list[str], str | None]:
    """Editors' entity lists arrive as JSON lists or ``a; b`` strings; accept both."""
    if value is None:
        return [], None
    if isinstance(value, dict):
        return [], "an object"
    items = value if isinstance(value, list) else str(value).split(";")
    names = []
    for item in items:
        text, _ = _scalar(item)
        if text and text not in names:
            names.append(text)
    return names, None


def _normalise_keys(pairs: Iterable[tuple[object, object]]) -> dict[str, object]:
    """Lower-case, trimmed keys; only kept fields; the first of duplicate keys wins."""
    fields: dict[str, object] = {}
    for key, value in pairs:
        name = str(key).strip().lower()
        if name in KEPT_FIELDS and name not in fields:
            fields[name] = value
    return fields


def _article_from_fields(
    fields: Mapping[str, object], source: str, position: int, note: str = ""
) -> Iterator[Item]:
    """Build one article from kept fields; ``note`` explains a skip (e.g. a short row)."""
    values: dict[str, str | None] = {}
    complaints: dict[str, str] = {}
    for name in (*_SCALAR_FIELDS, *_BODY_KEYS):
        values[name], complaint = _scalar(fields.get(name))
        if complaint:
            complaints[name] = complaint
    body = values["body"] or values["text"]
    if body is None:
        detail = "; ".join(f"{name} is {what}, not text" for name, what in complaints.items()
                           if name in _BODY_KEYS)
        extra = "; ".join(part for part in (note, detail) if part)
        yield Problem(source, position, f"no body ({extra})" if extra else "no body", SKIPPED)
        return
    for name, what in complaints.items():
        if name not in _BODY_KEYS:
            yield Problem(source, position, f"{name} is {what}, not text", FIELD_EMPTIED)
    tags, bad_tag_fields = _collect_tags(fields)
    for key, what in bad_tag_fields:
        yield Problem(source, position, f"{key} is {what}, not a list", FIELD_EMPTIED)
    yield RawArticle(
        source=source,
        position=position,
        body=body,
        id=values["id"],
        title=values["title"],
        date=values["date"],
        outlet=values["outlet"],
        url=values["url"],
        tags=tags,
    )


def _collect_tags(
    fields: Mapping[str, object],
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Merge the entity fields (both spellings of organisations) into ``tags``.

    Returns the tags, keyed in ``ENTITY_TYPES`` order, and (key, complaint) pairs for
    fields that could not be read as a list of names.
    """
    tags: dict[str, list[str]] = {}
    bad: list[tuple[str, str]] = []
    for key, entity_type in _TAG_KEYS.items():
        names, complaint = _tag_values(fields.get(key))
        if complaint:
            bad.append((key, complaint))
        merged = tags.setdefault(entity_type, [])
        for name in names:
            if name not in merged:
                merged.append(name)
    return {key: tags[key] for key in ENTITY_TYPES if tags.get(key)}, bad


# --- jsonl -----------------------------------------------------------------------------


def _read_jsonl(path: Path, source: str, max_bytes: int) -> Iterator[Item]:
    with path.open("rb") as stream:
        problem = _open_problem(stream, source)
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
        raw = stream.readline(_CHUNK)
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
        text, fell_back = _decode(raw)
        if fell_back and not cp1252_reported:
            cp1252_reported = True
            yield _cp1252_problem(source, line_no)
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
    yield from _article_from_fields(_normalise_keys(record.items()), source, line_no)


# --- csv -------------------------------------------------------------------------------


class _RowTooLong(Exception):
    """Raised through ``csv.reader`` to abandon a row over the byte limit."""


class _CsvLines:
    """Decoded lines for ``csv.reader``, enforcing the per-row byte limit as it goes.

    ``csv.reader`` would buffer an unterminated quoted cell up to the end of the file;
    counting bytes here, before csv sees them, keeps memory bounded. It also tracks
    line numbers (``csv.reader.line_num`` is lost once a row is abandoned) and whether
    any line needed the cp1252 fallback.
    """

    def __init__(self, stream: BinaryIO, max_bytes: int) -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.line_no = 0
        self.row_bytes = 0
        self.row_quotes = 0
        self.row_has_nul = False
        self.first_cp1252_line: int | None = None

    def start_row(self) -> None:
        self.row_bytes = self.row_quotes = 0
        self.row_has_nul = False

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        raw = self.stream.readline(self.max_bytes - self.row_bytes + 1)
        if not raw:
            raise StopIteration
        self.line_no += 1
        self.row_bytes += len(raw)
        self.row_quotes += raw.count(b'"')
        if self.row_bytes > self.max_bytes:
            self._drain_row(raw)
            raise _RowTooLong
        if self.line_no == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        self.row_has_nul = self.row_has_nul or b"\x00" in raw
        text, fell_back = _decode(raw)
        if fell_back and self.first_cp1252_line is None:
            self.first_cp1252_line = self.line_no
        return text

    def _drain_row(self, raw: bytes) -> None:
        """Skip to the end of the abandoned row: a line end outside quotes, judged by
        quote parity (doubled quotes inside a cell keep the parity even)."""
        while True:
            while raw and not raw.endswith(b"\n"):
                raw = self.stream.readline(_CHUNK)
                self.row_quotes += raw.count(b'"')
            if not raw or self.row_quotes % 2 == 0:
                return
            raw = self.stream.readline(_CHUNK)
            if not raw:
                return
            self.line_no += 1
            self.row_quotes += raw.count(b'"')


def _read_csv(path: Path, source: str, max_bytes: int) -> Iterator[Item]:
    # The csv module's own cell limit (128 KiB by default) would reject long bodies;
    # rows are already capped at max_bytes by _CsvLines, so lift it to that, never lower.
    if csv.field_size_limit() < max_bytes:
        csv.field_size_limit(max_bytes)
    with path.open("rb") as stream:
        problem = _open_problem(stream, source)
        if problem:
            yield problem
            return
        yield from _csv_rows(_CsvLines(stream, max_bytes), source)


def _csv_header(lines: _CsvLines, reader: Iterator[list[str]], source: str) -> list[str] | Problem:
    while True:
        lines.start_row()
        try:
            header = next(reader)
        except StopIteration:
            return Problem(source, None, "empty file (no header row)", SKIPPED)
        except _RowTooLong:
            return Problem(source, None, f"header row is over the {lines.max_bytes:,}-byte limit")
        except csv.Error as exc:
            return Problem(source, None, f"unreadable CSV header: {exc}", SKIPPED)
        if any(cell.strip() for cell in header):
            return [cell.strip().lower() for cell in header]


def _missing_body_column(columns: list[str], source: str) -> Problem | None:
    if any(key in columns for key in _BODY_KEYS):
        return None
    found = ", ".join(repr(c) for c in columns if c) or "none"
    hint = " (is it separated by ';' or tabs instead of commas?)" if len(columns) == 1 else ""
    return Problem(source, None, f"no body or text column (columns: {found}){hint}", SKIPPED)


def _csv_rows(lines: _CsvLines, source: str) -> Iterator[Item]:
    reader = csv.reader(lines)
    header = _csv_header(lines, reader, source)
    if isinstance(header, Problem):
        yield header
        return
    missing = _missing_body_column(header, source)
    if missing:
        yield missing
        return
    cp1252_reported = False
    while True:
        lines.start_row()
        start = lines.line_no + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except _RowTooLong:
            yield Problem(source, start, f"row is over the {lines.max_bytes:,}-byte limit", SKIPPED)
            continue
        except csv.Error as exc:
            yield Problem(source, start, f"unreadable CSV row: {exc}", SKIPPED)
            continue
        if lines.first_cp1252_line is not None and not cp1252_reported:
            cp1252_reported = True
            yield _cp1252_problem(source, lines.first_cp1252_line)
        if lines.row_has_nul:
            yield Problem(source, start, "row contains NUL bytes", SKIPPED)
        elif any(cell.strip() for cell in row):
            yield from _csv_record(header, row, source, start)


def _csv_record(header: list[str], row: list[str], source: str, start: int) -> Iterator[Item]:
    """Map one row; a row with a different cell count than the header is suspect."""
    extra = [cell for cell in row[len(header) :] if cell.strip()]
    if extra:
        # Extra non-empty cells mean the cells have shifted (usually an unquoted comma),
        # so every field after the shift is wrong: better skipped than mis-indexed.
        reason = f"row has {len(row)} cells but the header has {len(header)} (unquoted comma?)"
        yield Problem(source, start, reason, SKIPPED)
        return
    fields = _normalise_keys(zip(header, row, strict=False))
    note = f"row has {len(row)} of {len(header)} cells" if len(row) < len(header) else ""
    items = list(_article_from_fields(fields, source, start, note))
    lost = [name for name in header[len(row) :] if name in KEPT_FIELDS - set(_BODY_KEYS)]
    if lost and isinstance(items[-1], RawArticle):
        yield Problem(source, start, f"{note}; {', '.join(lost)} left empty", FIELD_EMPTIED)
    yield from items


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


def _read_reuters(path: Path, source: str, max_bytes: int) -> Iterator[Item]:
    with path.open("rb") as stream:
        problem = _open_problem(stream, source)
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
        chunk = stream.read(_CHUNK)
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
    table = resources.files(__package__ or "search").joinpath("data", "reuters_codes.toml")
    return tomllib.loads(table.read_text(encoding="utf-8"))


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
    text = _CHAR_REF.sub(_decode_ref, _normalise_newlines(raw))
    return _normalise_newlines(text).translate(_CONTROLS)


def _clean_line(raw: str | None) -> str | None:
    """Cleaned single-line value (titles, datelines, codes): whitespace collapsed."""
    if raw is None:
        return None
    return " ".join(_clean_text(raw).split()) or None
