"""Measuring helpers shared by the benchmark runner: child processes, disk, percentiles.

Why child processes: peak memory is only attributable to one build if the build is the
only thing a process ever did, so every indexing job runs in its own interpreter.

Why the child reports its own peak (``VmHWM`` of /proc/self/status) instead of the
parent reading ``ru_maxrss``: on Linux a process's ``ru_maxrss`` survives ``exec`` and
starts from the RSS of the process it was forked from, so every child of a parent
holding an open 300 MB index would report at least 300 MB (measured: a 10 MB child of
a 400 MB parent gets ru_maxrss 400 MB from ``os.wait4``). ``RUSAGE_CHILDREN`` in the
parent is worse still: it is the maximum over *all* children ever waited for. The
kernel's per-child CPU times from ``os.wait4`` are exact and are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000


class ChildFailed(RuntimeError):
    """A benchmark child exited non-zero; the message carries the end of its log."""


@dataclass(frozen=True, slots=True)
class ChildResult:
    """What a child printed (its last stdout line, JSON) and what the kernel saw."""

    payload: dict
    peak_rss_mb: float  # VmHWM of the child process itself
    children_peak_rss_mb: float  # largest ru_maxrss of its own children (spaCy workers)
    cpu_seconds: float  # user + system CPU of the child and its waited-for children
    wall_seconds: float  # including interpreter start-up and imports


def run_child(args: Sequence[str], log: Path) -> ChildResult:
    """Run ``python -m bench.child ARGS`` and collect its JSON result and CPU time."""
    out_path = log.with_suffix(".out")
    started = time.perf_counter()
    with open(out_path, "w") as out, open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "bench.child", *args],
                                cwd=REPO_ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise ChildFailed(f"bench.child {' '.join(args)} exited {proc.returncode}:\n{tail}")
    payload = json.loads(out_path.read_text().strip().splitlines()[-1])
    return ChildResult(
        payload=payload,
        peak_rss_mb=payload.pop("peak_rss_mb"),
        children_peak_rss_mb=payload.pop("children_peak_rss_mb"),
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        wall_seconds=wall,
    )


def disk_usage(path: Path) -> int:
    """Bytes allocated under ``path`` like ``du`` (hard links counted once, links not
    followed), so sparse or preallocated files count what they really occupy."""
    if path.is_file():
        return path.stat().st_blocks * 512
    seen: set[tuple[int, int]] = set()
    total = 0
    for root, _, files in os.walk(path):
        for name in [".", *files]:
            st = os.lstat(os.path.join(root, name))
            key = (st.st_dev, st.st_ino)
            if key not in seen:
                seen.add(key)
                total += st.st_blocks * 512
    return total


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 (linear interpolation) plus mean and count; NaN-free for empty input."""
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "mean": 0.0, "count": 0}
    arr = np.asarray(values, dtype=np.float64)
    p50, p95, p99 = np.percentile(arr, [50, 95, 99]).tolist()
    return {"p50": p50, "p95": p95, "p99": p99, "mean": float(arr.mean()), "count": len(values)}


def cpu_model() -> str:
    """The first "model name" of /proc/cpuinfo (what the numbers were measured on)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> dict:
    """Date, machine and software versions: numbers mean little without them."""
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "tantivy": package_version("tantivy"),
        "whoosh": package_version("whoosh-reloaded"),
        "numpy": package_version("numpy"),
        "gunicorn": package_version("gunicorn"),
        "load_average": list(os.getloadavg()),
    }


CODE_GLOBS = ("search/**/*.py", "search/data/*.toml", "api/*.py", "gunicorn.conf.py")


def code_fingerprint(root: Path = REPO_ROOT) -> str:
    """Hash of the code and rules being measured. Others may edit them while a long run
    goes on; comparing this at start and end tells whether the numbers mix versions."""
    import hashlib

    hasher = hashlib.blake2b(digest_size=12)
    for path in sorted({p for pattern in CODE_GLOBS for p in root.glob(pattern)}):
        hasher.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()


def log(message: str) -> None:
    """Progress on stderr, so stdout stays the table and a nohup log shows where it is."""
    stamp = dt.datetime.now().strftime("%H:%M:%S")
    print(f"[bench {stamp}] {message}", file=sys.stderr, flush=True)
