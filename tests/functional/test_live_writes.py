"""Live writes on the real server: searchable without a restart, and nothing acknowledged
is lost when every process is killed (gunicorn from the repository's gunicorn.conf.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from search.index.build import build_index
from search.index.journal import Journal
from search.settings import Settings
from tests.conftest import ROOT, SEEDS
from tests.functional.conftest import assert_problem
from tests.functional.test_gunicorn import OPENER, free_port, wait_until_healthy

KEY = "live-test-key"
WAIT_SECONDS = 15


def start(index_dir, port: int, log_path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(PORT=str(port), NEWSDESK_INDEX_DIR=str(index_dir), NEWSDESK_WORKERS="2",
               NEWSDESK_API_KEYS=KEY, NEWSDESK_EXTRACTOR="none", PYTHONUNBUFFERED="1")
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
             "--no-control-socket"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )


def put(base: str, article_id: str, body: dict) -> tuple[int, str]:
    """(status, version) of one acknowledged PUT."""
    request = urllib.request.Request(
        f"{base}/articles/{article_id}", data=json.dumps(body).encode(), method="PUT",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"},
    )
    with OPENER.open(request, timeout=10) as response:
        return response.status, json.loads(response.read())["version"]


def etag(base: str, article_id: str) -> str | None:
    try:
        with OPENER.open(f"{base}/articles/{article_id}", timeout=10) as response:
            return response.headers["ETag"]
    except urllib.error.HTTPError as error:
        error.close()
        return None


def total(base: str, q: str) -> int:
    with OPENER.open(f"{base}/search?q={q}&facet_size=0", timeout=10) as response:
        return json.loads(response.read())["total"]


def wait_for(base: str, q: str, expected: int) -> float:
    """Seconds until the search for ``q`` finds ``expected`` articles."""
    started = time.monotonic()
    while time.monotonic() - started < WAIT_SECONDS:
        try:
            if total(base, q) == expected:
                return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"{q!r} did not reach {expected} hits in {WAIT_SECONDS} s")


def test_writes_are_searchable_without_a_restart_and_survive_kill_9(tmp_path):
    settings = Settings(index_dir=tmp_path / "index", extractor="none", build_processes=1)
    build_index([SEEDS], settings)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "gunicorn.log"
    proc = start(settings.index_dir, port, log_path)
    try:
        wait_until_healthy(proc, base, log_path)
        assert put(base, "live-0", {"title": "Vorpalix", "body": "The vorpalix story."})[0] == 201
        seconds = wait_for(base, "vorpalix", 1)
        print(f"searchable {seconds:.2f} s after the 201")
        # Concurrent writes to one id, through both workers: every one acknowledged and
        # journaled in one order, and the last of that order is what the index serves.
        acked: list[str] = []
        lock = threading.Lock()

        def writer(k: int) -> None:
            for i in range(10):
                status, version = put(base, "contested", {"body": f"Version {k}-{i}."})
                assert status in (200, 201)
                with lock:
                    acked.append(version)

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        contested = [e for e in Journal(settings.index_dir).entries() if e.id == "contested"]
        assert sorted(e.version for e in contested) == sorted(acked) and len(acked) == 60
        last = contested[-1]
        deadline = time.monotonic() + WAIT_SECONDS
        while etag(base, "contested") != f'"{last.version}"':
            assert time.monotonic() < deadline, "the last acknowledged version never served"
            time.sleep(0.05)
        # Acknowledged writes, then every process killed at once.
        for i in range(1, 21):
            assert put(base, f"live-{i}", {"body": f"Snarkwort report number {i}."})[0] == 201
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert [e.id for e in Journal(settings.index_dir).entries()][-20:] == [
        f"live-{i}" for i in range(1, 21)
    ]
    proc = start(settings.index_dir, port, log_path)
    try:
        wait_until_healthy(proc, base, log_path)
        wait_for(base, "snarkwort", 20)  # replayed from the journal at start
        assert total(base, "vorpalix") == 1
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    assert KEY not in log_path.read_text()  # keys are never logged


def _file_size_limit(limit: int):
    def apply() -> None:  # in the server's process, before gunicorn starts
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a refused write is an error, not death
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_when_the_kernel_refuses_journal_growth_writes_get_507_and_searches_go_on(tmp_path):
    """The real server with a file-size limit (RLIMIT_FSIZE) the journal reaches: the
    kernel refuses the write as it would on a full disk (EFBIG here)."""
    from search.index.journal import PUT

    settings = Settings(index_dir=tmp_path / "index", extractor="none", build_processes=1)
    build_index([SEEDS], settings)
    limit = 3_000_000  # above the metrics files gunicorn's workers create (1 MB each)
    journal = Journal(settings.index_dir)
    filler = {"body": "x" * 900}
    while (size := journal.path.stat().st_size if journal.path.exists() else 0) < limit - 20_000:
        count = max(1, (limit - 20_000 - size) // 1_000)
        journal.write([(PUT, f"fill-{i % 5}", filler, "v", None) for i in range(count)],
                      lambda _id: None)  # the journal starts close to the limit
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "gunicorn.log"
    log_path.write_text("(the server's output is piped: a log file would meet the limit too)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(PORT=str(port), NEWSDESK_INDEX_DIR=str(settings.index_dir), NEWSDESK_WORKERS="2",
               NEWSDESK_API_KEYS=KEY, NEWSDESK_EXTRACTOR="none", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--no-control-socket"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, preexec_fn=_file_size_limit(limit),
    )
    output: list[bytes] = []
    drain = threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True)
    drain.start()
    try:
        wait_until_healthy(proc, base, log_path)
        acknowledged, refused = [], None
        for i in range(200):
            request = urllib.request.Request(
                f"{base}/articles/late-{i}", method="PUT",
                data=json.dumps({"body": f"Quillfeather note {i}. " + "y" * 1_000}).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"},
            )
            try:
                with OPENER.open(request, timeout=10) as response:
                    assert response.status == 201
                    acknowledged.append(f"late-{i}")
            except urllib.error.HTTPError as error:
                with error:
                    if error.code == 500:
                        time.sleep(0.5)
                        raise AssertionError(b"".join(output).decode()[-4000:]) from None
                    refused = assert_problem(error, 507, code="storage_full")
                break
        assert refused is not None and acknowledged, "the limit was never reached"
        assert "searches still work" in refused["detail"]
        assert total(base, "aliyev") > 0  # reads go on
        wait_for(base, "quillfeather", len(acknowledged))  # every acknowledged write applied
        entries = list(Journal(settings.index_dir).entries())
        assert [e.id for e in entries][-len(acknowledged):] == acknowledged  # intact, in order
        assert (settings.index_dir / "journal.ndjson").read_bytes().endswith(b"\n")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    assert b"Traceback" not in b"".join(output), b"".join(output).decode()[-3000:]
