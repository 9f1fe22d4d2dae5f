"""Smoke test of the benchmark runner: the whole pipeline on a tiny corpus.

Why: ``python -m bench.run`` takes tens of minutes at real sizes, so a broken step
would otherwise be found only at the end of a long run. 60 articles, 20 queries, no
HTTP, no model, no gazetteer build and no --update keep it to ~15-20 s; it still runs
the none build, the rebuild, both reference engines and all workloads, and checks the
table and the raw numbers.
"""

from __future__ import annotations

import json

import pytest

from bench import prepare, run, writer

N = 60


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> tuple[str, dict]:
    out = tmp_path_factory.mktemp("bench-out")
    argv = ["--n", str(N), "--queries", "20", "--out", str(out), "--skip-http",
            "--skip-gazetteer", "--model-sample", "0", "--update-share", "0"]
    markdown = run.Run(run.parse_args(argv)).execute()
    assert (out / f"results-{N}.md").read_text() == markdown
    return markdown, json.loads((out / f"results-{N}.json").read_text())


def test_table_has_a_row_per_engine(outcome):
    markdown, _ = outcome
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    labels = [row.split("|")[1].strip() for row in rows]
    assert labels[0] == "engine"
    assert "newsdesk (extractor none)" in labels
    assert any(label.startswith("SQLite FTS5") for label in labels)
    assert any(label.startswith("tantivy") for label in labels)
    assert any(label.startswith("rebuild unchanged") for label in labels)


def test_builds_report_positive_numbers(outcome):
    _, results = outcome
    for key in ("newsdesk-none", "fts5", "tantivy"):
        build = results["builds"][key]
        assert build["indexed"] == N
        assert build["docs_per_s"] > 0
        assert build["index_bytes"] > 0
        assert build["peak_rss_mb"] > 0
    assert results["builds"]["newsdesk-rebuild"]["details"]["up_to_date"]
    assert "newsdesk-update" not in results["builds"]


def test_every_engine_answers_every_query(outcome):
    _, results = outcome
    for engine in ("newsdesk", "fts5", "tantivy"):
        for workload in ("top10", "highlights", "facets"):
            stats = results["queries"][engine][workload]
            assert stats["count"] == 20
            assert stats["errors"] == 0
            assert 0 < stats["p50"] <= stats["p95"] <= stats["p99"]
            assert all(total >= 0 for total in stats["totals"])
        assert any(total > 0 for total in results["queries"][engine]["top10"]["totals"])


def test_update_input_changes_one_article_in_a_hundred(tmp_path):
    source = tmp_path / "tagged.jsonl"
    records = [{"id": f"a{k}", "body": f"text {k}"} for k in range(250)]
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    changed = list(prepare.changed_records(source, every=100))
    assert [r["id"] for r in changed] == [r["id"] for r in records]
    differ = [k for k, (a, b) in enumerate(zip(records, changed, strict=True)) if a != b]
    assert differ == [99, 199]


def test_writer_comparison_writes_every_variant(capsys):
    """``python -m bench.writer`` (the indexing profile in bench/README) still runs."""
    assert writer.main(["--n", "20"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(writer.VARIANTS)  # the header, then one row each
    for row in rows[1:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert float(cells[3]) == pytest.approx(float(cells[1]) + float(cells[2]), abs=0.11)
