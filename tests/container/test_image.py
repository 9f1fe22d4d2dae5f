"""The real image, through a real container engine: ``make docker-test``.

Not part of ``make test``: CI has no container engine. ``make docker-test`` builds the
image and runs this module with ``NEWSDESK_TEST_IMAGE`` and ``NEWSDESK_TEST_ENGINE``
(podman here, docker elsewhere). Containers use the host network, each on a free port.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ROOT
from tests.functional.test_gunicorn import free_port

pytestmark = pytest.mark.container

IMAGE = os.environ.get("NEWSDESK_TEST_IMAGE", "newsdesk")
ENGINE = os.environ.get("NEWSDESK_TEST_ENGINE") or shutil.which("podman") or "docker"
READY_SECONDS = 180
STOP_SECONDS = 10
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def engine(*args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [ENGINE, *args], capture_output=True, text=True, timeout=timeout
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{ENGINE} {' '.join(args)} -> {result.returncode}\n{result.stderr}")
    return result


def get(url: str, headers: dict | None = None):
    return OPENER.open(urllib.request.Request(url, headers=headers or {}), timeout=10)


def get_json(url: str) -> dict:
    with get(url) as response:
        return json.loads(response.read())


class Container:
    """One detached container serving on its own port, removed at the end."""

    def __init__(self, *run_args: str, env: dict | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env_args = [a for k, v in {"PORT": str(self.port), **(env or {})}.items()
                    for a in ("-e", f"{k}={v}")]
        self.id = engine(
            "run", "--detach", "--network", "host", *env_args, *run_args, IMAGE
        ).stdout.strip()

    def wait_ready(self) -> float:
        started = time.monotonic()
        while time.monotonic() - started < READY_SECONDS:
            state = engine("inspect", "--format", "{{.State.Running}}", self.id).stdout.strip()
            if state != "true":
                raise AssertionError(f"container exited:\n{self.logs()}")
            try:
                with get(f"{self.base}/ready") as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise AssertionError(f"not ready within {READY_SECONDS} s:\n{self.logs()}")

    def logs(self) -> str:
        result = engine("logs", self.id, check=False)
        return result.stdout + result.stderr

    def stdout_lines(self) -> list[str]:
        return [line for line in engine("logs", self.id).stdout.splitlines() if line.strip()]

    def remove(self) -> None:
        engine("rm", "--force", "--volumes", self.id, check=False)


@pytest.fixture(scope="module")
def sample_container():
    """``docker run IMAGE`` alone: builds the seeds into its fresh volume, then serves."""
    container = Container()
    try:
        container.ready_after = container.wait_ready()
        yield container
    finally:
        container.remove()


def test_serves_the_samples_on_its_own(sample_container):
    assert sample_container.ready_after < READY_SECONDS
    page = get_json(f"{sample_container.base}/search?q=Aliyev&fragments=1")
    assert page["total"] >= 1
    assert "<mark>Aliyev</mark>" in page["results"][0]["highlights"]["body"][0]
    assert get_json(f"{sample_container.base}/ready")["articles"] == 5


def test_serves_the_search_page_with_its_assets(sample_container):
    with OPENER.open(f"{sample_container.base}/?q=Aliyev", timeout=10) as response:
        assert response.headers.get_content_type() == "text/html"
        html = response.read().decode("utf-8")
    assert "<mark>Aliyev</mark>" in html
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        with OPENER.open(sample_container.base + asset, timeout=10) as response:
            assert response.status == 200 and response.read()
    with OPENER.open(f"{sample_container.base}/export?format=csv&q=Aliyev", timeout=10) as r:
        assert r.read().decode("utf-8").startswith("id,title,date,outlet,url,")


def test_runs_as_a_non_root_user(sample_container):
    uid = engine("exec", sample_container.id, "id", "-u").stdout.strip()
    assert uid.isdigit() and uid != "0"
    config_user = engine("inspect", "--format", "{{.Config.User}}", IMAGE).stdout.strip()
    assert config_user not in ("", "0", "root")


def test_healthcheck_passes_with_python_alone(sample_container):
    (image,) = json.loads(engine("image", "inspect", IMAGE).stdout)
    # docker keeps it in Config, podman at the top.
    healthcheck = image["Config"].get("Healthcheck") or image.get("Healthcheck")
    assert healthcheck and "api.healthcheck" in " ".join(healthcheck["Test"])
    if os.path.basename(ENGINE) == "podman":
        assert engine("healthcheck", "run", sample_container.id, check=False).returncode == 0
    # The command itself, as the engine runs it, exits 0 only when /ready does.
    check = engine("exec", sample_container.id, "python", "-m", "api.healthcheck", check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_metrics_add_up_across_workers(sample_container):
    base = sample_container.base
    before = _search_count(base)
    for _ in range(20):  # new connections: the two workers share them
        with get(f"{base}/search?q=peace&fragments=0") as response:
            assert response.status == 200
    families = _metrics(base)
    assert _search_count(base, families) - before == 20
    assert _value(families, "newsdesk_index_ready") == 1
    assert _value(families, "newsdesk_index_articles") == 5
    assert _value(families, "newsdesk_index_build_duration_seconds") > 0
    assert 0 <= _value(families, "newsdesk_index_age_seconds") < 3600
    (info,) = families["newsdesk_index_generation_info"].samples
    assert info.labels["generation"] == get_json(f"{base}/ready")["generation"]
    histogram = families["newsdesk_http_request_duration_seconds"].samples
    assert any(s.name.endswith("_count") and s.labels["route"] == "/search" for s in histogram)


def test_request_ids_and_json_logs(sample_container):
    base = sample_container.base
    rid = f"test-{uuid.uuid4().hex}"
    with get(f"{base}/search?q=Baku", headers={"X-Request-ID": rid}) as response:
        assert response.headers["X-Request-ID"] == rid
    with get(f"{base}/health") as response:
        generated = response.headers["X-Request-ID"]
    assert len(generated) == 32 and generated != rid
    time.sleep(0.5)
    records = [json.loads(line) for line in sample_container.stdout_lines()]
    access = [r for r in records if r.get("request_id") == rid]
    assert access and access[0]["path"] == "/search" and access[0]["status"] == 200
    assert {"timestamp", "level", "logger", "message"} <= set(access[0])


def test_stops_gracefully_on_sigterm(sample_container):
    # A request in hand when SIGTERM arrives: its headers sent but not finished.
    client = socket.create_connection(("127.0.0.1", sample_container.port), timeout=10)
    client.sendall(b"GET /ready HTTP/1.1\r\nHost: localhost\r\n")
    time.sleep(0.5)
    started = time.monotonic()
    stopper = threading.Thread(
        target=engine, args=("stop", "--time", str(STOP_SECONDS), sample_container.id)
    )
    stopper.start()
    time.sleep(1.0)
    client.sendall(b"Connection: close\r\n\r\n")
    answer = client.recv(65536)
    client.close()
    stopper.join()
    took = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    code = engine("inspect", "--format", "{{.State.ExitCode}}", sample_container.id).stdout
    assert code.strip() == "0", sample_container.logs()
    assert took < STOP_SECONDS


def test_indexing_job_fills_a_named_volume_that_replicas_serve(tmp_path):
    archive = tmp_path / "archive"
    write_archive(archive, [{
        "id": "wire-1", "title": "Quokka census in Zanzibar", "date": "2026-11-30",
        "outlet": "Wire", "body": "The quokkazanzibar census counted every animal on the island.",
    }])
    volume = f"newsdesk-test-{uuid.uuid4().hex[:8]}"
    engine("volume", "create", volume)
    replicas: list[Container] = []
    try:
        job = engine(
            "run", "--rm", "-v", f"{archive}:/data:ro", "-v", f"{volume}:/index", IMAGE,
            "python", "-m", "search", "build", "/data", "--index", "/index",
        )
        assert "indexed 1" in job.stderr, job.stderr
        # Two replicas over the same volume, read-only, as compose.yaml runs them.
        replicas = [Container("-v", f"{volume}:/index:ro") for _ in range(2)]
        for replica in replicas:
            replica.wait_ready()
            page = get_json(f"{replica.base}/search?q=quokkazanzibar")
            assert [r["id"] for r in page["results"]] == ["wire-1"]
            assert get_json(f"{replica.base}/ready")["articles"] == 1
    finally:
        for replica in replicas:
            replica.remove()
        engine("volume", "rm", "--force", volume, check=False)


def compose_command() -> list[str]:
    if os.path.basename(ENGINE) == "podman":
        return [str(Path(sys.executable).with_name("podman-compose"))]
    return [ENGINE, "compose"]


def write_archive(folder: Path, articles: list[dict]) -> None:
    """A JSONL archive the container's non-root user can read."""
    folder.mkdir(exist_ok=True)
    folder.chmod(0o755)
    for article in articles:
        path = folder / f"{article['id']}.jsonl"
        path.write_text(json.dumps(article) + "\n")
        path.chmod(0o644)


def test_compose_indexes_then_two_read_only_replicas_serve_and_follow_a_reindex(tmp_path):
    archive = tmp_path / "archive"
    write_archive(archive, [{"id": "a1", "title": "Otter count", "body": "The ottercensus ran."}])
    ports = [free_port(), free_port()]
    project = f"newsdesk-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "NEWSDESK_IMAGE": IMAGE, "NEWSDESK_ARCHIVE": str(archive),
           "NEWSDESK_PORT_1": str(ports[0]), "NEWSDESK_PORT_2": str(ports[1])}

    def compose(*args: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [*compose_command(), "-p", project, "-f", str(ROOT / "compose.yaml"), *args],
            capture_output=True, text=True, env=env, timeout=300, cwd=ROOT,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def total(port: int, q: str) -> int:
        return get_json(f"http://127.0.0.1:{port}/search?q={q}&fragments=0")["total"]

    try:
        compose("up", "-d", "--no-build")
        for port in ports:
            deadline = time.monotonic() + READY_SECONDS
            while True:
                try:
                    if total(port, "ottercensus") == 1:
                        break
                except (urllib.error.URLError, ConnectionError):
                    pass
                assert time.monotonic() < deadline, f"replica on {port} never served"
                time.sleep(0.5)
        write_archive(archive, [{"id": "a2", "title": "Seals", "body": "The sealcensus ran."}])
        compose("run", "--rm", "indexer")
        time.sleep(2)  # each replica looks for a new generation once a second
        assert [total(port, "sealcensus") for port in ports] == [1, 1]
        assert [get_json(f"http://127.0.0.1:{p}/ready")["articles"] for p in ports] == [2, 2]
    finally:
        subprocess.run([*compose_command(), "-p", project, "-f", str(ROOT / "compose.yaml"),
                        "down", "--volumes"], capture_output=True, env=env, timeout=300)


def test_an_empty_read_only_volume_is_served_until_a_job_fills_it():
    volume = f"newsdesk-test-{uuid.uuid4().hex[:8]}"
    engine("volume", "create", volume)
    container = Container("-v", f"{volume}:/index:ro")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with get(f"{container.base}/health") as response:
                    assert response.status == 200
                    break
            except (urllib.error.URLError, ConnectionError) as exc:
                assert time.monotonic() < deadline, f"{exc}\n{container.logs()}"
                time.sleep(0.5)
        with pytest.raises(urllib.error.HTTPError) as raised:
            get(f"{container.base}/ready")
        assert raised.value.code == 503
        assert "read-only" in container.logs()
    finally:
        container.remove()
        engine("volume", "rm", "--force", volume, check=False)


def test_a_bad_setting_stops_the_container_with_one_line():
    result = engine("run", "--rm", "-e", "NEWSDESK_WORKERS=zero", IMAGE, check=False)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("newsdesk: NEWSDESK_WORKERS")


def _metrics(base: str) -> dict:
    with get(f"{base}/metrics") as response:
        text = response.read().decode()
    return {family.name: family for family in text_string_to_metric_families(text)}


def _search_count(base: str, families: dict | None = None) -> float:
    families = families or _metrics(base)
    family = families.get("newsdesk_http_requests")
    if family is None:
        return 0
    return sum(
        s.value for s in family.samples
        if s.name.endswith("_total") and s.labels["route"] == "/search"
        and s.labels["status"] == "200"
    )


def _value(families: dict, name: str) -> float:
    (sample,) = families[name].samples
    return sample.value
