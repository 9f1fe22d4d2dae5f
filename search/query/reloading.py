"""The generation a worker serves, reopened when a build publishes a newer one.

At most once per ``reload_check_seconds`` it looks at the ``current`` link (one
``readlink``); when a build has published a new generation it opens that one for the
following requests. A rebuild therefore needs no restart, and a request that holds a
generation reads it from start to end.
"""

from __future__ import annotations

import logging
import threading
import time

from search.index.store import DamagedGeneration, IndexStore
from search.query.generation import Generation

log = logging.getLogger("newsdesk.reload")


class CurrentGeneration:
    def __init__(self, store: IndexStore, check_seconds: float) -> None:
        self.store = store
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._generation: Generation | None = None
        self._retired: list[Generation] = []
        self._checked_at = 0.0

    def get(self) -> Generation:
        """The current generation; raises ``IndexMissing`` before the first build."""
        now = time.monotonic()
        gen = self._generation
        if gen is not None and now - self._checked_at < self.check_seconds:
            return gen
        with self._lock:
            self._checked_at = now
            path = self.store.require_current()
            if self._generation is None or self._generation.path != path:
                try:
                    fresh = Generation(path)
                except (DamagedGeneration, OSError, ValueError, KeyError) as exc:
                    if self._generation is None:
                        raise
                    # A damaged generation (a truncated or missing file): keep serving
                    # the one that works, and look again at the next check.
                    log.error("cannot open generation %s (%s); still serving %s",
                              path.name, exc, self._generation.path.name)
                    return self._generation
                if self._generation is not None:
                    # Requests in other threads may still read it; close it one swap later.
                    for old in self._retired:
                        old.close()
                    self._retired = [self._generation]
                self._generation = fresh
            return self._generation

    def refresh(self) -> Generation:
        """Look at the ``current`` link now (after this process published a generation)."""
        self._checked_at = 0.0
        return self.get()

    def close(self) -> None:
        for gen in [*self._retired, *([self._generation] if self._generation else [])]:
            gen.close()
        self._generation = None
        self._retired = []
