"""The indexing job: sources -> enriched articles -> a new index generation, switched in.

The job streams: articles are cleaned into a spool file in the new generation's private
directory, entities are extracted for the texts the cache has not seen, corpus
statistics are gathered for canonical names, and the Whoosh index is written last.
Memory stays bounded by the number of distinct ids and entity names, not by the size
of the archive. Nothing becomes visible until ``IndexStore.publish`` swaps the
``current`` link, so a failure at any point leaves the previous index serving.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm
from whoosh import index as whoosh_index

from search.analysis import text_analyzer
from search.enrich.cache import ExtractionCache, text_key
from search.enrich.entities.aliases import load_aliases
from search.enrich.entities.canonical import EntityResolver
from search.enrich.entities.extractors import Extractor, make_extractor
from search.enrich.pipeline import Enricher
from search.enrich.rules import DATA_DIR
from search.formats import iter_sources
from search.index.columns import TEXT_FIELDS, write_columns
from search.index.forward import ForwardWriter
from search.index.postings import write_postings
from search.index.schema import SCHEMA_VERSION, build_schema, to_document
from search.index.store import IndexStore, outdated
from search.models import ENTITY_TYPES, Article, Problem, RawArticle
from search.settings import Settings

SPOOL = "articles.spool.jsonl"
PROBLEMS = "problems.jsonl"
ENTITY_STATS = "entity_stats.json"
VOCABULARY = "vocabulary.json"
# Surface words kept for spelling suggestions, most frequent first.
MAX_VOCABULARY = 300_000
_WORDS = re.compile(r"[^\W\d_]{3,}")
# Memory for Whoosh's writer, split among its processes.
WRITER_MB = 256
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
    extracted: int = 0
    from_cache: int = 0
    up_to_date: bool = False
    problems: list[Problem] = field(default_factory=list)
    entities: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        return sum(1 for p in self.problems if p.action == "skipped")

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
            f"read {self.read} articles; indexed {self.indexed}, unchanged {self.unchanged}, "
            f"deleted {self.deleted}, skipped {self.skipped}; entities extracted for "
            f"{self.extracted}, from cache {self.from_cache}",
            "distinct entities: "
            + ", ".join(f"{k} {self.entities.get(k, 0)}" for k in ENTITY_TYPES),
            "seconds: "
            + ", ".join(f"{k} {v:.1f}" for k, v in self.seconds.items())
            + f", total {total:.1f}",
        ]
        for (action, reason), count in self.problems_by_reason().most_common():
            lines.append(f"  {count:>6} x {action.replace('_', ' ')}: {reason}")
        if self.generation:
            lines.append(f"index {self.index_dir} now serves generation {self.generation}")
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
) -> BuildReport:
    """Build (or with ``update``, amend) the index at ``settings.index_dir``."""
    store = IndexStore(settings.index_dir)
    report = BuildReport(index_dir=store.root)
    started = time.perf_counter()
    with store.lock():
        current = store.current()
        if update and current is None:
            update = False  # nothing to amend: a first build
        if update and (found := store.manifest(current).get("schema_version")) != SCHEMA_VERSION:
            raise outdated(store.root, found, SCHEMA_VERSION)
        if not update and not force and current is not None:
            clock = time.perf_counter()
            fingerprint, read = _fingerprint(sources, settings, fmt)
            report.seconds["check"] = time.perf_counter() - clock
            if store.manifest(current).get("fingerprint") == fingerprint:
                report.read, report.up_to_date = read, True
                return report
        tmp = store.new_generation()
        try:
            job = _Job(store, tmp, settings, report, update, progress)
            manifest = job.run(sources, fmt, list(delete_ids))
            if not update and report.indexed == 0:
                raise EmptyBuild(
                    f"no article could be indexed from {', '.join(map(str, sources))}"
                    f" ({len(report.problems)} problems); the index was not changed",
                    report.problems,
                )
            manifest["build_seconds"] = round(time.perf_counter() - started, 3)
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
        self.cache = ExtractionCache(
            store.cache_dir / "extraction.sqlite",
            f"{self.extractor.name}:{self.extractor.version}",
        )
        self.spool = tmp / SPOOL
        # Text keys of indexed versions this update replaces or deletes.
        self.retired: list[str] = []

    def run(self, sources: Sequence[str | Path], fmt: str | None, delete_ids: list[str]) -> dict:
        try:
            if self.update:
                _link_copy(self.store.require_current(), self.tmp)
            ix = (
                whoosh_index.open_dir(str(self.tmp)) if self.update
                else whoosh_index.create_in(str(self.tmp), build_schema())
            )
            hasher = _new_fingerprint(self.settings)
            last_line = self._timed("read", self._read, sources, fmt, ix, hasher, delete_ids)
            self._timed("extract", self._extract)
            resolver = self._timed("resolve", self._observe, last_line)
            self._timed("index", self._write, ix, resolver, last_line, delete_ids)
            (self.tmp / ENTITY_STATS).write_text(json.dumps(resolver.to_dict()))
            with open(self.tmp / PROBLEMS, "w") as out:
                for p in self.report.problems:
                    out.write(json.dumps(asdict(p), ensure_ascii=False))
                    out.write("\n")
            articles = self._timed("columns", self._derive, ix)
            ix.close()
        finally:
            self.cache.close()
            self.spool.unlink(missing_ok=True)
        return {
            "schema_version": SCHEMA_VERSION,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "articles": articles,
            "extractor": f"{self.extractor.name}:{self.extractor.version}",
            "fingerprint": None if self.update else hasher.hexdigest(),
            "mode": "update" if self.update else "full",
            "problems": len(self.report.problems),
        }

    def _writer(self, ix):
        """A full build writes with one sub-writer per process and keeps their segments.

        Merging the segments at commit is single-threaded and costs more than it saves;
        queries read the derived arrays, which span segments, so several are fine.
        Updates amend in place with the ordinary writer (few documents, one new segment).
        """
        processes = self.settings.build_processes
        # Plain segment files, not one compound file: Whoosh memory-maps plain files, but
        # copies each part of a compound file into memory when a reader opens it (about
        # 1 GB per worker for a 100k-article index).
        if self.update or processes < 2:
            return ix.writer(limitmb=WRITER_MB, compound=False)
        return ix.writer(
            limitmb=WRITER_MB // processes, procs=processes, multisegment=True, compound=False
        )

    def _derive(self, ix) -> int:
        """Write the arrays queries read instead of walking Whoosh per document."""
        with ix.reader() as reader:
            terms = write_postings(reader, self.tmp, TEXT_FIELDS)
            term_ids = {f: {t: i for i, t in enumerate(terms[f])} for f in TEXT_FIELDS}
            analyzer = text_analyzer()
            forward = ForwardWriter(
                reader.doc_count_all(), TEXT_FIELDS, term_ids,
                lambda word: [token.text for token in analyzer(word)],
            )
            write_columns(reader, self.tmp, visitors=[forward])
            forward.save(self.tmp)
            return reader.doc_count()

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

    def _read(self, sources, fmt, ix, hasher, delete_ids: list[str]) -> dict[str, int]:
        """Clean every record into the spool; returns id -> spool line of its last version.

        In update mode it also notes the texts of the versions being replaced or deleted,
        so their mentions can be taken out of the corpus statistics.
        """
        last_line: dict[str, int] = {}
        where: dict[str, str] = {}
        searcher = ix.searcher() if self.update else None
        try:
            for doc_id in delete_ids if searcher is not None else ():
                stored = searcher.document(id=doc_id)
                if stored:
                    self.retired.append(_stored_text_key(stored))
            with open(self.spool, "w", encoding="utf-8") as spool:
                line = 0
                for item in self._bar(iter_sources(sources, fmt, self.settings.max_article_bytes),
                                      "reading"):
                    if isinstance(item, Problem):
                        self.report.problems.append(item)
                        continue
                    self.report.read += 1
                    _feed_fingerprint(hasher, item)
                    article, problems = self.enricher.enrich(item)
                    self.report.problems.extend(problems)
                    if article is None:
                        continue
                    if searcher is not None:
                        stored = searcher.document(id=article.id)
                        if stored and stored.get("content_hash") == article.content_hash:
                            self.report.unchanged += 1
                            continue
                        if stored:
                            self.retired.append(_stored_text_key(stored))
                    if article.id in last_line:
                        self.report.problems.append(Problem(
                            where[article.id], None,
                            f"id {article.id!r} appears again at {item.source}:{item.position}; "
                            "the later record replaces this one",
                        ))
                    spool.write(json.dumps(_spool_record(article, item), ensure_ascii=False))
                    spool.write("\n")
                    last_line[article.id] = line
                    where[article.id] = f"{item.source}:{item.position}"
                    line += 1
        finally:
            if searcher is not None:
                searcher.close()
        return last_line

    def _spooled(self) -> Iterator[tuple[int, Article, dict[str, list[str]]]]:
        with open(self.spool, encoding="utf-8") as spool:
            for line, text in enumerate(spool):
                record = json.loads(text)
                yield line, _article_from_spool(record["article"]), record["tags"]

    def _extract(self) -> None:
        """Run the extractor over texts the cache has not seen, in one stream."""
        missing: dict[str, None] = {}  # ordered set: the order texts() will yield them
        for chunk in _chunks(self._spooled(), EXTRACT_CHUNK):
            keys = [text_key(_ner_text(a)) for _, a, _ in chunk]
            cached = self.cache.get_many(keys)
            for key in keys:
                if key in cached:
                    self.report.from_cache += 1
                else:
                    missing.setdefault(key)
        if not missing:
            return
        wanted = set(missing)

        def texts() -> Iterator[str]:
            for _, article, _ in self._spooled():
                text = _ner_text(article)
                key = text_key(text)
                if key in wanted:
                    wanted.discard(key)
                    yield text

        results = self.extractor.extract(texts(), n_process=self.settings.build_processes)
        pairs = zip(missing, results, strict=True)
        for chunk in _chunks(self._bar(pairs, "extracting entities", len(missing)), EXTRACT_CHUNK):
            self.cache.put_many(chunk)
            self.report.extracted += len(chunk)

    def _mentions(self, last_line: dict[str, int]):
        keep = set(last_line.values())
        for chunk in _chunks(self._spooled(), EXTRACT_CHUNK):
            chunk = [c for c in chunk if c[0] in keep]
            keys = [text_key(_ner_text(a)) for _, a, _ in chunk]
            cached = self.cache.get_many(keys)
            for (_, article, tags), key in zip(chunk, keys, strict=True):
                yield article, tags, cached[key]

    def _observe(self, last_line: dict[str, int]) -> EntityResolver:
        resolver = EntityResolver(self.aliases)
        stats = self.store.require_current() / ENTITY_STATS if self.update else None
        if stats is not None and stats.is_file():
            resolver = EntityResolver.from_dict(json.loads(stats.read_text()), self.aliases)
            for mentions in self.cache.get_many(self.retired).values():
                resolver.forget(mentions)
        for _, _, mentions in self._mentions(last_line):
            resolver.observe(mentions)
        return resolver

    def _write(self, ix, resolver: EntityResolver, last_line: dict[str, int],
               delete_ids: list[str]) -> None:
        distinct: dict[str, set[str]] = {k: set() for k in ENTITY_TYPES}
        vocabulary: Counter[str] = Counter()
        writer = self._writer(ix)
        try:
            for doc_id in delete_ids:
                self.report.deleted += writer.delete_by_term("id", doc_id)
            for article, tags, mentions in self._bar(
                self._mentions(last_line), "indexing", len(last_line)
            ):
                names = resolver.resolve(mentions, tags)
                for kind in ENTITY_TYPES:
                    setattr(article, kind, names.get(kind, []))
                    distinct[kind].update(names.get(kind, []))
                vocabulary.update(set(_WORDS.findall(f"{article.title} {article.body}".lower())))
                document = to_document(article)
                if self.update:
                    writer.update_document(**document)
                else:
                    writer.add_document(**document)
                self.report.indexed += 1
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        self.report.entities = {k: len(v) for k, v in distinct.items()}
        if self.update:
            previous = self.store.require_current() / VOCABULARY
            if previous.is_file():
                vocabulary.update(json.loads(previous.read_text()))
        top = dict(vocabulary.most_common(MAX_VOCABULARY))
        (self.tmp / VOCABULARY).write_text(json.dumps(top, ensure_ascii=False))


def _fingerprint(sources, settings: Settings, fmt: str | None) -> tuple[str, int]:
    """What the inputs and rules would produce, without doing any of the work."""
    hasher = _new_fingerprint(settings)
    read = 0
    for item in iter_sources(sources, fmt, settings.max_article_bytes):
        if isinstance(item, RawArticle):
            read += 1
            _feed_fingerprint(hasher, item)
    return hasher.hexdigest(), read


def _new_fingerprint(settings: Settings):
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"schema {SCHEMA_VERSION} extractor {settings.extractor}\n".encode())
    rule_files = [
        *sorted(DATA_DIR.glob("*.toml")),
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
    return f"{article.title}\n\n{article.body}"


def _stored_text_key(stored: dict) -> str:
    return text_key(f"{stored.get('title', '')}\n\n{stored.get('body', '')}")


def _spool_record(article: Article, raw: RawArticle) -> dict:
    record = article.to_export() | {
        "body": article.body, "source": article.source, "content_hash": article.content_hash
    }
    return {"article": record, "tags": raw.tags}


def _article_from_spool(record: dict) -> Article:
    record = dict(record)
    record["date"] = dt.date.fromisoformat(record["date"]) if record["date"] else None
    return Article(**record)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _link_copy(source: Path, target: Path) -> None:
    """Hard-link a generation's Whoosh files: Whoosh never rewrites one, it writes new ones.

    Only Whoosh's own files are linked; our side files are written afresh, since writing
    through a shared link would change the generation that is still serving.
    """
    for path in source.iterdir():
        if path.is_file() and path.name.startswith(("_MAIN_", "MAIN_")) and "LOCK" not in path.name:
            os.link(path, target / path.name)


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|\d+(?:[.,]\d+)*")


def _reason_shape(reason: str) -> str:
    return _QUOTED.sub("…", reason)
