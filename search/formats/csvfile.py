"""CSV with a header row; quoted cells may span lines, each row has a size cap."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from search.formats.common import (
    FIELD_EMPTIED,
    READ_CHUNK,
    SKIPPED,
    Item,
    cp1252_problem,
    decode,
    open_problem,
)
from search.formats.fields import BODY_KEYS, KEPT_FIELDS, article_from_fields, normalise_keys
from search.models import Problem, RawArticle

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
        text, fell_back = decode(raw)
        if fell_back and self.first_cp1252_line is None:
            self.first_cp1252_line = self.line_no
        return text

    def _drain_row(self, raw: bytes) -> None:
        """Skip to the end of the abandoned row: a line end outside quotes, judged by
        quote parity (doubled quotes inside a cell keep the parity even)."""
        while True:
            while raw and not raw.endswith(b"\n"):
                raw = self.stream.readline(READ_CHUNK)
                self.row_quotes += raw.count(b'"')
            if not raw or self.row_quotes % 2 == 0:
                return
            raw = self.stream.readline(READ_CHUNK)
            if not raw:
                return
            self.line_no += 1
            self.row_quotes += raw.count(b'"')


def read_csv(path: Path, source: str, max_bytes: int) -> Iterator[Item]:
    # The csv module's own cell limit (128 KiB by default) would reject long bodies;
    # rows are already capped at max_bytes by _CsvLines, so lift it to that, never lower.
    if csv.field_size_limit() < max_bytes:
        csv.field_size_limit(max_bytes)
    with path.open("rb") as stream:
        problem = open_problem(stream, source)
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
    if any(key in columns for key in BODY_KEYS):
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
            yield cp1252_problem(source, lines.first_cp1252_line)
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
    fields = normalise_keys(zip(header, row, strict=False))
    note = f"row has {len(row)} of {len(header)} cells" if len(row) < len(header) else ""
    items = list(article_from_fields(fields, source, start, note))
    lost = [name for name in header[len(row) :] if name in KEPT_FIELDS - set(BODY_KEYS)]
    if lost and isinstance(items[-1], RawArticle):
        yield Problem(source, start, f"{note}; {', '.join(lost)} left empty", FIELD_EMPTIED)
    yield from items

