"""The Whoosh schema, in one place, and how an ``Article`` becomes a Whoosh document.

Text fields go through ``search.analysis`` (stemmed and accent-folded, so
"Pashinyan's" finds "pashinyan" and "Sánchez" finds "Sanchez"). Entity fields hold exact
canonical names (one facet value per real-world entity), separated by
``ENTITY_SEPARATOR`` since names contain spaces.
"""

from __future__ import annotations

import datetime as dt

from whoosh.fields import ID, STORED, TEXT, Schema

from search.analysis import text_analyzer
from search.models import ENTITY_TYPES, Article

# The searchable text fields, in the schema and in every segment.
TEXT_FIELDS = ("title", "body", "captions")
# Bump when the schema or what goes into it changes: a build then re-indexes everything.
SCHEMA_VERSION = 15
ENTITY_SEPARATOR = ","


def build_schema() -> Schema:
    """What Whoosh sees: ``title``, ``body`` and ``captions`` searchable with positions,
    ``id`` unique.

    Everything else is stored only: dates, outlets and entities are filtered, counted
    and sorted from newsdesk's columns, never through Whoosh's field indexes.
    """
    analyzer = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True, analyzer=analyzer, phrase=True),
        body=TEXT(stored=True, analyzer=analyzer, phrase=True),
        captions=TEXT(stored=True, analyzer=analyzer, phrase=True),
        **{name: STORED() for name in STORED_ONLY},
    )


STORED_ONLY = ("date", "date_precision", "outlet", *ENTITY_TYPES, "url", "word_count",
               "content_hash", "source")


def stored_text_fields(article: Article) -> dict:
    """What a segment stores of an article, absent values left out, not stored empty.

    Entity names are not among them: a segment keeps them once, in its entity columns,
    and readers add them back (``SegmentArrays.stored``).
    """
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
        if article.date_precision != "day":
            doc["date_precision"] = article.date_precision
    if article.url:
        doc["url"] = article.url
    if article.captions:
        doc["captions"] = article.captions
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
        date_precision=fields.get("date_precision", "day"),
        captions=fields.get("captions", ""),
    )


def _split(value: str | None) -> list[str]:
    return [v for v in value.split(ENTITY_SEPARATOR) if v] if value else []
