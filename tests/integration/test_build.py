"""The indexing job end to end: seeds, bad input, atomic switch, updates, Reuters."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from search.cli import main
from search.index.build import EmptyBuild, build_index
from search.index.export import iter_export
from search.index.store import IndexBusy, IndexOutdated, IndexStore
from search.query.generation import Generation
from search.settings import Settings
from tests.conftest import ROOT, SEEDS, shared_data


@pytest.fixture(scope="module")
def exported(seed_index):
    return {r["id"]: r for r in iter_export(IndexStore(seed_index.index_dir))}


def by_prefix(exported: dict, prefix: str) -> dict:
    (record,) = [r for key, r in exported.items() if key.startswith(prefix)]
    return record


def test_seed_dates_and_outlets(exported):
    assert by_prefix(exported, "003")["outlet"] == "TASS"
    assert by_prefix(exported, "003")["date"] == "2020-07-16"
    assert by_prefix(exported, "000")["date"] == "2020-08-13"
    assert by_prefix(exported, "002")["date"] == "2021-08-24"
    assert by_prefix(exported, "001")["date"] is None
    assert by_prefix(exported, "004")["date"] is None
    assert by_prefix(exported, "004")["outlet"] == "Associated Press"


def test_seed_004_body_has_no_site_chrome(seed_index):
    gen = Generation(IndexStore(seed_index.index_dir).require_current())
    try:
        body = gen.stored(gen.docnum_of("004_7de97581a2d11456"))["body"]
    finally:
        gen.close()
    for chrome in ("Registering", "Sign in", "Register", "Log in", "Check your email"):
        assert chrome not in body
    assert body.rstrip().endswith("claimed around 30,000 lives.")


def test_pashinian_and_pashinyan_are_one_person(exported):
    in_001 = set(by_prefix(exported, "001")["people"])
    in_004 = set(by_prefix(exported, "004")["people"])
    shared = in_001 & in_004
    assert len(shared) == 1 and "Pashin" in next(iter(shared))


def test_no_chrome_or_nationality_entities(exported):
    names = {n for r in exported.values() for k in ("people", "organisations", "places")
             for n in r[k]}
    assert not names & {"Registering", "AP Photo", "AP", "Armenian", "Azerbaijani"}
    people = {n for r in exported.values() for n in r["people"]}
    assert "Vladimir Putin" in people and "Putin" not in people
    places = {n for r in exported.values() for n in r["places"]}
    assert {"Armenia", "Azerbaijan", "Nagorno-Karabakh"} <= places


def test_unchanged_rebuild_is_a_no_op(seed_index):
    report = build_index([SEEDS], seed_index)
    assert report.up_to_date and report.read == 5


@pytest.fixture
def small_index(tmp_path) -> tuple:
    settings = replace_settings(tmp_path / "index", extractor="gazetteer")
    source = tmp_path / "articles.jsonl"
    write_jsonl(source, [article(i) for i in range(1, 4)])
    build_index([source], settings)
    return settings, source


def replace_settings(index_dir: Path, **changes):
    from search.settings import Settings

    return replace(Settings(index_dir=index_dir, build_processes=1), **changes)


def article(i: int, body: str | None = None) -> dict:
    return {
        "id": f"a{i}",
        "title": f"Story number {i}",
        "body": body or f"Officials in Baku met on day {i} to discuss the pipeline.",
        "date": f"2021-03-{i:02d}",
        "outlet": "Wire",
    }


def write_jsonl(path: Path, records: list) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def ids(settings) -> set[str]:
    return {r["id"] for r in iter_export(IndexStore(settings.index_dir))}


def test_a_reader_keeps_its_generation_while_a_rebuild_switches(small_index, tmp_path):
    settings, source = small_index
    store = IndexStore(settings.index_dir)
    old = Generation(store.require_current())
    write_jsonl(source, [article(i) for i in range(1, 6)])
    build_index([source], settings)
    try:
        assert store.require_current() != old.path
        assert old.doc_count == 3 and old.stored(0)["id"] == "a1"
        assert len(ids(settings)) == 5
    finally:
        old.close()


def test_a_failed_build_leaves_the_old_index_serving(small_index, monkeypatch):
    settings, source = small_index
    store = IndexStore(settings.index_dir)
    before = store.require_current()
    write_jsonl(source, [article(i) for i in range(1, 9)])

    def crash(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("search.index.build.write_toc", crash)
    with pytest.raises(KeyboardInterrupt):
        build_index([source], settings)
    assert store.require_current() == before
    assert ids(settings) == {"a1", "a2", "a3"}
    assert not [p for p in store.generations_dir.iterdir() if p.name.startswith(".tmp")]


def test_a_build_that_finds_nothing_does_not_replace_the_index(small_index, tmp_path):
    settings, _source = small_index
    empty = tmp_path / "empty.jsonl"
    empty.write_text("not json\n")
    with pytest.raises(EmptyBuild, match="not changed"):
        build_index([empty], settings)
    assert ids(settings) == {"a1", "a2", "a3"}


def test_update_adds_replaces_deletes_and_skips_unchanged(small_index, tmp_path):
    settings, _source = small_index
    changes = tmp_path / "changes.jsonl"
    write_jsonl(changes, [article(1), article(2, "Corrected: talks in Yerevan."), article(7)])
    report = build_index([changes], settings, update=True, delete_ids=["a3"])
    assert (report.unchanged, report.indexed, report.deleted) == (1, 2, 1)
    records = {r["id"]: r for r in iter_export(IndexStore(settings.index_dir))}
    assert set(records) == {"a1", "a2", "a7"}
    gen = Generation(IndexStore(settings.index_dir).require_current())
    try:
        assert "Yerevan" in gen.stored(gen.docnum_of("a2"))["body"]
        assert gen.doc_count == 3
    finally:
        gen.close()


def test_update_keeps_the_previous_generation_intact(small_index, tmp_path):
    settings, _ = small_index
    store = IndexStore(settings.index_dir)
    old = Generation(store.require_current())
    changes = tmp_path / "changes.jsonl"
    write_jsonl(changes, [article(9)])
    build_index([changes], settings, update=True, delete_ids=["a1"])
    try:
        assert old.doc_count == 3 and old.docnum_of("a1") is not None
        assert ids(settings) == {"a2", "a3", "a9"}
    finally:
        old.close()


def test_second_build_at_once_is_refused(small_index):
    settings, source = small_index
    assert source.exists()
    with IndexStore(settings.index_dir).lock(), pytest.raises(IndexBusy):
        build_index([source], settings, force=True)


def test_duplicate_ids_keep_the_later_record_and_say_so(tmp_path):
    settings = replace_settings(tmp_path / "index", extractor="none")
    source = tmp_path / "dups.jsonl"
    write_jsonl(source, [article(1), article(1, "The later version of the story.")])
    report = build_index([source], settings)
    assert report.indexed == 1
    assert any("appears again" in p.reason for p in report.problems)
    gen = Generation(IndexStore(settings.index_dir).require_current())
    try:
        assert "later version" in gen.stored(gen.docnum_of("a1"))["body"]
    finally:
        gen.close()


def test_bad_input_is_reported_and_the_rest_indexed(tmp_path):
    settings = replace_settings(tmp_path / "index", extractor="none")
    src = tmp_path / "in"
    src.mkdir()
    (src / "empty.txt").write_text("")
    (src / "bad.jsonl").write_text(
        json.dumps(article(1)) + "\n{broken\n" + json.dumps({"id": "nobody"}) + "\n"
        + json.dumps(article(2) | {"date": "the 40th of Never"}) + "\n"
    )
    (src / "latin1.txt").write_bytes("Caf\xe9 owners in Yerevan protested.".encode("latin-1"))
    (src / "rows.csv").write_text("id,title\nx,No body column\n")
    report = build_index([src], settings)
    reasons = " | ".join(str(p) for p in report.problems)
    assert report.indexed == 3, reasons  # a1, a2 (date emptied), latin1
    for expected in ("empty file", "bad.jsonl:2", "no body", "does not parse", "cp1252", "body"):
        assert expected in reasons
    records = {r["id"]: r for r in iter_export(IndexStore(settings.index_dir))}
    assert records["a2"]["date"] is None


def test_cli_build_and_export(tmp_path, capsys):
    index = tmp_path / "index"
    assert main(["build", str(SEEDS), "--index", str(index), "--extractor", "none", "--quiet"]) == 0
    assert "indexed 5" in capsys.readouterr().err
    out = tmp_path / "export.jsonl"
    assert main(["export", "--index", str(index), "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 5
    assert set(records[0]) == {"id", "title", "body", "date", "outlet", "url", "people",
                               "organisations", "places"}


def test_captions_import_and_export_round_trip(tmp_path, capsys):
    """Captions given as a JSONL or CSV field are the article's captions (with any the
    cleaner finds in the body), and an export builds the same captions again."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.jsonl").write_text(json.dumps({
        "id": "j1", "title": "Talks", "body": "The ministers met in Moscow.",
        "captions": "Sergei Lavrov, left, and Jeyhun Bayramov.\n\nThe hall.",
    }) + "\n")
    (src / "b.csv").write_text('id,body,captions\nc1,Talks went on.,"Nikol Pashinyan, right."\n')
    (src / "c.txt").write_text("A seed-like text.\n\nA man walks in Stepanakert. (AP Photo)\n")
    index, again = tmp_path / "index", tmp_path / "again"
    assert main(["build", str(src), "--index", str(index), "--extractor", "none", "--quiet"]) == 0
    out = tmp_path / "export.jsonl"
    assert main(["export", "--index", str(index), "-o", str(out)]) == 0
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert records["j1"]["captions"] == "Sergei Lavrov, left, and Jeyhun Bayramov.\n\nThe hall."
    assert records["c1"]["captions"] == "Nikol Pashinyan, right."
    assert records["c"]["captions"] == "A man walks in Stepanakert. (AP Photo)"
    assert "Stepanakert" not in records["c"]["body"]
    assert main(["build", str(out), "--index", str(again), "--extractor", "none", "--quiet"]) == 0
    out2 = tmp_path / "export2.jsonl"
    assert main(["export", "--index", str(again), "-o", str(out2)]) == 0
    rebuilt = {r["id"]: r for r in map(json.loads, out2.read_text().splitlines())}
    assert {i: r["captions"] for i, r in rebuilt.items()} == {
        i: r["captions"] for i, r in records.items()}
    capsys.readouterr()


@pytest.mark.parametrize(
    "argv",
    [
        ["build", "/nonexistent/path", "--index", "{tmp}/i"],
        ["export", "--index", "{tmp}/missing"],
        ["build", "--index", "{tmp}/i"],
        ["build", "seeds", "--index", "{tmp}/i", "--delete", "x"],
    ],
)
def test_cli_failures_are_one_line_and_non_zero(tmp_path, capsys, argv):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("newsdesk: ") and "Traceback" not in "".join(err)


def test_a_missing_path_is_one_line_naming_it(tmp_path, capsys):
    assert main(["build", "/nonexistent/path", "--index", str(tmp_path / "i")]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == ("newsdesk: no article could be indexed from /nonexistent/path "
                    "(/nonexistent/path: no such file or folder); the index was not changed")


@pytest.mark.parametrize("variable, value", [("NEWSDESK_BUILD_PROCESSES", "many"),
                                             ("NEWSDESK_LOG_LEVEL", "chatty")])
def test_a_bad_setting_fails_with_one_line_naming_it(tmp_path, capsys, monkeypatch,
                                                     variable, value):
    # The CLI reads its log level through the settings too (it read the environment
    # itself, and a bad level was a traceback before any of its own checks).
    monkeypatch.setenv(variable, value)
    assert main(["build", str(SEEDS), "--index", str(tmp_path / "i")]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("newsdesk: ") and variable in line


def test_all_reuters_records_are_indexed_or_explained(tmp_path):
    data = shared_data("reuters21578")
    settings = replace_settings(tmp_path / "index", extractor="none")
    report = build_index(sorted(data.glob("*.sgm")), settings)
    assert report.indexed + report.skipped == 5000
    assert report.indexed > 4500
    assert all(p.reason for p in report.problems)
    records = {r["id"]: r for r in iter_export(IndexStore(settings.index_dir))}
    first = records["reuters-1"]
    assert first["date"] == "1987-02-26" and first["outlet"] == "Reuters"
    assert {"El Salvador", "United States", "Uruguay"} <= set(first["places"])
    bodies = Generation(IndexStore(settings.index_dir).require_current())
    try:
        body = bodies.stored(bodies.docnum_of("reuters-1"))["body"]
        assert not body.rstrip().lower().endswith("reuter")
    finally:
        bodies.close()


def test_symlink_switch_is_atomic_rename(small_index):
    settings, _ = small_index
    store = IndexStore(settings.index_dir)
    link = settings.index_dir / "current"
    assert os.path.islink(link)
    assert not (settings.index_dir / "current.new").exists()
    assert store.manifest()["articles"] == 3


def _age_the_manifest(index_dir: Path) -> None:
    """Make the published generation look written by an older index format."""
    manifest = IndexStore(index_dir).require_current() / "manifest.json"
    document = json.loads(manifest.read_text())
    document["schema_version"] -= 1
    manifest.write_text(json.dumps(document))


def test_an_index_of_another_format_is_refused_with_the_way_out(tmp_path, capsys):
    settings = Settings(index_dir=tmp_path / "ix", extractor="none")
    build_index([SEEDS], settings)
    _age_the_manifest(settings.index_dir)
    with pytest.raises(IndexOutdated, match="--force"):
        Generation(IndexStore(settings.index_dir).require_current())
    # An update cannot amend it: only a full build can.
    code = main(["build", str(SEEDS), "--update", "--index", str(settings.index_dir)], settings)
    assert code == 1
    assert "format version" in capsys.readouterr().err
    # The API answers 503 with the same explanation, never a 500.
    from webtest import TestApp

    from api.app import create_app

    response = TestApp(create_app(settings)).get("/search?q=Aliyev", status=503)
    assert "format version" in response.json["detail"]
    # A forced full build replaces it.
    assert build_index([SEEDS], settings, force=True).indexed == 5
    Generation(IndexStore(settings.index_dir).require_current()).close()


def _cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search", *args], cwd=ROOT, input=stdin,
                          capture_output=True, timeout=300)


def test_export_piped_into_build_rebuilds_the_same_articles(seed_index, tmp_path):
    """Titles, bodies, dates, outlets and the canonical entities all come back."""
    exported = _cli("export", "--index", str(seed_index.index_dir)).stdout
    again = tmp_path / "again"
    built = _cli("build", "-", "--index", str(again), "--extractor", "none", stdin=exported)
    assert built.returncode == 0, built.stderr
    assert b"indexed 5" in built.stderr
    assert _cli("export", "--index", str(again)).stdout == exported


def test_export_into_a_closed_pipe_stops_quietly(seed_index):
    result = subprocess.run(
        f"{sys.executable} -m search export --index {seed_index.index_dir} | head -c 10",
        shell=True, executable="/bin/bash", cwd=ROOT, capture_output=True, timeout=120,
    )
    assert len(result.stdout) == 10
    assert b"Broken pipe" not in result.stderr and b"Traceback" not in result.stderr


def test_delete_takes_several_ids_and_names_the_unknown_ones(small_index, capsys):
    settings, _ = small_index
    argv = ["build", "--update", "--delete", "a1", "a2", "nope", "--index",
            str(settings.index_dir), "--quiet"]
    assert main(argv, settings) == 0
    err = capsys.readouterr().err
    assert "deleted 2; skipped 0" in err and "1 x not deleted: no article with id" in err
    problems = (IndexStore(settings.index_dir).require_current() / "problems.jsonl").read_text()
    assert "'nope'" in problems
    assert ids(settings) == {"a3"}


def test_an_unknown_option_is_reported_by_its_subcommand(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["build", "seeds", "--bogus"])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert "usage: python -m search build" in err and "--bogus" in err


def test_help_has_no_markup():
    result = _cli("--help")
    assert result.returncode == 0 and b"``" not in result.stdout


def test_an_unusable_index_path_is_one_plain_line(capsys):
    assert main(["build", "seeds", "--index", "/proc/nope/index", "--extractor", "none"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "[Errno" not in err[0] and "/proc/nope" in err[0]


def test_the_readme_query_example_finds_an_article_in_the_seeds(seed_index, capsys):
    readme = (ROOT / "README.md").read_text()
    (example,) = re.findall(r"python -m search query '([^']+)'", readme)
    assert main(["query", example, "--index", str(seed_index.index_dir)], seed_index) == 0
    assert capsys.readouterr().out.startswith("1 article matches")


def test_the_summary_adds_up_and_keeps_what_locates_a_problem(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "binary.txt").write_bytes(b"hello\x00world")
    (source / "latin.txt").write_bytes("caf\xe9 au lait, a story with words".encode("latin-1"))
    write_jsonl(source / "wire.jsonl", [
        {"id": "a", "body": "First version of the story."},
        {"id": "a", "body": "Second version of the story."},
        {"id": "b", "body": "   "},
    ])
    (source / "wire.jsonl").write_text((source / "wire.jsonl").read_text() + "not json\n")
    settings = replace_settings(tmp_path / "index", extractor="none")
    report = build_index([source], settings)
    assert report.read == report.indexed + report.unchanged + report.replaced + report.dropped
    assert (report.indexed, report.replaced) == (2, 1)
    summary = "\n".join(report.summary())
    assert "not valid UTF-8; decoded as cp1252" in summary  # digits inside words stay
    assert "(first: " + str(source / "wire.jsonl") + ":" in summary
    assert str(settings.index_dir / "current" / "problems.jsonl") in summary
    # One problem is named in the message; more are counted (and listed by the CLI).
    with pytest.raises(EmptyBuild, match=r"binary\.txt: binary file \(contains NUL bytes\)\)"):
        build_index([source / "binary.txt"], replace_settings(tmp_path / "other", extractor="none"))
    with pytest.raises(EmptyBuild, match=r"\(2 problems\)"):
        build_index([source / "binary.txt", tmp_path / "nowhere"],
                    replace_settings(tmp_path / "other", extractor="none"))


def test_a_bad_aliases_file_is_one_clear_line_like_any_rules_file(tmp_path, capsys):
    bad = tmp_path / "aliases.toml"
    bad.write_text("[entity]\nname = 5\n")
    settings = replace_settings(tmp_path / "index", extractor="gazetteer", aliases_files=(bad,))
    assert main(["build", str(SEEDS), "--index", str(tmp_path / "index")], settings) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"newsdesk: {bad}") and "unexpected" not in line


@pytest.mark.parametrize("setting", ["aliases_files", "outlet_rules_files", "boilerplate_files"])
@pytest.mark.parametrize("content", [None, b"not = [valid toml", b"\xff\xfe bytes"])
def test_every_rules_file_is_read_one_way_and_fails_the_same_way(tmp_path, capsys, setting,
                                                                 content):
    # Aliases were read apart from the other rule files: a missing one was a bare OSError.
    path = tmp_path / "rules.toml"
    if content is not None:
        path.write_bytes(content)
    settings = replace_settings(tmp_path / "index", extractor="gazetteer", **{setting: (path,)})
    assert main(["build", str(SEEDS), "--index", str(tmp_path / "index")], settings) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"newsdesk: cannot read rules file {path}"), line


def test_a_change_to_the_enrichment_code_makes_the_index_out_of_date(tmp_path, monkeypatch):
    """Cleaning and the entity steps are rules too: an index built by other code of
    them is rebuilt, not reported up to date."""
    import shutil

    import search.index.build as build_module
    from search.enrich.rules import DATA_DIR

    data = tmp_path / "search" / "data"
    shutil.copytree(DATA_DIR, data)
    (tmp_path / "search" / "enrich" / "entities").mkdir(parents=True)
    step = tmp_path / "search" / "enrich" / "entities" / "step.py"
    step.write_text("RULE = 1\n")
    monkeypatch.setattr(build_module, "DATA_DIR", data)
    settings = Settings(index_dir=tmp_path / "index", extractor="none")
    before = build_module._new_fingerprint(settings, 0).hexdigest()
    assert build_module._new_fingerprint(settings, 0).hexdigest() == before
    step.write_text("RULE = 2\n")
    assert build_module._new_fingerprint(settings, 0).hexdigest() != before


def test_lone_surrogates_in_a_record_become_replacement_characters(tmp_path):
    """JSON can escape a lone surrogate ("\\ud800"), which is no character and cannot be
    written as UTF-8: the build used to fail on it. Each becomes U+FFFD where it stands,
    and the rest of the record is indexed as given."""
    settings = replace_settings(tmp_path / "index", extractor="none")
    source = tmp_path / "articles.jsonl"
    write_jsonl(source, [
        {"id": "sur\ud800", "title": "Lone \udc00 surrogate", "body": "Baku\ud800 pipeline talks",
         "people": ["Ilham\udfff Aliyev"]},
        article(2),
    ])
    report = build_index([source], settings)
    assert report.indexed == 2 and not report.problems
    (record,) = [r for r in iter_export(IndexStore(settings.index_dir)) if r["id"] != "a2"]
    assert record["id"] == "sur\ufffd" and record["title"] == "Lone \ufffd surrogate"
    assert record["body"] == "Baku\ufffd pipeline talks"
    assert record["people"] == ["Ilham Aliyev"]  # a name's cleaning drops the U+FFFD
