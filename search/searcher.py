"""The query side's entry point: one ``Searcher`` per worker process.

It keeps one ``Generation`` open and, at most once per ``reload_check_seconds``, looks
at the ``current`` link (one ``readlink``); when a build has published a new generation
it opens that one for the following requests. A rebuild therefore needs no restart, and
a request always reads a single generation from start to end.
"""

from __future__ import annotations

import calendar
import datetime as dt
import threading
import time

import numpy as np

from search import querylang
from search.columns import NO_DAY, day_number
from search.evaluate import Evaluator, QueryTooBroad
from search.generation import Generation
from search.highlight import Highlighter
from search.models import Article
from search.results import (
    DATE_INTERVALS,
    FACET_FIELDS,
    SORTS,
    DateBucket,
    Facet,
    FacetValue,
    Filters,
    Highlights,
    Hit,
    InvalidRequest,
    SearchPage,
    SearchRequest,
)
from search.schema import from_stored
from search.settings import Settings
from search.spelling import suggest
from search.store import IndexStore

# Suggest a corrected query when a search finds fewer hits than this.
SUGGEST_BELOW_HITS = 3


class Searcher:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = IndexStore(settings.index_dir)
        self._lock = threading.Lock()
        self._generation: Generation | None = None
        self._retired: list[Generation] = []
        self._checked_at = 0.0
        self._highlighter: Highlighter | None = None

    # -- generations -------------------------------------------------------------------

    def generation(self) -> Generation:
        """The current generation, reopened when a newer build has been published."""
        now = time.monotonic()
        gen = self._generation
        if gen is not None and now - self._checked_at < self.settings.reload_check_seconds:
            return gen
        with self._lock:
            self._checked_at = now
            path = self.store.require_current()
            if self._generation is None or self._generation.path != path:
                fresh = Generation(path)
                if self._generation is not None:
                    # Requests in other threads may still read it; close it one swap later.
                    for old in self._retired:
                        old.close()
                    self._retired = [self._generation]
                self._generation = fresh
                self._highlighter = Highlighter(fresh.analyse)
            return self._generation

    def close(self) -> None:
        for gen in [*self._retired, *([self._generation] if self._generation else [])]:
            gen.close()
        self._generation = None
        self._retired = []

    def status(self) -> dict:
        gen = self.generation()
        return {
            "articles": gen.doc_count,
            "generation": gen.name,
            "built_at": gen.manifest.get("built_at"),
            "extractor": gen.manifest.get("extractor"),
        }

    # -- search ------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchPage:
        clock = time.perf_counter()
        self.validate(request)
        gen = self.generation()
        try:
            tree = querylang.parse(request.q)
        except querylang.QuerySyntaxError as exc:
            raise InvalidRequest("q", str(exc), "query_syntax") from None
        date_mask = self._date_mask(gen, request.filters)
        facet_masks = {f: self._facet_mask(gen, f, request.filters) for f in FACET_FIELDS}
        filtered = date_mask.copy()
        for mask in facet_masks.values():
            filtered &= mask
        evaluator = Evaluator(gen)
        try:
            match = evaluator.evaluate(tree, within=filtered)
        except QueryTooBroad as exc:
            raise InvalidRequest("q", str(exc), "query_too_broad") from None
        base = match.mask & gen.live
        everything = base & filtered
        docs = np.flatnonzero(everything)
        scores = self._blend_recency(gen, match.score, request)
        ranked = self._rank(gen, docs, scores, request)
        marks = (frozenset(evaluator.terms), tuple(sorted(evaluator.phrases)))
        hits = [self._hit(gen, int(d), float(scores[d]), marks, request) for d in ranked]
        facets = (
            self._facets(gen, base & date_mask, facet_masks, request)
            if request.facet_size
            else {}
        )
        dates = self._date_buckets(gen, docs, request.date_interval)
        suggestion = None
        full_matches = 0 if evaluator.relaxed else docs.size
        if full_matches < SUGGEST_BELOW_HITS and tree is not None:
            suggestion = suggest(gen, request.q, tree, full_matches, within=filtered)
        return SearchPage(
            query=request.q,
            total=int(docs.size),
            page=request.page,
            page_size=request.page_size,
            took_ms=round((time.perf_counter() - clock) * 1000, 2),
            hits=hits,
            facets=facets,
            dates=dates,
            suggestion=suggestion,
            notes=evaluator.notes,
            sort=request.sort,
            filters=request.filters,
            date_interval=request.date_interval,
        )

    def validate(self, request: SearchRequest) -> None:
        s = self.settings
        if len(request.q) > s.max_query_chars:
            raise InvalidRequest(
                "q", f"the query has {len(request.q)} characters; the limit is {s.max_query_chars}",
                "query_too_long",
            )
        _within("page_size", request.page_size, 1, s.max_page_size)
        _within("page", request.page, 1, max(1, s.max_result_window // request.page_size))
        _within("facet_size", request.facet_size, 0, s.max_facet_size)
        _within("fragments", request.fragments, 0, s.max_fragments)
        _within("fragment_chars", request.fragment_chars, 20, s.max_fragment_chars)
        if request.sort not in SORTS:
            raise InvalidRequest("sort", f"sort must be one of {', '.join(SORTS)}")
        if request.date_interval not in DATE_INTERVALS:
            raise InvalidRequest(
                "date_interval", f"date_interval must be one of {', '.join(DATE_INTERVALS)}"
            )
        f = request.filters
        for facet in FACET_FIELDS:
            if len(f.values(facet)) > s.max_filter_values:
                raise InvalidRequest(facet, f"at most {s.max_filter_values} {facet} values")
        if f.date_from and f.date_to and f.date_from > f.date_to:
            raise InvalidRequest("date_from", "date_from is after date_to")
        half_life = request.recency_half_life_days
        if half_life is not None and not 0 < half_life <= 365_000:
            raise InvalidRequest("recency_half_life_days", "must be between 0 and 365000 days")

    def _date_mask(self, gen: Generation, filters: Filters) -> np.ndarray:
        if filters.date_from is None and filters.date_to is None:
            return gen.live
        day = np.asarray(gen.columns.day)
        mask = day != NO_DAY
        if filters.date_from is not None:
            mask &= day >= day_number(filters.date_from)
        if filters.date_to is not None:
            mask &= day <= day_number(filters.date_to)
        return mask

    def _facet_mask(self, gen: Generation, facet: str, filters: Filters) -> np.ndarray:
        """Outlets: any of the values (OR). Entities: all of them (AND)."""
        wanted = filters.values(facet)
        if not wanted:
            return gen.live
        column = gen.columns.facets[FACET_FIELDS[facet]]
        ords = [column.lookup.exact(v) for v in wanted]
        if facet == "outlet":
            found = np.asarray([o for o in ords if o is not None], dtype=np.int64)
            return column.docs_with_any(found, gen.size)
        mask = gen.live.copy()
        for o in ords:
            if o is None:
                return np.zeros(gen.size, bool)
            mask &= column.docs_with_any(np.asarray([o]), gen.size)
        return mask

    def _blend_recency(self, gen: Generation, score: np.ndarray, request: SearchRequest):
        half_life = request.recency_half_life_days
        if half_life is None:
            return score
        day = np.asarray(gen.columns.day).astype(np.float64)
        known = day != NO_DAY
        newest = day[known & gen.live].max() if np.any(known & gen.live) else 0.0
        oldest = day[known & gen.live].min() if np.any(known & gen.live) else 0.0
        # An article of unknown date is treated as the oldest one: never promoted.
        age = np.where(known, newest - day, newest - oldest)
        return (score * np.power(0.5, age / half_life)).astype(np.float32)

    def _rank(self, gen: Generation, docs: np.ndarray, scores: np.ndarray, request: SearchRequest):
        """The document numbers of the requested page, in order; ties broken by date, id."""
        start = (request.page - 1) * request.page_size
        stop = start + request.page_size
        if start >= docs.size:
            return np.zeros(0, dtype=np.int64)
        day = np.asarray(gen.columns.day)[docs].astype(np.int64)
        newest_first = np.where(day == NO_DAY, np.iinfo(np.int64).max, -day)
        if request.sort == "relevance":
            primary = -scores[docs].astype(np.float64)
            secondary = newest_first
        elif request.sort == "newest":
            primary, secondary = newest_first, -scores[docs].astype(np.float64)
        else:
            oldest_first = np.where(day == NO_DAY, np.iinfo(np.int64).max, day)
            primary, secondary = oldest_first, -scores[docs].astype(np.float64)
        if docs.size > 4 * stop:
            # Only candidates that can reach the page need a full sort: everything at or
            # above the stop-th primary key (ties included, so the order stays exact).
            cut = np.partition(primary, stop - 1)[stop - 1]
            keep = primary <= cut
            docs, primary, secondary = docs[keep], primary[keep], secondary[keep]
        order = np.lexsort((docs, secondary, primary))
        return docs[order][start:stop]

    def _hit(self, gen, docnum, score, marks, request) -> Hit:
        article = from_stored(gen.stored(docnum))
        terms, phrases = marks
        highlighter = self._highlighter
        highlights = Highlights(
            title=highlighter.mark(article.title, terms, phrases),
            body=highlighter.fragments(
                article.body, terms, request.fragments, request.fragment_chars, phrases
            ),
        )
        return Hit(article=article, score=round(score, 4), highlights=highlights)

    def _facets(self, gen, base, facet_masks, request) -> dict[str, Facet]:
        """Counts over all matches; each facet ignores its own filter if it is an OR facet."""
        result = {}
        for facet, field_name in FACET_FIELDS.items():
            mask = base.copy()
            for other, other_mask in facet_masks.items():
                if other != facet or facet != "outlet":
                    mask &= other_mask
            column = gen.columns.facets[field_name]
            counts = column.counts(np.flatnonzero(mask))
            # The values the filter applied: it matches case-insensitively, or by a
            # unique part of a name, so "putin" selects "Vladimir Putin".
            selected = {
                v if (o := column.lookup.exact(v)) is None else column.values[o]
                for v in request.filters.values(facet)
            }
            result[facet] = _top_values(column, counts, selected, request.facet_size)
        return result

    def _date_buckets(self, gen, docs, interval) -> list[DateBucket]:
        day = np.asarray(gen.columns.day)[docs]
        known = day[day != NO_DAY]
        buckets = []
        if known.size:
            unit = "Y" if interval == "year" else "M"
            keys = known.astype("datetime64[D]").astype(f"datetime64[{unit}]")
            values, counts = np.unique(keys, return_counts=True)
            buckets = [DateBucket(str(v), int(c)) for v, c in zip(values, counts, strict=True)]
        unknown = int(day.size - known.size)
        if unknown:
            buckets.append(DateBucket(None, unknown))
        return buckets

    # -- articles and facet values --------------------------------------------------------

    def article(self, article_id: str) -> Article | None:
        gen = self.generation()
        docnum = gen.docnum_of(article_id)
        return None if docnum is None else from_stored(gen.stored(docnum))

    def facet_values(self, facet: str, prefix: str, size: int) -> Facet:
        """Values of a facet whose name, or a word in it, starts with ``prefix``."""
        if facet not in FACET_FIELDS:
            raise InvalidRequest(
                "name", f"no facet {facet!r}: use one of {', '.join(FACET_FIELDS)}",
                "facet_not_found",
            )
        _within("size", size, 1, self.settings.max_facet_size)
        if len(prefix) > self.settings.max_query_chars:
            raise InvalidRequest("prefix", "prefix is too long")
        gen = self.generation()
        column = gen.columns.facets[FACET_FIELDS[facet]]
        counts = column.document_frequency
        ords = column.lookup.with_prefix(prefix)
        chosen = np.zeros(len(column.values), dtype=np.int64)
        if ords:
            chosen[ords] = counts[ords]
        return _top_values(column, chosen, set(), size)


def _within(param: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise InvalidRequest(param, f"{param} must be between {low} and {high}, not {value}")


def _top_values(column, counts: np.ndarray, selected: set[str], size: int) -> Facet:
    """The ``size`` values with most articles, ties by name (ordinals are in name order)."""
    values = column.values
    nonzero = np.flatnonzero(counts)
    if nonzero.size > size:
        kth = np.partition(-counts[nonzero], size - 1)[size - 1] if size else 0
        candidates = nonzero[-counts[nonzero] <= kth]
    else:
        candidates = nonzero
    top = candidates[np.lexsort((candidates, -counts[candidates]))][:size]
    chosen = [FacetValue(values[i], int(counts[i]), values[i] in selected) for i in top]
    shown = {v.value for v in chosen}
    for value in sorted(selected - shown):  # a selected value always shows, even at zero
        index = column.lookup.exact(value)
        count = int(counts[index]) if index is not None else 0
        chosen.append(FacetValue(values[index] if index is not None else value, count, True))
    return Facet(chosen, truncated=nonzero.size > size)


def parse_period(text: str, end: bool) -> dt.date:
    """ISO date, year-month or year; as an upper bound, the last day of the period."""
    parts = text.strip().split("-")
    try:
        if len(parts) == 1 and len(parts[0]) == 4:
            year = int(parts[0])
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if len(parts) == 2 and len(parts[0]) == 4:
            year, month = int(parts[0]), int(parts[1])
            first = dt.date(year, month, 1)
            if not end:
                return first
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        if len(parts) == 3:
            return dt.date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")

