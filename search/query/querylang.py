"""The user query language, parsed into a small syntax tree.

Whoosh's own parser never fails: on bad input it quietly builds a different query
(or none), and it lets users address internal fields. Newsroom users need the
opposite: a query means what it says, or they get a message that tells them what to
fix. So the language is parsed here, by a small recursive-descent parser, and only
then evaluated over the index's arrays (``search.query.evaluate``).

    query    := or_expr
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := unary (["AND"] unary)*          words are ANDed by default
    unary    := ("NOT" | "-") unary | ["+"] primary
    primary  := "(" or_expr ")" | [field ":"] (phrase | word)
    phrase   := '"' words '"' ["~" slop]
    word     := text ["*" | "~" [1|2]]           prefix, fuzzy
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.query.limits import MAX_QUERY_DEPTH, MAX_QUERY_TERMS
from search.query.results import FACET_FIELDS

# Public field names users type, and the index fields they address: the text fields,
# every facet by its name, and the American spelling of one.
FIELDS = {
    "title": "title",
    "body": "body",
    "captions": "captions",
    **FACET_FIELDS,
    "organization": "organisations",
}
MAX_DEPTH = MAX_QUERY_DEPTH  # documented limits, with the others in search.query.limits
MAX_CLAUSES = MAX_QUERY_TERMS
MAX_FUZZY_DISTANCE = 2
MAX_PHRASE_SLOP = 10


class QuerySyntaxError(ValueError):
    """A query that cannot be understood; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    field: str | None = None
    prefix: bool = False
    fuzzy: int = 0


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    field: str | None = None
    slop: int = 0


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


Node = Word | Phrase | Not | And | Or

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<phrase>"(?P<phrase_text>[^"]*)(?P<phrase_end>"?)(?:~(?P<slop>\d+))?)
  | (?P<field>[A-Za-z_]+):(?=\S)
  | (?P<minus>-)(?=[^\s-])
  | (?P<plus>\+)(?=\S)
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)


def _check_bare(tok: _Tok) -> None:
    """One rule for what stands where a search word should: an operator or a field name
    with nothing after it is a mistake to point out, not a word to look up."""
    if tok.kind in ("AND", "OR"):
        raise QuerySyntaxError(f"{tok.value} needs a word on each side", tok.pos)
    if tok.kind == "NOT":
        raise QuerySyntaxError("NOT needs a word after it", tok.pos)
    if tok.kind == "word" and tok.value.endswith(":") and tok.value[:-1].lower() in FIELDS:
        raise QuerySyntaxError(
            f"{tok.value[:-1].lower()}: needs a word or a \"phrase\" after it", tok.pos
        )


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    value: str
    pos: int
    slop: int = 0


def _tokenise(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # pragma: no cover - the word alternative matches any other char
            raise QuerySyntaxError(f"unexpected character {text[pos]!r}", pos)
        kind = m.lastgroup
        if m.group("phrase") is not None:
            if not m.group("phrase_end"):
                raise QuerySyntaxError("a quote is not closed: add the closing \"", pos)
            slop_text = m.group("slop") or "0"
            # Length first: int() of thousands of digits raises a plain ValueError.
            if len(slop_text) > 3 or int(slop_text) > MAX_PHRASE_SLOP:
                shown = slop_text if len(slop_text) <= 6 else slop_text[:6] + "..."
                raise QuerySyntaxError(
                    f"phrase slop ~{shown} is over the limit of {MAX_PHRASE_SLOP}", pos
                )
            slop = int(slop_text)
            tokens.append(_Tok("phrase", m.group("phrase_text"), pos, slop))
        elif m.group("field") is not None:
            tokens.append(_Tok("field", m.group("field"), pos))
        elif kind == "word":
            value = m.group("word")
            tokens.append(_Tok(value if value in ("AND", "OR", "NOT") else "word", value, pos))
        elif kind != "space":
            tokens.append(_Tok(kind, m.group(kind), pos))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.i = 0
        self.clauses = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.or_expr(0)
        tok = self.peek()
        if tok is not None:
            raise QuerySyntaxError("unbalanced ')': remove it or add a '('", tok.pos)
        return node

    def or_expr(self, depth: int) -> Node:
        children = [self.and_expr(depth)]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            if self.peek() is None or self.peek().kind in ("OR", "AND", "rparen"):
                raise QuerySyntaxError("OR needs a word after it", tok.pos)
            children.append(self.and_expr(depth))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self, depth: int) -> Node:
        children = [self.unary(depth)]
        while (tok := self.peek()) is not None and tok.kind not in ("OR", "rparen"):
            if tok.kind == "AND":
                self.take()
                if self.peek() is None or self.peek().kind in ("OR", "AND", "rparen"):
                    raise QuerySyntaxError("AND needs a word after it", tok.pos)
            children.append(self.unary(depth))
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self, depth: int) -> Node:
        if depth > MAX_DEPTH:  # a chain of NOTs recurses here without reaching primary
            raise QuerySyntaxError(f"the query nests deeper than {MAX_DEPTH} levels")
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("the query ends too early")
        if tok.kind in ("NOT", "minus"):
            self.take()
            if self.peek() is None:
                raise QuerySyntaxError(f"{tok.value} needs a word after it", tok.pos)
            return Not(self.unary(depth + 1))
        if tok.kind == "plus":
            self.take()
        return self.primary(depth)

    def primary(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise QuerySyntaxError(f"the query nests deeper than {MAX_DEPTH} levels")
        tok = self.take() if self.peek() is not None else None
        if tok is None:
            raise QuerySyntaxError("the query ends too early")
        if tok.kind == "lparen":
            if self.peek() is None:
                raise QuerySyntaxError("a '(' is not closed: add the closing ')'", tok.pos)
            if self.peek().kind == "rparen":
                raise QuerySyntaxError("empty parentheses", tok.pos)
            node = self.or_expr(depth + 1)
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise QuerySyntaxError("a '(' is not closed: add the closing ')'", tok.pos)
            self.take()
            return node
        field = None
        if tok.kind == "field":
            name = tok.value.lower()
            if name not in FIELDS:
                raise QuerySyntaxError(
                    f"unknown field {tok.value!r}: use one of {', '.join(sorted(FIELDS))}",
                    tok.pos,
                )
            field = FIELDS[name]
            tok = self.take() if self.peek() is not None else None
            if tok is None or tok.kind not in ("word", "phrase"):
                raise QuerySyntaxError(f"{name}: needs a word or a \"phrase\" after it")
        if tok.kind == "phrase":
            return self.count(Phrase(tok.value, field, tok.slop), tok)
        if field is None:
            _check_bare(tok)
        if tok.kind in ("word", "AND", "OR", "NOT"):
            return self.count(_word(tok, field), tok)
        raise QuerySyntaxError(f"unexpected {tok.value!r}", tok.pos)

    def count(self, node: Node, tok: _Tok) -> Node:
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QuerySyntaxError(f"the query has more than {MAX_CLAUSES} terms", tok.pos)
        return node


def _word(tok: _Tok, field: str | None) -> Word:
    text = tok.value
    if text.endswith("*"):
        stem = text.rstrip("*")
        if "*" in stem or "?" in stem:
            raise QuerySyntaxError("only a trailing * is supported (as in elect*)", tok.pos)
        return Word(stem, field, prefix=True)
    fuzzy = re.fullmatch(r"(.+?)~(\d*)", text)
    if fuzzy:
        digits = fuzzy.group(2) or "1"
        if len(digits) > 1 or not 1 <= int(digits) <= MAX_FUZZY_DISTANCE:
            raise QuerySyntaxError(
                f"fuzzy distance ~{digits} must be 1 or {MAX_FUZZY_DISTANCE}", tok.pos
            )
        return Word(fuzzy.group(1), field, fuzzy=int(digits))
    if "*" in text:
        raise QuerySyntaxError("only a trailing * is supported (as in elect*)", tok.pos)
    return Word(text, field)


def parse(text: str) -> Node | None:
    """The syntax tree of a query, or None for a blank query (match everything)."""
    tokens = _tokenise(text)
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0].value in ("-", "+"):  # a sign alone; inside a text
        # ("Armenia - Azerbaijan") a spaced dash is punctuation, and stays harmless
        raise QuerySyntaxError(f"{tokens[0].value} needs a word right after it, as in -Moscow")
    return _Parser(tokens).parse()
