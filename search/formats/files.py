"""Finding the files under the given paths and handing each to the reader of its format."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from search.formats.common import SKIPPED, Item
from search.formats.csvfile import read_csv
from search.formats.jsonl import read_jsonl
from search.formats.reuters import read_reuters
from search.formats.txt import read_txt
from search.models import Problem

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

# --- finding files -------------------------------------------------------------------


def expand(path: Path) -> Iterator[Path | Problem]:
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


def read_file(path: Path, fmt: str | None, max_bytes: int) -> Iterator[Item]:
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
    readers = {"txt": read_txt, "jsonl": read_jsonl, "csv": read_csv, "reuters": read_reuters}
    try:
        yield from readers[chosen](path, source, max_bytes)
    except OSError as exc:
        yield Problem(source, None, f"cannot read file: {exc.strerror or exc}", SKIPPED)

