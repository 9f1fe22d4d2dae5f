"""End to end: the real gunicorn, started from the repository's gunicorn.conf.py."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT
from tests.functional.conftest import assert_problem

START_SECONDS = 20
# Straight to 127.0.0.1, whatever proxy the environment names.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 5):
    return OPENER.open(url, timeout=timeout)


def wait_until_healthy(proc: subprocess.Popen, base: str, log_path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"gunicorn exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            with get(f"{base}/health", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"no /health within {START_SECONDS} s:\n{log_path.read_text()}")


@contextlib.contextmanager
def gunicorn_server(index_dir: Path, log_path: Path, workers: int = 2) -> Iterator[str]:
    """The real gunicorn from the repository's config over ``index_dir``, on a free port,
    healthy: its base URL. Stopped (SIGTERM, then SIGKILL) when the block ends."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(PORT=str(port), NEWSDESK_INDEX_DIR=str(index_dir),
               NEWSDESK_WORKERS=str(workers), PYTHONUNBUFFERED="1")
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        # --no-control-socket: gunicorn >= 25 otherwise binds $HOME/.gunicorn/gunicorn.ctl,
        # which a developer's own running server may be using.
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
             "--no-control-socket"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_until_healthy(proc, base, log_path)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_gunicorn_serves_search_over_http(seed_index, tmp_path):
    log_path = tmp_path / "gunicorn.log"
    with gunicorn_server(seed_index.index_dir, log_path) as base:

        with get(f"{base}/search?q=Aliyev&person=Vladimir%20Putin") as response:
            assert response.status == 200
            assert response.headers.get_content_type() == "application/json"
            page = json.loads(response.read())
        assert page["total"] >= 1
        assert all("Vladimir Putin" in r["entities"]["people"] for r in page["results"])
        assert "<mark>Aliyev</mark>" in page["results"][0]["highlights"]["body"][0]

        with get(f"{base}/ready") as response:
            assert json.loads(response.read())["articles"] == 5

        # Two workers, one metrics folder: a scrape (served by either) counts them all.
        for _ in range(12):
            with get(f"{base}/facets/person?prefix=pash") as response:
                assert response.status == 200
        with get(f"{base}/metrics") as response:
            metrics = response.read().decode()
        assert (
            'newsdesk_http_requests_total{method="GET",route="/facets/{name}",'
            'status="200"} 12.0'
        ) in metrics, metrics
        assert "newsdesk_index_articles 5.0" in metrics

        request = urllib.request.Request(
            f"{base}/search?q=Baku", headers={"X-Request-ID": "trace-42"}
        )
        with OPENER.open(request, timeout=5) as response:
            assert response.headers["X-Request-ID"] == "trace-42"

        try:
            get(f"{base}/search?page=0")
        except urllib.error.HTTPError as error:
            with error:
                assert_problem(error, 400, param="page")
        else:
            raise AssertionError("page=0 was accepted")

        # A long query in Cyrillic: past gunicorn's request-line limit as a URL (a
        # problem document, not gunicorn's HTML page), and answered as a POST.
        long_query = " ".join(["переговоры"] * 150)
        assert len(long_query) < 4000
        try:
            get(f"{base}/search?q={urllib.parse.quote(long_query)}")
        except urllib.error.HTTPError as error:
            with error:
                document = assert_problem(error, 414)
            assert "POST /search" in document["detail"]
        else:
            raise AssertionError("a 16 KB request line was accepted")
        request = urllib.request.Request(
            f"{base}/search", data=json.dumps({"q": long_query}).encode(),
            headers={"Content-Type": "application/json"}, method="POST",
        )
        with OPENER.open(request, timeout=5) as response:
            assert response.status == 200
            assert json.loads(response.read())["query"] == long_query
    log_text = log_path.read_text()
    assert "Traceback" not in log_text, log_text
    # Every line is a JSON record; the access lines carry the request id.
    records = [json.loads(line) for line in log_text.splitlines() if line.strip()]
    access = {r["request_id"]: r for r in records if r["logger"] == "gunicorn.access"}
    assert access["trace-42"]["path"] == "/search"
    assert access["trace-42"]["query"] == "q=Baku"
    assert access["trace-42"]["status"] == 200
    assert any(r["logger"] == "gunicorn.error" and "Booting worker" in r["message"]
               for r in records)
