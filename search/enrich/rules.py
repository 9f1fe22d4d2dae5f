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
from importlib import resources
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"  # the bundled files (fingerprints)


class RulesError(ValueError):
    """A rules file that cannot be read or has a bad pattern; the message names it."""


def parse_rules(text: str, source: str) -> dict:
    """One rules file's TOML text, parsed; a bad file is a ``RulesError`` naming it."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"cannot read rules file {source}: not valid TOML: {exc}") from None


def bundled_text(name: str) -> str:
    """A rules file shipped with the package (``search/data/<name>``), read through
    ``importlib.resources`` so it is found however the package is installed."""
    return resources.files("search").joinpath("data", name).read_text(encoding="utf-8")


def read_rules(path: Path) -> dict:
    """An operator's rules file, parsed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise RulesError(f"cannot read rules file {path}: {reason}") from None
    return parse_rules(text, str(path))


def bundled_rules(name: str) -> dict:
    return parse_rules(bundled_text(name), f"search/data/{name}")


def load_toml(name: str, extra_paths: Sequence[Path] = ()) -> list[dict]:
    """The bundled file ``name`` followed by each operator file, parsed: the one way every
    rules file (boilerplate, outlets, aliases, Reuters codes) is read."""
    return [bundled_rules(name), *(read_rules(path) for path in extra_paths)]


@lru_cache(maxsize=256)
def compile_pattern(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise RulesError(f"bad pattern {pattern!r}: {exc}") from None
