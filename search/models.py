"""Plain records passed between the stages of the pipeline.

Data flows one way: files -> ``RawArticle`` -> ``Article`` (enriched) -> index.
Readers never raise on bad input; they yield ``Problem`` records instead, so one
broken file or line cannot stop a build, and every skip is explained in the summary.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field

ENTITY_TYPES = ("people", "organisations", "places")


@dataclass(slots=True)
class RawArticle:
    """One article as a reader found it, before any cleaning or extraction.

    ``source`` and ``position`` (1-based line, row or record number) locate it for
    error reports and for deriving a stable id when the input carries none.
    ``tags`` holds entities an editor already assigned (Reuters PLACES/PEOPLE/ORGS),
    keyed by the names in ``ENTITY_TYPES``; they are trusted over the model's guesses.
    """

    source: str
    position: int
    body: str
    id: str | None = None
    title: str | None = None
    date: str | None = None
    outlet: str | None = None
    url: str | None = None
    dateline: str | None = None
    # Photo captions an import gave as their own field (the cleaner finds others in the body).
    captions: str | None = None
    tags: dict[str, list[str]] = field(default_factory=dict)
    # The hash, once computed: the build hashes a record for its fingerprint, and the
    # worker that cleans it would otherwise hash it again.
    hashed: str | None = field(default=None, repr=False, compare=False)

    def content_hash(self) -> str:
        """Hash of everything extraction depends on, to skip unchanged articles on rebuild."""
        if self.hashed is None:
            self.hashed = self._hash()
        return self.hashed

    def _hash(self) -> str:
        """Each field length-prefixed into one digest: as exact as hashing their JSON,
        without a JSON pass over the body (which cost as much as reading the record)."""
        digest = hashlib.blake2b(digest_size=16)
        for value in (self.body, self.title, self.date, self.outlet, self.url, self.dateline):
            data = (b"s" + value.encode("utf-8", "surrogatepass") if isinstance(value, str)
                    else b"j" + json.dumps(value).encode())
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)
        digest.update(json.dumps(self.tags, sort_keys=True).encode())
        if self.captions is not None:  # absent captions leave earlier hashes unchanged
            digest.update(b"c" + self.captions.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()


@dataclass(slots=True)
class Problem:
    """Something wrong with the input, reported in the build summary.

    ``action`` says what the build did about it: ``skipped`` the article (or file), or
    indexed it with a field left empty (``field_emptied``).
    """

    source: str
    position: int | None
    reason: str
    action: str = "skipped"

    def __str__(self) -> str:
        where = self.source if self.position is None else f"{self.source}:{self.position}"
        return f"{where}: {self.reason} ({self.action.replace('_', ' ')})"


@dataclass(slots=True)
class Article:
    """An enriched article, ready to index: what users search, filter and read."""

    id: str
    title: str
    body: str
    date: dt.date | None
    outlet: str
    url: str | None
    people: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    source: str = ""
    content_hash: str = ""
    # How much of ``date`` was given: "day", or "month" / "year" (then ``date`` is the
    # period's first day, never a made-up day of it).
    date_precision: str = "day"
    # Photo captions, paragraphs separated by blank lines: searchable and a source of
    # entities, but kept out of the body so they neither interrupt it nor count as it.
    captions: str = ""

    @property
    def word_count(self) -> int:
        return len(self.body.split())

    @property
    def date_label(self) -> str | None:
        """The date as it was given: "2023", "2022-07" or "2022-07-16"."""
        from search.enrich.dates import period_label

        return None if self.date is None else period_label(self.date, self.date_precision)

    def to_export(self) -> dict:
        """What ``python -m search export`` writes: every field a JSONL import reads
        (entities as editor tags), so an export builds the same index again."""
        record = asdict(self)
        record["date"] = self.date_label
        for key in ("source", "content_hash", "date_precision"):  # bookkeeping, or in the date
            record.pop(key)
        if not record["captions"]:  # an article without captions exports as before
            record.pop("captions")
        return record
