"""One error shape for every failure: RFC 9457 ``application/problem+json``.

Clients switch on ``code`` (stable, snake_case) and show ``detail``; ``errors`` names each
offending parameter. Bad input is always a 4xx; an unexpected error is a bare 500
problem document, and its trace goes to the log, never to the client.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

import falcon

from search.index.store import IndexMissing
from search.query.results import InvalidRequest

PROBLEM_TYPE = "application/problem+json"
log = logging.getLogger("newsdesk.api")


class Problem(falcon.HTTPError):
    """An HTTP error that serialises as a problem document."""

    def __init__(
        self, status: int, code: str, detail: str, errors: list[dict] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status, title=HTTPStatus(status).phrase, description=detail,
                         headers=headers)
        self.code = code
        self.errors = errors or []

    def to_problem(self) -> dict:
        document = {
            "type": f"/problems/{self.code}",
            "title": self.title,
            "status": self.status_code,
            "detail": self.description,
            "code": self.code,
        }
        if self.errors:
            document["param"] = self.errors[0]["param"]
            document["errors"] = self.errors
        return document


def invalid_parameters(messages: dict, noun: str = "parameter", where: str = "") -> Problem:
    """A 400 from marshmallow's error dict: one entry per offending parameter (or, with
    ``noun="field"``, per field of a request body; ``where`` prefixes the detail)."""
    errors = []
    for param, problems in sorted(messages.items()):
        for message in flatten(problems):
            if message == "Unknown field.":
                errors.append({"param": param, "message": f"unknown {noun} {param!r}"})
            elif message.startswith(param):
                errors.append({"param": param, "message": message})
            else:
                errors.append({"param": param, "message": f"{param}: {message}"})
    unknown = all(e["message"].startswith(f"unknown {noun}") for e in errors)
    detail = where + "; ".join(e["message"] for e in errors)
    return Problem(400, f"unknown_{noun}" if unknown else f"invalid_{noun}", detail, errors)


def flatten(problems) -> list[str]:
    if isinstance(problems, dict):
        return [m for value in problems.values() for m in flatten(value)]
    if isinstance(problems, list):
        return [m for value in problems for m in flatten(value)]
    return [str(problems)]


def serialize_problem(req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError) -> None:
    if isinstance(exc, Problem):
        document = exc.to_problem()
    else:
        phrase = HTTPStatus(exc.status_code).phrase
        code = phrase.lower().replace(" ", "_").replace("-", "_")
        document = {
            "type": f"/problems/{code}",
            "title": phrase,
            "status": exc.status_code,
            "detail": exc.description or f"{phrase}: {req.method} {req.path}",
            "code": code,
        }
    resp.content_type = PROBLEM_TYPE
    resp.text = json.dumps(document)


def problem_of(exc: InvalidRequest) -> Problem:
    """The library's refusal as the API answers it: 404 for a missing thing, else 400."""
    status = 404 if exc.code.endswith("_not_found") else 400
    return Problem(status, exc.code, str(exc), [{"param": exc.param, "message": str(exc)}])


def handle_invalid_request(req, resp, exc: InvalidRequest, params) -> None:
    raise problem_of(exc)


def handle_index_missing(req, resp, exc: IndexMissing, params) -> None:
    raise Problem(503, "index_unavailable", str(exc))


def handle_unexpected(req, resp, exc: Exception, params) -> None:
    if isinstance(exc, falcon.HTTPError):
        raise exc
    log.exception("unexpected error on %s %s", req.method, req.relative_uri)
    raise Problem(500, "internal_error", "the server failed to answer; the error was logged")


def install(app: falcon.App) -> None:
    app.set_error_serializer(serialize_problem)
    # Falcon tries the most specific handler first.
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(InvalidRequest, handle_invalid_request)
    app.add_error_handler(IndexMissing, handle_index_missing)
