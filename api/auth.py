"""API keys: writes need one, reads only when the operator says so.

``Authorization: Bearer KEY``. Write keys come from ``NEWSDESK_API_KEYS`` (comma-
separated) and the file named by ``NEWSDESK_API_KEYS_FILE`` (one a line, ``#`` comments);
read keys from ``NEWSDESK_READ_KEYS`` (a write key reads too). A key is compared with
every configured key in constant time (``hmac.compare_digest``), so the answer's timing
says nothing about how much of a key was right; keys are never logged. No key: 401 with
``WWW-Authenticate``; a wrong key: 403. Without any write key, writes are refused.
"""

from __future__ import annotations

import hmac
from pathlib import Path

import falcon

from api.errors import Problem
from search.settings import Settings, SettingsError, variable_of

# Probes, metrics and the API's description stay open, whatever the read keys.
OPEN_PATHS = ("/health", "/ready", "/metrics", "/openapi.json", "/docs", "/static")
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="newsdesk"'}


def load_keys(settings: Settings) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """(write keys, read keys) from the settings; a missing keys file is a settings error."""
    write = _split(settings.api_keys)
    if settings.api_keys_file:
        path = Path(settings.api_keys_file)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise SettingsError(
                f"{variable_of('api_keys_file')}: cannot read {path}: {exc.strerror}"
            ) from None
        write += tuple(k.strip().encode() for k in lines
                       if k.strip() and not k.strip().startswith("#"))
    return write, _split(settings.read_keys)


def _split(raw: str) -> tuple[bytes, ...]:
    return tuple(k.strip().encode() for k in raw.split(",") if k.strip())


def _matches(given: bytes, keys: tuple[bytes, ...]) -> bool:
    found = False
    for key in keys:  # no early exit: every key is compared
        found |= hmac.compare_digest(given, key)
    return found


class KeyMiddleware:
    def __init__(self, settings: Settings) -> None:
        self.write_keys, read_keys = load_keys(settings)
        self.read_keys = read_keys + self.write_keys if read_keys else ()

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource,
                         params) -> None:
        """After routing: an unknown path stays a 404 and a method the path does not
        take a 405, whatever the key."""
        if resource is None or not hasattr(resource, f"on_{req.method.lower()}"):
            return
        if req.method in getattr(resource, "WRITE_METHODS", ()):  # POST /search is a read
            if not self.write_keys:
                raise Problem(403, "writes_disabled",
                              f"this server takes no writes: set {variable_of('api_keys')} "
                              f"or {variable_of('api_keys_file')}")
            self._check(req, self.write_keys, "write")
        elif self.read_keys and not req.path.startswith(OPEN_PATHS):
            self._check(req, self.read_keys, "read")

    @staticmethod
    def _check(req: falcon.Request, keys: tuple[bytes, ...], kind: str) -> None:
        header = req.get_header("Authorization") or ""
        scheme, _, given = header.partition(" ")
        if not header:
            raise Problem(401, "key_required", f"this request needs a {kind} key: "
                          "send Authorization: Bearer KEY", headers=CHALLENGE)
        if scheme.lower() != "bearer" or not given.strip():
            raise Problem(401, "key_required", "the Authorization header must be "
                          "Bearer KEY", headers=CHALLENGE)
        if not _matches(given.strip().encode(), keys):
            raise Problem(403, "key_refused", f"the key is not a {kind} key of this server")
