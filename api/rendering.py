"""HTML for people: Jinja2 templates and the page's own assets (no CDN, nothing remote).

Autoescaping is on for every template; the only markup passed through as is comes from
``search.query.highlight``, which escapes the text itself before adding ``<mark>``.
Asset links carry a hash of the file, so browsers may keep them for a year and still
see a new version at once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import falcon
import jinja2

from api.pagestate import EXPORT_PATH, PAGE_PATH

TEMPLATES_PATH = Path(__file__).parent / "templates"
STATIC_PATH = Path(__file__).parent / "static"
STATIC_URL = "/static"
HTML = "text/html; charset=utf-8"
# Only the app's own scripts, styles and images; no framing (clickjacking), no plugins.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class Templates:
    def __init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES_PATH),
            autoescape=True,
            undefined=jinja2.StrictUndefined,  # a misspelt name fails the tests, not silently
            trim_blocks=True,
            lstrip_blocks=True,
        )
        versions = {p.name: hashlib.blake2b(p.read_bytes(), digest_size=6).hexdigest()
                    for p in STATIC_PATH.iterdir() if p.is_file()}
        self.env.globals.update(
            asset=lambda name: f"{STATIC_URL}/{name}?v={versions[name]}",
            page_path=PAGE_PATH,
            export_path=EXPORT_PATH,
        )

    def send(self, resp: falcon.Response, name: str, status: int = 200, **context) -> None:
        resp.status = status
        resp.content_type = HTML
        resp.set_headers(SECURITY_HEADERS)
        resp.text = self.env.get_template(name).render(**context)
