"""``python -m api``: the container's command. Serve the index, building the samples first.

An operator's first ``docker run IMAGE`` should answer searches without any set-up, so
when the index directory has no published generation yet this builds one from the
sample articles baked into the image (``NEWSDESK_SAMPLE_DIR``), then replaces itself
with gunicorn (``exec``: gunicorn becomes the process that receives SIGTERM, and stops
gracefully). An index that already exists, even an empty volume mounted read-only for an
indexing job to fill, is served as it is.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from search import cli
from search.index.store import IndexStore
from search.settings import Settings, SettingsError

GUNICORN_CONFIG = Path(__file__).resolve().parents[1] / "gunicorn.conf.py"


def main() -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return cli.EXIT_FAILED
    store = IndexStore(settings.index_dir)
    if store.current() is None:
        if _writable(store.root):
            print(f"newsdesk: no index in {store.root}; building the samples in "
                  f"{settings.sample_dir}", file=sys.stderr)
            code = cli.main(["build", str(settings.sample_dir), "--quiet"], settings)
            if code != 0:
                return code
        else:
            print(f"newsdesk: no index in {store.root}, which is read-only; serving once "
                  "an indexing job publishes one (/ready answers 503 until then)",
                  file=sys.stderr)
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG)])
    return 0  # not reached: execv replaces this process


def _writable(root: Path) -> bool:
    """The index directory, or the nearest existing folder it would be created in."""
    path = root
    while not path.exists() and path != path.parent:
        path = path.parent
    return os.access(path, os.W_OK)


if __name__ == "__main__":
    sys.exit(main())
