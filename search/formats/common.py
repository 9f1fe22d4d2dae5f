"""What every reader shares: the item type, the kinds of problem, and bytes to text."""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO

from search.models import Problem, RawArticle

Item = RawArticle | Problem

SKIPPED = "skipped"
FIELD_EMPTIED = "field_emptied"
DECODED_AS_CP1252 = "decoded_as_cp1252"

# Enough to see a NUL byte or a UTF-16 BOM without reading a big file twice.
SNIFF_BYTES = 8192
READ_CHUNK = 1 << 20

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


def decode(raw: bytes) -> tuple[str, bool]:
    """Decode UTF-8, else cp1252 (what legacy Windows exports really are).

    Returns the text and whether the fallback was needed, so the caller can report it
    once instead of losing the article.
    """
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("latin-1").translate(_CP1252_FIX), True


def binary_reason(head: bytes) -> str | None:
    """Say why a file's first bytes are not text we can read, or None if they are."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "binary file (UTF-16 text is not supported; save it as UTF-8)"
    if b"\x00" in head:
        return "binary file (contains NUL bytes)"
    return None


def open_problem(stream: BinaryIO, source: str) -> Problem | None:
    """Check a streamed file's start for emptiness or binary content, then rewind.

    A pipe cannot rewind: it is peeked at instead (a buffered stream's ``peek``).
    """
    if stream.seekable():
        head = stream.read(SNIFF_BYTES)
        stream.seek(0)
    else:
        head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    if not head:
        return Problem(source, None, "empty file", SKIPPED)
    reason = binary_reason(head)
    return Problem(source, None, reason, SKIPPED) if reason else None


def cp1252_problem(source: str, position: int | None) -> Problem:
    where = "" if position is None else " (first such line; others are decoded the same way)"
    reason = f"not valid UTF-8; decoded as cp1252{where}"
    return Problem(source, position, reason, DECODED_AS_CP1252)


def too_big(size: int, max_bytes: int, what: str) -> str:
    return f"{what} is {size:,} bytes, over the {max_bytes:,}-byte limit"

def normalise_newlines(text: str) -> str:
    """Windows and old-Mac line ends would otherwise leak ``\\r`` into bodies."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (a JSON string may escape one, "\\ud800", though
    it is no character) as U+FFFD, the replacement character, so that every later stage
    can write it as UTF-8. A quick encode tells the usual text apart."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return LONE_SURROGATE.sub("\ufffd", text)
    return text
