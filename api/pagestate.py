"""The search page's whole state is its URL: the parameters, and the links that change them.

Every control of the page is a link or a GET form, so a search is a link to share and
the page works without JavaScript. The parameters are the API's (``GET /search``), kept
in the order given; a blank form field means "not given", as browsers send empty
inputs. Changing a filter goes back to the first page, since the old page number
belongs to another list of results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from search.query.results import FACETS

PAGE_PATH = "/"
READ_PATH = "/read/"
EXPORT_PATH = "/export"


@dataclass(frozen=True, slots=True)
class Chip:
    """An active filter, shown with a link that removes it."""

    label: str
    remove_url: str


class PageState:
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs
        # Encoded once: a page has a link per facet value and per entity, each this
        # state plus one pair (urlencode of every pair for each cost 2 ms a page).
        self._without_page = urlencode([(n, v) for n, v in pairs if n != "page"])

    @classmethod
    def from_params(cls, params: Mapping[str, str | list[str]]) -> PageState:
        """The given parameters, without blank ones (Falcon's dict: lists if repeated)."""
        pairs = []
        for name, value in params.items():
            for item in value if isinstance(value, list) else [value]:
                if item.strip():
                    pairs.append((name, item))
        return cls(pairs)

    def as_params(self) -> dict[str, str | list[str]]:
        """Back to the shape of a query string's parameters, for the API's schema."""
        params: dict[str, str | list[str]] = {}
        for name, value in self.pairs:
            if name in params:
                earlier = params[name]
                params[name] = [*earlier, value] if isinstance(earlier, list) else [earlier, value]
            else:
                params[name] = value
        return params

    def get(self, name: str) -> str | None:
        return next((v for n, v in self.pairs if n == name), None)

    def url(self, path: str = PAGE_PATH) -> str:
        return path + ("?" + urlencode(self.pairs) if self.pairs else "")

    def _changed(self, pairs: list[tuple[str, str]], keep_page: bool = False) -> PageState:
        return PageState([(n, v) for n, v in pairs if keep_page or n != "page"])

    def adding(self, name: str, value: str) -> str:
        """The link that adds a filter value (an entity under a result, a facet value)."""
        if (name, value) in self.pairs:
            return self.url()
        added = urlencode([(name, value)])
        return f"{PAGE_PATH}?{self._without_page}&{added}" if self._without_page else (
            f"{PAGE_PATH}?{added}")

    def removing(self, name: str, value: str | None = None) -> str:
        """The link without one value of ``name`` (or without ``name`` at all)."""
        kept = [(n, v) for n, v in self.pairs if n != name or (value is not None and v != value)]
        return self._changed(kept).url()

    def setting(self, **values: str | int | None) -> str:
        """The link with these parameters replaced (None removes one)."""
        kept = [(n, v) for n, v in self.pairs if n not in values]
        kept += [(n, str(v)) for n, v in values.items() if v is not None]
        return self._changed(kept, keep_page="page" in values).url()

    def export_url(self, fmt: str) -> str:
        """The current matches as a download: the filters and order, not the paging."""
        names = {"q", "sort", "date_from", "date_to", "recency_half_life_days",
                 *(f.name for f in FACETS)}
        pairs = [(n, v) for n, v in self.pairs if n in names] + [("format", fmt)]
        return PageState(pairs).url(EXPORT_PATH)

    def chips(self) -> list[Chip]:
        """The active filters: facet values one by one, and the date range as one."""
        chips = [Chip(f"{name}: {value}", self.removing(name, value))
                 for name, value in self.pairs if name in _FACET_NAMES]
        low, high = self.get("date_from"), self.get("date_to")
        if low or high:
            label = (f"date: {low}" if low == high else
                     f"date: {low or '…'} to {high or '…'}")
            chips.append(Chip(label, self.setting(date_from=None, date_to=None)))
        return chips


_FACET_NAMES = frozenset(f.name for f in FACETS)


def read_url(article_id: str, q: str = "") -> str:
    """The article page, with the query whose words it marks."""
    return READ_PATH + quote(article_id, safe="") + ("?" + urlencode({"q": q}) if q else "")
