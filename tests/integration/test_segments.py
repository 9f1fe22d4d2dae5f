"""Segments: updates that cost what they change, merges, optimize, crashes, and Whoosh.

The corpus is real news (the Reuters-21578 sample in ../shared/data) indexed in small
segments, so every path that spans segments, deletion marks and merges is exercised.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.qparser import MultifieldParser

from search.index import build as build_module
from search.index import merge as merge_module
from search.index.build import build_index, optimize_index
from search.index.export import iter_export
from search.index.segment import file_name
from search.index.segments import SegmentSet, read_toc
from search.index.store import IndexStore
from search.query import querylang
from search.query.evaluate import Evaluator
from search.query.highlight import Highlighter
from search.query.results import SearchRequest
from search.query.searcher import Searcher
from search.settings import Settings
from tests.conftest import ROOT, shared_data

QUERIES = [
    "oil", "crude oil", "interest rates", "bank", "dollar yen", "coffee brazil", "wheat",
    "gold", "opec", "trade deficit", "profit", "shares", "loss", "acquisition", "stake",
    "japan", "soviet union", "tokyo", "new york", "dividend", "merger agreement", "grain",
    '"crude oil"', '"interest rates"', '"trade deficit"', '"new york"', '"federal reserve"',
    '"united states"', '"west germany"', '"per share"', '"bank of england"', '"net loss"',
]
# Phrases with slop: newsdesk's ``"..."~N`` is Whoosh's ``Phrase(slop=N + 1)``.
SLOPPY = [('"crude oil"', 1), ('"interest rates"', 3), ('"oil prices"', 5), ('"bank england"', 0),
          ('"dollar yen"', 4), ('"trade deficit"', 2), ('"stock exchange"', 6)]


def reuters_sample(tmp_path: Path, records: int) -> Path:
    """The first ``records`` Reuters stories as JSONL (ids kept), for small fast builds."""
    source = shared_data("reuters21578") / "reut2-000.sgm"
    from search.formats import iter_sources
    from search.models import RawArticle

    rows = []
    for item in iter_sources([source]):
        if isinstance(item, RawArticle) and item.title:
            rows.append({"id": item.id, "title": item.title, "body": item.body,
                         "date": item.date, "outlet": "Reuters"})
            if len(rows) == records:
                break
    path = tmp_path / "sample.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(index_dir=tmp_path / "index", extractor="none", build_processes=1)


@pytest.fixture
def small_segments(monkeypatch):
    monkeypatch.setattr(build_module, "SEGMENT_DOCS", 60)


def answers(settings: Settings, queries=QUERIES) -> dict:
    """Each query's ranked ids and scores, facet counts and total."""
    searcher = Searcher(settings)
    try:
        found = {}
        for q in queries:
            page = searcher.search(SearchRequest(q=q, page_size=100, fragments=0))
            found[q] = (
                page.total,
                [(h.article.id, round(h.score, 3)) for h in page.hits],
                {f: [(v.value, v.count) for v in facet.values] for f, facet in page.facets.items()},
            )
        return found
    finally:
        searcher.close()


HIGHLIGHTED = ["oil prices", '"crude oil"', '"interest rates"~3', "title:bank", "body:shares",
               '"bank england"~2 dollar', "profit OR loss"]


def highlights(settings: Settings) -> dict:
    """Each query's hits with their marked title and fragments, from the index's offsets,
    and the same hits highlighted from their text alone (``Highlighter``), to compare."""
    searcher = Searcher(settings)
    try:
        gen = searcher.generation()
        from_text = Highlighter(gen.analyse)
        indexed, analysed = {}, {}
        for q in HIGHLIGHTED:
            evaluator = Evaluator(gen)
            evaluator.evaluate(querylang.parse(q))
            page = searcher.search(SearchRequest(q=q, page_size=50, fragments=2,
                                                 fragment_chars=120, facet_size=0))
            indexed[q] = [(h.article.id, h.highlights.title, h.highlights.body)
                          for h in page.hits]
            analysed[q] = [
                (h.article.id,
                 from_text.mark(h.article.title, *evaluator.marks.of("title")),
                 from_text.fragments(h.article.body, *evaluator.marks.of("body")[:1], 2, 120,
                                     evaluator.marks.of("body")[1]))
                for h in page.hits
            ]
        return indexed, analysed
    finally:
        searcher.close()


def current(settings: Settings) -> Path:
    return IndexStore(settings.index_dir).require_current()


def test_a_build_in_batches_writes_several_segments_that_search_as_one(
    tmp_path, settings, small_segments, monkeypatch
):
    # Merge in chunks of a few postings, so chunk boundaries fall inside every segment.
    monkeypatch.setattr(merge_module, "CHUNK_POSTINGS", 97)
    source = reuters_sample(tmp_path, 400)
    report = build_index([source], settings)
    assert report.indexed == 400 and report.segments == 7  # 6 full batches of 60 and 40
    before = answers(settings)
    assert sum(total for total, _, _ in before.values()) > 300
    marked, from_text = highlights(settings)
    assert sum(len(hits) for hits in marked.values()) > 100
    assert sum(b.count("<mark>") for hits in marked.values() for _, _, body in hits
               for b in body) > 100
    assert marked == from_text  # offsets in every segment point at the words they stand for
    optimized = optimize_index(settings)
    assert optimized.segments == 1
    assert answers(settings) == before  # same matches, scores, order and facets
    assert highlights(settings)[0] == marked  # offsets merged in chunks, still in place


def test_an_update_adds_a_segment_marks_deletions_and_links_the_rest(
    tmp_path, settings, small_segments
):
    source = reuters_sample(tmp_path, 200)
    build_index([source], settings)
    old = current(settings)
    old_toc = read_toc(old)
    changes = tmp_path / "changes.jsonl"
    first = json.loads(source.read_text().splitlines()[0])
    changes.write_text(
        json.dumps(first | {"body": "A zanzibarquokka census replaced this story."}) + "\n"
        + json.dumps({"id": "new-1", "title": "Quokka", "body": "Another zanzibarquokka."}) + "\n"
    )
    report = build_index([changes], settings, update=True, delete_ids=["reuters-2"])
    assert (report.indexed, report.deleted) == (2, 1)
    new = current(settings)
    toc = read_toc(new)
    assert len(toc.segments) == len(old_toc.segments) + 1
    # The old segments are the same files (hard links), with deletion marks in the TOC.
    for segment in old_toc.segments:
        name = file_name(segment.info.segid, "body.pos.npy")
        assert os.stat(old / name).st_ino == os.stat(new / name).st_ino
    assert sum(s.deleted_count() for s in toc.segments) == 2
    assert all(s.deleted_count() == 0 for s in old_toc.segments)
    found = answers(settings, ["zanzibarquokka", "census"])
    assert found["zanzibarquokka"][0] == 2
    segments = SegmentSet(new)
    assert segments.docnum_of("reuters-2") is None and int(segments.live.sum()) == 200


def test_an_update_that_changes_nothing_publishes_nothing(tmp_path, settings):
    source = reuters_sample(tmp_path, 50)
    build_index([source], settings)
    before = current(settings)
    report = build_index([source], settings, update=True)
    assert report.generation is None and report.unchanged == 50
    assert current(settings) == before
    assert "nothing changed" in report.summary()[-1]


def test_merge_policy_keeps_segments_logarithmic(monkeypatch):
    class Fake:
        def __init__(self, live, total=None):
            self.live, self.total = live, total or live

        def doc_count(self):
            return self.live

        def doc_count_all(self):
            return self.total

    assert merge_module.plan([Fake(100)] * 9) == []
    assert merge_module.plan([Fake(100)] * 10) == [list(range(10))]
    # Different tiers never merge together; a mostly deleted segment is rewritten alone.
    mixed = [Fake(50_000)] * 3 + [Fake(500)] * 9 + [Fake(10, total=100)]
    assert merge_module.plan(mixed) == [[12]]
    # Simulated life of an archive: 1,000 updates of 50 articles each.
    sizes: list[int] = []
    for _ in range(1000):
        sizes.append(50)
        while groups := merge_module.plan([Fake(n) for n in sizes]):
            for group in reversed(groups):
                merged = sum(sizes[i] for i in group)
                sizes = [n for i, n in enumerate(sizes) if i not in group] + [merged]
    assert sum(sizes) == 50_000
    assert len(sizes) <= (merge_module.MERGE_FACTOR - 1) * (
        merge_module.tier(50_000) + 1
    )


def test_merges_during_updates_keep_every_answer(tmp_path, settings, monkeypatch):
    monkeypatch.setattr(build_module, "SEGMENT_DOCS", 1000)
    monkeypatch.setattr(merge_module, "MERGE_FACTOR", 3)
    monkeypatch.setattr(merge_module, "CHUNK_POSTINGS", 97)
    source = reuters_sample(tmp_path, 300)
    lines = source.read_text().splitlines(keepends=True)
    part = tmp_path / "part.jsonl"
    for start in range(0, 300, 50):  # six updates: merges happen on the way
        part.write_text("".join(lines[start:start + 50]))
        build_index([part], settings, update=True)
    assert len(read_toc(current(settings)).segments) < 6
    merged = answers(settings)
    reference = replace(settings, index_dir=tmp_path / "reference")
    build_index([source], reference)
    assert _ignoring_ties(merged) == _ignoring_ties(answers(reference))


def _ignoring_ties(found: dict) -> dict:
    """Hits as sets per score: equal scores may come in another order after a merge."""
    return {
        q: (total, sorted(hits, key=lambda h: (-h[1], h[0])), facets)
        for q, (total, hits, facets) in found.items()
    }


def test_whoosh_own_searcher_agrees_with_newsdesk(tmp_path, settings, small_segments):
    source = reuters_sample(tmp_path, 400)
    build_index([source], settings)
    changes = tmp_path / "changes.jsonl"
    changes.write_text(json.dumps({"id": "x", "title": "Crude oil", "body": "crude oil"}) + "\n")
    deleted = ["reuters-5", "reuters-6", "reuters-7"]
    build_index([changes], settings, update=True, delete_ids=deleted)
    ix = whoosh_index.open_dir(str(current(settings)))
    parser = MultifieldParser(["title", "body"], ix.schema)
    searcher = Searcher(settings)
    compared = 0
    try:
        with ix.searcher() as whoosh_searcher:
            for q in QUERIES:
                hits = whoosh_searcher.search(parser.parse(q), limit=None)
                theirs = {hit["id"] for hit in hits}
                page = searcher.search(SearchRequest(q=q, page_size=100, fragments=0,
                                                     facet_size=0))
                if page.notes:  # newsdesk relaxed the query: not a like-for-like answer
                    continue
                ours = {h.article.id for h in page.hits}
                assert page.total == len(theirs), q
                if page.total <= 100:
                    assert ours == theirs, q
                compared += 1
            for phrase, slop in SLOPPY:
                theirs = {hit["id"] for hit in whoosh_searcher.search(
                    parser.parse(f"{phrase}~{slop + 1}"), limit=None)}
                page = searcher.search(SearchRequest(q=f"{phrase}~{slop}", page_size=100,
                                                     fragments=0, facet_size=0))
                assert {h.article.id for h in page.hits} == theirs, (phrase, slop)
                compared += bool(theirs)
    finally:
        searcher.close()
        ix.close()
    assert compared >= 36


def _run_killed(settings: Settings, code: str) -> subprocess.CompletedProcess:
    """Run ``code`` (which SIGKILLs itself mid-way) in a child, as a crash would."""
    script = (
        "import os, signal, sys\n"
        "from search.settings import Settings\n"
        f"settings = Settings(index_dir={str(settings.index_dir)!r}, extractor='none', "
        "build_processes=1)\n"
        "def die(*a, **k):\n    os.kill(os.getpid(), signal.SIGKILL)\n" + code
    )
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("where", ["merge", "update"])
def test_kill_9_during_a_merge_or_an_update_leaves_the_old_generation_serving(
    tmp_path, settings, where, small_segments
):
    source = reuters_sample(tmp_path, 120)
    build_index([source], settings)
    before = current(settings)
    expected = answers(settings)
    changes = tmp_path / "changes.jsonl"
    changes.write_text(json.dumps({"id": "k", "title": "Killed", "body": "never seen"}) + "\n")
    if where == "merge":
        code = ("import search.index.merge as m\nm._merge_field = die\n"
                "from search.index.build import optimize_index\noptimize_index(settings)\n")
    else:
        code = ("import search.index.build as b\nb.write_toc = die\n"
                f"b.build_index([{str(changes)!r}], settings, update=True)\n")
    result = _run_killed(settings, code)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert current(settings) == before
    assert answers(settings) == expected
    # The next build cleans up the dead one's directory and goes through.
    report = build_index([changes], settings, update=True)
    assert report.indexed == 1 and current(settings) != before
    leftovers = [p for p in (settings.index_dir / "generations").iterdir()
                 if p.name.startswith(".tmp-")]
    assert leftovers == []


def test_positions_match_whoosh_analyzer():
    from search.analysis import text_analyzer
    from search.index.invert import invert

    texts = ["The bank of England and the US. It is a big-deal, in 2020 Sánchez's.",
             "", "of the and", "Bank bank BANK of banks"]
    analyzer = text_analyzer()
    inverted = invert(texts, lambda w: (lambda t: t[0] if len(t) == 1 else None)(
        [tok.text for tok in analyzer(w)]))
    for d, text in enumerate(texts):
        expected = sorted((t.text, t.pos) for t in analyzer(text, positions=True))
        got = []
        for i, term in enumerate(inverted.terms):
            for k in range(int(inverted.toff[i]), int(inverted.toff[i + 1])):
                if inverted.docs[k] == d:
                    got += [(term, int(p)) for p in
                            inverted.pos[int(inverted.poff[k]):int(inverted.poff[k + 1])]]
        assert sorted(got) == expected, text
        assert inverted.lengths[d] == len(expected)
    assert np.all(np.diff(inverted.docs[inverted.toff[0]:inverted.toff[1]]) > 0)


@pytest.mark.parametrize("vocabulary", [50, 90_000])
def test_inversion_puts_every_word_back_in_its_place(vocabulary):
    # Past 65,535 terms the sort keys no longer fit two bytes: both sort paths are checked.
    from search.analysis import term_of
    from search.index.invert import invert

    rng = np.random.default_rng(3)
    words = [f"w{i}x" for i in range(vocabulary)]
    texts = [" ".join(words[j] for j in rng.integers(0, vocabulary, 3_000)) for _ in range(80)]
    inverted = invert(texts, term_of)
    assert len(inverted.terms) == len(set(term_of(w) for t in texts for w in t.split()))
    assert (len(inverted.terms) > 65_535) == (vocabulary > 65_535)
    sizes = np.diff(inverted.poff.astype(np.int64))
    term_of_posting = np.repeat(np.arange(len(inverted.terms)), np.diff(inverted.toff))
    doc = np.repeat(inverted.docs.astype(np.int64), sizes)
    term = np.repeat(term_of_posting, sizes)
    order = np.lexsort((inverted.pos.astype(np.int64), doc))
    for d, text in enumerate(texts):
        mine = order[doc[order] == d]
        assert [inverted.terms[t] for t in term[mine]] == [term_of(w) for w in text.split()]
        assert inverted.pos[mine].tolist() == list(range(len(text.split())))
    for i in range(len(inverted.terms)):  # documents ascend within every term
        assert np.all(np.diff(inverted.docs[inverted.toff[i]:inverted.toff[i + 1]]) > 0)


def test_optimize_from_the_command_line(tmp_path, settings, small_segments, capsys):
    from search.cli import main

    build_index([reuters_sample(tmp_path, 130)], settings)
    argv = ["optimize", "--index", str(settings.index_dir)]
    assert main(argv, settings) == 0
    assert "130 articles in 1 segment(s); now serves" in capsys.readouterr().err
    before = current(settings)
    assert main(argv, settings) == 0
    assert "already optimal" in capsys.readouterr().err
    assert current(settings) == before


def test_an_update_over_a_recrawl_cleans_only_the_changed_records(
    tmp_path, settings, monkeypatch
):
    from search.enrich.pipeline import Enricher

    source = reuters_sample(tmp_path, 80)
    build_index([source], settings)
    lines = source.read_text().splitlines()
    changed = json.loads(lines[3]) | {"body": "A corrected zanzibarquokka story."}
    source.write_text("\n".join([*lines[:3], json.dumps(changed), *lines[4:]]) + "\n")
    cleaned = []
    enrich = Enricher.enrich
    monkeypatch.setattr(Enricher, "enrich", lambda self, raw: cleaned.append(raw.id)
                        or enrich(self, raw))
    report = build_index([source], settings, update=True)
    assert cleaned == [changed["id"]]
    assert (report.read, report.unchanged, report.indexed) == (80, 79, 1)
    assert answers(settings, ["zanzibarquokka"])["zanzibarquokka"][0] == 1


def test_a_recrawl_finds_every_unchanged_record_whatever_its_hash_ends_with(tmp_path, settings):
    # numpy's fixed-width bytes drop trailing zero bytes: a hash ending in 00 (one record
    # in 256) was read back shorter, never matched, and its record was indexed again.
    from search.formats import iter_sources

    source = tmp_path / "many.jsonl"
    write = [{"id": f"r{i}", "title": f"Story {i}", "body": f"Text of story number {i}."}
             for i in range(1500)]
    source.write_text("".join(json.dumps(r) + "\n" for r in write))
    endings = [item.content_hash()[-2:] for item in iter_sources([source])]
    assert "00" in endings  # the case that was missed is in this corpus
    build_index([source], settings)
    report = build_index([source], settings, update=True)
    assert (report.read, report.unchanged, report.indexed) == (1500, 1500, 0)


def test_content_hash_column_keeps_all_sixteen_bytes():
    from search.index.segment import content_hash_at, content_hashes

    digests = ["ab" * 15 + "00", "00" * 16, "0123456789abcdef" * 2]
    column = content_hashes(digests)
    assert [content_hash_at(column, i) for i in range(3)] == digests


def test_a_truncated_file_is_found_at_open_and_the_last_good_generation_keeps_serving(
    tmp_path, settings
):
    from search.index.store import DamagedGeneration

    source = reuters_sample(tmp_path, 60)
    build_index([source], settings)
    searcher = Searcher(replace(settings, reload_check_seconds=0))
    try:
        before = searcher.search(SearchRequest(q="oil", fragments=1)).total
        assert before > 0
        changes = tmp_path / "changes.jsonl"
        changes.write_text(json.dumps({"id": "z", "title": "Oil", "body": "oil oil"}) + "\n")
        previous = current(settings)
        build_index([changes], settings, update=True)
        damaged = current(settings)
        # A file of the update's new segment (the others are hard links to the old ones).
        victim = next(p for p in damaged.glob("MAIN_*.body.pos.npy")
                      if not (previous / p.name).exists())
        victim.write_bytes(victim.read_bytes()[:-10])  # cut short, as by a full disk
        page = searcher.search(SearchRequest(q="oil", fragments=1))
        assert page.total == before  # the generation already open, not the damaged one
        with pytest.raises(DamagedGeneration, match=r"body\.pos\.npy has"):
            Searcher(settings).generation()  # a new worker refuses it: 503, not garbage
    finally:
        searcher.close()


def test_compounds_met_by_an_update_are_found_in_both_spellings_and_survive_optimize(
    tmp_path, settings
):
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps({"id": "closed", "title": "Talks", "body": "The ceasefire held."})
                     + "\n")
    build_index([first], settings)
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps({"id": "hyphen", "title": "Talks",
                                 "body": "A cease-fire was agreed."}) + "\n")
    build_index([later], settings, update=True)

    def found(q: str) -> set[str]:
        return {h.article.id for h in answer(settings, q).hits}

    assert found("ceasefire") == found("cease-fire") == {"closed", "hyphen"}
    optimize_index(settings)
    assert found("ceasefire") == {"closed", "hyphen"}


def answer(settings: Settings, q: str):
    searcher = Searcher(settings)
    try:
        return searcher.search(SearchRequest(q=q, fragments=0))
    finally:
        searcher.close()


_OWN_MERGED_INFO = merge_module._merged_info


def _recording_merge(folder, segments):
    """``_merged_info`` that notes the process it ran in (module level: it is pickled)."""
    with _recording_merge.log.open("a") as out:
        out.write(f"{os.getpid()}\n")
    return _OWN_MERGED_INFO(folder, segments)


def test_merge_groups_run_in_the_build_processes_with_the_same_result(
    tmp_path, small_segments, monkeypatch
):
    """Independent merge groups run side by side in the build's workers; the index they
    make answers exactly as one made by merging them one by one."""
    monkeypatch.setattr(merge_module, "MERGE_FACTOR", 3)
    merged_in = tmp_path / "merged-in.txt"
    monkeypatch.setattr(merge_module, "_merged_info", _recording_merge)
    monkeypatch.setattr(_recording_merge, "log", merged_in, raising=False)
    source = reuters_sample(tmp_path, 400)
    built = {}
    for processes in (1, 2):
        merged_in.write_text("")
        settings = Settings(index_dir=tmp_path / f"index-{processes}", extractor="none",
                            build_processes=processes)
        report = build_index([source], settings)
        assert report.indexed == 400 and report.merges >= 3  # two groups in the first round
        built[processes] = (report.segments, answers(settings), highlights(settings)[0])
        pids = set(merged_in.read_text().split())
        in_workers = pids - {str(os.getpid())}
        # One process: every merge here. Two: the first round's two groups in workers
        # (a round of one group runs here, where no pool is worth starting).
        assert bool(in_workers) == (processes == 2), (processes, pids)
    assert built[1] == built[2]
    assert sum(total for total, _, _ in built[2][1].values()) > 300


def test_entity_columns_written_in_workers_equal_those_written_in_one_process(
    tmp_path, small_segments
):
    """The second pass resolves each new segment's names in the build's workers, with an
    extractor (its dictionary completion reads each segment's texts from the spool at
    that segment's offset): every article's names are those a one-process build finds."""
    source = reuters_sample(tmp_path, 300)
    names, texts = {}, {}
    for processes in (1, 2):
        settings = Settings(index_dir=tmp_path / f"index-{processes}", extractor="gazetteer",
                            build_processes=processes)
        report = build_index([source], settings)
        assert report.indexed == 300 and report.segments >= 2
        for r in iter_export(IndexStore(settings.index_dir)):
            names.setdefault(processes, {})[r["id"]] = (
                r["people"] + r["organisations"] + r["places"])
            texts[r["id"]] = f"{r['title']} {r['body']}".lower()
    assert names[1] == names[2]
    # Each article's names are its own: a name's last word is in its text, unless an
    # alias names it ("U.S." is "United States"). Measured: 434 of 513; completed from
    # the first segment's texts instead of each one's own, 419 of 750.
    pairs = [(i, n) for i, found in names[2].items() for n in found]
    in_text = [n.split()[-1].lower() in texts[i] for i, n in pairs]
    assert len(pairs) > 300 and sum(in_text) / len(pairs) > 0.75, (len(pairs), sum(in_text))
