"""Per-generation columns: each document's date, outlet, entities and field lengths as arrays.

Facet counts over every match, date histograms, filters and date sorting all ask the
same question of thousands of documents per query. Asking Whoosh document by document
costs a Python call each (``groupedby`` facets take a second at 10k articles); asking a
numpy array costs microseconds. A generation never changes once published, so the
arrays are computed once, at build time, written beside the index and memory-mapped by
every worker.

Layout in ``<generation>/columns/``: ``live.npy`` (bool per docnum), ``day.npy`` (days
since 1970-01-01, ``NO_DAY`` when unknown), ``<field>_len.npy`` (token count per text
field), and for each facet ``<facet>.values.json`` (sorted distinct values) with
``<facet>.offsets.npy`` / ``<facet>.ords.npy`` (CSR: a document's value ordinals).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from search.index.schema import ENTITY_SEPARATOR
from search.index.values import ValueIndex
from search.models import ENTITY_TYPES

COLUMNS_DIR = "columns"
FACETS = ("outlet", *ENTITY_TYPES)
TEXT_FIELDS = ("title", "body")
NO_DAY = np.iinfo(np.int32).min
EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class FacetColumn:
    """One facet as CSR: document ``d`` has ordinals ``ords[offsets[d]:offsets[d+1]]``."""

    values: tuple[str, ...]
    offsets: np.ndarray
    ords: np.ndarray

    def counts(self, docs: np.ndarray) -> np.ndarray:
        """How many of ``docs`` carry each value (a document counts once per value)."""
        if docs.size == 0:
            return np.zeros(len(self.values), dtype=np.int64)
        starts = self.offsets[docs]
        lengths = self.offsets[docs + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(len(self.values), dtype=np.int64)
        # Positions of every selected document's ordinals, without a Python loop.
        shift = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        picked = self.ords[np.arange(total, dtype=np.int64) + shift]
        return np.bincount(picked, minlength=len(self.values))

    def docs_with_any(self, ordinals: np.ndarray, size: int) -> np.ndarray:
        """Boolean mask of documents carrying at least one of ``ordinals``."""
        hit = np.zeros(len(self.values), dtype=bool)
        hit[ordinals] = True
        running = np.zeros(self.ords.size + 1, dtype=np.int64)
        np.cumsum(hit[self.ords], out=running[1:])
        mask = np.zeros(size, dtype=bool)
        docs = len(self.offsets) - 1
        mask[:docs] = running[self.offsets[1:]] > running[self.offsets[:-1]]
        return mask

    @cached_property
    def document_frequency(self) -> np.ndarray:
        return np.bincount(self.ords, minlength=len(self.values))

    @cached_property
    def lookup(self) -> ValueIndex:
        return ValueIndex(self.values)


class Columns:
    """The memory-mapped columns of one generation."""

    def __init__(self, generation: Path) -> None:
        base = generation / COLUMNS_DIR
        self.live: np.ndarray = np.load(base / "live.npy", mmap_mode="r")
        self.day: np.ndarray = np.load(base / "day.npy", mmap_mode="r")
        self.lengths = {f: np.load(base / f"{f}_len.npy", mmap_mode="r") for f in TEXT_FIELDS}
        self.facets: dict[str, FacetColumn] = {}
        for facet in FACETS:
            values = tuple(json.loads((base / f"{facet}.values.json").read_text()))
            self.facets[facet] = FacetColumn(
                values,
                np.load(base / f"{facet}.offsets.npy", mmap_mode="r"),
                np.load(base / f"{facet}.ords.npy", mmap_mode="r"),
            )
        self.size = len(self.live)


def write_columns(reader, generation: Path, visitors: Sequence = ()) -> None:
    """Compute the columns of a freshly committed index from its stored fields.

    Reading every stored document is the expensive part, so other per-document
    writers (the forward index) ride along as ``visitors``: ``add(docnum, fields)``.
    """
    size = reader.doc_count_all()
    live = np.zeros(size, dtype=bool)
    day = np.full(size, NO_DAY, dtype=np.int32)
    lengths = {f: np.zeros(size, dtype=np.int32) for f in TEXT_FIELDS}
    per_doc: dict[str, list[list[str]]] = {f: [[] for _ in range(size)] for f in FACETS}
    for docnum, fields in reader.iter_docs():
        for visitor in visitors:
            visitor.add(docnum, fields)
        live[docnum] = True
        date = fields.get("date")
        if isinstance(date, dt.datetime):
            day[docnum] = (date.date() - EPOCH).days
        for f in TEXT_FIELDS:
            lengths[f][docnum] = reader.doc_field_length(docnum, f, 0)
        per_doc["outlet"][docnum] = [fields["outlet"]] if fields.get("outlet") else []
        for kind in ENTITY_TYPES:
            value = fields.get(kind)
            per_doc[kind][docnum] = [v for v in value.split(ENTITY_SEPARATOR) if v] if value else []
    base = generation / COLUMNS_DIR
    base.mkdir(exist_ok=True)
    np.save(base / "live.npy", live)
    np.save(base / "day.npy", day)
    for f, array in lengths.items():
        np.save(base / f"{f}_len.npy", array)
    for facet, docs in per_doc.items():
        _write_facet(base, facet, docs)


def _write_facet(base: Path, facet: str, docs: list[list[str]]) -> None:
    values = sorted({v for names in docs for v in names})
    ordinal = {v: i for i, v in enumerate(values)}
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(set(names)) for names in docs])
    ords = np.fromiter(
        (ordinal[v] for names in docs for v in dict.fromkeys(names)),
        dtype=np.int32,
        count=int(offsets[-1]),
    )
    (base / f"{facet}.values.json").write_text(json.dumps(values, ensure_ascii=False))
    np.save(base / f"{facet}.offsets.npy", offsets)
    np.save(base / f"{facet}.ords.npy", ords)


def day_number(date: dt.date) -> int:
    return (date - EPOCH).days


def day_to_date(day: int) -> dt.date | None:
    return None if day == NO_DAY else EPOCH + dt.timedelta(days=int(day))
