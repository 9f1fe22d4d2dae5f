"""The write-ahead journal: every article written through the API, durable before it is
acknowledged.

    INDEX_DIR/journal.ndjson    one JSON object a line: {"seq", "op", "id", "version",
                                "record" (a put's fields, as the JSONL import reads them)}

A write is appended under an exclusive lock (any process may write: gunicorn's workers
all do), then ``fsync``-ed, and only then acknowledged; so an acknowledged write survives
``kill -9`` of every process at any moment. The lock also orders the writes: ``seq`` is
the order in which they were acknowledged, and the last acknowledged write to an id wins.
A process killed in the middle of an append leaves a line without its newline; it was
never acknowledged, and the next append cuts it off.

The journal is part of the archive, not a cache: the writer (``search.index.live``)
applies its entries to the index, and every full build reads it again after the files,
so a rebuild keeps what was written through the API. Its size grows with the writes;
compaction (one entry per id) is not done yet.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

JOURNAL = "journal.ndjson"
PUT = "put"
DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    op: str  # PUT or DELETE
    id: str
    version: str | None  # a put's content hash; None for a delete
    record: dict | None  # a put's fields


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the journal decided about one write, under its lock."""

    entry: Entry | None  # None when the write was refused
    existed: bool  # the id had a live article before this write
    conflict: bool = False  # If-Match named another version


class JournalUnwritable(OSError):
    """The journal cannot be appended to (read-only index, full disk)."""


class Journal:
    """The journal of one index directory, as seen by one process.

    Each process keeps every id's latest version and reads only what other processes
    appended since it last looked, under the lock, before deciding on a write.
    """

    def __init__(self, root: Path) -> None:
        self.path = root / JOURNAL
        # The file lock orders processes; this orders the threads of one process (a
        # threaded worker), which share this object's view of the journal.
        self._mutex = threading.Lock()
        self._offset = 0
        self._seq = 0
        # id -> its latest version in the journal (None: deleted there).
        self.versions: dict[str, str | None] = {}

    @property
    def last_seq(self) -> int:
        """The sequence number of the last entry (0: none), as of the last look."""
        return self._seq

    def refresh(self) -> None:
        """Read what was appended since the last look (without the lock: complete lines
        only, so an append in progress is simply not seen yet)."""
        for entry in self._read_new():
            self._note(entry)

    def write(self, ops: list[tuple[str, str, dict | None, str | None, str | None]],
              exists) -> list[Outcome]:
        """Append writes, each ``(op, id, record, version, if_match)``, durably, in order.

        ``exists(id)`` says whether the index (not the journal) has a live article with
        that id and which version; the journal's own later entries take precedence.
        Returns one outcome per op; refused ones (If-Match conflicts, deletes of unknown
        ids) append nothing.
        """
        with self._mutex:
            return self._write(ops, exists)

    def _write(self, ops, exists) -> list[Outcome]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Unbuffered: a refused write must fail here, not again when the file closes.
            handle = open(self.path, "ab+", buffering=0)  # noqa: SIM115 - held across the lock
        except OSError as exc:
            raise JournalUnwritable(exc.errno, f"cannot write the journal: {exc.strerror}") from exc
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                self._cut_torn_tail(handle)
                self.refresh()
                outcomes, lines = [], []
                for op, article_id, record, version, if_match in ops:
                    current = self._current_version(article_id, exists)
                    existed = current is not None
                    if if_match is not None and (current is None
                                                 or if_match not in ("*", current)):
                        outcomes.append(Outcome(None, existed, conflict=True))
                        continue
                    if op == DELETE and not existed:
                        outcomes.append(Outcome(None, False))
                        continue
                    self._seq += 1
                    entry = Entry(self._seq, op, article_id, version if op == PUT else None,
                                  record if op == PUT else None)
                    lines.append(_encode(entry))
                    self.versions[article_id] = entry.version
                    outcomes.append(Outcome(entry, existed))
                if lines:
                    start = handle.seek(0, os.SEEK_END)
                    try:
                        _write_all(handle, b"".join(lines))
                        os.fsync(handle.fileno())
                    except OSError as exc:
                        self._forget_unwritten(handle, start)
                        raise JournalUnwritable(
                            exc.errno, f"cannot write the journal: {exc.strerror}"
                        ) from exc
                    self._offset = handle.tell()
                return outcomes
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def entries(self, after: int = 0) -> Iterator[Entry]:
        """Every complete entry with ``seq`` above ``after``, in order."""
        for _, entry in self._complete(0):
            if entry.seq > after:
                yield entry

    def final_state(self) -> dict[str, Entry]:
        """Each id's last entry: what the API has written, as it stands now."""
        state: dict[str, Entry] = {}
        for entry in self.entries():
            state[entry.id] = entry
        return state

    def _current_version(self, article_id: str, exists) -> str | None:
        if article_id in self.versions:
            return self.versions[article_id]
        return exists(article_id)

    def _note(self, entry: Entry) -> None:
        self._seq = max(self._seq, entry.seq)
        self.versions[entry.id] = entry.version

    def _read_new(self) -> Iterator[Entry]:
        for end, entry in self._complete(self._offset):
            self._offset = end
            yield entry

    def _complete(self, offset: int) -> Iterator[tuple[int, Entry]]:
        """(where it ends, entry) of each complete line from ``offset``: a line without its
        newline is an append in progress, or one cut short by a crash."""
        if not self.path.exists():
            return
        with open(self.path, "rb") as handle:
            handle.seek(offset)
            for line in handle:
                if not line.endswith(b"\n"):
                    break
                offset += len(line)
                yield offset, _decode(line)

    def _cut_torn_tail(self, handle) -> None:
        """A line left without its newline by a killed append was never acknowledged."""
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return
        handle.seek(max(0, size - 1))
        if handle.read(1) == b"\n":
            return
        handle.seek(0)
        data = handle.read()
        keep = data.rfind(b"\n") + 1
        handle.truncate(keep)
        os.fsync(handle.fileno())
        self._offset = min(self._offset, keep)

    def _forget_unwritten(self, handle, start: int) -> None:
        """A failed append (a full disk) was not acknowledged: take back what it wrote,
        and read this process's view of the journal again from the file."""
        with contextlib.suppress(OSError):
            handle.truncate(start)
            os.fsync(handle.fileno())
        self._offset, self._seq, self.versions = 0, 0, {}
        self.refresh()


def _write_all(handle, data: bytes) -> None:
    """An unbuffered write may take part of the data: go on until all of it is written
    (or the kernel refuses the rest, which raises)."""
    view = memoryview(data)
    while view:
        view = view[handle.write(view):]


def _encode(entry: Entry) -> bytes:
    doc = {"seq": entry.seq, "op": entry.op, "id": entry.id}
    if entry.op == PUT:
        doc["version"] = entry.version
        doc["record"] = entry.record
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _decode(line: bytes) -> Entry:
    doc = json.loads(line)
    return Entry(doc["seq"], doc["op"], doc["id"], doc.get("version"), doc.get("record"))
