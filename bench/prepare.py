"""The inputs of one benchmark run, generated once and reused while n and seed match.

* ``corpus-n<N>-s<SEED>.jsonl``: exactly what ``python -m bench.synth`` writes.
* ``corpus-n<N>-s<SEED>-tagged.jsonl``: the same records plus ``people``,
  ``organisations`` and ``places`` keys holding the canonical names the generator
  planted *and actually wrote* in each article (``bench.queries.make_anchor``'s rule,
  the one the query filters use). Why: SQLite FTS5 and tantivy cannot extract
  entities, and newsdesk's "none" extractor finds none either, so without shared
  names every entity filter would match nothing in some engines and entity facets
  would be empty. newsdesk reads these keys as editor tags (``search.formats``), so
  all three engines index the same documents with the same entities.
* ``queries-q<Q>-s<SEED>-c<C>.json``: ``bench.queries`` output, anchored in the
  first ``C = min(n, 1000)`` articles (1000 is the CLI's default).
* the first ``--model-sample`` tagged records, for the spaCy build, and a copy with
  1% of the articles changed, for the ``--update`` build.

Files are written to a temporary name and renamed, so a present file is complete.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.queries import generate_queries, make_anchor
from bench.synth import auto_workers, get_corpus, write_jsonl

ANCHOR_LIMIT = 1_000  # bench.queries' default --corpus-n
UPDATE_NOTE = "Editor's note: this article was updated after publication."
FEED_NOTE = "Correction: an earlier version of this article misstated a figure."


@dataclass(frozen=True, slots=True)
class Inputs:
    plain: Path
    tagged: Path
    queries: Path
    sample: Path | None  # None when --model-sample is 0
    changed: Path | None  # None when --update-share is 0
    changed_count: int
    feed: Path | None = None  # None when --feed is 0


def _atomic_write(path: Path, write) -> Path:
    """Run ``write(tmp_path)`` then rename, so an interrupted run leaves no half file."""
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)
    return path


def ensure_corpus(out: Path, n: int, seed: int) -> Path:
    path = out / f"corpus-n{n}-s{seed}.jsonl"
    if not path.exists():
        _atomic_write(path, lambda tmp: write_jsonl(tmp, n, seed, workers=auto_workers(n)))
    return path


def _records(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def _write_records(path: Path, records) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def tagged_records(plain: Path, seed: int) -> Iterator[dict]:
    """Each plain record with the entity names the generator wrote into it."""
    corpus = get_corpus(seed)
    for index, record in enumerate(_records(plain)):
        anchor = make_anchor(corpus, index)
        if anchor.record["id"] != record["id"]:
            raise ValueError(f"{plain} line {index + 1} is not article {index} of seed {seed}")
        yield record | {"people": list(anchor.people), "organisations": list(anchor.orgs),
                        "places": list(anchor.places)}


def ensure_tagged(plain: Path, seed: int) -> Path:
    path = plain.with_name(plain.stem + "-tagged.jsonl")
    if not path.exists():
        _atomic_write(path, lambda tmp: _write_records(tmp, tagged_records(plain, seed)))
    return path


def ensure_queries(out: Path, count: int, seed: int, n: int) -> Path:
    corpus_n = max(1, min(n, ANCHOR_LIMIT))
    path = out / f"queries-q{count}-s{seed}-c{corpus_n}.json"
    if not path.exists():
        queries = generate_queries(count, seed, corpus_n=corpus_n)
        text = json.dumps(queries, indent=1, ensure_ascii=False) + "\n"
        _atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path


def ensure_sample(tagged: Path, size: int) -> Path:
    """The first ``size`` tagged records (the spaCy build is too slow for all of them)."""
    path = tagged.with_name(f"{tagged.stem}-first{size}.jsonl")
    if not path.exists():
        def head(tmp: Path) -> None:
            with open(tagged, encoding="utf-8") as src, open(tmp, "w", encoding="utf-8") as dst:
                for k, line in enumerate(src):
                    if k == size:
                        break
                    dst.write(line)
        _atomic_write(path, head)
    return path


def changed_records(tagged: Path, every: int) -> Iterator[dict]:
    """All records, every ``every``-th one with a sentence appended to its body: what a
    re-crawl that finds a few corrected articles feeds an incremental update."""
    for index, record in enumerate(_records(tagged)):
        if index % every == every - 1:
            record = record | {"body": record["body"] + "\n\n" + UPDATE_NOTE}
        yield record


def ensure_changed(tagged: Path, share: float, n: int) -> tuple[Path, int]:
    every = max(1, round(1 / share))
    path = tagged.with_name(f"{tagged.stem}-changed-every{every}.jsonl")
    if not path.exists():
        _atomic_write(path, lambda tmp: _write_records(tmp, changed_records(tagged, every)))
    return path, n // every


def feed_records(tagged: Path, count: int, n: int) -> Iterator[dict]:
    """Only ``count`` corrected articles, spread over the archive: what a live feed sends
    an update, so its cost can be compared across archive sizes."""
    every = max(1, n // count)
    for index, record in enumerate(_records(tagged)):
        if index % every == every // 2 and index // every < count:
            yield record | {"body": record["body"] + "\n\n" + FEED_NOTE}


def ensure_feed(tagged: Path, count: int, n: int) -> Path:
    path = tagged.with_name(f"{tagged.stem}-feed{count}.jsonl")
    if not path.exists():
        _atomic_write(path, lambda tmp: _write_records(tmp, feed_records(tagged, count, n)))
    return path


def prepare(out: Path, n: int, seed: int, query_count: int, model_sample: int,
            update_share: float, feed: int = 0) -> Inputs:
    out.mkdir(parents=True, exist_ok=True)
    plain = ensure_corpus(out, n, seed)
    tagged = ensure_tagged(plain, seed)
    changed, changed_count = (ensure_changed(tagged, update_share, n) if update_share > 0
                              else (None, 0))
    return Inputs(
        plain=plain,
        tagged=tagged,
        queries=ensure_queries(out, query_count, seed, n),
        sample=ensure_sample(tagged, min(model_sample, n)) if model_sample > 0 else None,
        changed=changed,
        changed_count=changed_count,
        feed=ensure_feed(tagged, min(feed, n), n) if feed > 0 else None,
    )
