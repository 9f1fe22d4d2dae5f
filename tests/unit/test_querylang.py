"""The user query language: what parses to what, and what is refused with a message."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from search.query import querylang as ql
from search.query.querylang import (
    FIELDS,
    MAX_CLAUSES,
    MAX_DEPTH,
    MAX_PHRASE_SLOP,
    And,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    Word,
    parse,
)

a, b, c = Word("a"), Word("b"), Word("c")


def error(text: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as err:
        parse(text)
    assert str(err.value)  # every refusal says something
    return err.value


# -- blank ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "   ", "\t\n", "\u3000"])
def test_blank_query_is_none(text):
    assert parse(text) is None


# -- boolean structure ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("a", a),
        ("a b", And((a, b))),
        ("a AND b", And((a, b))),
        ("a  \t b", And((a, b))),
        ("a b c", And((a, b, c))),
        ("a OR b", Or((a, b))),
        ("a OR b OR c", Or((a, b, c))),
        # AND binds tighter than OR.
        ("a b OR c", Or((And((a, b)), c))),
        ("a OR b c", Or((a, And((b, c))))),
        ("a AND b OR c", Or((And((a, b)), c))),
        ("(a OR b) c", And((Or((a, b)), c))),
        ("a (b OR c)", And((a, Or((b, c))))),
        ("((a))", a),
        ("(a b) OR (b c)", Or((And((a, b)), And((b, c))))),
        ("+a", a),
        ("+a -b", And((a, Not(b)))),
    ],
)
def test_boolean_structure(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("NOT a", Not(a)),
        ("-a", Not(a)),
        ("a -b", And((a, Not(b)))),
        ("a NOT b", And((a, Not(b)))),
        ("a AND NOT b", And((a, Not(b)))),
        ("-(a OR b)", Not(Or((a, b)))),
        ("NOT NOT a", Not(Not(a))),
        ("a OR -b", Or((a, Not(b)))),
        ('-"a b"', Not(Phrase("a b"))),
        ("-title:a", Not(Word("a", "title"))),
    ],
)
def test_negation(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        # A hyphen inside or after a word, or standing alone, does not negate.
        ("well-known", Word("well-known")),
        ("a - b", And((a, Word("-"), b))),
        ("a-", Word("a-")),
        # Operators are upper case only; lower case they are words (stop words).
        ("a or b", And((a, Word("or"), b))),
        ("a and b", And((a, Word("and"), b))),
        ("not a", And((Word("not"), a))),
    ],
)
def test_words_that_look_like_operators(text, tree):
    assert parse(text) == tree


# -- phrases ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ('"climate summit"', Phrase("climate summit")),
        ('"climate summit"~0', Phrase("climate summit", slop=0)),
        ('"climate summit"~3', Phrase("climate summit", slop=3)),
        (f'"climate summit"~{MAX_PHRASE_SLOP}', Phrase("climate summit", slop=MAX_PHRASE_SLOP)),
        ('"a b" c', And((Phrase("a b"), c))),
        ('a"b c"', And((a, Phrase("b c")))),
        ('"a (b) OR c"', Phrase("a (b) OR c")),  # operators inside quotes are text
        ('"a b" OR "b c"~2', Or((Phrase("a b"), Phrase("b c", slop=2)))),
        ('title:"a b"~2', Phrase("a b", "title", 2)),
    ],
)
def test_phrases(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize(
    "slop", [str(MAX_PHRASE_SLOP + 1), "99", "1000", "0011", "1" + "0" * 5000]
)
def test_phrase_slop_over_the_limit(slop):
    err = error(f'"a b"~{slop}')
    assert f"limit of {MAX_PHRASE_SLOP}" in str(err)
    assert err.position == 0


# -- fields -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "index_field"),
    [
        ("title", "title"),
        ("body", "body"),
        ("outlet", "outlet"),
        ("person", "people"),
        ("organisation", "organisations"),
        ("organization", "organisations"),
        ("place", "places"),
    ],
)
def test_public_fields(name, index_field):
    assert parse(f"{name}:putin") == Word("putin", index_field)
    assert parse(f"{name.upper()}:putin") == Word("putin", index_field)
    assert parse(f'{name}:"vladimir putin"') == Phrase("vladimir putin", index_field)
    assert parse(f"a {name}:b") == And((a, Word("b", index_field)))


def test_the_field_applies_to_one_word_only():
    assert parse("title:a b") == And((Word("a", "title"), b))


@pytest.mark.parametrize(
    "name",
    ["id", "content_hash", "source", "url", "date", "word_count", "people", "organisations",
     "places", "ID", "colour", "_internal"],
)
def test_internal_and_unknown_fields_are_refused(name):
    err = error(f"{name}:x")
    message = str(err)
    assert f"unknown field {name!r}" in message
    for public in ("title", "body", "outlet", "person", "organisation", "place"):
        assert public in message
    assert err.position == 0
    assert error(f"a {name}:x").position == 2


@pytest.mark.parametrize("text", ["title:(a b)", "title:-a", "title:body:a", "title:)"])
def test_a_field_needs_a_word_or_a_phrase(text):
    assert "needs a word" in str(error(text))


def test_field_names_are_the_documented_ones():
    assert set(FIELDS) == {
        "title", "body", "captions", "outlet", "person", "organisation", "organization", "place"
    }


# -- prefix and fuzzy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("elect*", Word("elect", prefix=True)),
        ("title:elect*", Word("elect", "title", prefix=True)),
        ("elect* vote", And((Word("elect", prefix=True), Word("vote")))),
        ("-elect*", Not(Word("elect", prefix=True))),
        ("vaccine~", Word("vaccine", fuzzy=1)),
        ("vaccine~1", Word("vaccine", fuzzy=1)),
        ("vaccine~2", Word("vaccine", fuzzy=2)),
        ("body:vaccine~2", Word("vaccine", "body", fuzzy=2)),
    ],
)
def test_prefix_and_fuzzy(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize("text", ["*elect", "el*ct", "e*l*", "*", "a **b"])
def test_only_a_trailing_star_is_supported(text):
    if text == "*":  # a bare star parses; the evaluator refuses the empty prefix
        assert parse(text) == Word("", prefix=True)
        return
    assert "trailing *" in str(error(text))


@pytest.mark.parametrize("distance", ["0", "3", "9", "10", "22", "100"])
def test_fuzzy_distance_over_two_is_refused(distance):
    # "~10" used to slip through as the plain word "vaccine~10" (fixed).
    err = error(f"vaccine~{distance}")
    assert f"~{distance}" in str(err) and "must be 1 or 2" in str(err)


# -- unbalanced and dangling ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "says"),
    [
        ('"a b', 0, "quote is not closed"),
        ('a "b', 2, "quote is not closed"),
        ('"a" "b', 4, "quote is not closed"),
        ("(a b", 0, "'(' is not closed"),
        ("((a)", 0, "'(' is not closed"),
        ("a (b", 2, "'(' is not closed"),
        ("a b)", 3, "unbalanced ')'"),
        ("(a))", 3, "unbalanced ')'"),
        (")", 0, "unexpected ')'"),
        ("()", 0, "empty parentheses"),
        ("( )", 0, "empty parentheses"),
    ],
)
def test_unbalanced_quotes_and_parentheses(text, position, says):
    err = error(text)
    assert says in str(err)
    assert err.position == position


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("a OR", "OR needs a word"),
        ("a OR OR b", "OR needs a word"),
        ("a OR AND b", "OR needs a word"),
        ("(a OR)", "OR needs a word"),
        ("a AND", "AND needs a word"),
        ("a AND OR b", "AND needs a word"),
        ("(a AND)", "AND needs a word"),
        ("NOT", "NOT needs a word"),
        ("a NOT", "NOT needs a word"),
        ("a NOT NOT", "NOT needs a word"),
        ("(NOT)", "unexpected ')'"),
        ("(a -)", "unexpected ')'"),
    ],
)
def test_dangling_operators(text, says):
    assert says in str(error(text))


def test_error_positions_point_at_the_problem():
    assert error("a b OR").position == 4
    assert error("a AND").position == 2
    assert error("a NOT").position == 2
    assert error("vote word~3").position == 5
    assert error("vote *x").position == 5


# -- limits -----------------------------------------------------------------------------------


def test_nesting_depth_limit_for_parentheses():
    assert parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH) == a
    err = error("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    assert f"deeper than {MAX_DEPTH}" in str(err)


def test_nesting_depth_limit_for_not():
    tree = parse("NOT " * MAX_DEPTH + "a")
    for _ in range(MAX_DEPTH):
        assert isinstance(tree, Not)
        tree = tree.child
    assert tree == a
    assert f"deeper than {MAX_DEPTH}" in str(error("NOT " * (MAX_DEPTH + 1) + "a"))


def test_mixed_nesting_counts_both():
    half = MAX_DEPTH // 2
    assert parse("(NOT " * half + "a" + ")" * half) is not None
    assert "deeper" in str(error("(NOT " * (half + 1) + "a" + ")" * (half + 1)))


@pytest.mark.parametrize("text", ["NOT " * 5000 + "a", "(" * 5000 + "a" + ")" * 5000,
                                  "-(" * 3000 + "a" + ")" * 3000])
def test_very_deep_queries_are_syntax_errors_not_crashes(text):
    # A long chain of NOTs used to recurse until RecursionError (fixed).
    assert "deeper" in str(error(text))


def test_clause_count_limit():
    words = [f"w{i}" for i in range(MAX_CLAUSES + 1)]
    tree = parse(" ".join(words[:MAX_CLAUSES]))
    assert isinstance(tree, And) and len(tree.children) == MAX_CLAUSES
    assert f"more than {MAX_CLAUSES}" in str(error(" ".join(words)))
    assert f"more than {MAX_CLAUSES}" in str(error(" OR ".join(words)))
    assert f"more than {MAX_CLAUSES}" in str(error("a " * MAX_CLAUSES + '"b c"'))


def test_a_phrase_is_one_clause():
    phrases = " ".join(f'"p{i} q{i}"' for i in range(MAX_CLAUSES))
    tree = parse(phrases)
    assert isinstance(tree, And) and len(tree.children) == MAX_CLAUSES


def test_syntax_error_is_a_value_error_with_a_position():
    err = error("(a")
    assert isinstance(err, ValueError)
    assert isinstance(err.position, int)


# -- properties -----------------------------------------------------------------------------

# Random text made mostly of the language's own pieces, up to 200 characters.
QUERYISH = st.lists(
    st.sampled_from(
        [*'ab xyz():"~*-+\t', "OR", "AND", "NOT", "title:", "person:", "id:", "~2", "~3", "é",
         "\u00a0", "10"]
    ),
    max_size=120,
).map(lambda pieces: "".join(pieces)[:200])


@settings(
    max_examples=200, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.one_of(st.text(max_size=200), QUERYISH))
def test_any_text_parses_or_raises_query_syntax_error(text):
    try:
        tree = parse(text)
    except QuerySyntaxError as err:
        assert str(err)
        assert err.position is None or 0 <= err.position < len(text)
        return
    if tree is None:
        assert not text.strip()
    else:
        assert isinstance(tree, Word | Phrase | Not | And | Or)


# Round trip: a random tree, written out in the query language, parses back to itself.
_LOWER_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
_FIELD = st.sampled_from([None, *FIELDS])


@st.composite
def _leaf(draw):
    field = draw(_FIELD)
    prefix = f"{field}:" if field else ""
    index_field = FIELDS[field] if field else None
    if draw(st.booleans()):
        words = draw(st.lists(_LOWER_WORDS, min_size=1, max_size=3))
        slop = draw(st.integers(0, MAX_PHRASE_SLOP))
        text = prefix + '"' + " ".join(words) + '"' + (f"~{slop}" if slop else "")
        return text, Phrase(" ".join(words), index_field, slop)
    word = draw(_LOWER_WORDS)
    kind = draw(st.sampled_from(["plain", "prefix", "fuzzy1", "fuzzy2"]))
    if kind == "prefix":
        return f"{prefix}{word}*", Word(word, index_field, prefix=True)
    if kind.startswith("fuzzy"):
        distance = int(kind[-1])
        return f"{prefix}{word}~{distance}", Word(word, index_field, fuzzy=distance)
    return prefix + word, Word(word, index_field)


def _combine(children):
    def negate(child):
        text, node = child
        return ("NOT " if text.startswith("-") else "-") + text, Not(node)

    def join(parts, glue, kind):
        return "(" + glue.join(t for t, _ in parts) + ")", kind(tuple(n for _, n in parts))

    return st.one_of(
        children.map(negate),
        st.lists(children, min_size=2, max_size=4).map(lambda p: join(p, " ", And)),
        st.lists(children, min_size=2, max_size=4).map(lambda p: join(p, " AND ", And)),
        st.lists(children, min_size=2, max_size=4).map(lambda p: join(p, " OR ", Or)),
    )


def _depth(node) -> int:
    if isinstance(node, Not):
        return 1 + _depth(node.child)
    if isinstance(node, And | Or):
        return 1 + max(_depth(child) for child in node.children)
    return 0


@settings(
    max_examples=60, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.recursive(_leaf(), _combine, max_leaves=16))
def test_written_out_trees_parse_back_to_themselves(case):
    text, tree = case
    assume(_depth(tree) < MAX_DEPTH)
    assert parse(text) == tree


@pytest.mark.parametrize("query,message", [
    ("(", "a '(' is not closed"),
    ("(putin OR aliyev", "a '(' is not closed"),
    ("OR", "OR needs a word on each side"),
    ("AND", "AND needs a word on each side"),
    ("NOT", "NOT needs a word after it"),
    ("-", "- needs a word right after it"),
    ("person:", "person: needs a word"),
    ("title:", "title: needs a word"),
    ("putin person:", "person: needs a word"),
    ("person:putin:x", "person: needs a word"),
])
def test_operators_and_fields_without_a_word_are_pointed_out(query, message):
    with pytest.raises(ql.QuerySyntaxError, match=re.escape(message)):
        ql.parse(query)


@pytest.mark.parametrize("query", ["Armenia - Azerbaijan talks", "Note: this", "AT&T"])
def test_punctuation_in_pasted_text_is_not_an_error(query):
    assert ql.parse(query) is not None


def test_every_facet_is_described_once_and_reaches_every_layer():
    # One registry (search.query.results.FACETS): the query language's fields, the
    # filters, the index's columns and the API's parameters all come from it.
    from dataclasses import fields

    from api.schemas import make_schemas
    from search.index.columns import FACETS as COLUMNS
    from search.query import querylang
    from search.query.results import FACETS, Filters
    from search.settings import Settings

    search_params = make_schemas(Settings()).search_query.fields
    for kind in FACETS:
        assert querylang.FIELDS[kind.name] == kind.column
        assert kind.filters_field in {f.name for f in fields(Filters)}
        assert kind.column in COLUMNS
        assert kind.name in search_params
    assert [k.name for k in FACETS if k.any_of] == ["outlet"]


def test_the_readme_states_the_limits_the_code_enforces():
    from search.query.limits import MAX_QUERY_DEPTH, MAX_QUERY_TERMS
    from search.settings import Settings
    from tests.conftest import ROOT

    readme = " ".join((ROOT / "README.md").read_text().split())  # lines rewrapped freely
    stated = (f"Limits: {Settings().max_query_chars:,} characters, {MAX_QUERY_TERMS:,} terms, "
              f"{MAX_QUERY_DEPTH} levels of nesting")
    assert stated in readme
