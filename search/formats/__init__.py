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

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from search.formats.common import DECODED_AS_CP1252, FIELD_EMPTIED, SKIPPED, Item
from search.formats.fields import KEPT_FIELDS
from search.formats.files import expand, read_file
from search.formats.jsonl import read_jsonl_stream
from search.models import Problem

__all__ = [
    "DECODED_AS_CP1252", "FIELD_EMPTIED", "FORMATS", "KEPT_FIELDS", "SKIPPED", "STDIN", "Item",
    "iter_sources",
]

# A source of "-" is standard input, read as JSONL (what ``python -m search export``
# writes, so ``export | build -`` round-trips).
STDIN = "-"
STDIN_SOURCE = "<stdin>"

FORMATS = ("txt", "jsonl", "csv", "reuters")


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
        if str(path) == STDIN:
            yield from read_jsonl_stream(sys.stdin.buffer, STDIN_SOURCE, max_bytes)
            continue
        for found in expand(path):
            if isinstance(found, Problem):
                yield found
            else:
                yield from read_file(found, fmt, max_bytes)
