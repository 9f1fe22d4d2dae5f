"""Writes over HTTP: ``PUT``/``DELETE /articles/{id}`` and ``POST /articles`` (NDJSON bulk).

Each write is checked here (content type, size, JSON, fields), then handed to the
journal (``search.index.journal``), which makes it durable and orders it; it is
acknowledged only after that. The live writer applies it to the index within about a
second (``search.index.live``). Versions are content hashes: the one the index keeps
per article, so ``If-Match`` works the same for articles from files and from the API.
"""

from __future__ import annotations

import errno
import json

import falcon
from marshmallow import ValidationError

from api.errors import Problem, invalid_parameters
from api.schemas import Schemas
from search.formats.common import LONE_SURROGATE
from search.index.build import record_article
from search.index.journal import DELETE, PUT, Journal, JournalUnwritable, Outcome
from search.query.limits import MAX_ID_CHARS
from search.query.searcher import Searcher
from search.settings import Settings, variable_of

JSON_TYPES = ("application/json",)
NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/json-lines")


class Writes:
    """The write side of the API, shared by the article and bulk resources."""

    def __init__(self, searcher: Searcher, schemas: Schemas, settings: Settings) -> None:
        self.searcher = searcher
        self.schemas = schemas
        self.settings = settings
        self.journal = Journal(settings.index_dir)

    def put(self, req: falcon.Request, resp: falcon.Response, article_id: str) -> None:
        _check_id(article_id)
        body = read_body(req, JSON_TYPES, self.settings.max_write_bytes, "max_write_bytes")
        record = self._record(parse_json(body), article_id, where="")
        version = _version(article_id, record)
        (outcome,) = self._write([(PUT, article_id, record, version, _if_match(req))])
        _refuse_conflict(outcome, article_id)
        resp.status = falcon.HTTP_200 if outcome.existed else falcon.HTTP_201
        resp.set_header("ETag", f'"{version}"')
        resp.text = json.dumps(self.schemas.write_result.dump({
            "id": article_id, "result": "updated" if outcome.existed else "created",
            "version": version,
        }))

    def delete(self, req: falcon.Request, resp: falcon.Response, article_id: str) -> None:
        _check_id(article_id)
        (outcome,) = self._write([(DELETE, article_id, None, None, _if_match(req))])
        _refuse_conflict(outcome, article_id)
        if outcome.entry is None:
            raise Problem(404, "article_not_found", f"no article with id {article_id!r}")
        resp.status = falcon.HTTP_204

    def bulk(self, req: falcon.Request, resp: falcon.Response) -> None:
        """One article a line (ids inside); a bad line fails alone, the others are written."""
        body = read_body(req, NDJSON_TYPES, self.settings.max_bulk_bytes, "max_bulk_bytes")
        lines = body.split(b"\n")
        numbered = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
        if len(numbered) > self.settings.max_bulk_lines:
            raise Problem(413, "too_many_lines",
                          f"{len(numbered)} lines; the limit is {self.settings.max_bulk_lines} "
                          f"({variable_of('max_bulk_lines')})")
        items: dict[int, dict] = {}
        ops, op_lines = [], []
        for n, line in numbered:
            try:
                doc = parse_json(line, line_number=n)
                if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
                    raise Problem(400, "missing_id", f"line {n}: each line needs an \"id\"")
                record = self._record(doc, doc["id"], where=f"line {n}: ")
            except Problem as problem:
                items[n] = {"line": n, "id": _id_in(line), "status": problem.status_code,
                            "error": {"code": problem.code, "detail": problem.description}}
                continue
            article_id = doc["id"]
            ops.append((PUT, article_id, record, _version(article_id, record), None))
            op_lines.append(n)
        for n, op, outcome in zip(op_lines, ops, self._write(ops) if ops else [], strict=True):
            items[n] = {"line": n, "id": op[1], "status": 200 if outcome.existed else 201,
                        "result": "updated" if outcome.existed else "created",
                        "version": op[3]}
        ordered = [items[n] for n, _ in numbered]
        resp.text = json.dumps(self.schemas.bulk_result.dump({
            "errors": any(i["status"] >= 400 for i in ordered), "items": ordered,
        }))

    def _record(self, doc: object, article_id: str, where: str) -> dict:
        if not isinstance(doc, dict):
            raise Problem(400, "invalid_body", f"{where}the body must be a JSON object")
        try:
            data = self.schemas.article_write.load(doc)
        except ValidationError as exc:
            raise invalid_parameters(exc.messages, noun="field", where=where) from None
        if data.pop("id", article_id) != article_id:
            raise Problem(400, "id_mismatch", f"{where}the body's id is not the path's "
                          f"({article_id!r})", [{"param": "id", "message": "not the path's id"}])
        return data

    def _write(self, ops: list) -> list[Outcome]:
        try:
            return self.journal.write(ops, self.searcher.version_of)
        except JournalUnwritable as exc:
            full = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
            raise Problem(507 if full else 503, "storage_full" if full else "journal_unwritable",
                          f"the write was not stored: {exc.strerror}; searches still work"
                          ) from None


def read_body(req: falcon.Request, types: tuple[str, ...], limit: int,
              setting: str | None) -> bytes:
    """The request body, of one of ``types`` and at most ``limit`` bytes (the setting
    that raises the limit, if there is one, is named in the 413)."""
    media = (req.content_type or "").split(";")[0].strip().lower()
    if media not in types:
        raise Problem(415, "unsupported_media_type",
                      f"send the body as {' or '.join(types)}, not {media or 'no type'}")
    if req.content_length is not None and req.content_length > limit:
        raise Problem(413, "body_too_large", f"the body has {req.content_length:,} bytes; the "
                      f"limit is {limit:,}{_named(setting)}")
    body = req.bounded_stream.read(limit + 1)
    if len(body) > limit:
        raise Problem(413, "body_too_large",
                      f"the body is over the limit of {limit:,} bytes{_named(setting)}")
    return body


def _named(setting: str | None) -> str:
    return f" ({variable_of(setting)})" if setting else ""


def parse_json(raw: bytes, line_number: int | None = None) -> object:
    where = f"line {line_number}: " if line_number is not None else ""
    try:
        doc = json.loads(raw.decode("utf-8"))
        if _has_lone_surrogate(doc):  # escaped ("\ud800"): as unwritable as a bad byte
            raise Problem(400, "invalid_json", f"{where}a string holds a lone surrogate "
                          "(an escape such as \\ud800 without its pair), which is no character")
        return doc
    except UnicodeDecodeError as exc:
        raise Problem(400, "invalid_json",
                      f"{where}not UTF-8 (byte {exc.start + 1})") from None
    except json.JSONDecodeError as exc:
        at = f"column {exc.colno}" if line_number is not None else (
            f"line {exc.lineno}, column {exc.colno}")
        raise Problem(400, "invalid_json", f"{where}not JSON at {at}: {exc.msg}") from None


def _has_lone_surrogate(doc: object) -> bool:
    if isinstance(doc, str):
        return not doc.isascii() and LONE_SURROGATE.search(doc) is not None
    if isinstance(doc, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in doc.items())
    if isinstance(doc, list):
        return any(_has_lone_surrogate(v) for v in doc)
    return False


def _version(article_id: str, record: dict) -> str:
    raw = record_article(article_id, record)
    if raw is None:  # the schema requires a body, so this is a bug, not bad input
        raise ValueError(f"record {article_id!r} has no body")
    return raw.content_hash()


def _check_id(article_id: str) -> None:
    """The path's id obeys the body's rule: not blank, at most ``MAX_ID_CHARS``."""
    if not article_id.strip() or len(article_id) > MAX_ID_CHARS:
        raise Problem(400, "invalid_id", f"an article id has 1 to {MAX_ID_CHARS:,} characters, "
                      f"not all blank; this one has {len(article_id):,}, "
                      f"{'all blank' if not article_id.strip() else 'too many'}",
                      [{"param": "article_id", "message": "not a usable id"}])


def _if_match(req: falcon.Request) -> str | None:
    value = req.get_header("If-Match")
    if value is None:
        return None
    value = value.strip()
    return value if value == "*" else value.removeprefix("W/").strip('"')


def _refuse_conflict(outcome: Outcome, article_id: str) -> None:
    if outcome.conflict:
        raise Problem(409, "version_conflict", f"{article_id!r} is not at the version named by "
                      "If-Match: it was changed since; fetch it again")


def _id_in(line: bytes) -> str | None:
    try:
        doc = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    return doc.get("id") if isinstance(doc, dict) and isinstance(doc.get("id"), str) else None
