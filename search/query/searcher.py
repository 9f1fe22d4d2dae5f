"""The query side's entry point: one ``Searcher`` per worker process.

It runs a search in order: validate the request, take the current generation, parse the
query, build the filter masks, evaluate and score, order the page, highlight its hits,
count the facets. Each step is a module of its own (``validation``, ``reloading``,
``querylang``, ``filters``, ``evaluate``, ``ordering``, ``highlight``, ``facets``); this
one only wires them, so a request always reads a single generation from start to end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from search.enrich.entities.aliases import Aliases, load_aliases
from search.index.schema import TEXT_FIELDS, from_stored
from search.index.store import IndexMissing, IndexStore
from search.models import Article
from search.query import querylang
from search.query.evaluate import Evaluator, QueryTooBroad
from search.query.facets import date_buckets, facet_counts, values_with_prefix
from search.query.filters import date_mask, facet_mask
from search.query.generation import Generation
from search.query.highlight import IndexedText, Marks, fragments, mark, spans
from search.query.names import QueryNames
from search.query.ordering import blend_recency, page_of
from search.query.reloading import CurrentGeneration
from search.query.results import (
    FACET_FIELDS,
    ArticleView,
    Facet,
    Highlights,
    Hit,
    InvalidRequest,
    Matches,
    SearchPage,
    SearchRequest,
)
from search.query.spelling import suggest
from search.query.validation import validate_facet_values, validate_search
from search.settings import Settings


class Searcher:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = IndexStore(settings.index_dir)
        self.current = CurrentGeneration(self.store, settings.reload_check_seconds)
        self._aliases: Aliases | None = None
        self._names: tuple[Generation, QueryNames] | None = None

    def generation(self) -> Generation:
        """The current generation, reopened when a newer build has been published."""
        return self.current.get()

    def refresh(self) -> None:
        """Open the newest generation now, not at the next reload check."""
        self.current.refresh()

    def close(self) -> None:
        self.current.close()

    def names(self, gen: Generation) -> QueryNames:
        """The generation's entity names with the aliases the build used, made once per
        generation (on first use: the aliases files are read once per process)."""
        cached = self._names
        if cached is not None and cached[0] is gen:
            return cached[1]
        if self._aliases is None:
            self._aliases = load_aliases(self.settings.aliases_files)
        names = QueryNames.of_generation(gen.path, gen.columns.facets, self._aliases)
        self._names = (gen, names)
        return names

    def status(self) -> dict:
        gen = self.generation()
        return {
            "articles": gen.doc_count,
            "generation": gen.name,
            "built_at": gen.manifest.get("built_at"),
            "extractor": gen.manifest.get("extractor"),
        }

    def search(self, request: SearchRequest) -> SearchPage:
        clock = time.perf_counter()
        validate_search(request, self.settings)
        gen = self.generation()
        found = self._matches(gen, request)
        request = found.request  # its filters resolved to canonical names
        evaluator, docs, scores = found.evaluator, found.docs, found.scores
        hits = [
            self._hit(gen, int(d), float(scores[d]), evaluator.marks, request)
            for d in page_of(gen, docs, scores, request)
        ]
        facets = (
            facet_counts(gen, found.base & found.dates_wanted, found.facet_masks,
                         request.filters, request.facet_size)
            if request.facet_size
            else {}
        )
        suggestion = None
        full_matches = 0 if evaluator.relaxed else docs.size
        if full_matches == 0 and found.tree is not None:  # never for a query that found itself
            suggestion = suggest(gen, request.q, found.tree, full_matches, within=found.filtered)
        return SearchPage(
            query=request.q,
            total=int(docs.size),
            page=request.page,
            page_size=request.page_size,
            took_ms=round((time.perf_counter() - clock) * 1000, 2),
            hits=hits,
            facets=facets,
            dates=date_buckets(gen, docs, request.date_interval),
            suggestion=suggestion,
            notes=evaluator.notes,
            sort=request.sort,
            filters=request.filters,
            date_interval=request.date_interval,
            timed_out=evaluator.timed_out,
        )

    def export(self, request: SearchRequest, limit: int) -> Matches:
        """Every match of a search in its order, up to ``limit``, read lazily: an export
        streams them without holding the articles in memory. The generation is held by
        the iterator, so a rebuild published meanwhile does not change the export."""
        validate_search(request, self.settings)
        gen = self.generation()
        found = self._matches(gen, request)
        order = page_of(gen, found.docs, found.scores, replace(request, page=1, page_size=limit))
        articles = (from_stored(gen.stored(int(d))) for d in order)
        return Matches(total=int(found.docs.size), articles=articles,
                       notes=found.evaluator.notes, timed_out=found.evaluator.timed_out)

    def _matches(self, gen: Generation, request: SearchRequest) -> _Found:
        """The query evaluated within the filters: what a page and an export share. The
        filters' names are resolved first (an alias or spelling to the canonical name)."""
        tree = _parse(request.q)
        filters, filter_notes = self.names(gen).resolve_filters(request.filters)
        request = replace(request, filters=filters)
        dates_wanted = date_mask(gen, request.filters)
        facet_masks = {f: facet_mask(gen, f, request.filters) for f in FACET_FIELDS}
        filtered = dates_wanted.copy()
        for mask in facet_masks.values():
            filtered &= mask
        evaluator, match = self._evaluate(gen, tree, filtered)
        evaluator.notes[:0] = filter_notes
        base = match.mask & gen.live
        scores = blend_recency(gen, match.score, request.recency_half_life_days)
        return _Found(request, tree, evaluator, base, np.flatnonzero(base & filtered), scores,
                      dates_wanted, facet_masks, filtered)

    def _hit(self, gen: Generation, docnum: int, score: float, marks: Marks,
             request: SearchRequest) -> Hit:
        article = from_stored(gen.stored(docnum))
        body = []
        if request.fragments > 0:
            body = fragments(article.body, _marked(gen, docnum, article, "body", marks),
                             request.fragments, request.fragment_chars)
        captions = []
        if request.fragments > 0 and article.captions:
            found = _marked(gen, docnum, article, "captions", marks)
            if found:  # captions show only where the query matched them
                captions = fragments(article.captions, found, request.fragments,
                                     request.fragment_chars)
        title = mark(article.title, _marked(gen, docnum, article, "title", marks))
        highlights = Highlights(title=title, body=body, captions=captions)
        return Hit(article=article, score=round(score, 4), highlights=highlights)

    def article(self, article_id: str) -> Article | None:
        gen = self.generation()
        docnum = gen.docnum_of(article_id)
        return None if docnum is None else from_stored(gen.stored(docnum))

    def version_of(self, article_id: str) -> str | None:
        """The indexed article's version (its content hash), or None if there is none."""
        try:
            segments = self.generation().segments
        except IndexMissing:
            return None
        return segments.content_hash(article_id)

    def read(self, article_id: str, q: str = "") -> ArticleView | None:
        """The article, and with a query, its full title and text with the query's words
        marked (the highlights of a search, over the whole article)."""
        validate_search(SearchRequest(q=q), self.settings)
        gen = self.generation()
        docnum = gen.docnum_of(article_id)
        if docnum is None:
            return None
        article = from_stored(gen.stored(docnum))
        if not q.strip():
            return ArticleView(article)
        evaluator, _ = self._evaluate(gen, _parse(q), None)
        marked = {f: mark(getattr(article, f), _marked(gen, docnum, article, f, evaluator.marks))
                  for f in TEXT_FIELDS}
        return ArticleView(article, marked["title"], marked["body"], marked["captions"])

    def _evaluate(self, gen: Generation, tree, within: np.ndarray | None):
        """The query's matches (within the filters), under the time budget."""
        evaluator = Evaluator(gen, deadline=time.monotonic() + self.settings.query_budget_ms / 1000,
                              names=self.names(gen))
        try:
            return evaluator, evaluator.evaluate(tree, within=within)
        except QueryTooBroad as exc:
            raise InvalidRequest("q", str(exc), "query_too_broad") from None

    def facet_values(self, facet: str, prefix: str, size: int) -> Facet:
        """Values of a facet whose name, or a word in it, starts with ``prefix``."""
        validate_facet_values(facet, prefix, size, self.settings)
        gen = self.generation()
        return values_with_prefix(gen, facet, prefix, size, self.names(gen))


@dataclass(frozen=True, slots=True)
class _Found:
    request: SearchRequest  # as asked, with the filters' names resolved
    tree: object
    evaluator: Evaluator
    base: np.ndarray  # the query's live matches, before the filters
    docs: np.ndarray  # ... and within them
    scores: np.ndarray
    dates_wanted: np.ndarray
    facet_masks: dict[str, np.ndarray]
    filtered: np.ndarray


def _marked(gen: Generation, docnum: int, article: Article, field: str, marks: Marks):
    """The query's matches in one field of a hit, located from its stored postings."""
    return spans(getattr(article, field), IndexedText(gen.postings[field], docnum),
                 *marks.of(field))


def _parse(q: str):
    try:
        return querylang.parse(q)
    except querylang.QuerySyntaxError as exc:
        raise InvalidRequest("q", str(exc), "query_syntax") from None
