"""The live writer: applies the journal's new entries to the index, a batch at a time.

One writer at a time owns the index: whoever holds ``writer.lock`` (an advisory lock the
kernel releases when its process dies, so a killed writer's place is taken by the next
process that tries). It reads the entries after the current generation's
``journal_seq``, and publishes them as one small update (new segments, deletion marks),
with the same enrichment as the indexing job. Readers pick the new generation up on
their next reload check, so a write is searchable about ``write_refresh_seconds`` +
``reload_check_seconds`` after it was acknowledged. At start, the same step replays
whatever was acknowledged but not yet applied when the last writer stopped.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
from pathlib import Path

from search.index.build import BuildReport, build_index
from search.index.journal import Journal
from search.index.store import IndexBusy, IndexStore
from search.settings import Settings

WRITER_LOCK = "writer.lock"
# At most this many journal entries go into one update.
MAX_BATCH_ENTRIES = 10_000
# A failing pass is retried after twice the pause of the one before, up to this.
MAX_RETRY_SECONDS = 30.0

log = logging.getLogger("newsdesk.writer")


def apply_journal(settings: Settings) -> BuildReport | None:
    """Publish the journal entries the current generation lacks (None: there were none)."""
    store = IndexStore(settings.index_dir)
    current = store.current()
    applied = store.manifest(current).get("journal_seq", 0) if current is not None else 0
    entries = []
    for entry in Journal(settings.index_dir).entries(after=applied):
        entries.append(entry)
        if len(entries) == MAX_BATCH_ENTRIES:
            break
    if not entries:
        return None
    return build_index([], settings, update=True, journal_entries=entries)


class Writer:
    """A thread that becomes the index's writer when it can, and then keeps applying."""

    def __init__(self, settings: Settings, on_publish=None) -> None:
        self.settings = settings
        self.on_publish = on_publish
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="newsdesk-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        lock_path = Path(self.settings.index_dir) / WRITER_LOCK
        try:
            handle = open(lock_path, "a")  # noqa: SIM115 - held for the thread's life
        except OSError:
            return  # a read-only index: this server does not write
        with handle:
            while not self._stop.is_set():
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    self._stop.wait(1.0)  # another process writes; take over if it dies
            pause = self.settings.write_refresh_seconds
            while not self._stop.wait(pause):
                pause = (self.settings.write_refresh_seconds if self._apply_once()
                         else min(MAX_RETRY_SECONDS, pause * 2))

    def _apply_once(self) -> bool:
        """One pass; False when it failed (retried later, less often: the journal keeps
        the writes, and a full disk should not fill the log too)."""
        try:
            report = apply_journal(self.settings)
        except IndexBusy:
            return True  # an indexing job holds the index; its build reads the journal too
        except Exception:
            log.exception("applying the journal failed; retrying")
            return False
        if report is not None and report.generation and self.on_publish is not None:
            with contextlib.suppress(Exception):
                self.on_publish()
        return True
