"""``python -m search``: build, update and export the index from the command line.

Every failure an operator can cause (a bad path, a locked index, a bad setting, Ctrl-C)
ends with one clear line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from search.enrich.entities.extractors import EXTRACTORS
from search.enrich.rules import RulesError
from search.formats import FORMATS
from search.index.build import EmptyBuild
from search.index.store import IndexBusy, IndexMissing, IndexStore
from search.settings import Settings, SettingsError

EXIT_FAILED = 1
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command killed by it


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the subcommand, with its own usage line
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        settings = settings or Settings.from_env()
        # The same setting, and default, as the API's: search/settings.py is the one
        # place configuration is read.
        logging.basicConfig(level=settings.log_level.upper(),
                            format="%(levelname)s %(name)s: %(message)s")
        if args.index:
            settings = replace(settings, index_dir=Path(args.index))
        return args.handler(args, settings)
    except KeyboardInterrupt:
        print("newsdesk: interrupted; the previous index is still serving", file=sys.stderr)
        return EXIT_INTERRUPTED
    except EmptyBuild as exc:
        if len(exc.problems) > 1:  # one problem is in the message itself: one line
            for problem in exc.problems[:20]:
                print(f"  {problem}", file=sys.stderr)
        print(f"newsdesk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # the reader went away (``export | head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        print(f"newsdesk: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_FAILED
    except (SettingsError, RulesError, IndexBusy, IndexMissing) as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # a bug: one line for the operator, the trace in the log
        logging.getLogger("newsdesk").debug("unexpected error", exc_info=True)
        print(f"newsdesk: unexpected {type(exc).__name__}: {exc} "
              "(set NEWSDESK_LOG_LEVEL=DEBUG for the trace)", file=sys.stderr)
        return EXIT_FAILED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m search", description=__doc__.splitlines()[0].replace("``", "")
    )
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="index article files into a new generation")
    build.add_argument("sources", nargs="*", help="files or folders (txt, jsonl, csv, Reuters sgm)")
    build.add_argument("--index", help="index directory (default: $NEWSDESK_INDEX_DIR or index/)")
    build.add_argument("--format", choices=FORMATS, help="read every file as this format")
    build.add_argument("--extractor", choices=EXTRACTORS,
                       help="entity extractor (default: $NEWSDESK_EXTRACTOR or spacy)")
    build.add_argument("--processes", type=int,
                       help="worker processes: cleaning, inversion, extraction (default 2)")
    build.add_argument("--update", action="store_true",
                       help="add, replace and delete by id in the current index")
    build.add_argument("--delete", action="extend", nargs="+", default=[], metavar="ID",
                       help="with --update: remove these article ids (after any SOURCES)")
    build.add_argument("--force", action="store_true",
                       help="rebuild even when inputs and rules are unchanged")
    build.add_argument("--quiet", action="store_true", help="no progress bars")
    build.set_defaults(handler=_build, command_parser=build)

    query = commands.add_parser("query", help="search the index and print the top results")
    query.add_argument("q", help='query text, e.g. \'Aliyev "peace talks" -Pashinyan\'')
    query.add_argument("--index", help="index directory")
    query.add_argument("--limit", type=int, default=5, help="results to print (default 5)")
    query.set_defaults(handler=_query, command_parser=query)

    optimize = commands.add_parser(
        "optimize", help="merge the index's segments into one (deleted articles dropped)"
    )
    optimize.add_argument("--index", help="index directory")
    optimize.set_defaults(handler=_optimize, command_parser=optimize)

    export = commands.add_parser("export", help="write the indexed articles as JSONL")
    export.add_argument("--index", help="index directory")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(handler=_export, command_parser=export)
    return parser


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from search.index.build import build_index

    if args.extractor:
        settings = replace(settings, extractor=args.extractor)
    if args.processes is not None:
        if args.processes < 1:
            raise SettingsError("--processes must be at least 1")
        settings = replace(settings, build_processes=args.processes)
    if args.delete and not args.update:
        raise SettingsError("--delete needs --update")
    if not args.sources and not args.delete:
        raise SettingsError("nothing to do: give SOURCES to index (or --update --delete ID)")
    report = build_index(
        args.sources, settings, fmt=args.format, update=args.update, delete_ids=args.delete,
        force=args.force, progress=not args.quiet and sys.stderr.isatty(),
    )
    for line in report.summary():
        print(line, file=sys.stderr)
    return 0


def _optimize(args: argparse.Namespace, settings: Settings) -> int:
    from search.index.build import optimize_index

    report = optimize_index(settings)
    done = (f"now serves generation {report.generation}" if report.generation
            else "already optimal, nothing published")
    print(f"index {report.index_dir}: {report.indexed} articles in {report.segments} segment(s); "
          f"{done}", file=sys.stderr)
    return 0


def _query(args: argparse.Namespace, settings: Settings) -> int:
    from search.query.results import InvalidRequest, SearchRequest
    from search.query.searcher import Searcher

    searcher = Searcher(settings)
    try:
        page = searcher.search(SearchRequest(q=args.q, page_size=args.limit, fragments=1))
    except InvalidRequest as exc:
        raise SettingsError(f"{exc.param}: {exc}") from None
    finally:
        searcher.close()
    matches = "article matches" if page.total == 1 else "articles match"
    print(f"{page.total} {matches} {args.q!r} ({page.took_ms} ms)")
    for hit in page.hits:
        a = hit.article
        print(f"- [{hit.score:.2f}] {a.title} ({a.outlet}, {a.date or 'no date'}) id={a.id}")
        for fragment in hit.highlights.body:
            print(f"    {fragment}")
    if page.suggestion:
        print(f"did you mean: {page.suggestion}")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from search.index.export import iter_export

    store = IndexStore(settings.index_dir)
    with contextlib.ExitStack() as stack:
        out = (
            stack.enter_context(open(args.output, "w", encoding="utf-8"))
            if args.output
            else sys.stdout
        )
        for record in iter_export(store):
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")
    return 0
