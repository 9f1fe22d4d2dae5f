"""Tests for search.formats: every reader turns bad input into Problems, never exceptions."""

from __future__ import annotations

import collections
import json
import os
import re
import tomllib
import tracemalloc
from pathlib import Path

import pytest

from search.formats import FORMATS, csvfile, iter_sources, reuters
from search.models import Problem, RawArticle

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS = REPO_ROOT / "seeds"
CODES_TOML = REPO_ROOT / "search" / "data" / "reuters_codes.toml"


def run(*paths: Path | str, **kwargs: object) -> list[RawArticle | Problem]:
    return list(iter_sources([*paths], **kwargs))


def articles(items: list[RawArticle | Problem]) -> list[RawArticle]:
    return [item for item in items if isinstance(item, RawArticle)]


def problems(items: list[RawArticle | Problem]) -> list[Problem]:
    return [item for item in items if isinstance(item, Problem)]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def only_problem(items: list[RawArticle | Problem]) -> Problem:
    assert len(items) == 1 and isinstance(items[0], Problem), items
    return items[0]


def shared_reuters() -> Path:
    """CI keeps the shared data beside the clone; skip where it is not checked out."""
    folder = REPO_ROOT.parent / "shared" / "data" / "reuters21578"
    if not folder.is_dir():
        pytest.skip(f"shared Reuters data not found at {folder}")
    return folder


# --- discovery and arguments -----------------------------------------------------------


def test_formats_constant() -> None:
    assert FORMATS == ("txt", "jsonl", "csv", "reuters")


def test_unknown_fmt_raises_at_call_time() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        iter_sources(["anything"], fmt="xml")


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    problem = only_problem(run(tmp_path / "nope.txt"))
    assert problem.position is None
    assert problem.action == "skipped"
    assert "no such file" in problem.reason


def test_unknown_extension_is_a_problem_unless_fmt_forces(tmp_path: Path) -> None:
    path = write(tmp_path / "story.xyz", "Body text.")
    problem = only_problem(run(path))
    assert problem.reason == "unrecognised file type .xyz"
    forced = run(path, fmt="txt")
    assert [a.body for a in articles(forced)] == ["Body text."]


def test_fmt_overrides_detection(tmp_path: Path) -> None:
    path = write(tmp_path / "data.txt", '{"body": "from json"}\n')
    assert articles(run(path, fmt="jsonl"))[0].body == "from json"


def test_folder_walk_is_sorted_recursive_and_skips_hidden(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "B")
    write(tmp_path / "a.txt", "A")
    write(tmp_path / "sub" / "c.txt", "C")
    write(tmp_path / ".hidden.txt", "H")
    write(tmp_path / ".git" / "d.txt", "D")
    items = run(tmp_path)
    assert [a.body for a in articles(items)] == ["A", "B", "C"]
    assert problems(items) == []
    assert run(tmp_path) == items  # deterministic


def test_single_path_string_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Alone.")
    assert [a.body for a in articles(list(iter_sources(str(path))))] == ["Alone."]


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    write(tmp_path / "top" / "a.txt", "A")
    (tmp_path / "top" / "loop").symlink_to(tmp_path / "top", target_is_directory=True)
    assert [a.body for a in articles(run(tmp_path / "top"))] == ["A"]


def test_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    problem = only_problem(run(fifo))
    assert problem.reason == "not a regular file"


def test_empty_folder_is_reported(tmp_path: Path) -> None:
    problem = only_problem(run(tmp_path))
    assert problem.reason == "folder contains no files"


def test_extension_detection_is_case_insensitive(tmp_path: Path) -> None:
    path = write(tmp_path / "story.TXT", "Upper-case extension.")
    assert articles(run(path))[0].body == "Upper-case extension."


# --- txt -------------------------------------------------------------------------------


def test_txt_empty_file(tmp_path: Path) -> None:
    problem = only_problem(run(write(tmp_path / "e.txt", b"")))
    assert problem.reason == "empty file"
    assert problem.action == "skipped"


def test_txt_whitespace_only_counts_as_empty(tmp_path: Path) -> None:
    problem = only_problem(run(write(tmp_path / "e.txt", " \n\n\t")))
    assert problem.reason.startswith("empty file")


def test_txt_over_max_bytes_reports_sizes(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "x" * 2_000)
    problem = only_problem(run(path, max_bytes=1_000))
    assert problem.action == "skipped"
    assert "2,000" in problem.reason and "1,000" in problem.reason


def test_txt_with_nul_bytes_is_binary(tmp_path: Path) -> None:
    problem = only_problem(run(write(tmp_path / "bin.txt", b"PK\x03\x04\x00\x00data")))
    assert "binary" in problem.reason
    assert problem.action == "skipped"


def test_txt_utf16_is_reported_as_such(tmp_path: Path) -> None:
    problem = only_problem(run(write(tmp_path / "u16.txt", "hello".encode("utf-16"))))
    assert "UTF-16" in problem.reason


def test_txt_invalid_utf8_decodes_as_cp1252_and_keeps_article(tmp_path: Path) -> None:
    path = write(tmp_path / "legacy.txt", b"Caf\xe9 \x93quoted\x94 odd\x81byte")
    items = run(path)
    [problem] = problems(items)
    assert problem.action == "decoded_as_cp1252"
    [article] = articles(items)
    # cp1252 where defined, latin-1 for the bytes it leaves undefined (0x81).
    assert article.body == "Caf\u00e9 \u201cquoted\u201d odd\x81byte"


def test_txt_bom_is_stripped_silently(tmp_path: Path) -> None:
    items = run(write(tmp_path / "bom.txt", b"\xef\xbb\xbfHello"))
    assert problems(items) == []
    assert articles(items)[0].body == "Hello"


def test_txt_keeps_line_structure_and_normalises_crlf(tmp_path: Path) -> None:
    path = write(tmp_path / "crlf.txt", b"Headline\r\n\r\nFirst para.\r\nSecond line.\r\n")
    article = articles(run(path))[0]
    assert article.body == "Headline\n\nFirst para.\nSecond line."
    assert (article.id, article.title, article.position) == (None, None, 1)


def test_txt_date_marker_synthetic(tmp_path: Path) -> None:
    path = write(tmp_path / "d.txt", " date 2021-03-04 The first paragraph.\n\nMore.")
    article = articles(run(path))[0]
    assert article.date == "2021-03-04"
    assert article.body == "The first paragraph.\n\nMore."


def test_txt_date_marker_without_body_is_no_body(tmp_path: Path) -> None:
    problem = only_problem(run(write(tmp_path / "d.txt", " date 2021-03-04 ")))
    assert problem.reason == "no body"


def test_txt_word_date_in_prose_is_not_a_marker(tmp_path: Path) -> None:
    article = articles(run(write(tmp_path / "d.txt", "date night plans were cancelled.")))[0]
    assert article.date is None
    assert article.body == "date night plans were cancelled."


def test_seed_000_has_date_marker_stripped() -> None:
    [path] = SEEDS.glob("000_*.txt")
    items = run(path)
    assert problems(items) == []
    [article] = articles(items)
    assert article.date == "2020-08-13"
    assert article.body.startswith("Azerbaijani President Ilham Aliyev")
    assert "\n\n" in article.body  # paragraphs kept
    assert article.source == str(path)


def test_seed_001_has_no_date_marker() -> None:
    [path] = SEEDS.glob("001_*.txt")
    [article] = articles(run(path))
    assert article.date is None
    assert article.body.startswith("Azerbaijan's Foreign Ministry")


def test_all_seeds_read_cleanly() -> None:
    items = run(SEEDS)
    assert problems(items) == []
    assert len(articles(items)) == 5


# --- jsonl -----------------------------------------------------------------------------


def jsonl(*records: object) -> str:
    return "".join(
        (record if isinstance(record, str) else json.dumps(record)) + "\n" for record in records
    )


def test_jsonl_field_mapping(tmp_path: Path) -> None:
    record = {
        "id": 17,
        "Title": "  A headline  ",
        "body": " Body text. ",
        "date": "2024-01-02",
        "outlet": "The Paper",
        "url": "",
        "source": "ignored: only 'outlet' names the outlet",
        "people": ["Ada Lovelace", " ", "Ada Lovelace"],
        "organizations": ["ACME"],
        "places": "Paris; Lyon",
        "extra": {"nested": True},
    }
    [article] = run(write(tmp_path / "a.jsonl", jsonl(record)))
    assert isinstance(article, RawArticle)
    assert (article.id, article.title, article.body) == ("17", "A headline", "Body text.")
    assert (article.date, article.outlet, article.url) == ("2024-01-02", "The Paper", None)
    assert article.position == 1
    assert article.tags == {
        "people": ["Ada Lovelace"],
        "organisations": ["ACME"],
        "places": ["Paris", "Lyon"],
    }


def test_jsonl_text_is_used_when_body_missing_or_empty(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", jsonl({"text": "T1"}, {"body": "", "text": "T2"}))
    assert [a.body for a in articles(run(path))] == ["T1", "T2"]


def test_jsonl_no_body_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", jsonl({"title": "Only a title"}, {"body": "  "}))
    items = run(path)
    assert [(p.position, p.reason, p.action) for p in problems(items)] == [
        (1, "no body", "skipped"),
        (2, "no body", "skipped"),
    ]
    assert articles(items) == []


def test_jsonl_bad_lines_are_reported_by_line_number(tmp_path: Path) -> None:
    content = jsonl({"body": "ok 1"}, "", "{not json", "   ", "[1, 2]", '"just a string"',
                    {"body": "ok 7"})
    items = run(write(tmp_path / "a.jsonl", content))
    assert [(a.position, a.body) for a in articles(items)] == [(1, "ok 1"), (7, "ok 7")]
    reported = [(p.position, p.action) for p in problems(items)]
    assert reported == [(3, "skipped"), (5, "skipped"), (6, "skipped")]
    reasons = [p.reason for p in problems(items)]
    assert reasons[0].startswith("not valid JSON")
    assert reasons[1] == "JSON value is an array, not an object"
    assert reasons[2] == "JSON value is a string, not an object"


def test_jsonl_empty_and_blank_only_files(tmp_path: Path) -> None:
    assert only_problem(run(write(tmp_path / "e.jsonl", b""))).reason == "empty file"
    blank = only_problem(run(write(tmp_path / "b.jsonl", "\n  \n\n")))
    assert blank.reason.startswith("empty file")


def test_jsonl_binary_file(tmp_path: Path) -> None:
    problem = only_problem(run(write(tmp_path / "x.jsonl", b'{"body": "a"}\n\x00\x00\x00')))
    assert "binary" in problem.reason


def test_jsonl_nul_in_a_later_line_skips_only_that_line(tmp_path: Path) -> None:
    content = jsonl(*({"body": f"r{i}"} for i in range(2_000))).encode() + b'{"body": "\x00"}\n'
    items = run(write(tmp_path / "a.jsonl", content))
    [problem] = problems(items)
    assert (problem.position, problem.reason) == (2_001, "line contains NUL bytes")
    assert len(articles(items)) == 2_000


def test_jsonl_bom_and_crlf(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", b'\xef\xbb\xbf{"body": "one"}\r\n{"body": "two"}\r\n')
    items = run(path)
    assert problems(items) == []
    assert [a.body for a in articles(items)] == ["one", "two"]


def test_jsonl_invalid_utf8_reported_once_per_file(tmp_path: Path) -> None:
    content = b'{"body": "ok"}\n{"body": "caf\xe9"}\n{"body": "na\xefve"}\n'
    items = run(write(tmp_path / "a.jsonl", content))
    [problem] = problems(items)
    assert (problem.position, problem.action) == (2, "decoded_as_cp1252")
    assert [a.body for a in articles(items)] == ["ok", "caf\u00e9", "na\u00efve"]


def test_jsonl_max_bytes_applies_per_line(tmp_path: Path) -> None:
    content = jsonl({"body": "short"}, {"body": "x" * 500}, {"body": "after"})
    items = run(write(tmp_path / "a.jsonl", content), max_bytes=100)
    assert [(a.position, a.body) for a in articles(items)] == [(1, "short"), (3, "after")]
    [problem] = problems(items)
    assert problem.position == 2 and "100-byte limit" in problem.reason


def test_jsonl_nested_value_in_text_field_is_emptied(tmp_path: Path) -> None:
    items = run(write(tmp_path / "a.jsonl", jsonl({"body": "b", "title": ["x", "y"]})))
    [problem] = problems(items)
    assert (problem.position, problem.action) == (1, "field_emptied")
    assert "title" in problem.reason
    assert articles(items)[0].title is None


def test_jsonl_pretty_printed_document_is_one_problem(tmp_path: Path) -> None:
    document = "\n" + json.dumps([{"body": "a"}, {"body": "b"}], indent=2)
    path = write(tmp_path / "doc.json", document)
    problem = only_problem(run(path))
    assert problem.position is None and "JSON Lines" in problem.reason


def test_jsonl_streams_in_bounded_memory(tmp_path: Path) -> None:
    """A file much larger than the memory it may use: ~12 MB, peak must stay < 2 MB."""
    line = json.dumps({"id": 0, "body": "word " * 500}) + "\n"
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(5_000):
            handle.write(line)
    assert path.stat().st_size > 12_000_000
    tracemalloc.start()
    try:
        count = sum(1 for item in iter_sources([path]) if isinstance(item, RawArticle))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 5_000
    assert peak < 2_000_000


def test_iteration_is_lazy(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", jsonl({"body": "first"}, "{broken"))
    stream = iter_sources([path])
    first = next(stream)
    assert isinstance(first, RawArticle) and first.body == "first"


# --- csv -------------------------------------------------------------------------------


def test_csv_field_mapping_and_row_line_numbers(tmp_path: Path) -> None:
    content = (
        "id,title,body,date,outlet,url,people,organizations,places,ignored\n"
        '1,First,"Body one",2024-01-01,Paper,http://x/1,Ann Lee; Bo,ACME,Paris;Rome,zzz\n'
        '2,Second,"Body two\n\nspans lines",,Paper,,,,,\n'
        "3,Third,Body three,,,,,,,\n"
    )
    items = run(write(tmp_path / "a.csv", content))
    assert problems(items) == []
    first, second, third = articles(items)
    assert (first.id, first.title, first.body, first.url) == ("1", "First", "Body one",
                                                             "http://x/1")
    assert first.tags == {
        "people": ["Ann Lee", "Bo"],
        "organisations": ["ACME"],
        "places": ["Paris", "Rome"],
    }
    assert second.body == "Body two\n\nspans lines"
    assert second.date is None and second.tags == {}
    assert third.body == "Body three"
    # positions are the line each row starts on, counting the header as line 1
    assert [a.position for a in articles(items)] == [2, 3, 6]


def test_csv_headers_match_case_insensitively_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", b"\xef\xbb\xbfID, Body ,Title\r\n7,The body,T\r\n")
    [article] = run(path)
    assert isinstance(article, RawArticle)
    assert (article.id, article.body, article.title) == ("7", "The body", "T")


def test_csv_text_column_is_accepted(tmp_path: Path) -> None:
    [article] = run(write(tmp_path / "a.csv", "title,text\nT,The text\n"))
    assert isinstance(article, RawArticle) and article.body == "The text"


def test_csv_without_body_column_is_one_file_problem(tmp_path: Path) -> None:
    problem = only_problem(run(write(tmp_path / "a.csv", "id,title\n1,a\n2,b\n")))
    assert problem.position is None
    assert "no body or text column" in problem.reason and "'title'" in problem.reason


def test_csv_semicolon_separated_gets_a_hint(tmp_path: Path) -> None:
    problem = only_problem(run(write(tmp_path / "a.csv", "id;title;body\n1;a;b\n")))
    assert "';'" in problem.reason


def test_csv_short_row_empties_missing_fields(tmp_path: Path) -> None:
    content = "id,body,title,url\n1,Body one\n2\n"
    items = run(write(tmp_path / "a.csv", content))
    assert [(p.position, p.action) for p in problems(items)] == [
        (2, "field_emptied"),
        (3, "skipped"),
    ]
    emptied, skipped = problems(items)
    assert "title, url" in emptied.reason and "2 of 4 cells" in emptied.reason
    assert skipped.reason.startswith("no body") and "1 of 4 cells" in skipped.reason
    [article] = articles(items)
    assert (article.body, article.title, article.url) == ("Body one", None, None)


def test_csv_row_with_extra_cells_is_skipped_but_trailing_empties_are_fine(
    tmp_path: Path,
) -> None:
    content = "id,body\n1,Body, with an unquoted comma\n2,Fine body,,\n"
    items = run(write(tmp_path / "a.csv", content))
    [problem] = problems(items)
    assert (problem.position, problem.action) == (2, "skipped")
    assert "3 cells" in problem.reason
    assert [a.body for a in articles(items)] == ["Fine body"]


def test_csv_no_body_row_is_skipped(tmp_path: Path) -> None:
    items = run(write(tmp_path / "a.csv", "id,body\n1,\n2,  \n3,ok\n"))
    assert [(p.position, p.reason) for p in problems(items)] == [(2, "no body"), (3, "no body")]
    assert [a.position for a in articles(items)] == [4]


def test_csv_blank_rows_are_ignored(tmp_path: Path) -> None:
    items = run(write(tmp_path / "a.csv", "id,body\n\n1,one\n\n,\n2,two\n"))
    assert problems(items) == []
    assert [(a.position, a.body) for a in articles(items)] == [(3, "one"), (6, "two")]


def test_csv_empty_file_and_header_only(tmp_path: Path) -> None:
    assert only_problem(run(write(tmp_path / "e.csv", b""))).reason == "empty file"
    assert run(write(tmp_path / "h.csv", "id,body\n")) == []


def test_csv_binary_file(tmp_path: Path) -> None:
    problem = only_problem(run(write(tmp_path / "x.csv", b"id,body\n\x00\x01\x02")))
    assert "binary" in problem.reason


def test_csv_nul_in_a_later_row_skips_only_that_row(tmp_path: Path) -> None:
    rows = "".join(f"{i},row {i}\n" for i in range(2_000))
    content = f"id,body\n{rows}".encode() + b"x,bad\x00row\ny,fine\n"
    items = run(write(tmp_path / "a.csv", content))
    [problem] = problems(items)
    assert (problem.position, problem.reason) == (2_002, "row contains NUL bytes")
    assert articles(items)[-1].body == "fine"


def test_csv_max_bytes_applies_per_row_and_reading_resumes(tmp_path: Path) -> None:
    long_cell = "\n".join(["a line of a very long quoted body"] * 10)
    content = f'id,body\n1,short\n2,"{long_cell}"\n3,after\n'
    items = run(write(tmp_path / "a.csv", content), max_bytes=100)
    [problem] = problems(items)
    assert (problem.position, problem.action) == (3, "skipped")
    assert "100-byte limit" in problem.reason
    assert [(a.position, a.body) for a in articles(items)] == [(2, "short"), (13, "after")]


def test_csv_row_limit_with_small_read_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Draining an over-long row must stop at a line end outside quotes, not mid-line."""
    monkeypatch.setattr(csvfile, "READ_CHUNK", 5)
    long_cell = '""quoted"" text ' * 20
    content = f'id,body\n1,"{long_cell}\n{long_cell}"\n2,after "x" here\n3,last\n'
    items = run(write(tmp_path / "a.csv", content), max_bytes=200)
    [problem] = problems(items)
    assert problem.position == 2
    assert [(a.position, a.body) for a in articles(items)] == [
        (4, 'after "x" here'),
        (5, "last"),
    ]


def test_csv_invalid_utf8_reported_once(tmp_path: Path) -> None:
    content = b"id,body\n1,caf\xe9\n2,na\xefve\n"
    items = run(write(tmp_path / "a.csv", content))
    [problem] = problems(items)
    assert (problem.position, problem.action) == (2, "decoded_as_cp1252")
    assert [a.body for a in articles(items)] == ["caf\u00e9", "na\u00efve"]


# --- reuters (synthetic) ---------------------------------------------------------------


def sgml_record(
    newid: int,
    text: str,
    *,
    date: str = "26-FEB-1987 15:01:01.79",
    places: str = "",
    people: str = "",
    orgs: str = "",
) -> str:
    def tags(codes: str) -> str:
        return "".join(f"<D>{code}</D>" for code in codes.split())

    return (
        f'<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" OLDID="1" NEWID="{newid}">\n'
        f"<DATE>{date}</DATE>\n<TOPICS></TOPICS>\n"
        f"<PLACES>{tags(places)}</PLACES>\n<PEOPLE>{tags(people)}</PEOPLE>\n"
        f"<ORGS>{tags(orgs)}</ORGS>\n<EXCHANGES></EXCHANGES>\n<COMPANIES></COMPANIES>\n"
        "<UNKNOWN> \n&#5;&#5;&#5;C T\n&#22;&#22;&#1;f0704&#31;reute\n</UNKNOWN>\n"
        f"{text}\n</REUTERS>\n"
    )


def normal_text(title: str, dateline: str, body: str) -> str:
    return (
        f"<TEXT>&#2;\n<TITLE>{title}</TITLE>\n"
        f"<DATELINE>    {dateline} </DATELINE><BODY>{body}\n Reuter\n&#3;</BODY></TEXT>"
    )


def sgml_file(tmp_path: Path, *records: str, name: str = "r.sgm") -> Path:
    return write(tmp_path / name, '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n' + "".join(records))


def test_reuters_normal_record(tmp_path: Path) -> None:
    body = "Tate &amp; Lyle &lt;TATL.L> said\n    profits rose&#127;.&#5;"
    record = sgml_record(
        42,
        normal_text("TATE &amp; LYLE &lt;TATL.L> PROFITS\n", "LONDON, March 3 -", body),
        places="uk usa west-germany cape-verde isle-of-man",
        people="james-baker john-smith",
        orgs="ec opec adb-africa",
    )
    [article] = run(sgml_file(tmp_path, record))
    assert isinstance(article, RawArticle)
    assert (article.id, article.position, article.outlet) == ("reuters-42", 1, "Reuters")
    assert article.title == "TATE & LYLE <TATL.L> PROFITS"
    assert (article.date, article.dateline) == ("1987-02-26", "LONDON, March 3")
    assert article.body == "Tate & Lyle <TATL.L> said\n    profits rose.\n Reuter"
    assert article.tags == {
        "people": ["James Baker", "John Smith"],
        "organisations": ["European Community", "OPEC", "African Development Bank"],
        "places": ["United Kingdom", "United States", "West Germany", "Cape Verde",
                   "Isle of Man"],
    }


def test_reuters_brief_headline_only_is_skipped(tmp_path: Path) -> None:
    brief = (
        '<TEXT TYPE="BRIEF">&#2;\n******<TITLE>FED SETS REPO\n</TITLE>Blah blah blah.\n'
        "&#3;\n\n</TEXT>"
    )
    path = sgml_file(tmp_path, sgml_record(1, normal_text("T", "X, Feb 1 -", "B")),
                     sgml_record(30, brief))
    items = run(path)
    [problem] = problems(items)
    assert (problem.position, problem.action) == (2, "skipped")
    assert problem.reason.startswith("NEWID 30: no body")
    assert [a.id for a in articles(items)] == ["reuters-1"]


def test_reuters_unproc_uses_text_as_body(tmp_path: Path) -> None:
    unproc = (
        '<TEXT TYPE="UNPROC">&#2;\nFEDERAL RESERVE WEEKLY REPORT - FEB 26\n'
        " Bank borrowings.....680 vs....425\n\n Reuter\n&#3;\n\n</TEXT>"
    )
    [article] = run(sgml_file(tmp_path, sgml_record(99, unproc)))
    assert isinstance(article, RawArticle)
    assert article.body.startswith("FEDERAL RESERVE WEEKLY REPORT - FEB 26\n Bank borrowings")
    assert article.body.endswith("Reuter")
    assert (article.title, article.dateline) == (None, None)


def test_reuters_record_without_text_is_no_body(tmp_path: Path) -> None:
    problem = only_problem(run(sgml_file(tmp_path, sgml_record(5, ""))))
    assert problem.reason == "NEWID 5: no body"


def test_reuters_bad_date_is_field_emptied(tmp_path: Path) -> None:
    record = sgml_record(7, normal_text("T", "X, Feb 1 -", "Body"), date="31-FOO-1987")
    items = run(sgml_file(tmp_path, record))
    [problem] = problems(items)
    assert (problem.position, problem.action) == (1, "field_emptied")
    assert "NEWID 7" in problem.reason
    [article] = articles(items)
    assert article.date is None and article.body.startswith("Body")


def test_reuters_date_with_irregular_spacing(tmp_path: Path) -> None:
    record = sgml_record(8, normal_text("T", "X, Mar 3 -", "Body"), date=" 3-MAR-1987  09:15:05.40")
    assert articles(run(sgml_file(tmp_path, record)))[0].date == "1987-03-03"


@pytest.mark.parametrize(
    ("raw", "dateline", "body_start"),
    [
        ("SALVADOR, Feb 26 -", "SALVADOR, Feb 26", "Body"),
        ("MONTREAL, Feb 26-\n   ", "MONTREAL, Feb 26", "Body"),
        ("CHICAGO, March 4, -", "CHICAGO, March 4", "Body"),
        ("WOODBRIDGE, N.J. -", "WOODBRIDGE, N.J.", "Body"),
        ("RIO DE JANEIRO, Feb 26 - Brazil's anti-", "RIO DE JANEIRO, Feb 26", "Brazil's anti-Body"),
    ],
)
def test_reuters_datelines(tmp_path: Path, raw: str, dateline: str, body_start: str) -> None:
    record = sgml_record(9, normal_text("T", raw, "Body text"))
    [article] = run(sgml_file(tmp_path, record))
    assert isinstance(article, RawArticle)
    assert article.dateline == dateline
    assert article.body.startswith(body_start)


def test_reuters_truncated_file_reports_unclosed_record(tmp_path: Path) -> None:
    full = sgml_record(1, normal_text("T", "X, Feb 1 -", "Body"))
    cut = sgml_record(2, normal_text("T", "X, Feb 1 -", "Body"))[:200]
    items = run(sgml_file(tmp_path, full, cut))
    assert [a.id for a in articles(items)] == ["reuters-1"]
    [problem] = problems(items)
    assert (problem.position, problem.action) == (2, "skipped")
    assert "NEWID 2" in problem.reason and "not closed" in problem.reason


def test_reuters_record_over_max_bytes_is_skipped_and_reading_resumes(tmp_path: Path) -> None:
    small = sgml_record(1, normal_text("T", "X, Feb 1 -", "Body"))
    huge = sgml_record(2, normal_text("T", "X, Feb 1 -", "word " * 2_000))
    path = sgml_file(tmp_path, small, huge, small.replace('NEWID="1"', 'NEWID="3"'))
    items = run(path, max_bytes=3_000)
    assert [(a.id, a.position) for a in articles(items)] == [("reuters-1", 1), ("reuters-3", 3)]
    [problem] = problems(items)
    assert problem.position == 2 and problem.reason.startswith("NEWID 2: record is over")


def test_reuters_small_chunks_give_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records and close tags split across read chunks must parse as if read whole."""
    small = sgml_record(1, normal_text("T", "X, Feb 1 -", "Body &amp; more"))
    huge = sgml_record(2, normal_text("T", "X, Feb 1 -", "word " * 2_000))
    path = sgml_file(tmp_path, small, huge, small.replace('NEWID="1"', 'NEWID="3"'))
    whole = run(path, max_bytes=3_000)
    monkeypatch.setattr(reuters, "READ_CHUNK", 7)
    assert run(path, max_bytes=3_000) == whole
    assert len(articles(whole)) == 2 and len(problems(whole)) == 1


def test_reuters_file_without_records(tmp_path: Path) -> None:
    problem = only_problem(run(write(tmp_path / "x.sgm", "<HTML>not reuters</HTML>\n")))
    assert problem.reason == "no <REUTERS> records found"


def test_reuters_empty_file(tmp_path: Path) -> None:
    assert only_problem(run(write(tmp_path / "x.sgml", b""))).reason == "empty file"


def test_reuters_code_table_covers_people_with_full_names() -> None:
    names = tomllib.loads(CODES_TOML.read_text(encoding="utf-8"))
    assert set(names) == {"places", "people", "orgs"}
    assert names["places"]["usa"] == "United States"
    assert names["places"]["ussr"] == "Soviet Union"
    assert all(" " in name or name in {"Subroto", "Suharto"} for name in names["people"].values())


# --- reuters (real data) ---------------------------------------------------------------


@pytest.fixture(scope="module")
def reuters_items() -> list[RawArticle | Problem]:
    folder = shared_reuters()
    return list(iter_sources(sorted(folder.glob("*.sgm"))))


def test_reuters_every_record_is_accounted_for(reuters_items: list[RawArticle | Problem]) -> None:
    arts = articles(reuters_items)
    skipped = [p for p in problems(reuters_items) if p.action == "skipped"]
    assert all(p.reason and p.position is not None for p in problems(reuters_items))
    article_keys = {(a.source, a.position) for a in arts}
    skipped_keys = {(p.source, p.position) for p in skipped}
    assert not article_keys & skipped_keys
    assert len(article_keys | skipped_keys) == len(arts) + len(skipped) == 5_000
    assert len({a.id for a in arts}) == len(arts)


def test_reuters_known_values(reuters_items: list[RawArticle | Problem]) -> None:
    by_id = {a.id: a for a in articles(reuters_items)}
    first = by_id["reuters-1"]
    assert first.title == "BAHIA COCOA REVIEW"
    assert first.date == "1987-02-26"
    assert first.dateline == "SALVADOR, Feb 26"
    assert {"El Salvador", "United States", "Uruguay"} <= set(first.tags["places"])
    assert first.body.startswith("Showers continued throughout the week in\nthe Bahia cocoa")
    assert first.outlet == "Reuters"


def test_reuters_real_data_is_clean(reuters_items: list[RawArticle | Problem]) -> None:
    arts = articles(reuters_items)
    controls = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
    assert not [a.id for a in arts if controls.search(a.body + (a.title or ""))]
    assert not [a.id for a in arts if "&lt;" in a.body or "&#" in a.body]
    assert all(a.date for a in arts)
    reasons = collections.Counter(
        re.sub(r"^NEWID \d+: ", "", p.reason) for p in problems(reuters_items)
    )
    assert reasons == {"no body (headline only)": 387}
    people = collections.Counter(name for a in arts for name in a.tags.get("people", []))
    assert people["Ronald Reagan"] > 10 and people["James Baker"] > 5
