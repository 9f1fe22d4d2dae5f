"""gunicorn settings for the newsdesk API; values come from search.settings (environment)."""

import os
import shutil
import tempfile
from pathlib import Path

from api.refusals import install as install_refusals
from search.settings import Settings

_settings = Settings.from_env()

wsgi_app = "api.app:get_app()"
# IPv6 addresses go in brackets ("[::]:8000").
bind = f"[{_settings.host}]:{_settings.port}" if ":" in _settings.host else (
    f"{_settings.host}:{_settings.port}"
)
workers = _settings.workers
worker_class = "sync"
# Each worker opens the index itself: no preloading, so no file handles cross a fork.
preload_app = False
timeout = 30
# SIGTERM: workers finish the request in hand, then exit. Under docker's default 10 s
# stop timeout, so a container stop is always graceful (exit 0, no request cut).
graceful_timeout = 8
keepalive = 5
max_requests = 0
accesslog = "-"
errorlog = "-"
loglevel = _settings.log_level
# JSON lines on stdout with the request id (api/logs.py).
logger_class = "api.logs.JsonLogger"
# gunicorn 27's control socket lives at one path per user; two servers on one host would
# share it. newsdesk does not use it.
control_socket_disable = True
# gunicorn's largest request line (0 would mean unbounded): a longer query goes as
# POST /search with a JSON body. Refusals are problem documents (api/refusals.py).
limit_request_line = 8190
install_refusals()

# Workers pool their metrics in one folder (prometheus-client's multiprocess mode). It is
# set here, in the master, so that every worker inherits it before importing the client.
_own_metrics_dir = not _settings.metrics_dir
_metrics_dir = _settings.metrics_dir or tempfile.mkdtemp(prefix="newsdesk-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server) -> None:
    """Counts from an earlier server in the same folder would be added to this one's."""
    for leftover in Path(_metrics_dir).glob("*.db"):
        leftover.unlink()


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
