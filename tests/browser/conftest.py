"""The browser tests: Debian's Chromium driven by Playwright, against the real gunicorn.

Playwright comes from PyPI; its own browser download is never used: the browser is the
system's (``/usr/bin/chromium``, which ``.ci/run`` installs). Without it these tests skip
on a developer's machine and fail in CI, where a skipped browser test checks nothing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.functional.conftest import exported  # noqa: F401 - a fixture these tests share
from tests.functional.test_gunicorn import gunicorn_server

CHROMIUM = (os.environ.get("NEWSDESK_TEST_CHROMIUM") or shutil.which("chromium")
            or "/usr/bin/chromium")


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def server(seed_index, tmp_path_factory) -> Iterator[str]:
    """gunicorn over the seed index, on a free port: the base URL."""
    log_path = tmp_path_factory.mktemp("browser-server") / "gunicorn.log"
    with gunicorn_server(seed_index.index_dir, log_path) as base:
        yield base


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI and containers run as root, where Chromium's sandbox cannot start.
        browser = playwright.chromium.launch(executable_path=chromium_path,
                                             args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    """A fresh tab with JavaScript, failing the test on any script error."""
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    # A refused page is a 4xx on purpose (its test says so); an asset or a fetch that
    # fails, or any 5xx, is a defect. The console's own report of those is redundant.
    tab.on("response", lambda r: errors.append(f"{r.status} {r.url}") if (
        r.status >= 500 or (r.status >= 400 and r.request.resource_type != "document")) else None)
    tab.on("console", lambda m: errors.append(m.text) if (
        m.type == "error" and not m.text.startswith("Failed to load resource")) else None)
    yield tab
    context.close()
    assert not errors, errors


@pytest.fixture
def page_without_js(browser, server):
    context = browser.new_context(base_url=server, java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()
