"""From a raw record to an article with clean text, title, date, outlet and id.

Entities are added later, in a second pass, because canonical names depend on
statistics over the whole corpus (see ``search.enrich.entities.canonical``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from search.enrich.clean import BoilerplateRules, clean_captions, clean_text
from search.enrich.dates import DateError, dateline_date, parse_published
from search.enrich.outlets import UNKNOWN_OUTLET, OutletRules, normalise_outlet
from search.enrich.titles import choose_title
from search.models import Article, Problem, RawArticle
from search.settings import Settings

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]+")
MAX_ID_CHARS = 200


@dataclass(frozen=True, slots=True)
class Enricher:
    boilerplate: BoilerplateRules
    outlets: OutletRules

    @classmethod
    def from_settings(cls, settings: Settings) -> Enricher:
        return cls(
            BoilerplateRules.load(settings.boilerplate_files),
            OutletRules.load(settings.outlet_rules_files),
        )

    def enrich(self, raw: RawArticle) -> tuple[Article | None, list[Problem]]:
        """The article, or None when nothing readable is left; and what went wrong."""
        problems: list[Problem] = []
        cleaned = clean_text(raw.body, self.boilerplate)
        paragraphs = cleaned.paragraphs
        captions = clean_captions(raw.captions)
        captions += [c for c in cleaned.captions if c not in captions]
        title, paragraphs = choose_title(raw.title, paragraphs)
        if not paragraphs:
            problems.append(Problem(raw.source, raw.position, "no body text after cleaning"))
            return None, problems
        article_id = id_of(raw)
        if not article_id:
            problems.append(Problem(raw.source, raw.position, f"unusable id {raw.id!r}"))
            return None, problems
        date, precision = None, "day"
        if raw.date:
            try:
                date, precision = parse_published(raw.date)
            except DateError as exc:
                problems.append(Problem(raw.source, raw.position, str(exc), "field_emptied"))
        if date is None:
            date = dateline_date([raw.dateline, *paragraphs] if raw.dateline else paragraphs)
        outlet = (
            normalise_outlet(raw.outlet) or self.outlets.detect(raw.body) or UNKNOWN_OUTLET
        )
        article = Article(
            id=article_id,
            title=title,
            body="\n\n".join(paragraphs),
            date=date,
            outlet=outlet,
            url=raw.url or None,
            source=raw.source,
            content_hash=raw.content_hash(),
            date_precision=precision,
            captions="\n\n".join(captions),
        )
        return article, problems


def id_of(raw: RawArticle) -> str:
    """The article's id: explicit (made safe), else derived from where it was read."""
    return clean_id(raw.id) if raw.id else derive_id(raw.source, raw.position)


def clean_id(value: str) -> str:
    return " ".join(value.split())[:MAX_ID_CHARS]


def derive_id(source: str, position: int) -> str:
    """A stable, readable id for records that carry none: the file name, and the line.

    A one-article file (txt) is its own id; records in multi-article files add their
    position, so rebuilding the same files gives the same ids.
    """
    path = PurePath(source)
    stem = _ID_UNSAFE.sub("-", path.stem).strip("-") or "article"
    if path.suffix.lower() in {".txt", ".text"}:
        return stem
    return f"{stem}-{position}"
