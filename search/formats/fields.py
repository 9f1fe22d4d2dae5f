"""JSONL objects and CSV rows to articles: the kept fields and the editors' tags."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from search.formats.common import (
    FIELD_EMPTIED,
    SKIPPED,
    Item,
    normalise_newlines,
    without_lone_surrogates,
)
from search.models import ENTITY_TYPES, Problem, RawArticle

# --- mapping JSONL objects and CSV rows ----------------------------------------------

_SCALAR_FIELDS = ("id", "title", "date", "outlet", "url", "captions")
_TAG_KEYS = {
    "people": "people",
    "organisations": "organisations",
    "organizations": "organisations",
    "places": "places",
}
BODY_KEYS = ("body", "text")
KEPT_FIELDS = frozenset((*_SCALAR_FIELDS, *BODY_KEYS, *_TAG_KEYS))


def _scalar(value: object) -> tuple[str | None, str | None]:
    """Return (text, complaint). A nested list/object cannot stand in for a title or a
    date, and ``str()`` of it would index Python reprs, so it is refused instead."""
    if value is None:
        return None, None
    if isinstance(value, list):
        return None, "a list"
    if isinstance(value, dict):
        return None, "an object"
    text = normalise_newlines(value if isinstance(value, str) else str(value))
    text = without_lone_surrogates(text).strip()
    return text or None, None


def _tag_values(value: object) -> tuple[list[str], str | None]:
    """Editors' entity lists arrive as JSON lists or ``a; b`` strings; accept both."""
    if value is None:
        return [], None
    if isinstance(value, dict):
        return [], "an object"
    items = value if isinstance(value, list) else str(value).split(";")
    names = []
    for item in items:
        text, _ = _scalar(item)
        if text and text not in names:
            names.append(text)
    return names, None


def normalise_keys(pairs: Iterable[tuple[object, object]]) -> dict[str, object]:
    """Lower-case, trimmed keys; only kept fields; the first of duplicate keys wins."""
    fields: dict[str, object] = {}
    for key, value in pairs:
        name = str(key).strip().lower()
        if name in KEPT_FIELDS and name not in fields:
            fields[name] = value
    return fields


def article_from_fields(
    fields: Mapping[str, object], source: str, position: int, note: str = ""
) -> Iterator[Item]:
    """Build one article from kept fields; ``note`` explains a skip (e.g. a short row)."""
    values: dict[str, str | None] = {}
    complaints: dict[str, str] = {}
    for name in (*_SCALAR_FIELDS, *BODY_KEYS):
        values[name], complaint = _scalar(fields.get(name))
        if complaint:
            complaints[name] = complaint
    body = values["body"] or values["text"]
    if body is None:
        detail = "; ".join(f"{name} is {what}, not text" for name, what in complaints.items()
                           if name in BODY_KEYS)
        extra = "; ".join(part for part in (note, detail) if part)
        yield Problem(source, position, f"no body ({extra})" if extra else "no body", SKIPPED)
        return
    for name, what in complaints.items():
        if name not in BODY_KEYS:
            yield Problem(source, position, f"{name} is {what}, not text", FIELD_EMPTIED)
    tags, bad_tag_fields = _collect_tags(fields)
    for key, what in bad_tag_fields:
        yield Problem(source, position, f"{key} is {what}, not a list", FIELD_EMPTIED)
    yield RawArticle(
        source=source,
        position=position,
        body=body,
        id=values["id"],
        title=values["title"],
        date=values["date"],
        outlet=values["outlet"],
        url=values["url"],
        captions=values["captions"],
        tags=tags,
    )


def _collect_tags(
    fields: Mapping[str, object],
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Merge the entity fields (both spellings of organisations) into ``tags``.

    Returns the tags, keyed in ``ENTITY_TYPES`` order, and (key, complaint) pairs for
    fields that could not be read as a list of names.
    """
    tags: dict[str, list[str]] = {}
    bad: list[tuple[str, str]] = []
    for key, entity_type in _TAG_KEYS.items():
        names, complaint = _tag_values(fields.get(key))
        if complaint:
            bad.append((key, complaint))
        merged = tags.setdefault(entity_type, [])
        for name in names:
            if name not in merged:
                merged.append(name)
    return {key: tags[key] for key in ENTITY_TYPES if tags.get(key)}, bad

