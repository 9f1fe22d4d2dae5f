"""Entity mentions cached by the exact text the extractor saw.

Named-entity recognition is the slowest stage of a build by far, and most of an archive
does not change between builds. Keying on a hash of the input text and the extractor's
version means an unchanged article is never extracted twice, while a changed cleaning
rule or a new model version misses the cache as it should.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from search.enrich.entities.extractors import Mention


def text_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class ExtractionCache:
    def __init__(self, path: Path, extractor_key: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS mentions ("
            " extractor TEXT NOT NULL, text_key TEXT NOT NULL, mentions TEXT NOT NULL,"
            " PRIMARY KEY (extractor, text_key)) WITHOUT ROWID"
        )
        self._extractor = extractor_key

    def get_many(self, keys: list[str]) -> dict[str, list[Mention]]:
        found: dict[str, list[Mention]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT text_key, mentions FROM mentions"
                f" WHERE extractor = ? AND text_key IN ({marks})",
                [self._extractor, *chunk],
            )
            for key, payload in rows:
                found[key] = [tuple(m) for m in json.loads(payload)]
        return found

    def put_many(self, items: Iterable[tuple[str, list[Mention]]]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO mentions VALUES (?, ?, ?)",
                ((self._extractor, key, json.dumps(m, ensure_ascii=False)) for key, m in items),
            )

    def close(self) -> None:
        self._db.close()
