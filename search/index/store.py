"""The on-disk layout of an index directory and its atomic switch between builds.

    INDEX_DIR/
      current -> generations/<id>     symlink, swapped atomically with rename(2)
      generations/<id>/               one complete, never-modified Whoosh index each
      generations/.tmp-<id>/          a build in progress; never read by anyone
      cache/extraction.sqlite         entity mentions by text hash, shared by builds
      build.lock                      one build at a time

A build writes a whole new generation and then points ``current`` at it with one
rename, so a reader sees either the old index or the new one, never half of each; a
crash or Ctrl-C leaves ``current`` untouched. Older generations are kept for a while so
that workers still holding them open can finish their requests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

CURRENT = "current"
GENERATIONS = "generations"
MANIFEST = "manifest.json"
# Files a build writes beside a generation's segments, which searches read too.
ENTITY_STATS = "entity_stats.json"  # the names the extractor met, and their votes
VOCABULARY = "vocabulary.json"  # surface words and document counts, for "did you mean"
# Hyphenated compounds the archive writes: their joined term -> their parts, spaced.
COMPOUNDS = "compounds.json"
TMP_PREFIX = ".tmp-"


class IndexBusy(RuntimeError):
    """Another build holds the lock on this index directory."""


class IndexMissing(RuntimeError):
    """No built index at the path; the message says how to build one."""


class IndexOutdated(IndexMissing):
    """The published generation was written in another version of the index format."""


def outdated(root: Path, found: object, expected: int) -> IndexOutdated:
    return IndexOutdated(
        f"the index at {root} has format version {found}; this newsdesk reads version "
        f"{expected}: rebuild it with 'python -m search build SOURCES --index {root} --force'"
    )


class IndexStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def generations_dir(self) -> Path:
        return self.root / GENERATIONS

    @property
    def cache_dir(self) -> Path:
        return self.root / "cache"

    def current(self) -> Path | None:
        """The generation readers should open, or None before the first build."""
        link = self.root / CURRENT
        try:
            target = os.readlink(link)
        except OSError:
            return None
        path = (self.root / target).resolve()
        return path if (path / MANIFEST).is_file() else None

    def require_current(self) -> Path:
        path = self.current()
        if path is None:
            raise IndexMissing(
                f"no index at {self.root}: build one with "
                f"'python -m search build SOURCES --index {self.root}'"
            )
        return path

    def manifest(self, generation: Path | None = None) -> dict:
        generation = generation or self.require_current()
        return json.loads((generation / MANIFEST).read_text())

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "build.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexBusy(f"another build is running on {self.root}") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def new_generation(self) -> Path:
        """An empty private directory for a build; call with the lock held."""
        self.generations_dir.mkdir(parents=True, exist_ok=True)
        self._remove_abandoned()
        name = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.generations_dir / f"{TMP_PREFIX}{name}"
        path.mkdir()
        return path

    def publish(self, tmp: Path, manifest: dict, keep: int) -> Path:
        """Make a finished build the current index, atomically, and prune old ones.

        The manifest lists every file's size, so a reader notices a truncated or missing
        file when it opens the generation (``check_files``), not in the middle of a query.
        """
        manifest = {**manifest, "files": {p.name: p.stat().st_size
                                          for p in sorted(tmp.iterdir()) if p.is_file()}}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        final = tmp.with_name(tmp.name.removeprefix(TMP_PREFIX))
        os.rename(tmp, final)
        _fsync_dir(self.generations_dir)
        link_tmp = self.root / f"{CURRENT}.new"
        with contextlib.suppress(FileNotFoundError):
            link_tmp.unlink()
        os.symlink(Path(GENERATIONS) / final.name, link_tmp)
        os.replace(link_tmp, self.root / CURRENT)
        _fsync_dir(self.root)
        self._prune(keep, final)
        return final

    def discard(self, tmp: Path) -> None:
        shutil.rmtree(tmp, ignore_errors=True)

    def _remove_abandoned(self) -> None:
        """Builds that died (crash, kill -9) leave their private directory behind."""
        for path in self.generations_dir.glob(f"{TMP_PREFIX}*"):
            shutil.rmtree(path, ignore_errors=True)

    def _prune(self, keep: int, current: Path) -> None:
        finished = sorted(
            p for p in self.generations_dir.iterdir()
            if p.is_dir() and not p.name.startswith(TMP_PREFIX) and p != current
        )
        for path in finished[: max(0, len(finished) - keep)]:
            shutil.rmtree(path, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DamagedGeneration(IndexMissing):
    """A generation whose files are not the ones it was published with."""


def check_files(generation: Path, manifest: dict) -> None:
    """Every file the manifest lists is there, at its published size."""
    for name, size in manifest.get("files", {}).items():
        try:
            found = (generation / name).stat().st_size
        except FileNotFoundError:
            raise DamagedGeneration(f"{generation.name}: {name} is missing") from None
        if found != size:
            raise DamagedGeneration(
                f"{generation.name}: {name} has {found:,} bytes, published with {size:,}"
            )
