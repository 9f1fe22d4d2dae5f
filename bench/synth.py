"""Deterministic generator of realistic synthetic news articles, written as JSONL.

Why synthetic: benchmarks need corpora of any size (10k, 100k, 1M articles) that
anyone can rebuild bit for bit from two numbers, ``n`` and ``seed``, without
shipping gigabytes of licensed news. Why "realistic": index size, posting-list
lengths, stop-word and stemming work, phrase positions and entity extraction only
cost what they cost in production if the text has the statistics of news:

* a Zipf-distributed vocabulary (~30k pronounceable pseudo-words plus real English
  function words and inflected news words, so analyzers drop and fold real words);
* alternating runs of function and content words, sentences of 8-30 words with
  capitalised starts, commas, quotes and full stops;
* capitalised entities from Zipf-popular pools (people, organisations, places)
  written the way news writes them ("said Anna Korvel", later just "Korvel",
  "in Velmora", "the Ministry of Finance"), so an NER model finds them in the text;
* topics (clusters of words, set phrases and favourite entities) shared by many
  articles, and global two-word collocations, so word and phrase queries have
  realistic, uneven hit counts;
* Zipf-skewed outlets and a recent-heavy date spread with ~2% undated articles.

Determinism: everything derives from ``numpy.random.default_rng``. The shared pools
(the ``Corpus``) come from the stream ``[seed, 0]``; article ``i`` comes from its
own stream ``[seed, 1, i]``. So article ``i`` is the same whatever ``n`` is, however
the output is chunked or parallelised, and can be rebuilt alone (``article``), which
is what lets ``bench.queries`` pick phrases from real text without reading the JSONL.

Records: ``id`` ("syn-000001", 1-based), ``title``, ``body`` (400-800 words,
paragraphs separated by a blank line), ``date`` (ISO; omitted for ~2%), ``outlet``,
``url`` (``https://example.<outlet-slug>.test/<yyyy>/<id>``, "undated" for the year
when there is no date). No entity keys: the indexer must find entities in the text.

Speed: ~0.6 ms per article per process; ``--workers`` (default: one per CPU for
large runs) parallelises without changing a byte of output.

CLI: ``python -m bench.synth --n 10000 --seed 7 --out PATH.jsonl``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing import Pool
from pathlib import Path
from typing import TextIO

import numpy as np

from bench.wordlists import (
    FIRST_NAMES,
    FUNCTION_WORDS,
    HEADLINE_LINKS,
    IDEOLOGIES,
    MINISTRY_DOMAINS,
    NEWS_WORDS,
    ORG_SUFFIXES,
    OUTLETS,
    PERSON_ROLES,
    PLACE_ENDINGS,
    PLACE_PREFIXES,
    PLACE_PREPOSITIONS,
    PLACE_SUFFIXES,
    SURNAME_ENDINGS,
)

# Seed-sequence stream tags: separate streams keep pools, articles and queries
# independent, so adding a draw in one never shifts the others.
STREAM_CORPUS = 0
STREAM_ARTICLE = 1
STREAM_QUERIES = 2

N_CONTENT_WORDS = 30_000
N_PEOPLE = 3_000
N_ORGS = 800
N_PLACES = 600
N_TOPICS = 250
TOPIC_WORDS = 15
TOPIC_PEOPLE, TOPIC_ORGS, TOPIC_PLACES = 8, 4, 4

FIRST_DAY = dt.date(2015, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
MISSING_DATE_SHARE = 0.02
RECENCY_SLOPE = 0.8  # the last day is 1.8x as likely as the first: mildly recent-heavy

BODY_MIN_WORDS, BODY_MAX_WORDS = 400, 800
# Stop adding sentences once past a target in [400, 760]; a sentence has at most 30
# words, so bodies land in [400, 790] and never exceed the 800-word ceiling.
TARGET_MAX_WORDS = BODY_MAX_WORDS - 40
SENTENCE_MIN_WORDS, SENTENCE_MAX_WORDS = 8, 30
MAX_SENTENCES = BODY_MAX_WORDS // SENTENCE_MIN_WORDS + 5
TOKEN_POOL = BODY_MAX_WORDS + 40
CONTENT_RANK_OFFSET = 20  # top content word ~0.7% of content tokens, like "said" in news
TOPIC_SHARE_OF_CONTENT = 0.08  # about 4-5% of all body tokens are topic words
TOPIC_PHRASES = 4  # two-word collocations per topic, ~20% of its topic tokens
N_COLLOCATIONS = 2_000  # global two-word collocations ("prime minister")
COLLOCATION_SHARE_OF_CONTENT = 0.02

# Cumulative thresholds for the sentence kinds drawn per sentence.
KIND_PLAIN, KIND_PLACE, KIND_ORG, KIND_PERSON, KIND_SAID = range(5)
KIND_CUTS = (0.40, 0.55, 0.65, 0.75, 1.0)

# How many distinct entities an article features (index = count).
PEOPLE_COUNT_P = (0.08, 0.35, 0.30, 0.17, 0.10)
ORG_COUNT_P = (0.25, 0.40, 0.25, 0.10)
PLACE_COUNT_P = (0.05, 0.50, 0.30, 0.15)

ONSETS = (
    "", "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v",
    "z", "br", "dr", "gr", "kr", "pr", "tr", "st", "sk", "sl", "pl", "bl", "fl", "sh",
    "ch", "th",
)  # fmt: skip
NUCLEI = ("a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea", "ou", "io", "ei", "y")
CODAS = ("n", "r", "l", "s", "t", "m", "nd", "rt", "st", "ck", "sh", "ng", "x", "rn", "lt")


# --------------------------------------------------------------------------- helpers


def zipf_cdf(n: int, s: float, offset: float = 0.0) -> np.ndarray:
    """Cumulative Zipf(s) probabilities over ranks 1..n, for inverse-CDF sampling.

    ``offset`` shifts the ranks (Zipf-Mandelbrot): content words continue the
    frequency curve *after* the function words, so the top content word must not
    get a rank-1 share. Precomputing the CDF once and using ``searchsorted`` is what
    makes drawing hundreds of tokens per article cheap.
    """
    weights = 1.0 / (np.arange(1, n + 1, dtype=np.float64) + offset) ** s
    cdf = np.cumsum(weights)
    return cdf / cdf[-1]


def draw(cdf: np.ndarray, u: np.ndarray | float) -> np.ndarray:
    """Map uniforms in [0, 1) to indices through ``cdf`` (clipped against rounding)."""
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(cdf) - 1)


def inverse_table(cdf: np.ndarray, bits: int) -> np.ndarray:
    """Quantised inverse CDF: entry k is the index for uniforms near (k + 0.5) / 2**bits.

    A table lookup is ~10x faster than ``searchsorted`` on the 30k-word CDF, and
    token drawing is the generator's hot loop. ``bits`` must give even the rarest
    index several entries (2**21 entries -> <10% error on the rarest word).
    """
    size = 1 << bits
    # Entry k belongs to index i when cdf[i-1] <= (k + 0.5) / size < cdf[i]: count the
    # entries below each cdf value instead of searching 2**bits times.
    ends = np.clip(np.ceil(cdf * size - 0.5), 0, size).astype(np.int64)
    ends[-1] = size
    counts = np.diff(ends, prepend=0)
    return np.repeat(np.arange(len(cdf), dtype=np.int32), counts)


def draw_table(table: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Vectorised draw through an ``inverse_table``."""
    return table[(u * len(table)).astype(np.intp)]


def draw_one(cdf: Sequence[float], u: float) -> int:
    """Scalar ``draw`` on a tuple CDF: ``bisect`` costs a fraction of a numpy call."""
    return min(bisect_right(cdf, u), len(cdf) - 1)


def capitalise(word: str) -> str:
    """Upper-case the first letter only ("ministry" -> "Ministry", "iPhone" kept)."""
    return word[:1].upper() + word[1:]


def word_count(text: str) -> int:
    """Words as ``str.split`` counts them; generated text never has double spaces."""
    return text.count(" ") + 1


def slugify(name: str) -> str:
    """Outlet name -> host label: "The Daily Ledger" -> "daily-ledger"."""
    words = name.lower().replace("'", "").split()
    if words[0] == "the" and len(words) > 1:
        words = words[1:]
    return "-".join(words)


def pseudo_words(rng: np.random.Generator, n: int, syllable_p: Sequence[float],
                 simple_vowels: bool = False) -> list[str]:
    """``n`` pronounceable onset-nucleus-coda pseudo-words (may contain duplicates).

    Built column-wise on numpy string arrays so 60k candidates take tens of
    milliseconds; the syllable-count distribution lets callers make short words (vocabulary) or
    longer ones. ``simple_vowels`` drops diphthongs, which keeps names short and
    name-like ("Korvel" rather than "Griozoundleel").
    """
    max_syll = len(syllable_p)
    n_syll = 1 + draw(np.cumsum(syllable_p) / np.sum(syllable_p), rng.random(n))
    onset_w = np.array([0.6] + [1.0] * 16 + [0.35] * (len(ONSETS) - 17))
    onsets = np.array(ONSETS)[draw(np.cumsum(onset_w) / onset_w.sum(),
                                   rng.random((n, max_syll)))]
    nucleus_w = np.array([1.0] * 8 + [0.0 if simple_vowels else 0.25] * (len(NUCLEI) - 8))
    nuclei = np.array(NUCLEI)[draw(np.cumsum(nucleus_w) / nucleus_w.sum(),
                                   rng.random((n, max_syll)))]
    codas = np.array(CODAS)[rng.integers(len(CODAS), size=(n, max_syll))]
    coda_u = rng.random((n, max_syll))
    is_last = np.arange(max_syll)[None, :] == (n_syll - 1)[:, None]
    with_coda = np.where(is_last, coda_u < 0.55, coda_u < 0.15)
    # Fixed-width unicode arrays: np.strings.add concatenates in C, ~3x faster than
    # object arrays, which keeps building a Corpus well under a second.
    syllables = np.strings.add(np.strings.add(onsets, nuclei), np.where(with_coda, codas, ""))
    words = syllables[:, 0]
    for k in range(1, max_syll):
        words = np.where(n_syll > k, np.strings.add(words, syllables[:, k]), words)
    return words.tolist()


def unique(words: Sequence[str], banned: set[str], count: int, min_len: int = 3) -> list[str]:
    """First ``count`` distinct words not in ``banned`` (case-insensitive), in order.

    Raises if the candidates run out, so a too-small oversampling factor fails loudly
    instead of silently shrinking a pool.
    """
    out: list[str] = []
    seen = set(banned)
    for word in words:
        key = word.lower()
        if len(word) >= min_len and key not in seen:
            seen.add(key)
            out.append(word)
            if len(out) == count:
                return out
    raise ValueError(f"only {len(out)} unique words of {count} wanted")


# ---------------------------------------------------------------------------- corpus


@dataclass(frozen=True, slots=True)
class Topic:
    """A story theme: words and entities that many articles share.

    Indices point into ``Corpus.content_words``, ``people``, ``orgs`` and ``places``;
    ``phrases`` are pairs of content-word indices written side by side.
    """

    words: tuple[int, ...]
    phrases: tuple[tuple[int, int], ...]
    people: tuple[int, ...]
    orgs: tuple[int, ...]
    places: tuple[int, ...]


@dataclass(frozen=True, slots=True, eq=False)  # eq=False: arrays make == meaningless
class Corpus:
    """The shared pools every article of a seed draws from.

    Exposed so ``bench.queries`` (and anything else) can reason about the corpus
    without reading the JSONL: lists are in popularity order, index 0 most frequent.
    """

    seed: int
    function_words: tuple[str, ...]
    content_words: tuple[str, ...]
    people: tuple[str, ...]  # canonical "Firstname Lastname"
    last_names: tuple[str, ...]  # parallel to ``people``: the later-mention form
    orgs: tuple[str, ...]
    org_mentions: tuple[str, ...]  # parallel to ``orgs``: "the Ministry of Finance"
    places: tuple[str, ...]
    outlets: tuple[str, ...]  # popularity order for this seed
    topics: tuple[Topic, ...]
    collocations: tuple[str, ...]  # global two-word phrases, popularity order
    # Token vocabulary: function words, content words, then two-word tokens (global
    # collocations, then each topic's phrases). Ids >= ``n_single`` count two words.
    vocab: np.ndarray = field(repr=False)
    n_single: int = field(repr=False)
    topic_tokens: tuple[np.ndarray, ...] = field(repr=False)  # per topic: vocab ids
    collocation_table: np.ndarray = field(repr=False)  # inverse_table over collocations
    function_cdf: np.ndarray = field(repr=False)
    content_cdf: np.ndarray = field(repr=False)
    function_table: np.ndarray = field(repr=False)  # inverse_table of function_cdf
    content_table: np.ndarray = field(repr=False)  # inverse_table of content_cdf
    # Tuples, not arrays: these are sampled one value at a time with ``draw_one``.
    people_cdf: tuple[float, ...] = field(repr=False)
    orgs_cdf: tuple[float, ...] = field(repr=False)
    places_cdf: tuple[float, ...] = field(repr=False)
    outlet_cdf: tuple[float, ...] = field(repr=False)
    topic_cdf: tuple[float, ...] = field(repr=False)
    date_cdf: tuple[float, ...] = field(repr=False)
    dates: tuple[str, ...] = field(repr=False)  # ISO strings, FIRST_DAY..LAST_DAY
    outlet_slugs: tuple[str, ...] = field(repr=False)
    function_set: frozenset[str] = field(repr=False)  # to tell function from content
    vocab_list: tuple[str, ...] = field(repr=False)  # ``vocab`` for scalar lookups

    def content_rank(self) -> dict[str, int]:
        """Word -> frequency rank among content words (0 = most frequent)."""
        return {word: rank for rank, word in enumerate(self.content_words)}


def build_vocabulary(rng: np.random.Generator) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Function words and frequency-ranked content words.

    Shorter pseudo-words get better ranks (Zipf's law of abbreviation), and the real
    news words are sprinkled log-uniformly over the top ~3,000 ranks, where common
    news vocabulary sits in real corpora.
    """
    function = tuple(dict.fromkeys(FUNCTION_WORDS))
    news = [w for w in dict.fromkeys(NEWS_WORDS) if w not in function]
    banned = set(function) | set(news)
    pseudo = unique(pseudo_words(rng, 2 * N_CONTENT_WORDS, (0.15, 0.50, 0.30, 0.05)),
                    banned, N_CONTENT_WORDS - len(news))
    pseudo_keys = np.argsort(np.array([len(w) for w in pseudo]) + rng.normal(0, 2.0, len(pseudo)),
                             kind="stable").argsort().astype(np.float64)
    news_keys = np.exp(rng.uniform(0, np.log(3_000), len(news)))
    words = pseudo + news
    order = np.argsort(np.concatenate([pseudo_keys, news_keys]), kind="stable")
    return function, tuple(words[k] for k in order)


def build_names(rng: np.random.Generator, banned: set[str]) -> dict[str, list[str]]:
    """Surnames, place names and organisation stems, all distinct from each other.

    One shared ``banned`` set keeps a surname from also being a place or a word, so
    an entity's name identifies it and last-name mentions are unambiguous.
    """
    roots = pseudo_words(rng, 20_000, (0.40, 0.50, 0.10), simple_vowels=True)
    sur_end = [SURNAME_ENDINGS[k] for k in rng.integers(len(SURNAME_ENDINGS), size=10_000)]
    place_end = [PLACE_ENDINGS[k] for k in rng.integers(len(PLACE_ENDINGS), size=5_000)]
    surnames = unique([capitalise(r + e) for r, e in zip(roots[:10_000], sur_end, strict=True)],
                      banned, N_PEOPLE, min_len=4)
    banned = banned | {s.lower() for s in surnames}
    places = unique([capitalise(r + e) for r, e in zip(roots[10_000:15_000], place_end,
                                                       strict=True)],
                    banned, N_PLACES, min_len=4)
    banned = banned | {p.lower() for p in places}
    stems = unique([capitalise(r) for r in roots[15_000:]], banned, N_ORGS, min_len=4)
    return {"surnames": surnames, "places": places, "stems": stems}


def build_places(rng: np.random.Generator, singles: list[str]) -> list[str]:
    """About a quarter of places get two-word forms ("Port Ardel", "Kessa Valley")."""
    out = []
    for name, u, k in zip(singles, rng.random(len(singles)), rng.random(len(singles)),
                          strict=True):
        if u < 0.15:
            name = f"{PLACE_PREFIXES[int(k * len(PLACE_PREFIXES))]} {name}"
        elif u < 0.25:
            name = f"{name} {PLACE_SUFFIXES[int(k * len(PLACE_SUFFIXES))]}"
        out.append(name)
    return out


def build_orgs(rng: np.random.Generator, stems: list[str], places: list[str]) -> list[str]:
    """``N_ORGS`` distinct organisation names from the patterns news uses most."""
    orgs = [f"Ministry of {d}" for d in MINISTRY_DOMAINS]
    k = 0
    while len(orgs) < N_ORGS:
        u, a, b = rng.random(3)
        stem, place = stems[k % len(stems)], places[int(b * len(places))]
        if u < 0.55:
            name = f"{stem} {ORG_SUFFIXES[int(a * len(ORG_SUFFIXES))]}"
        elif u < 0.65:
            name = f"{IDEOLOGIES[int(a * len(IDEOLOGIES))]} Party of {place}"
        elif u < 0.75:
            name = f"University of {place}"
        elif u < 0.82:
            name = f"Bank of {place}"
        elif u < 0.90:
            name = f"{place} City Council"
        else:
            name = f"National {MINISTRY_DOMAINS[int(a * len(MINISTRY_DOMAINS))]} Agency"
        k += 1
        if name not in orgs:
            orgs.append(name)
    return orgs


def org_mention(name: str) -> str:
    """The running-text form: "the Ministry of Finance" but plain "Velmar Corporation"."""
    starts = ("Ministry", "University of", "Bank of", "National")
    ends = ("Party", "Institute", "Foundation", "Council", "Group", "Agency")
    if name.startswith(starts) or name.endswith(ends):
        return f"the {name}"
    return name


def build_topics(rng: np.random.Generator, pools: dict[str, np.ndarray],
                 content_table: np.ndarray) -> tuple[Topic, ...]:
    """Topics draw mid-frequency words (ranks 200-15,000: distinctive but not rare),
    and pair some of them with a further word into the topic's set phrases."""
    ranks = np.exp(rng.uniform(np.log(200), np.log(15_000), (N_TOPICS, TOPIC_WORDS)))
    partners = draw_table(content_table, rng.random((N_TOPICS, TOPIC_PHRASES)))
    topics = []
    for t in range(N_TOPICS):
        words = tuple(dict.fromkeys(ranks[t].astype(int).tolist()))
        phrases = [(words[k], int(partners[t, k])) for k in range(TOPIC_PHRASES)]
        topics.append(Topic(
            words=words,
            phrases=tuple((a, b) if (a + b) % 2 else (b, a) for a, b in phrases if a != b),
            people=tuple(draw(pools["people"], rng.random(TOPIC_PEOPLE)).tolist()),
            orgs=tuple(draw(pools["orgs"], rng.random(TOPIC_ORGS)).tolist()),
            places=tuple(draw(pools["places"], rng.random(TOPIC_PLACES)).tolist()),
        ))
    return tuple(topics)


def build_collocations(rng: np.random.Generator,
                       content_table: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Global two-word phrases, both words drawn by frequency: common phrases are
    made of common words. Distinct pairs, in popularity order."""
    firsts = draw_table(content_table, rng.random(3 * N_COLLOCATIONS)).tolist()
    seconds = draw_table(content_table, rng.random(3 * N_COLLOCATIONS)).tolist()
    pairs = dict.fromkeys((a, b) for a, b in zip(firsts, seconds, strict=True) if a != b)
    return tuple(pairs)[:N_COLLOCATIONS]


def token_vocabulary(function: tuple[str, ...], content: tuple[str, ...],
                     collocations: tuple[tuple[int, int], ...],
                     topics: tuple[Topic, ...]) -> tuple[tuple[str, ...], tuple[np.ndarray, ...]]:
    """All token strings, and each topic's token ids (its words and its phrases).

    Two-word phrases are single tokens, so one table lookup writes a whole phrase.
    """
    n_function = len(function)
    pair_text = [f"{content[a]} {content[b]}" for a, b in collocations]
    topic_tokens = []
    for topic in topics:
        ids = [n_function + w for w in topic.words]
        ids += range(n_function + len(content) + len(pair_text),
                     n_function + len(content) + len(pair_text) + len(topic.phrases))
        pair_text += [f"{content[a]} {content[b]}" for a, b in topic.phrases]
        topic_tokens.append(np.array(ids, dtype=np.int64))
    return function + content + tuple(pair_text), tuple(topic_tokens)


def date_cdf() -> tuple[tuple[str, ...], np.ndarray]:
    """Every day of the ten years and a linearly recent-heavy CDF over them."""
    n_days = (LAST_DAY - FIRST_DAY).days + 1
    days = tuple((FIRST_DAY + dt.timedelta(days=k)).isoformat() for k in range(n_days))
    weights = 1.0 + RECENCY_SLOPE * np.linspace(0.0, 1.0, n_days)
    cdf = np.cumsum(weights)
    return days, cdf / cdf[-1]


@lru_cache(maxsize=8)
def get_corpus(seed: int) -> Corpus:
    """Build (once per process and seed) the pools for ``seed``; about 0.3 s."""
    if seed < 0:
        raise ValueError("seed must be >= 0")
    rng = np.random.default_rng([seed, STREAM_CORPUS])
    function, content = build_vocabulary(rng)
    banned = {w.lower() for w in function + content} | {f.lower() for f in FIRST_NAMES}
    names = build_names(rng, banned)
    places = build_places(rng, names["places"])
    orgs = build_orgs(rng, names["stems"], places)
    firsts = draw(zipf_cdf(len(FIRST_NAMES), 0.7), rng.random(N_PEOPLE))
    people = [f"{FIRST_NAMES[f]} {s}" for f, s in zip(firsts.tolist(), names["surnames"],
                                                       strict=True)]
    cdfs = {"people": zipf_cdf(N_PEOPLE, 1.0), "orgs": zipf_cdf(N_ORGS, 1.0),
            "places": zipf_cdf(N_PLACES, 1.0)}
    outlets = tuple(OUTLETS[k] for k in rng.permutation(len(OUTLETS)))
    days, days_cdf = date_cdf()
    function_cdf = zipf_cdf(len(function), 1.0)
    content_cdf = zipf_cdf(len(content), 1.0, offset=CONTENT_RANK_OFFSET)
    content_table = inverse_table(content_cdf, 21)
    topics = build_topics(rng, cdfs, content_table)
    collocations = build_collocations(rng, content_table)
    vocab, topic_tokens = token_vocabulary(function, content, collocations, topics)
    return Corpus(
        seed=seed,
        function_words=function,
        content_words=content,
        people=tuple(people),
        last_names=tuple(names["surnames"]),
        orgs=tuple(orgs),
        org_mentions=tuple(org_mention(o) for o in orgs),
        places=tuple(places),
        outlets=outlets,
        topics=topics,
        collocations=vocab[len(function) + len(content):][:len(collocations)],
        vocab=np.array(vocab, dtype=object),
        n_single=len(function) + len(content),
        topic_tokens=topic_tokens,
        # Offset: even the most common set phrase is in ~10% of articles, not most.
        collocation_table=inverse_table(zipf_cdf(len(collocations), 1.0, offset=10), 16),
        function_cdf=function_cdf,
        content_cdf=content_cdf,
        function_table=inverse_table(function_cdf, 16),
        content_table=content_table,
        people_cdf=tuple(cdfs["people"].tolist()),
        orgs_cdf=tuple(cdfs["orgs"].tolist()),
        places_cdf=tuple(cdfs["places"].tolist()),
        outlet_cdf=tuple(zipf_cdf(len(outlets), 1.1).tolist()),
        topic_cdf=tuple(zipf_cdf(N_TOPICS, 0.9).tolist()),
        date_cdf=tuple(days_cdf.tolist()),
        dates=days,
        outlet_slugs=tuple(slugify(o) for o in outlets),
        function_set=frozenset(function),
        vocab_list=vocab,
    )


# -------------------------------------------------------------------------- articles


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """What the generator knows about an article beyond its JSON: its topic and the
    cast chosen for it (a minor member may never get a sentence; ``bench.queries``
    checks the text before relying on a name)."""

    index: int
    topic: int
    people: tuple[int, ...]
    orgs: tuple[int, ...]
    places: tuple[int, ...]


def pick_entities(corpus_cdf: Sequence[float], favourites: tuple[int, ...], count: int,
                  u: list[float]) -> tuple[int, ...]:
    """``count`` entities (fewer after de-duplication): 60% from the topic's favourites,
    the rest by global popularity, so topics have recurring casts."""
    chosen = []
    for k in range(count):
        if u[2 * k] < 0.6:
            chosen.append(favourites[int(u[2 * k + 1] * len(favourites))])
        else:
            chosen.append(draw_one(corpus_cdf, u[2 * k + 1]))
    return tuple(dict.fromkeys(chosen))


def count_from(probabilities: Sequence[float], u: float) -> int:
    """Index drawn from a small discrete distribution."""
    acc = 0.0
    for k, p in enumerate(probabilities):
        acc += p
        if u < acc:
            return k
    return len(probabilities) - 1


def token_pool(corpus: Corpus, topic_id: int,
               rng: np.random.Generator) -> tuple[list[str], list[int], list[int]]:
    """The body's base tokens, drawn in one vectorised pass.

    Positions alternate between runs of content words (1-3) and function words (1-2),
    giving ~43% function words as in English. A content position sometimes takes a
    topic token (a topic word or phrase) or a global collocation instead of a
    background word. Returns the token strings, the running word count before each
    token (phrases count two), and a plain content-word id for every position, used
    where a function word would look wrong (sentence ends); ids, because turning all
    of them into strings would be wasted work.
    """
    u = rng.random((6, TOKEN_POOL))  # one call: per-call overhead matters here
    n_runs = TOKEN_POOL // 2
    runs = np.empty(2 * n_runs, dtype=np.int64)
    runs[0::2] = 1 + (u[0, :n_runs] > 0.5) + (u[0, :n_runs] > 0.85)
    runs[1::2] = 1 + (u[1, :n_runs] < 0.3)
    is_content = np.repeat(_ALTERNATING[:2 * n_runs], runs)[:TOKEN_POOL]
    n_function = len(corpus.function_words)
    plain_ids = draw_table(corpus.content_table, u[2]) + n_function
    topic_tokens = corpus.topic_tokens[topic_id]
    special = np.where(
        u[4] < TOPIC_SHARE_OF_CONTENT,
        topic_tokens[(u[3] * len(topic_tokens)).astype(np.intp)],
        corpus.n_single + draw_table(corpus.collocation_table, u[3]),
    )
    content_ids = np.where(u[4] < TOPIC_SHARE_OF_CONTENT + COLLOCATION_SHARE_OF_CONTENT,
                           special, plain_ids)
    ids = np.where(is_content, content_ids, draw_table(corpus.function_table, u[5]))
    words_before = np.concatenate(([0], np.cumsum(1 + (ids >= corpus.n_single))))
    return corpus.vocab[ids].tolist(), words_before.tolist(), plain_ids.tolist()


# True, False, True, ...: content/function run types, precomputed for ``token_pool``.
_ALTERNATING = np.tile(np.array([True, False]), TOKEN_POOL)


class BodyWriter:
    """Turns a pre-drawn token pool and pre-drawn uniforms into sentences.

    All randomness is drawn up front in fixed-size arrays (one numpy call each) and
    consumed here as plain Python floats: per-sentence numpy calls would dominate
    the run time.
    """

    def __init__(self, corpus: Corpus, meta: ArticleMeta, rng: np.random.Generator) -> None:
        self.corpus = corpus
        self.meta = meta
        self.tokens, self.words_before, self.content_alt = token_pool(corpus, meta.topic, rng)
        self.function_set = corpus.function_set
        self.vocab = corpus.vocab_list
        self.pos = 0
        self.u = rng.random((MAX_SENTENCES, 10)).tolist()
        # Triangular: mode 15, mean ~18, both ends of the 8-30 range reachable (29 plus
        # a straddling phrase makes 30).
        lengths = rng.triangular(SENTENCE_MIN_WORDS, 15, SENTENCE_MAX_WORDS, MAX_SENTENCES)
        self.lengths = lengths.astype(np.int64).tolist()
        self.mentioned: set[int] = set()
        self.available = (True, bool(meta.places), bool(meta.orgs), bool(meta.people),
                          bool(meta.people))

    def take(self, n: int, u_comma: float, u_pos: float) -> list[str]:
        """Next tokens holding ``n`` words (``n + 1`` if a phrase straddles the end),
        ending on a content word, with a comma after one of them in long sentences."""
        start = self.pos
        self.pos = bisect_left(self.words_before, self.words_before[start] + n, lo=start)
        words = self.tokens[start:self.pos]
        n = len(words)
        if words[-1] in self.function_set:
            words[-1] = self.vocab[self.content_alt[self.pos - 1]]
        if n >= 12 and u_comma < 0.45:
            k = 3 + int(u_pos * (n - 6))
            words[k] = words[k] + ","
        return words

    @staticmethod
    def pick(items: tuple[int, ...], u: float) -> int:
        """Skewed choice: an article's first-listed entity is its main character."""
        return items[int(len(items) * u ** 1.6)]

    def person(self, u: float, u_role: float, with_role: bool) -> str:
        """Full name on first mention (sometimes with a role), surname afterwards."""
        pid = self.pick(self.meta.people, u)
        if pid in self.mentioned:
            return self.corpus.last_names[pid]
        self.mentioned.add(pid)
        name = self.corpus.people[pid]
        if with_role and self.meta.orgs and u_role < 0.3:
            role = PERSON_ROLES[int(u_role / 0.3 * len(PERSON_ROLES))]
            org = self.corpus.org_mentions[self.pick(self.meta.orgs, u_role)]
            return f"{name}, {role} {org}"
        return name

    def kind(self, u: float) -> int:
        """Sentence kind, falling back to plain when the article lacks that entity."""
        k = bisect_right(KIND_CUTS, u)
        return k if self.available[k] else KIND_PLAIN

    def base(self, total: int, extra: str, u: list[float]) -> list[str]:
        """Base words so that base plus the ``extra`` entity text has ``total`` words."""
        n_extra = word_count(extra) if extra else 0
        return self.take(max(total - n_extra, 3), u[4], u[5])

    def slot(self, words: list[str], u: float) -> int:
        """Where to insert an entity: after a content word, so "a the Ministry" and
        "of in Velmora" do not happen (falls back to the drawn spot)."""
        start = 1 + int(u * (len(words) - 1))
        for k in range(start, len(words)):
            if words[k - 1] not in self.function_set:
                return k
        return start

    def sentence(self, j: int) -> str:
        """Sentence ``j``: 8-30 words, capitalised, punctuated, maybe with entities."""
        u, total = self.u[j], self.lengths[j]
        kind = self.kind(u[0])
        if kind == KIND_SAID:
            return self.said(total, u)
        if kind == KIND_PLAIN:
            words = self.base(total, "", u)
            words[0] = capitalise(words[0])
            return " ".join(words) + ("?" if u[9] < 0.01 else ".")
        if kind == KIND_PLACE:
            place = self.corpus.places[self.pick(self.meta.places, u[2])]
            if u[3] < 0.2:
                words = self.base(total, f"In {place},", u)
                return f"In {place}, " + " ".join(words) + "."
            prep = PLACE_PREPOSITIONS[int(u[7] * len(PLACE_PREPOSITIONS))]
            extra = f"{prep} {place}"
        elif kind == KIND_ORG:
            extra = self.corpus.org_mentions[self.pick(self.meta.orgs, u[2])]
        else:
            extra = self.person(u[2], u[8], with_role=False)
        words = self.base(total, extra, u)
        words.insert(self.slot(words, u[1]), extra)
        words[0] = capitalise(words[0])
        return " ".join(words) + "."

    def said(self, total: int, u: list[float]) -> str:
        """Attributed speech, in the five shapes news copy uses most."""
        template = int(u[3] * 5)
        name = self.person(u[2], u[8], with_role=template in (0, 2))
        shell = {0: "said {P}", 1: "{P} said", 2: "said {P}", 3: "{P} said",
                 4: "According to {P},"}[template]
        words = self.base(total, shell.replace("{P}", name), u)
        if template <= 2:
            words[0] = capitalise(words[0])
            text = " ".join(words)
            if template == 2:
                return f'"{text}," said {name}.'
            return f"{text}, {shell.replace('{P}', name)}."
        return f"{shell.replace('{P}', name)} {' '.join(words)}."

    def body(self, target: int) -> str:
        """Sentences until ``target`` words, grouped into short news paragraphs."""
        paragraphs: list[str] = []
        current: list[str] = []
        count = j = 0
        while count < target:
            text = self.sentence(j)
            current.append(text)
            count += word_count(text)
            if (j == 0 and self.u[j][6] < 0.7) or self.u[j][6] < 0.38:
                paragraphs.append(" ".join(current))
                current = []
            j += 1
        if current:
            paragraphs.append(" ".join(current))
        return "\n\n".join(paragraphs)


def title(corpus: Corpus, meta: ArticleMeta, u: list[float], words: list[str]) -> str:
    """A 5-12 word sentence-case headline, usually naming an entity or the topic."""
    length = 5 + int(u[0] * 8)
    entity = ""
    if u[1] < 0.65:
        if meta.people and u[2] < 0.45:
            entity = corpus.people[meta.people[0]]
        elif meta.places and u[2] < 0.8:
            entity = corpus.places[meta.places[0]]
        elif meta.orgs:
            entity = corpus.orgs[meta.orgs[0]]
    topic_word = ""
    if u[3] < 0.75:
        topic = corpus.topics[meta.topic]
        topic_word = corpus.content_words[topic.words[int(u[4] * len(topic.words))]]
    need = max(length - (word_count(entity) if entity else 0) - bool(topic_word), 1)
    body = list(words[:need])
    if need >= 3 and u[5] < 0.5:
        body[1 + int(u[6] * (need - 2))] = HEADLINE_LINKS[int(u[7] * len(HEADLINE_LINKS))]
    if topic_word:
        body.insert(int(u[8] * (len(body) + 1)), topic_word)
    if entity:
        body.insert(0 if u[9] < 0.5 else int(u[9] * (len(body) + 1)), entity)
    body[0] = capitalise(body[0])
    return " ".join(body)


@dataclass(frozen=True, slots=True)
class Facets:
    """An article's metadata, decided by the first draws of its stream.

    Split out so the distributions of dates and outlets can be checked (or sampled)
    over tens of thousands of articles without writing their bodies.
    """

    date: str | None
    outlet: int
    topic: int
    target_words: int
    counts: tuple[int, int, int]  # distinct people, orgs, places to feature


def draw_facets(corpus: Corpus, rng: np.random.Generator) -> Facets:
    """The first draw of every article stream: 16 uniforms, one per decision."""
    head = rng.random(16).tolist()
    return Facets(
        date=(corpus.dates[draw_one(corpus.date_cdf, head[1])]
              if head[0] >= MISSING_DATE_SHARE else None),
        outlet=draw_one(corpus.outlet_cdf, head[2]),
        topic=draw_one(corpus.topic_cdf, head[3]),
        target_words=BODY_MIN_WORDS + int(head[4] * (TARGET_MAX_WORDS - BODY_MIN_WORDS + 1)),
        counts=(count_from(PEOPLE_COUNT_P, head[5]), count_from(ORG_COUNT_P, head[6]),
                count_from(PLACE_COUNT_P, head[7])),
    )


def article_stream(corpus: Corpus, index: int) -> np.random.Generator:
    """Article ``index``'s own random stream: independent of every other article."""
    return np.random.default_rng([corpus.seed, STREAM_ARTICLE, index])


def article_facets(corpus: Corpus, index: int) -> Facets:
    """Article ``index``'s metadata alone, ~20x cheaper than building the article."""
    return draw_facets(corpus, article_stream(corpus, index))


def build_article(corpus: Corpus, index: int) -> tuple[dict, ArticleMeta]:
    """Article ``index`` (0-based) and its ground truth, from its own RNG stream."""
    rng = article_stream(corpus, index)
    facets = draw_facets(corpus, rng)
    topic = corpus.topics[facets.topic]
    eu = rng.random(24).tolist()
    n_people, n_orgs, n_places = facets.counts
    meta = ArticleMeta(
        index=index,
        topic=facets.topic,
        people=pick_entities(corpus.people_cdf, topic.people, n_people, eu[0:8]),
        orgs=pick_entities(corpus.orgs_cdf, topic.orgs, n_orgs, eu[8:16]),
        places=pick_entities(corpus.places_cdf, topic.places, n_places, eu[16:24]),
    )
    body = BodyWriter(corpus, meta, rng).body(facets.target_words)
    n_function = len(corpus.function_words)
    headline_words = corpus.vocab[n_function + draw_table(corpus.content_table, rng.random(12))]
    headline = title(corpus, meta, rng.random(10).tolist(), headline_words.tolist())
    article_id = f"syn-{index + 1:06d}"
    record: dict = {"id": article_id, "title": headline, "body": body}
    if facets.date is not None:
        record["date"] = facets.date
    record["outlet"] = corpus.outlets[facets.outlet]
    year = facets.date[:4] if facets.date else "undated"
    slug = corpus.outlet_slugs[facets.outlet]
    record["url"] = f"https://example.{slug}.test/{year}/{article_id}"
    return record, meta


def article(index: int, seed: int) -> dict:
    """Random access: article ``index`` (0-based) of every corpus made with ``seed``."""
    return build_article(get_corpus(seed), index)[0]


def generate(n: int, seed: int, start: int = 0) -> Iterator[dict]:
    """Articles ``start`` .. ``start + n - 1`` for ``seed``, in order.

    ``generate(n, s)`` equals ``generate(k, s)`` followed by
    ``generate(n - k, s, start=k)``: any chunking yields the same articles.
    """
    corpus = get_corpus(seed)
    for index in range(start, start + n):
        yield build_article(corpus, index)[0]


# ------------------------------------------------------------------------ JSONL / CLI


def to_line(record: dict) -> str:
    """One JSONL line; fixed key order and separators make the bytes reproducible."""
    return json.dumps(record, ensure_ascii=False) + "\n"


def _chunk_text(job: tuple[int, int, int]) -> str:
    """Worker entry point: JSONL text for one range (top-level so it pickles)."""
    start, n, seed = job
    return "".join(to_line(r) for r in generate(n, seed, start))


def iter_chunks(n: int, seed: int, chunk: int, workers: int) -> Iterator[str]:
    """JSONL text in order, chunk by chunk, optionally from a process pool."""
    jobs = [(s, min(chunk, n - s), seed) for s in range(0, n, chunk)]
    if workers <= 1:
        yield from map(_chunk_text, jobs)
        return
    with Pool(workers) as pool:
        yield from pool.imap(_chunk_text, jobs)


def write_jsonl(path: Path, n: int, seed: int, workers: int = 1, chunk: int = 1_000) -> int:
    """Write ``n`` articles to ``path``; returns the byte count. ``-`` means stdout."""
    if str(path) == "-":
        return write_stream(sys.stdout, n, seed, workers, chunk)
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        return write_stream(out, n, seed, workers, chunk)


def write_stream(out: TextIO, n: int, seed: int, workers: int, chunk: int) -> int:
    """Write the JSONL text to an open stream; returns the byte count."""
    size = 0
    for text in iter_chunks(n, seed, chunk, workers):
        out.write(text)
        size += len(text.encode("utf-8"))
    return size


def auto_workers(n: int) -> int:
    """One process per CPU, but only when there is enough work to repay the start-up
    (each worker builds its own ``Corpus``, about half a second)."""
    return max(1, min(os.cpu_count() or 1, n // 5_000))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.synth", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of articles")
    parser.add_argument("--seed", type=int, default=7, help="random seed (>= 0)")
    parser.add_argument("--out", type=Path, required=True, help="output JSONL path, or -")
    parser.add_argument("--workers", type=int, default=0,
                        help="processes (0 = one per CPU for big runs); output is "
                             "byte-identical for any value")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.n < 0 or args.seed < 0:
        print("--n and --seed must be >= 0", file=sys.stderr)
        return 2
    started = time.perf_counter()
    size = write_jsonl(args.out, args.n, args.seed, workers=args.workers or auto_workers(args.n))
    elapsed = time.perf_counter() - started
    print(f"wrote {args.n} articles, {size / 1e6:.1f} MB, to {args.out} in {elapsed:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
