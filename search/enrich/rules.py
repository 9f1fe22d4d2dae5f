"""Loading of the operator-editable rule files in ``search/data/``.

Rules that operators tune for their archives (boilerplate lines, outlet signatures,
entity aliases) live in TOML data files, not in code, so extending them needs no
release. Operator files are merged after the bundled ones.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


class RulesError(ValueError):
    """A rules file that cannot be read or has a bad pattern; the message names it."""


def load_toml(name: str, extra_paths: Sequence[Path] = ()) -> list[dict]:
    """The bundled file ``name`` followed by each operator file, parsed."""
    documents = []
    for path in (DATA_DIR / name, *extra_paths):
        try:
            with open(path, "rb") as handle:
                documents.append(tomllib.load(handle))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise RulesError(f"cannot read rules file {path}: {exc}") from None
    return documents


@lru_cache(maxsize=256)
def compile_pattern(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise RulesError(f"bad pattern {pattern!r}: {exc}") from None
