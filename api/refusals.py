"""gunicorn's own refusals as problem documents, not HTML pages.

Requests gunicorn rejects before the app sees them (a request line over its 8,190-byte
maximum: 414; too many or too large headers: 431; malformed HTTP: 400) are answered by
``gunicorn.util.write_error``, which writes an HTML page. Installed from
``gunicorn.conf.py`` (so the forked workers inherit it), this writes the same status as
``application/problem+json``, like every other error of the API.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from gunicorn import util

HINTS = {414: "the request line is too long: send long queries as POST /search with a "
              "JSON body"}


def write_problem(sock, status_int: int, reason: str, mesg: str) -> None:
    title = HTTPStatus(status_int).phrase
    code = title.lower().replace(" ", "_").replace("-", "_")
    detail = HINTS.get(status_int, mesg or reason)
    body = json.dumps({"type": f"/problems/{code}", "title": title, "status": status_int,
                       "detail": detail, "code": code}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install() -> None:
    util.write_error = write_problem
