"""The Whoosh schema, in one place, and how an ``Article`` becomes a Whoosh document.

Text fields go through ``search.analysis`` (stemmed and accent-folded, so
"Pashinyan's" finds "pashinyan" and "Sánchez" finds "Sanchez"). Entity fields hold exact
canonical names (one facet value per real-world entity), separated by
``ENTITY_SEPARATOR`` since names contain spaces.
"""

from __future__ import annotations

import datetime as dt

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from search.analysis import text_analyzer
from search.models import ENTITY_TYPES, Article

# Bump when the schema or what goes into it changes: a build then re-indexes everything.
SCHEMA_VERSION = 5
ENTITY_SEPARATOR = ","


def build_schema() -> Schema:
    analyzer = text_analyzer()
    entity_field = dict(stored=True, commas=True, lowercase=False, scorable=False)
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True, analyzer=analyzer, phrase=True),
        body=TEXT(stored=True, analyzer=analyzer, phrase=True),
        date=DATETIME(stored=True, sortable=True),
        outlet=ID(stored=True, sortable=True),
        people=KEYWORD(**entity_field),
        organisations=KEYWORD(**entity_field),
        places=KEYWORD(**entity_field),
        url=STORED(),
        word_count=NUMERIC(stored=True),
        content_hash=STORED(),
        source=STORED(),
    )


def to_document(article: Article) -> dict:
    """The Whoosh document for an article; absent values are left out, not indexed empty."""
    doc: dict = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "outlet": article.outlet,
        "word_count": article.word_count,
        "content_hash": article.content_hash,
        "source": article.source,
    }
    if article.date is not None:
        doc["date"] = dt.datetime.combine(article.date, dt.time())
    if article.url:
        doc["url"] = article.url
    for kind in ENTITY_TYPES:
        names = [n.replace(ENTITY_SEPARATOR, " ") for n in getattr(article, kind)]
        if names:
            doc[kind] = ENTITY_SEPARATOR.join(names)
    return doc


def from_stored(fields: dict) -> Article:
    """The article back from a document's stored fields."""
    date = fields.get("date")
    return Article(
        id=fields["id"],
        title=fields.get("title", ""),
        body=fields.get("body", ""),
        date=date.date() if isinstance(date, dt.datetime) else None,
        outlet=fields.get("outlet", ""),
        url=fields.get("url"),
        people=_split(fields.get("people")),
        organisations=_split(fields.get("organisations")),
        places=_split(fields.get("places")),
        source=fields.get("source", ""),
        content_hash=fields.get("content_hash", ""),
    )


def _split(value: str | None) -> list[str]:
    return [v for v in value.split(ENTITY_SEPARATOR) if v] if value else []
