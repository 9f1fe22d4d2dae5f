"""One indexing job per process: ``python -m bench.child ENGINE --source S --target T``.

Only the standard library is imported here, so a reference engine's child does not
carry numpy or newsdesk in its peak RSS.

Run by ``bench.run`` through ``bench.measure.run_child`` so that the peak RSS belongs
to this one build. Prints one JSON line on stdout: ``indexed`` and ``seconds`` (wall
clock around the build call only, so interpreter start-up and imports are not counted
against any engine), ``peak_rss_mb`` (this process) and ``children_peak_rss_mb`` (its
forked workers, e.g. spaCy's), plus engine-specific details.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Sequence
from pathlib import Path

MB = 1_000_000


def own_peak_rss_mb() -> float:
    """This process's peak RSS since its ``exec`` (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / MB  # kB
    return 0.0


def children_peak_rss_mb() -> float:
    """Largest ru_maxrss among this process's waited-for children (forked workers), MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / MB


def build_newsdesk(args: argparse.Namespace) -> dict:
    from search.index.build import build_index
    from search.settings import Settings

    settings = Settings(index_dir=args.target, extractor=args.extractor,
                        build_processes=args.processes)
    clock = time.perf_counter()
    report = build_index([args.source], settings, update=args.update, progress=False)
    seconds = time.perf_counter() - clock
    return {
        "indexed": report.indexed,
        "read": report.read,
        "unchanged": report.unchanged,
        "up_to_date": report.up_to_date,
        "extracted": report.extracted,
        "entities": report.entities,
        "seconds": seconds,
        "phases": report.seconds,
        "problems": len(report.problems),
    }


def build_fts5(args: argparse.Namespace) -> dict:
    from bench.ref_fts5 import build

    return build(args.source, args.target)


def build_tantivy(args: argparse.Namespace) -> dict:
    from bench.ref_tantivy import build

    return build(args.source, args.target)


BUILDERS = {"newsdesk": build_newsdesk, "fts5": build_fts5, "tantivy": build_tantivy}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.child")
    parser.add_argument("engine", choices=sorted(BUILDERS))
    parser.add_argument("--source", type=Path, required=True, help="JSONL to index")
    parser.add_argument("--target", type=Path, required=True, help="index dir or db file")
    parser.add_argument("--extractor", default="none", help="newsdesk only")
    parser.add_argument("--processes", type=int, default=2, help="newsdesk only")
    parser.add_argument("--update", action="store_true", help="newsdesk only: --update build")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    result = BUILDERS[args.engine](args)
    result |= {"peak_rss_mb": own_peak_rss_mb(), "children_peak_rss_mb": children_peak_rss_mb()}
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
