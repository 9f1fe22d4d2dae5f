"""The three query workloads, the timing harness, and newsdesk's in-process engine.

Every engine answers the same ``BenchQuery`` list under the same three workloads:

* ``top10``: the 10 best hits (stored fields loaded) and the total hit count;
* ``highlights``: the same plus a highlighted title and one ~160-character body
  fragment per hit;
* ``facets``: the same plus the top-10 values of outlet, person, organisation and
  place counted over all matches, and a per-year date histogram.

Filters from the query set apply in all three. An engine splits each search into
``prepare`` (untimed: turning the benchmark's query record into the engine's request
object) and ``run`` (timed with ``perf_counter``: everything the engine does to answer,
including parsing the query text).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from search.query.filters import parse_period
from search.query.results import Filters, SearchRequest
from search.query.searcher import Searcher
from search.settings import Settings

WORKLOADS = ("top10", "highlights", "facets")
PAGE_SIZE = 10
FACET_SIZE = 10
FRAGMENT_CHARS = 160
MAX_ERRORS_KEPT = 5

_TERMS = re.compile(r'"([^"]*)"|(\S+)')


@dataclass(frozen=True, slots=True)
class BenchQuery:
    """One query of the set, with its filters parsed once for every engine."""

    kind: str
    q: str
    filters: dict  # as in the query file: for the HTTP query string
    outlets: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @classmethod
    def from_record(cls, record: dict) -> BenchQuery:
        f = record.get("filters", {})
        return cls(
            kind=record["kind"],
            q=record["q"],
            filters=f,
            outlets=tuple(f.get("outlet", ())),
            people=tuple(f.get("person", ())),
            organisations=tuple(f.get("organisation", ())),
            places=tuple(f.get("place", ())),
            date_from=parse_period(f["date_from"], end=False) if "date_from" in f else None,
            date_to=parse_period(f["date_to"], end=True) if "date_to" in f else None,
        )

    def entity_filters(self) -> list[tuple[str, str]]:
        """(entity type, name) pairs; every one must match (entities are ANDed)."""
        return ([("people", v) for v in self.people]
                + [("organisations", v) for v in self.organisations]
                + [("places", v) for v in self.places])


def load_queries(path: Path) -> list[BenchQuery]:
    return [BenchQuery.from_record(r) for r in json.loads(path.read_text(encoding="utf-8"))]


def query_terms(q: str) -> list[tuple[str, bool]]:
    """The query set's language, minimally: bare words and "quoted phrases", ANDed.

    Returns ``(text, is_phrase)`` pairs; that is all the reference engines need, since
    the generator only writes words, two-word phrases and quoted names.
    """
    return [(m.group(1), True) if m.group(1) is not None else (m.group(2), False)
            for m in _TERMS.finditer(q)]


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


class Engine(Protocol):
    name: str

    def prepare(self, query: BenchQuery, workload: str) -> Any: ...

    def run(self, prepared: Any) -> int:
        """Answer one prepared search; returns the total hit count."""
        ...

    def close(self) -> None: ...


@dataclass
class WorkloadResult:
    latencies_ms: list[float] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)  # -1 where the search failed
    errors: list[str] = field(default_factory=list)  # first few messages only
    error_count: int = 0


def run_pass(engine: Engine, prepared: Sequence[Any]) -> WorkloadResult:
    """One timed pass over prepared searches; failures are counted, never hidden."""
    result = WorkloadResult()
    for item in prepared:
        clock = time.perf_counter()
        try:
            total = engine.run(item)
        except Exception as exc:  # reported in the results; the run goes on
            total = -1
            result.error_count += 1
            if len(result.errors) < MAX_ERRORS_KEPT:
                result.errors.append(f"{type(exc).__name__}: {exc}")
        result.latencies_ms.append((time.perf_counter() - clock) * 1000)
        result.totals.append(total)
    return result


def measure(engine: Engine, queries: Sequence[BenchQuery], workload: str) -> WorkloadResult:
    """Warm up with one pass of the query set, then time a second pass."""
    prepared = [engine.prepare(q, workload) for q in queries]
    run_pass(engine, prepared)
    return run_pass(engine, prepared)


class NewsdeskEngine:
    """One ``Searcher`` kept open on an index, as each API worker keeps one."""

    name = "newsdesk"

    def __init__(self, index_dir: Path) -> None:
        self.searcher = Searcher(Settings(index_dir=index_dir, extractor="none"))
        self.searcher.generation()  # open the index before any timing

    def prepare(self, query: BenchQuery, workload: str) -> SearchRequest:
        filters = Filters(
            people=query.people, organisations=query.organisations, places=query.places,
            outlets=query.outlets, date_from=query.date_from, date_to=query.date_to,
        )
        return SearchRequest(
            q=query.q,
            filters=filters,
            page_size=PAGE_SIZE,
            facet_size=FACET_SIZE if workload == "facets" else 0,
            fragments=0 if workload == "top10" else 1,
            fragment_chars=FRAGMENT_CHARS,
        )

    def run(self, prepared: SearchRequest) -> int:
        return self.searcher.search(prepared).total

    def close(self) -> None:
        self.searcher.close()
