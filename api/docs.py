"""The API reference page: Swagger UI, served from the swagger-ui-bundle package.

The assets come from an installed package, not a CDN, so the page works on a server
with no outside network access.
"""

from __future__ import annotations

import json

import falcon
import swagger_ui_bundle

ASSETS_PATH = swagger_ui_bundle.swagger_ui_path

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>newsdesk API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui"});</script>
</body></html>
"""


class OpenApiResource:
    def __init__(self, spec: dict) -> None:
        self.body = json.dumps(spec)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.text = self.body


class DocsResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.text = PAGE
