"""Logs as JSON lines on stdout, each carrying the request id of the request it is about.

A request id comes from the client's ``X-Request-ID`` (so a proxy's id follows the
request through) or is generated, and is echoed in the response. The app's own log
lines get it from a context variable; gunicorn's access line reads it from the response
header, since gunicorn logs after the app has returned.

gunicorn imports this module in its master process (``logger_class``), so it imports
nothing heavier than the logging libraries.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import uuid
from typing import TYPE_CHECKING

from gunicorn import glogging
from pythonjsonlogger.json import JsonFormatter

if TYPE_CHECKING:
    import falcon

REQUEST_ID_HEADER = "X-Request-ID"
# A client's id is kept only if it is short and plain: it goes into every log line.
CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
NO_REQUEST = "-"

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "{levelname}{name}{message}", style="{", timestamp=True, json_ensure_ascii=False,
        rename_fields={"levelname": "level", "name": "logger"},
    )


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being served (``-`` outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class RequestIdMiddleware:
    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        given = req.get_header(REQUEST_ID_HEADER)
        rid = given if given and CLIENT_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        req.context.request_id = rid
        request_id.set(rid)

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        # Here rather than in process_request: error responses are rebuilt after it.
        resp.set_header(REQUEST_ID_HEADER, req.context.request_id)
        request_id.set(NO_REQUEST)


class JsonLogger(glogging.Logger):
    """gunicorn's logger with JSON lines on stdout for its own, the access and the app's logs."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        formatter = json_formatter()
        for handler in [*self.error_log.handlers, *self.access_log.handlers]:
            if type(handler) is logging.StreamHandler:  # "-": not a file the operator named
                handler.setStream(sys.stdout)
            handler.setFormatter(formatter)
            handler.addFilter(RequestIdFilter())
        app_log = logging.getLogger("newsdesk")
        app_log.handlers.clear()
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(formatter)
        handler.addFilter(RequestIdFilter())
        app_log.addHandler(handler)
        app_log.setLevel(self.error_log.level)
        app_log.propagate = False

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        headers = {name.lower(): value for name, value in resp.headers}
        status = int(str(resp.status).split(None, 1)[0])
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        self.access_log.info(
            "%s %s %s", method, path, status,
            extra={
                "request_id": headers.get(REQUEST_ID_HEADER.lower(), NO_REQUEST),
                "method": method,
                "path": path,
                "query": environ.get("QUERY_STRING", ""),
                "status": status,
                "bytes": getattr(resp, "sent", None),
                "duration_ms": round(request_time.total_seconds() * 1000, 3),
                "remote": environ.get("REMOTE_ADDR"),
                "user_agent": environ.get("HTTP_USER_AGENT"),
            },
        )
