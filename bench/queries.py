"""Deterministic benchmark query sets for corpora made by ``bench.synth``.

Why anchored queries: a benchmark full of queries that match nothing measures the
cheap path only. So most queries are *anchored* on one article of the corpus: the
rare word, the AND words, the phrase, the entity and (usually) the filter values
are taken from that article's real text and metadata, which guarantees at least one
hit, while their frequencies in the rest of the corpus give realistic, uneven hit
counts. Common-word queries need no anchor; they match a large share of the corpus.

Where the text comes from: not from the JSONL. ``bench.synth`` builds article ``i``
from its own random stream, so this module regenerates just the anchor articles
(``synth.build_article``) and the pools (``synth.get_corpus``) from the corpus seed.
Anchors are drawn from articles ``0 .. corpus_n - 1``; the queries therefore fit
every corpus made with the same seed and at least ``corpus_n`` articles (default
1,000, so one query file serves the 1k, 10k and 100k corpora alike).

Each query is ``{"kind": ..., "q": ..., "filters": {...}}`` (``filters`` may be
empty). Kinds, in fixed proportions: ``common_word``, ``rare_word``, ``and`` (2-3
plain words; the engine ANDs by default), ``phrase`` (two adjacent words in double
quotes), ``entity`` (a quoted full person name or place name). About 40% of each
kind carry filters: ``outlet``, ``person`` (canonical "Firstname Lastname"),
``place``, ``organisation`` (lists of values) or ``date_from``/``date_to``
("YYYY", "YYYY-MM" or "YYYY-MM-DD"), sometimes two of them.

CLI: ``python -m bench.queries --n 210 --seed 7 --out PATH.json`` writes a JSON list.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from bench.synth import (
    STREAM_QUERIES,
    ArticleMeta,
    Corpus,
    build_article,
    draw_one,
    get_corpus,
)

KIND_SHARES: tuple[tuple[str, float], ...] = (
    ("common_word", 0.20),
    ("rare_word", 0.15),
    ("and", 0.20),
    ("phrase", 0.20),
    ("entity", 0.25),
)
FILTER_SHARE = 0.40
FILTER_SHARES: tuple[tuple[str, float], ...] = (
    ("outlet", 0.30),
    ("person", 0.20),
    ("place", 0.20),
    ("organisation", 0.10),
    ("date", 0.20),
)
TWO_FILTERS_SHARE = 0.2  # of filtered queries
ANCHORED_FILTER_SHARE = 0.8  # the rest draw a popular value, which may not intersect
COLLOCATION_PHRASE_SHARE = 0.7  # phrase queries that use a set phrase of the corpus
COMMON_RANKS = 150  # "common": among the 150 most frequent content words
RARE_MIN_RANK = 5_000  # "rare": ~1 article in 200 or fewer contains it
FIRST_YEAR, LAST_YEAR = 2015, 2024


@dataclass(frozen=True, slots=True)
class Anchor:
    """An article plus the facts about it that queries may use."""

    record: dict
    meta: ArticleMeta
    words: tuple[str, ...]  # body tokens as written, in order
    people: tuple[str, ...]  # canonical names actually written in title or body
    places: tuple[str, ...]
    orgs: tuple[str, ...]


def make_anchor(corpus: Corpus, index: int) -> Anchor:
    """Regenerate article ``index`` and keep only entities that really occur in it.

    The generator picks an article's cast before writing, and a minor character may
    never get a sentence; a filter on an unwritten name would silently match nothing.
    """
    record, meta = build_article(corpus, index)
    text = record["title"] + "\n" + record["body"]

    def written(names: Sequence[str], ids: Sequence[int]) -> tuple[str, ...]:
        return tuple(names[k] for k in ids
                     if re.search(rf"\b{re.escape(names[k])}\b", text))

    return Anchor(
        record=record,
        meta=meta,
        words=tuple(record["body"].split()),
        people=written(corpus.people, meta.people),
        places=written(corpus.places, meta.places),
        orgs=written(corpus.orgs, meta.orgs),
    )


def allocate(n: int, shares: Sequence[tuple[str, float]]) -> list[str]:
    """``n`` labels in exactly the given proportions (largest remainder rounding)."""
    exact = [n * share for _, share in shares]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(shares)), key=lambda k: (counts[k] - exact[k], k))
    for k in by_remainder[: n - sum(counts)]:
        counts[k] += 1
    return [label for (label, _), c in zip(shares, counts, strict=True) for _ in range(c)]


class QueryMaker:
    """Builds queries of each kind from a seeded stream and a cache of anchors."""

    def __init__(self, corpus: Corpus, rng: np.random.Generator, corpus_n: int) -> None:
        self.corpus = corpus
        self.rng = rng
        self.corpus_n = corpus_n
        self.rank = corpus.content_rank()
        self.collocations = frozenset(corpus.vocab_list[corpus.n_single:])
        self.anchors: dict[int, Anchor] = {}

    def anchor(self) -> Anchor:
        """A uniformly drawn article of the first ``corpus_n``."""
        index = int(self.rng.integers(self.corpus_n))
        if index not in self.anchors:
            self.anchors[index] = make_anchor(self.corpus, index)
        return self.anchors[index]

    def choice(self, items: Sequence[str]) -> str:
        return items[int(self.rng.integers(len(items)))]

    def is_plain(self, word: str) -> bool:
        """A lowercase vocabulary content word with no punctuation attached: safe in
        any query, never a stop word, and adjacent plain words have nothing between
        them. (Template words such as "outside" or "spokesperson" are not in the
        vocabulary and are skipped: their frequencies are not modelled.)"""
        return word in self.rank and word.isalpha()

    def plain_words(self, anchor: Anchor) -> list[str]:
        return [w for w in anchor.words if self.is_plain(w)]

    # ------------------------------------------------------------------ query text

    def common_word(self, anchor: Anchor) -> str:
        """A top content word: big posting lists, independent of the anchor."""
        return self.corpus.content_words[int(self.rng.integers(COMMON_RANKS))]

    def rare_word(self, anchor: Anchor) -> str:
        """A word of the anchor that is rare corpus-wide (its rarest if none qualify)."""
        words = sorted(set(self.plain_words(anchor)), key=lambda w: (self.rank[w], w))
        rare = [w for w in words if self.rank[w] >= RARE_MIN_RANK] or words[-1:]
        return self.choice(rare) if rare else ""

    def and_words(self, anchor: Anchor) -> str:
        """2-3 distinct words drawn token-weighted from the anchor, so they are
        mostly mid-frequency words, as people type them."""
        tokens = self.plain_words(anchor)
        want = 2 + int(self.rng.random() < 0.4)
        chosen: list[str] = []
        for k in self.rng.permutation(len(tokens)).tolist():
            if tokens[k] not in chosen:
                chosen.append(tokens[k])
            if len(chosen) == want:
                break
        return " ".join(chosen) if len(chosen) >= 2 else ""

    def phrase(self, anchor: Anchor) -> str:
        """Two adjacent plain words of the anchor, in double quotes.

        Usually (``COLLOCATION_PHRASE_SHARE``) a set phrase of the corpus: those recur
        across articles, so phrase queries get real hit counts; otherwise any
        adjacent pair, which mostly matches its anchor alone.
        """
        pairs = [f"{a} {b}" for a, b in pairwise(anchor.words)
                 if self.is_plain(a) and self.is_plain(b)]
        known = [p for p in pairs if p in self.collocations]
        if known and self.rng.random() < COLLOCATION_PHRASE_SHARE:
            pairs = known
        return f'"{self.choice(pairs)}"' if pairs else ""

    def entity(self, anchor: Anchor) -> str:
        """A quoted full person name (60%) or place name written in the anchor."""
        if anchor.people and (self.rng.random() < 0.6 or not anchor.places):
            return f'"{self.choice(anchor.people)}"'
        if anchor.places:
            return f'"{self.choice(anchor.places)}"'
        return f'"{self.corpus.places[draw_one(self.corpus.places_cdf, self.rng.random())]}"'

    # -------------------------------------------------------------------- filters

    def filters(self, anchor: Anchor) -> dict:
        """One filter, or two of different kinds, mostly agreeing with the anchor."""
        labels = [label for label, _ in FILTER_SHARES]
        p = np.array([share for _, share in FILTER_SHARES])
        count = 2 if self.rng.random() < TWO_FILTERS_SHARE else 1
        kinds = self.rng.choice(len(labels), size=count, replace=False, p=p).tolist()
        out: dict = {}
        for k in kinds:
            out.update(self.one_filter(labels[k], anchor))
        return out

    def one_filter(self, label: str, anchor: Anchor) -> dict:
        anchored = self.rng.random() < ANCHORED_FILTER_SHARE
        if label == "date":
            return self.date_filter(anchor.record.get("date") if anchored else None)
        corpus = self.corpus
        own = {"outlet": (anchor.record["outlet"],), "person": anchor.people,
               "place": anchor.places, "organisation": anchor.orgs}[label]
        pool, cdf = {"outlet": (corpus.outlets, corpus.outlet_cdf),
                     "person": (corpus.people, corpus.people_cdf),
                     "place": (corpus.places, corpus.places_cdf),
                     "organisation": (corpus.orgs, corpus.orgs_cdf)}[label]
        values = [self.choice(own)] if anchored and own else []
        while not values or (len(values) < 2 and self.rng.random() < 0.2):
            value = pool[draw_one(cdf, self.rng.random())]
            if value not in values:
                values.append(value)
        return {label: values}

    def date_filter(self, iso: str | None) -> dict:
        """A range around the anchor's date (or a random one), at mixed precision:
        people type "2019" and "2020-06" as often as full dates."""
        if iso is None:
            year = FIRST_YEAR + int(self.rng.integers(LAST_YEAR - FIRST_YEAR + 1))
            iso = f"{year}-{1 + int(self.rng.integers(12)):02d}-01"
        year, month = int(iso[:4]), int(iso[5:7])
        start_year = max(FIRST_YEAR, year - int(self.rng.integers(3)))
        end_month = month + int(self.rng.integers(9))
        end_year, end_month = year + (end_month - 1) // 12, (end_month - 1) % 12 + 1
        precision = self.rng.random()
        if precision < 0.4:
            low, high = f"{start_year}", f"{end_year}-{end_month:02d}"
        elif precision < 0.7:
            low, high = f"{start_year}", f"{end_year}"
        else:
            low, high = f"{iso[:8]}01", f"{end_year}-{end_month:02d}-28"
        shape = self.rng.random()
        if shape < 0.15:
            return {"date_from": low}
        if shape < 0.3:
            return {"date_to": high}
        return {"date_from": low, "date_to": high}

    # ---------------------------------------------------------------------- queries

    def query(self, kind: str, filtered: bool) -> dict:
        """One query; an anchor that cannot supply this kind is swapped for another."""
        make = {"common_word": self.common_word, "rare_word": self.rare_word,
                "and": self.and_words, "phrase": self.phrase, "entity": self.entity}[kind]
        while True:
            anchor = self.anchor()
            q = make(anchor)
            if q:
                break
        return {"kind": kind, "q": q, "filters": self.filters(anchor) if filtered else {}}


def generate_queries(n: int = 210, seed: int = 7, corpus_n: int = 1_000,
                     corpus_seed: int | None = None) -> list[dict]:
    """``n`` queries for the corpus of ``corpus_seed`` (default: ``seed``).

    Kinds come in the fixed ``KIND_SHARES`` proportions and 40% of each kind is
    filtered; only their order and content are random, so sets of different seeds
    are comparable workloads.
    """
    if n < 0 or corpus_n < 1:
        raise ValueError("n must be >= 0 and corpus_n >= 1")
    corpus = get_corpus(seed if corpus_seed is None else corpus_seed)
    rng = np.random.default_rng([seed, STREAM_QUERIES])
    kinds = allocate(n, KIND_SHARES)
    plan: list[tuple[str, bool]] = []
    for label, _ in KIND_SHARES:
        count = kinds.count(label)
        plan += [(label, k < round(count * FILTER_SHARE)) for k in range(count)]
    order = rng.permutation(len(plan)).tolist()
    maker = QueryMaker(corpus, rng, corpus_n)
    return [maker.query(*plan[k]) for k in order]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.queries",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=210, help="number of queries")
    parser.add_argument("--seed", type=int, default=7, help="random seed (>= 0)")
    parser.add_argument("--corpus-seed", type=int, default=None,
                        help="seed the corpus was generated with (default: --seed)")
    parser.add_argument("--corpus-n", type=int, default=1_000,
                        help="anchor queries in the first N articles (<= corpus size)")
    parser.add_argument("--out", type=Path, required=True, help="output JSON path, or -")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    queries = generate_queries(args.n, args.seed, args.corpus_n, args.corpus_seed)
    text = json.dumps(queries, indent=1, ensure_ascii=False) + "\n"
    if str(args.out) == "-":
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {len(queries)} queries to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
