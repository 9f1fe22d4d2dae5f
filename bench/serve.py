"""The HTTP line: the real API under gunicorn, as deployed, queried from localhost.

gunicorn is started exactly as ``make run`` starts it (``--config gunicorn.conf.py``)
with only the bind overridden to ``127.0.0.1`` (the config binds ``0.0.0.0``; a
benchmark has no business listening on other interfaces) and a free port. Every
request opens a new connection: gunicorn's sync workers close each one anyway.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench.measure import REPO_ROOT, percentiles
from bench.workloads import FACET_SIZE, FRAGMENT_CHARS, PAGE_SIZE, BenchQuery

READY_TIMEOUT_S = 120
REQUEST_TIMEOUT_S = 30
STOP_TIMEOUT_S = 30


@dataclass(frozen=True, slots=True)
class Server:
    base_url: str
    pid: int


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(index_dir: Path, port: int, workers: int) -> dict[str, str]:
    """The caller's environment minus any NEWSDESK_* / GUNICORN_CMD_ARGS that would make
    the run depend on the shell it was started from."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NEWSDESK_") and k != "GUNICORN_CMD_ARGS"}
    env.update(NEWSDESK_INDEX_DIR=str(index_dir), PORT=str(port),
               NEWSDESK_WORKERS=str(workers))
    return env


def wait_ready(base_url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode} before /ready")
        with (contextlib.suppress(OSError),
              urllib.request.urlopen(base_url + "/ready", timeout=2) as resp):
            if resp.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{base_url}/ready did not answer 200 within {timeout:.0f} s")


@contextlib.contextmanager
def gunicorn(index_dir: Path, log_path: Path, workers: int = 2) -> Iterator[Server]:
    """A running API on 127.0.0.1; always terminated (then killed if need be) on exit."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
               "--bind", f"127.0.0.1:{port}"]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, cwd=REPO_ROOT, env=server_env(index_dir, port, workers),
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_ready(base_url, proc, READY_TIMEOUT_S)
            yield Server(base_url, proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def query_params(query: BenchQuery) -> list[tuple[str, str | int]]:
    """A bench query and its filters as the API's (and the page's) parameters."""
    params: list[tuple[str, str | int]] = [("q", query.q)]
    for name in ("person", "organisation", "place", "outlet"):
        params += [(name, value) for value in query.filters.get(name, ())]
    for name in ("date_from", "date_to"):
        if name in query.filters:
            params.append((name, query.filters[name]))
    return params


def search_url(base_url: str, query: BenchQuery) -> str:
    """The full workload (highlights + facets) as the API's query string."""
    params = query_params(query)
    params += [("page_size", PAGE_SIZE), ("facet_size", FACET_SIZE), ("fragments", 1),
               ("fragment_chars", FRAGMENT_CHARS)]
    return f"{base_url}/search?{urlencode(params)}"


@dataclass
class HttpResult:
    latencies_ms: list[float] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    seconds: float = 0.0

    def add(self, latency_ms: float, total: int, error: str | None) -> None:
        self.latencies_ms.append(latency_ms)
        self.totals.append(total)
        if error is not None:
            self.error_count += 1
            if len(self.errors) < 5:
                self.errors.append(error)

    def summary(self) -> dict:
        return {**percentiles(self.latencies_ms), "errors": self.error_count,
                "error_samples": self.errors, "seconds": self.seconds,
                "requests_per_s": len(self.latencies_ms) / self.seconds if self.seconds else 0.0}


def fetch(url: str) -> tuple[float, int, str | None]:
    """(milliseconds for request + full response body, total hits or -1, error)."""
    clock = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT_S) as resp:
            body = resp.read()
    except (urllib.error.URLError, OSError) as exc:
        return (time.perf_counter() - clock) * 1000, -1, f"{type(exc).__name__}: {exc}"
    elapsed = (time.perf_counter() - clock) * 1000
    return elapsed, int(json.loads(body)["total"]), None


def sequential(urls: Sequence[str]) -> HttpResult:
    result = HttpResult()
    clock = time.perf_counter()
    for url in urls:
        result.add(*fetch(url))
    result.seconds = time.perf_counter() - clock
    return result


def concurrent(urls: Sequence[str], clients: int, passes: int, max_seconds: float) -> HttpResult:
    """``clients`` threads share ``passes`` rounds of the URLs until done or out of time."""
    work = iter([url for _ in range(passes) for url in urls])
    lock = threading.Lock()
    result = HttpResult()
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                url = next(work, None)
            if url is None:
                return
            measured = fetch(url)
            with lock:
                result.add(*measured)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    clock = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - clock
    return result


def worker_memory(master_pid: int) -> list[dict]:
    """VmRSS (now) and VmHWM (peak) in MB of each gunicorn worker (the master's children)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    workers = []
    for pid in children.read_text().split():
        status = {}
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    status[key] = int(value.split()[0]) * 1024 / 1_000_000  # kB -> MB
        if status:
            workers.append({"pid": int(pid), "rss_mb": status.get("VmRSS", 0.0),
                            "peak_rss_mb": status.get("VmHWM", 0.0)})
    return workers


def bind_addresses(port: int) -> list[str]:
    """Local addresses listening on ``port`` (from /proc/net/tcp{,6}): proof that the
    server listens on 127.0.0.1 only."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                cols = line.split()
                address, port_hex = cols[1].rsplit(":", 1)
                if cols[3] == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                    found.append(address)
    return found


def run_http(index_dir: Path, queries: Sequence[BenchQuery], log_path: Path, workers: int = 2,
             clients: int = 4, passes: int = 3, max_seconds: float = 60.0) -> dict:
    """Sequential pass (after one warm-up pass) and a concurrent run, one server."""
    with gunicorn(index_dir, log_path, workers) as server:
        urls = [search_url(server.base_url, q) for q in queries]
        sequential(urls)  # warm-up: both workers see the queries once, like in-process
        seq = sequential(urls)
        conc = concurrent(urls, clients, passes, max_seconds)
        memory = worker_memory(server.pid)
        listening = bind_addresses(int(server.base_url.rsplit(":", 1)[1]))
    return {
        "sequential": seq.summary(),
        "sequential_totals": seq.totals,
        "sequential_latencies_ms": seq.latencies_ms,
        "concurrent": {**conc.summary(), "clients": clients, "passes": passes,
                       "max_seconds": max_seconds},
        "workers": memory,
        "listen_addresses_hex": listening,
    }
