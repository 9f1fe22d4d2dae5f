"""The pages people read: the search page (``GET /``) and an article (``GET /read/{id}``).

They take the API's parameters through the API's schemas and call the same library, so
the page obeys every limit the API does; only the answer differs. A refused request is
the same page with the reason in words and the status the API would give, never a
stack trace. JavaScript (``static/newsdesk.js``) only improves the page.
"""

from __future__ import annotations

import falcon

from api.errors import Problem, problem_of
from api.pagestate import PageState, read_url
from api.pageview import (
    PAGE_FACET_SIZE,
    by_year_if_long,
    entity_links,
    facet_panels,
    histogram,
    pager,
)
from api.rendering import Templates
from api.resources import load_query_params, search_request
from api.schemas import Schemas
from search.index.store import IndexMissing
from search.query.results import SORTS, InvalidRequest, SearchPage
from search.query.searcher import Searcher
from search.settings import Settings

HELP_TITLE = "Search tips"
# Parameters with no control of their own on the page, carried by the search form.
KEPT_PARAMS = ("page_size", "date_interval", "fragments", "fragment_chars",
               "recency_half_life_days", "facet_size")


class PageRefused(Exception):
    """A request the page answers with a message (from a problem the API would send)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def refusal(exc: Exception) -> PageRefused:
    """The API's answer to a bad request (status and words) for the page to show."""
    if isinstance(exc, InvalidRequest):
        exc = problem_of(exc)
    if isinstance(exc, IndexMissing):
        return PageRefused(503, "The archive is not ready yet: no index has been built. "
                                "Try again in a moment.")
    assert isinstance(exc, Problem)
    return PageRefused(exc.status_code, _sentence(exc.description))


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


class SearchPageResource:
    def __init__(self, searcher: Searcher, schemas: Schemas, templates: Templates,
                 settings: Settings) -> None:
        self.searcher = searcher
        self.schemas = schemas
        self.templates = templates
        self.settings = settings

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        state = PageState.from_params(req.params)
        context = {"state": state, "q": state.get("q") or "", "sorts": SORTS,
                   "sort": state.get("sort") or "relevance", "help_title": HELP_TITLE,
                   "kept_params": KEPT_PARAMS,
                   "max_query_chars": self.settings.max_query_chars}
        try:
            page = self.searcher.search(search_request(self._arguments(state)))
        except (Problem, InvalidRequest, IndexMissing) as exc:
            refused = refusal(exc)
            self.templates.send(resp, "search.html", refused.status, **context,
                                error=str(refused), page=None)
            return
        self.templates.send(
            resp, "search.html", **context, error=None, page=page,
            panels=facet_panels(page, state),
            chart=self._chart(page, state),
            pages=pager(page, state, self.settings.max_result_window),
            hits=[(hit, read_url(hit.article.id, page.query), entity_links(hit.article, state))
                  for hit in page.hits],
            export_limit=self.settings.max_export_rows,
            suggestion_url=state.setting(q=page.suggestion) if page.suggestion else None,
        )

    def _arguments(self, state: PageState) -> dict:
        """The API's parameters, with the page's own defaults for the ones not given."""
        params = state.as_params()
        params.setdefault("facet_size", str(min(PAGE_FACET_SIZE, self.settings.max_facet_size)))
        params.setdefault("date_interval", "month")
        return load_query_params(self.schemas.search_query, params)

    @staticmethod
    def _chart(page: SearchPage, state: PageState):
        """The histogram at the interval asked for, or (by default) the one that reads best."""
        if state.get("date_interval"):
            return histogram(page.dates, page.date_interval, state)
        return histogram(*by_year_if_long(page.dates), state)


class ReadPageResource:
    def __init__(self, searcher: Searcher, schemas: Schemas, templates: Templates) -> None:
        self.searcher = searcher
        self.schemas = schemas
        self.templates = templates

    def on_get(self, req: falcon.Request, resp: falcon.Response, article_id: str) -> None:
        state = PageState.from_params(req.params)
        q = state.get("q") or ""
        back_url = PageState([("q", q)] if q else []).url()
        try:
            args = load_query_params(self.schemas.article_query, state.as_params())
            view = self.searcher.read(article_id, args["q"])
            if view is None:
                raise Problem(404, "article_not_found", f"no article with id {article_id!r}")
        except (Problem, InvalidRequest, IndexMissing) as exc:
            refused = refusal(exc)
            self.templates.send(resp, "read.html", refused.status, error=str(refused),
                                view=None, q=q, back_url=back_url)
            return
        self.templates.send(
            resp, "read.html", error=None, view=view, q=q, back_url=back_url,
            entities=entity_links(view.article, PageState([])),
        )
