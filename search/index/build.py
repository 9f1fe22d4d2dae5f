"""The indexing job: sources -> enriched articles -> a new index generation, switched in.

The job streams in two passes. First, worker processes clean each batch of records
and invert it into a new segment (``search.index.segment``): text, postings, stored
fields, dates and outlets; the texts for entity extraction go to a spool file in the
new generation's private directory. Then entities are extracted for the texts the cache
has not seen, corpus statistics are gathered for canonical names, and each new segment
gets its entity columns. An update keeps the current generation's segments (hard links:
a segment is never rewritten), marks the replaced and deleted articles as deleted in
them and adds segments for the changes; merges follow the policy of
``search.index.merge``. Memory stays bounded by the batch size and the number of ids
and entity names, not by the size of the archive. Nothing becomes visible until
``IndexStore.publish`` swaps the ``current`` link, so a failure at any point leaves the
previous index serving.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import json
import os
import pickle
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from search.analysis import COMPOUND, WORD, term_of
from search.enrich.cache import ExtractionCache, text_key
from search.enrich.entities.aliases import load_aliases
from search.enrich.entities.canonical import EntityResolver
from search.enrich.entities.extractors import Extractor, NoExtractor, make_extractor
from search.enrich.entities.recall import NameFinder
from search.enrich.entities.sports import teams
from search.enrich.pipeline import Enricher, id_of
from search.enrich.rules import DATA_DIR
from search.formats import STDIN, iter_sources
from search.formats.fields import article_from_fields, normalise_keys
from search.index.codec import NpSegment
from search.index.entity_columns import Resolving, SegmentNames, write_all
from search.index.journal import DELETE, JOURNAL, PUT, Entry, Journal
from search.index.merge import apply_policy
from search.index.parallel import long_lived, ordered_map
from search.index.schema import SCHEMA_VERSION
from search.index.segment import (
    INDEX_NAME,
    PICKLE_PROTOCOL,
    SegmentInfo,
    write_text_segment,
)
from search.index.segments import SegmentSet, read_toc, write_toc
from search.index.store import (
    COMPOUNDS,
    CURRENT,
    ENTITY_STATS,
    VOCABULARY,
    IndexStore,
    outdated,
)
from search.models import ENTITY_TYPES, Article, Problem, RawArticle
from search.settings import Settings

# Cleaned articles between the passes: a private, transient file, so pickled (fast).
SPOOL = "articles.spool.pickle"
PROBLEMS = "problems.jsonl"
# Surface words kept for spelling suggestions, most frequent first.
MAX_VOCABULARY = 300_000
# Articles inverted into one new segment: bounds a worker's memory (a few hundred MB
# for long articles); the merge policy then keeps the number of segments logarithmic.
SEGMENT_DOCS = 5_000
# The action of a problem about an id given to --delete that the index does not hold.
NOT_DELETED = "not_deleted"
# The action of a problem about a record whose id a later record of the same build reuses.
REPLACED = "replaced"
# Texts handed to the extractor per cache round-trip.
EXTRACT_CHUNK = 1000


@dataclass
class BuildReport:
    """What a build did, for the summary line and for tests."""

    index_dir: Path
    generation: str | None = None
    read: int = 0
    indexed: int = 0
    unchanged: int = 0
    deleted: int = 0
    # Articles read that cleaning left out (no body left, an unusable id).
    dropped: int = 0
    extracted: int = 0
    from_cache: int = 0
    up_to_date: bool = False
    segments: int = 0
    merges: int = 0
    problems: list[Problem] = field(default_factory=list)
    entities: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        """Records (or whole files) not indexed: unreadable, or left out after cleaning."""
        return sum(1 for p in self.problems if p.action == "skipped")

    @property
    def replaced(self) -> int:
        """Articles read whose id a later record of the same build reused."""
        return sum(1 for p in self.problems if p.action == REPLACED)

    def problems_by_reason(self) -> Counter[tuple[str, str]]:
        """Problems grouped by the shape of their reason (quoted values and numbers elided)."""
        return Counter((p.action, _reason_shape(p.reason)) for p in self.problems)

    def summary(self) -> list[str]:
        total = sum(self.seconds.values())
        if self.up_to_date:
            return [
                f"index {self.index_dir} is up to date: {self.read} articles read, "
                f"nothing changed ({total:.1f}s); use --force to rebuild anyway"
            ]
        lines = [
            # read = indexed + unchanged + replaced + left out; the unreadable never were.
            f"read {self.read} articles: indexed {self.indexed}, unchanged {self.unchanged}, "
            f"replaced by a later record {self.replaced}, left out {self.dropped}; "
            f"deleted {self.deleted}; skipped {self.skipped - self.dropped} unreadable "
            f"records or files",
            f"entities extracted for {self.extracted}, from cache {self.from_cache}",
            "distinct entities: "
            + ", ".join(f"{k} {self.entities.get(k, 0)}" for k in ENTITY_TYPES),
            "seconds: "
            + ", ".join(f"{k} {v:.1f}" for k, v in self.seconds.items())
            + f", total {total:.1f}",
        ]
        first_seen: dict[tuple[str, str], Problem] = {}
        for p in self.problems:
            first_seen.setdefault((p.action, _reason_shape(p.reason)), p)
        for (action, reason), count in self.problems_by_reason().most_common():
            example = first_seen[(action, reason)]
            where = example.source + (f":{example.position}" if example.position else "")
            lines.append(f"  {count:>6} x {action.replace('_', ' ')}: {reason} (first: {where})")
        if self.problems and self.generation:
            path = self.index_dir / CURRENT / PROBLEMS
            lines.append(f"every problem, one JSON line each: {path}")
        if self.generation:
            lines.append(
                f"index {self.index_dir} now serves generation {self.generation} "
                f"({self.segments} segment{'s' * (self.segments != 1)}, "
                f"{self.merges} merge{'s' * (self.merges != 1)} now)"
            )
        elif not self.up_to_date:
            lines.append(f"nothing changed: index {self.index_dir} serves the same generation")
        return lines


def build_index(
    sources: Sequence[str | Path],
    settings: Settings,
    *,
    fmt: str | None = None,
    update: bool = False,
    delete_ids: Iterable[str] = (),
    force: bool = False,
    progress: bool = False,
    journal_entries: Sequence[Entry] | None = None,
) -> BuildReport:
    """Build (or with ``update``, amend) the index at ``settings.index_dir``.

    The API's writes (``search.index.journal``) are part of the archive: a full build
    reads the journal's final state after the files (an id written or deleted through
    the API wins over the files'), and an update given ``journal_entries`` applies those
    (the live writer's path, ``search.index.live``). Every generation's manifest says up
    to which journal entry it holds (``journal_seq``).
    """
    store = IndexStore(settings.index_dir)
    report = BuildReport(index_dir=store.root)
    started = time.perf_counter()
    # Standard input can be read once: it is built, never compared with the last build.
    from_stdin = STDIN in map(str, sources)
    force = force or from_stdin
    with store.lock():
        current = store.current()
        if update and current is None:
            update = False  # nothing to amend: a first build
        if update and (found := store.manifest(current).get("schema_version")) != SCHEMA_VERSION:
            raise outdated(store.root, found, SCHEMA_VERSION)
        writes = _api_writes(store, current, update, journal_entries)
        if not update and not force and current is not None:
            clock = time.perf_counter()
            fingerprint, read = _fingerprint(sources, settings, fmt, writes)
            report.seconds["check"] = time.perf_counter() - clock
            if store.manifest(current).get("fingerprint") == fingerprint:
                report.read, report.up_to_date = read, True
                return report
        tmp = store.new_generation()
        try:
            job = _Job(store, tmp, settings, report, update, progress)
            manifest = job.run(sources, fmt, [*delete_ids, *writes.deleted], writes)
            if manifest is None:  # an update that changes nothing publishes nothing
                store.discard(tmp)
                return report
            if not update and report.indexed == 0:
                problems = report.problems
                why = (f"{problems[0].source}: {problems[0].reason}" if len(problems) == 1
                       else _count(len(problems), "problem"))
                raise EmptyBuild(
                    f"no article could be indexed from {', '.join(map(str, sources))}"
                    f" ({why}); the index was not changed",
                    problems,
                )
            manifest["build_seconds"] = round(time.perf_counter() - started, 3)
            if from_stdin:
                manifest["fingerprint"] = None
            report.generation = store.publish(tmp, manifest, settings.keep_generations).name
        except BaseException:
            store.discard(tmp)
            raise
    return report


def optimize_index(settings: Settings) -> BuildReport:
    """Merge the current generation's segments into one, dropping deleted documents.

    The articles and their fingerprint stay as they were, so a later build over the same
    inputs is still up to date; only the layout changes, published like any build.
    """
    store = IndexStore(settings.index_dir)
    report = BuildReport(index_dir=store.root)
    started = time.perf_counter()
    with store.lock():
        current = SegmentSet(store.require_current())
        manifest = store.manifest(current.folder)
        if manifest.get("schema_version") != SCHEMA_VERSION:
            raise outdated(store.root, manifest.get("schema_version"), SCHEMA_VERSION)
        report.indexed, report.segments = int(current.live.sum()), len(current.segments)
        if len(current.segments) < 2 and not any(s.has_deletions() for s in current.segments):
            return report  # already one segment without deletions: nothing to publish
        tmp = store.new_generation()
        try:
            _link_segments(current.folder, tmp)
            for side in (ENTITY_STATS, VOCABULARY, COMPOUNDS, PROBLEMS):
                if (current.folder / side).is_file():
                    os.link(current.folder / side, tmp / side)
            segments, report.merges = apply_policy(
                tmp, list(current.segments), everything=True
            )
            write_toc(tmp, segments, current.toc.generation + 1)
            report.segments = len(segments)
            report.seconds["merge"] = time.perf_counter() - started
            manifest |= {
                "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "articles": sum(s.doc_count() for s in segments),
                "segments": len(segments),
                "mode": "optimize",
                "build_seconds": round(time.perf_counter() - started, 3),
            }
            report.generation = store.publish(tmp, manifest, settings.keep_generations).name
        except BaseException:
            store.discard(tmp)
            raise
    return report


class EmptyBuild(RuntimeError):
    """A full build that found no article: publishing it would empty a serving index."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems


class _Job:
    """One run of the pipeline into the private directory ``tmp``."""

    def __init__(
        self, store: IndexStore, tmp: Path, settings: Settings, report: BuildReport,
        update: bool, progress: bool,
    ) -> None:
        self.store, self.tmp, self.settings, self.report = store, tmp, settings, report
        self.update, self.progress = update, progress
        self.enricher = Enricher.from_settings(settings)
        self.aliases = load_aliases(settings.aliases_files)
        self.extractor: Extractor = make_extractor(settings.extractor, self.aliases)
        # The "none" extractor finds nothing: its mentions need neither a run nor a cache.
        self.extracts = not isinstance(self.extractor, NoExtractor)
        self.cache = ExtractionCache(
            store.cache_dir / "extraction.sqlite",
            f"{self.extractor.name}:{self.extractor.version}",
        )
        self.spool = tmp / SPOOL
        # Text keys of indexed versions this update replaces or deletes.
        self.retired: list[str] = []
        # The new segments, each with what is kept of its documents until the entities
        # are written, and where each id's live version stands (segment, docnum, source).
        self.new_segments: list[NpSegment] = []
        self.new_docs: list[list[NewDoc]] = []
        self.spool_offsets: list[int] = []  # where each new segment's texts start in the spool
        self.placed: dict[str, tuple[int, int, str]] = {}
        self.vocabulary: Counter[str] = Counter()
        self.compounds: dict[str, str] = {}

    def run(self, sources: Sequence[str | Path], fmt: str | None, delete_ids: list[str],
            writes: ApiWrites) -> dict | None:
        """Write the new generation into ``tmp``; its manifest, or None if nothing changed."""
        try:
            current = SegmentSet(self.store.require_current()) if self.update else None
            if current is not None:
                _link_segments(current.folder, self.tmp)
            hasher = _new_fingerprint(self.settings, writes.seq)
            self._timed("index", self._index_sources, sources, fmt, current, hasher, delete_ids,
                        writes)
            with long_lived():  # what the first pass kept of every article stays to the end
                self._timed("extract", self._extract)
                resolver = self._timed("resolve", self._observe)
                segments = self._timed("entities", self._write, current, resolver, delete_ids)
                if (self.update and self.report.indexed == 0 and self.report.deleted == 0
                        and not writes.advances):
                    return None
                segments, self.report.merges = self._timed(
                    "merge", apply_policy, self.tmp, segments, False,
                    self.settings.build_processes,
                )
            write_toc(self.tmp, segments, 1 if current is None else current.toc.generation + 1)
            (self.tmp / ENTITY_STATS).write_text(json.dumps(resolver.to_dict()))
            with open(self.tmp / PROBLEMS, "w") as out:
                for p in self.report.problems:
                    out.write(json.dumps(asdict(p), ensure_ascii=False))
                    out.write("\n")
        finally:
            self.cache.close()
            self.spool.unlink(missing_ok=True)
        self.report.segments = len(segments)
        return {
            "schema_version": SCHEMA_VERSION,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "articles": sum(s.doc_count() for s in segments),
            "segments": len(segments),
            "extractor": f"{self.extractor.name}:{self.extractor.version}",
            "fingerprint": None if self.update else hasher.hexdigest(),
            "mode": "update" if self.update else "full",
            "journal_seq": writes.seq,
            "problems": len(self.report.problems),
        }

    def _timed(self, phase: str, fn, *args):
        clock = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.report.seconds[phase] = self.report.seconds.get(phase, 0) + (
                time.perf_counter() - clock
            )

    def _bar(self, iterable, desc: str, total: int | None = None):
        return tqdm(iterable, desc=desc, total=total, unit=" articles", disable=not self.progress,
                    leave=False, dynamic_ncols=True)

    def _index_sources(self, sources, fmt, current: SegmentSet | None, hasher,
                       delete_ids: list[str], writes: ApiWrites) -> None:
        """Read, clean and invert every record: each batch becomes a new segment in a worker.

        Only the entity columns wait (``_write``): they need the corpus-wide entity
        statistics, the text does not. A record whose id comes again later is marked
        deleted where it stands (the later one replaces it). In update mode it also notes
        the texts of the versions being replaced or deleted, so their mentions can be
        taken out of the corpus statistics.
        """
        for doc_id in delete_ids:
            stored = _stored_by_id(current, doc_id)
            if stored:
                self.retired.append(_stored_text_key(stored))
        records = itertools.chain(
            _without(iter_sources(sources, fmt, self.settings.max_article_bytes),
                     writes.deleted_later),
            writes.records,
        )
        sources_read = self._bar(records, "reading")
        batches = ordered_map(
            functools.partial(_index_batch, self.enricher, self.tmp, self.extracts),
            _chunks(self._to_index(sources_read, current, hasher), SEGMENT_DOCS),
            self.settings.build_processes,
            is_last=lambda chunk: len(chunk) < SEGMENT_DOCS,
        )
        with open(self.spool, "wb") as spool:
            for batch in batches:
                self.report.problems.extend(batch.problems)
                self.report.read += batch.read
                self.report.dropped += batch.dropped
                self.vocabulary.update(batch.vocabulary)
                for term, spaced in batch.compounds.items():
                    self.compounds.setdefault(term, spaced)
                if batch.info is None:
                    continue
                s = len(self.new_segments)
                self.new_segments.append(NpSegment(batch.info))
                self.spool_offsets.append(spool.tell())
                self.new_docs.append(batch.docs)
                for local, doc in enumerate(batch.docs):
                    if doc.id in self.placed:
                        earlier, at, where = self.placed[doc.id]
                        self.new_segments[earlier].delete_document(at)
                        self.report.problems.append(_repeated(doc.id, where, doc.where))
                    else:
                        stored = _stored_by_id(current, doc.id)
                        if stored:  # a changed version of an indexed article
                            self.retired.append(_stored_text_key(stored))
                    self.placed[doc.id] = (s, local, doc.where)
                for text in batch.texts:
                    pickle.dump(text, spool, PICKLE_PROTOCOL)
        self.report.indexed = len(self.placed)

    def _to_index(self, items: Iterable, current: SegmentSet | None, hasher) -> Iterator:
        """The records to clean and index, each fed to the fingerprint first.

        In an update, a record whose id and content are already indexed is counted as
        unchanged here, before any cleaning: a re-crawl of a large archive costs a read
        and a hash per unchanged record, not an enrichment."""
        for item in items:
            if isinstance(item, RawArticle):
                _feed_fingerprint(hasher, item)
                if current is not None and current.content_hash(id_of(item)) == item.content_hash():
                    self.report.read += 1
                    self.report.unchanged += 1
                    continue
            yield item

    def _spooled_texts(self) -> Iterator[str]:
        """The texts entities are extracted from, of every new document, in order."""
        with open(self.spool, "rb") as spool:
            while True:
                try:
                    yield pickle.load(spool)
                except EOFError:
                    return

    def _extract(self) -> None:
        """Run the extractor over texts the cache has not seen, in one stream."""
        if not self.extracts:
            return
        missing: dict[str, None] = {}  # ordered set: the order texts() will yield them
        for chunk in _chunks((d.key for docs in self.new_docs for d in docs), EXTRACT_CHUNK):
            cached = self.cache.get_many(chunk)
            for key in chunk:
                if key in cached:
                    self.report.from_cache += 1
                else:
                    missing.setdefault(key)
        if not missing:
            return
        wanted = set(missing)

        def texts() -> Iterator[str]:
            for text in self._spooled_texts():
                key = text_key(text)
                if key in wanted:
                    wanted.discard(key)
                    yield text

        results = self.extractor.extract(texts(), n_process=self.settings.build_processes)
        pairs = zip(missing, results, strict=True)
        for chunk in _chunks(self._bar(pairs, "extracting entities", len(missing)), EXTRACT_CHUNK):
            self.cache.put_many(chunk)
            self.report.extracted += len(chunk)

    def _mentions(self, docs: list[NewDoc]) -> list[list]:
        """Each document's extracted mentions (none without an extractor)."""
        if not self.extracts:
            return [[] for _ in docs]
        cached: dict = {}
        for chunk in _chunks([d.key for d in docs], EXTRACT_CHUNK):
            cached.update(self.cache.get_many(chunk))
        return [cached[d.key] for d in docs]

    def _live(self, s: int, docs: list[NewDoc]) -> list[bool]:
        """Which of new segment ``s``'s documents are the live version of their id."""
        return [self.placed[d.id][:2] == (s, local) for local, d in enumerate(docs)]

    def _observe(self) -> EntityResolver:
        resolver = EntityResolver(self.aliases)
        stats = self.store.require_current() / ENTITY_STATS if self.update else None
        if stats is not None and stats.is_file():
            resolver = EntityResolver.from_dict(json.loads(stats.read_text()), self.aliases)
            for mentions in self.cache.get_many(self.retired).values():
                resolver.forget(mentions)
        if self.extracts:
            texts = self._spooled_texts()
            for s, docs in enumerate(self.new_docs):
                for mentions, live in zip(self._mentions(docs), self._live(s, docs), strict=True):
                    text = next(texts)
                    if live:
                        resolver.observe(mentions)
                        resolver.observe_teams(teams(text))
        return resolver

    def _write(self, current: SegmentSet | None, resolver: EntityResolver,
               delete_ids: list[str]) -> list[NpSegment]:
        """The generation's segments: the current ones with deletion marks, then the new
        ones, completed with their entity columns."""
        # Fresh copies from the table of contents: the deletion marks set here must not
        # change the segments ``current`` (the serving generation) answers from.
        segments = [] if current is None else list(read_toc(current.folder).segments)
        for doc_id in [*delete_ids, *self.placed]:
            docnum = None if current is None else current.docnum_of(doc_id)
            if docnum is not None:
                i, local = current.locate(docnum)
                segments[i].delete_document(local)
                self.report.deleted += doc_id in delete_ids
            elif doc_id in delete_ids:
                self.report.problems.append(Problem(
                    "--delete", None, f"no article with id {doc_id!r} in the index", NOT_DELETED
                ))
        distinct: dict[str, set[str]] = {k: set() for k in ENTITY_TYPES}
        finder = (NameFinder.for_corpus(resolver.counts(), self.aliases, resolver.rules)
                  if self.extracts else None)
        work = (
            SegmentNames(segment.info.segid, [d.tags for d in docs], self._live(s, docs),
                         self._mentions(docs), at)
            for s, (segment, docs, at) in enumerate(
                zip(self.new_segments, self.new_docs, self.spool_offsets, strict=True))
        )
        resolving = Resolving(resolver, finder, self.tmp, self.spool)
        for found in write_all(work, resolving, self.settings.build_processes):
            for kind in ENTITY_TYPES:
                distinct[kind].update(found[kind])
        segments.extend(self.new_segments)
        self.report.entities = {k: len(v) for k, v in distinct.items()}
        if self.update:
            previous = self.store.require_current() / VOCABULARY
            if previous.is_file():
                self.vocabulary.update(json.loads(previous.read_text()))
        top = dict(self.vocabulary.most_common(MAX_VOCABULARY))
        (self.tmp / VOCABULARY).write_text(json.dumps(top, ensure_ascii=False))
        if self.update:
            previous = self.store.require_current() / COMPOUNDS
            if previous.is_file():
                self.compounds = {**json.loads(previous.read_text()), **self.compounds}
        (self.tmp / COMPOUNDS).write_text(json.dumps(self.compounds, ensure_ascii=False))
        return segments


@dataclass(slots=True)
class NewDoc:
    """What the build keeps of each newly indexed document until its entities are written."""

    id: str
    tags: dict[str, list[str]]
    key: str  # the text key its mentions are cached under ("" without an extractor)
    where: str  # source:position, for messages about repeated ids


@dataclass
class BatchResult:
    """A worker's account of one batch: its new segment, and what the parent needs."""

    info: SegmentInfo | None
    docs: list[NewDoc]
    texts: list[str]  # the texts to extract entities from, when extracting
    problems: list[Problem]
    read: int
    dropped: int  # read, but left out by cleaning
    vocabulary: dict[str, int]
    compounds: dict[str, str] = field(default_factory=dict)


def _index_batch(enricher: Enricher, folder: Path, extracts: bool,
                 items: list[RawArticle | Problem]) -> BatchResult:
    """Clean a batch of records and invert what is left into one segment (in a worker)."""
    problems: list[Problem] = []
    articles: dict[str, tuple[Article, RawArticle]] = {}
    read = dropped = 0
    for item in items:
        if isinstance(item, Problem):
            problems.append(item)
            continue
        read += 1
        article, found = enricher.enrich(item)
        problems.extend(found)
        if article is None:
            dropped += 1
            continue
        if article.id in articles:  # the later record replaces the earlier one
            earlier = articles.pop(article.id)[1]
            problems.append(_repeated(article.id, f"{earlier.source}:{earlier.position}",
                                      f"{item.source}:{item.position}"))
        articles[article.id] = (article, item)
    if not articles:
        return BatchResult(None, [], [], problems, read, dropped, {}, {})
    kept = [a for a, _ in articles.values()]
    info, vocabulary = write_text_segment(folder, kept)
    texts = [_ner_text(a) for a in kept] if extracts else []
    keys = [text_key(t) for t in texts] if extracts else [""] * len(kept)
    docs = [NewDoc(a.id, raw.tags, key, f"{raw.source}:{raw.position}")
            for (a, raw), key in zip(articles.values(), keys, strict=True)]
    return BatchResult(info, docs, texts, problems, read, dropped, vocabulary,
                       compounds_of(kept))


def compounds_of(articles: Sequence[Article]) -> dict[str, str]:
    """The hyphenated compounds of the articles: joined term -> parts ("ceasefir" ->
    "cease fire"), so that a query for the closed spelling also finds the hyphenated one
    (``search.query.evaluate``) without a posting added to the index."""
    found: dict[str, str] = {}
    for article in articles:
        for text in (article.title, article.body, article.captions):
            if "-" not in text:
                continue
            for match in COMPOUND.finditer(text):
                parts = WORD.findall(match.group())
                term = term_of("".join(parts))
                if term is not None and term not in found:
                    found[term] = " ".join(parts).lower()
    return found


def _repeated(article_id: str, earlier: str, later: str) -> Problem:
    """Not a skip: the id is indexed, with its later record's content."""
    return Problem(earlier, None, f"id {article_id!r} appears again at {later}; "
                                  "the later record replaces this one", REPLACED)


def _stored_by_id(current: SegmentSet | None, article_id: str) -> dict | None:
    if current is None:
        return None
    docnum = current.docnum_of(article_id)
    return None if docnum is None else current.stored(docnum)


def _fingerprint(sources, settings: Settings, fmt: str | None, writes: ApiWrites
                 ) -> tuple[str, int]:
    """What the inputs, the API's writes and the rules would produce, without doing any of
    the work (the same records, fed in the same order, as the build feeds them)."""
    hasher = _new_fingerprint(settings, writes.seq)
    read = 0
    records = itertools.chain(
        _without(iter_sources(sources, fmt, settings.max_article_bytes), writes.deleted_later),
        writes.records,
    )
    for item in records:
        if isinstance(item, RawArticle):
            read += 1
            _feed_fingerprint(hasher, item)
    return hasher.hexdigest(), read


def _new_fingerprint(settings: Settings, journal_seq: int):
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"schema {SCHEMA_VERSION} extractor {settings.extractor}\n".encode())
    hasher.update(f"journal {journal_seq}\n".encode())
    # The rules that turn records into articles, their data and their code: a change to
    # cleaning or to the entity steps makes the archive's index out of date.
    rule_files = [
        *sorted(DATA_DIR.glob("*.toml")),
        *sorted((DATA_DIR.parent / "enrich").rglob("*.py")),
        *settings.aliases_files,
        *settings.outlet_rules_files,
        *settings.boilerplate_files,
    ]
    for path in rule_files:
        hasher.update(Path(path).read_bytes())
    return hasher


def _feed_fingerprint(hasher, raw: RawArticle) -> None:
    hasher.update(f"{raw.id}\t{raw.source}\t{raw.position}\t{raw.content_hash()}\n".encode())


def _ner_text(article: Article) -> str:
    """What entities are extracted from: the title, the body and the captions (whose
    names, often the only mention of who is pictured, are the article's too)."""
    return ner_text(article.title, article.body, article.captions)


def _stored_text_key(stored: dict) -> str:
    return text_key(ner_text(stored.get("title", ""), stored.get("body", ""),
                             stored.get("captions", "")))


def ner_text(title: str, body: str, captions: str) -> str:
    text = f"{title}\n\n{body}"
    return f"{text}\n\n{captions}" if captions else text


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _link_segments(source: Path, target: Path) -> None:
    """Hard-link a generation's segment files: a segment is never rewritten.

    The table of contents and the side files are written afresh, since writing through
    a shared link would change the generation that is still serving.
    """
    for path in source.glob(f"{INDEX_NAME}_*"):
        os.link(path, target / path.name)


# What varies between problems of one kind: quoted values and standalone numbers (not
# the digits of a word such as "UTF-8" or "cp1252").
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|(?<![\w-])\d+(?:[.,]\d+)*(?![\w-])")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _reason_shape(reason: str) -> str:
    return _QUOTED.sub("…", reason)


@dataclass
class ApiWrites:
    """What a build takes from the journal: records to index after the files, ids to
    delete, and the last journal entry the new generation holds."""

    seq: int = 0
    # The generation moves on in the journal even if its articles do not change (a put
    # then a delete of a new id): else the same entries would be applied again and again.
    advances: bool = False
    records: list[RawArticle] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # ids to delete from the current index
    deleted_later: set[str] = field(default_factory=set)  # file records not to index


def _api_writes(store: IndexStore, current: Path | None, update: bool,
                entries: Sequence[Entry] | None) -> ApiWrites:
    """A full build takes the journal's final state; an update carries the current
    generation's position forward, or applies the ``entries`` it was given."""
    journal = Journal(store.root)
    if not update:
        state = journal.final_state()
        seq = max((e.seq for e in state.values()), default=0)
        puts = [e for e in state.values() if e.op == PUT]
        deleted = {i for i, e in state.items() if e.op == DELETE}
        return ApiWrites(seq, False, journal_records(puts), [], deleted)
    previous = store.manifest(current).get("journal_seq", 0) if current is not None else 0
    if not entries:
        return ApiWrites(previous)
    last: dict[str, Entry] = {}
    for entry in entries:
        last[entry.id] = entry
    puts = [e for e in last.values() if e.op == PUT]
    deleted = [i for i, e in last.items() if e.op == DELETE]
    seq = max(previous, entries[-1].seq)
    return ApiWrites(seq, seq > previous, journal_records(puts), deleted)


def journal_records(entries: Iterable[Entry]) -> list[RawArticle]:
    """The journal's puts as records, read the way the JSONL import reads a line."""
    records = []
    for entry in sorted(entries, key=lambda e: e.seq):
        raw = record_article(entry.id, entry.record, entry.seq)
        if raw is not None:
            records.append(raw)
    return records


def record_article(article_id: str, record: dict, position: int = 0) -> RawArticle | None:
    """One written record as the JSONL import would read it (None: it has no body). Its
    ``content_hash()`` is the article's version, the same the index keeps per document."""
    fields = normalise_keys({**record, "id": article_id}.items())
    for item in article_from_fields(fields, JOURNAL, position):
        if isinstance(item, RawArticle):
            return item
    return None


def _without(items: Iterable, deleted: set[str]) -> Iterator:
    """The records, but not those whose id was deleted through the API since."""
    for item in items:
        if deleted and isinstance(item, RawArticle) and id_of(item) in deleted:
            continue
        yield item
