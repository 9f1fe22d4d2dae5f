"""All configuration, read from ``NEWSDESK_*`` environment variables in one place.

Nothing else in the code base reads ``os.environ``: tests and tools pass a ``Settings``
built by hand, and a bad value fails at start-up with one clear line instead of
surfacing as a strange error deep inside a request or a build.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

PREFIX = "NEWSDESK_"
# Settings that keep a conventional name: PORT is what container platforms set.
# PROMETHEUS_MULTIPROC_DIR is prometheus-client's own name for its shared metrics folder.
UNPREFIXED = {"port": "PORT", "metrics_dir": "PROMETHEUS_MULTIPROC_DIR"}


# An IPv4 or IPv6 address, or a host name: what gunicorn can bind.
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45}")


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob, with its default and unit in its name."""

    # Where the index lives: generations/, current -> generations/<id>, cache/.
    index_dir: Path = Path("index")
    # Entity extractor used by builds: spacy (statistical model), gazetteer (fast), none.
    extractor: str = "spacy"
    # Worker processes of a build (cleaning, inversion, extraction); the machine has 2 cores.
    build_processes: int = 2
    # Extra aliases/outlet rule files operators add to the bundled ones (os.pathsep-separated).
    aliases_files: tuple[Path, ...] = field(default_factory=tuple)
    outlet_rules_files: tuple[Path, ...] = field(default_factory=tuple)
    boilerplate_files: tuple[Path, ...] = field(default_factory=tuple)
    # An input file or record larger than this is skipped (and reported), never loaded.
    max_article_bytes: int = 10_000_000
    # How many earlier index generations to keep for readers still holding them open.
    keep_generations: int = 2
    # Query limits: every one is explicit, enforced in search/ and reported as a 4xx by the API.
    max_query_chars: int = 4000
    max_page_size: int = 100
    # page * page_size may not exceed this (deep pagination costs the whole ranking).
    max_result_window: int = 10_000
    max_facet_size: int = 100
    max_filter_values: int = 20
    max_fragments: int = 5
    max_fragment_chars: int = 500
    # An export (GET /export, the page's CSV/JSONL links) streams at most this many
    # matches, in the search's order; the response says how many there were in all.
    max_export_rows: int = 10_000
    # A query's evaluation stops at this budget and answers with what it found (timed_out).
    query_budget_ms: int = 1000
    # How often a worker checks whether a new index generation was published.
    reload_check_seconds: float = 0.25
    # How often the live writer applies new journal entries (writes through the API).
    write_refresh_seconds: float = 0.2
    # Write keys, comma-separated (``Authorization: Bearer KEY``), and/or a file of them,
    # one a line. No key: writes are refused. Never logged or shown.
    api_keys: str = field(default="", repr=False)
    api_keys_file: str = ""
    # If set, reads need one of these keys (or a write key) too.
    read_keys: str = field(default="", repr=False)
    # Request bodies: one article (PUT), and a bulk request (POST /articles, NDJSON).
    max_write_bytes: int = 1_000_000
    max_bulk_bytes: int = 20_000_000
    max_bulk_lines: int = 10_000
    # The HTTP server (gunicorn.conf.py): port from $PORT, as container platforms set it.
    port: int = 8000
    # The address the API listens on: this machine only unless told otherwise (the
    # container image sets 0.0.0.0, since its port is published on purpose).
    host: str = "127.0.0.1"
    workers: int = 2
    log_level: str = "info"
    # Where gunicorn's workers pool their metrics (prometheus-client's multiprocess mode);
    # gunicorn.conf.py makes a private one when unset. Empty: this process counts alone.
    metrics_dir: str = ""
    # What the container serves when its index volume has no published generation yet.
    sample_dir: Path = Path("seeds")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            variable = variable_of(f.name)
            raw = env.get(variable)
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(variable, raw, getattr(cls(), f.name))
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        from search.enrich.entities.extractors import EXTRACTORS

        if self.extractor not in EXTRACTORS:
            raise SettingsError(
                f"{PREFIX}EXTRACTOR must be one of {', '.join(EXTRACTORS)}, not {self.extractor!r}"
            )
        for name in (
            "build_processes", "max_article_bytes", "max_query_chars", "max_page_size",
            "max_result_window", "max_facet_size", "max_filter_values", "max_fragments",
            "max_fragment_chars", "port", "workers", "max_write_bytes", "query_budget_ms",
            "max_bulk_bytes", "max_bulk_lines", "max_export_rows",
        ):
            if getattr(self, name) < 1:
                raise SettingsError(f"{variable_of(name)} must be at least 1")
        if self.port > 65535:
            raise SettingsError(f"PORT must be at most 65535, not {self.port}")
        if self.log_level.lower() not in {"debug", "info", "warning", "error", "critical"}:
            raise SettingsError(f"{PREFIX}LOG_LEVEL must be debug, info, warning or error")
        if not _HOST.fullmatch(self.host):
            raise SettingsError(
                f"{variable_of('host')} must be an IP address or a host name, not {self.host!r}"
            )
        if self.write_refresh_seconds <= 0 or self.reload_check_seconds < 0:
            raise SettingsError(f"{variable_of('write_refresh_seconds')} must be above 0 and "
                                f"{variable_of('reload_check_seconds')} 0 or more")
        if self.keep_generations < 0:
            raise SettingsError(f"{PREFIX}KEEP_GENERATIONS must be 0 or more")


def variable_of(name: str) -> str:
    """The environment variable that sets field ``name``."""
    return UNPREFIXED.get(name, PREFIX + name.upper())


def _convert(variable: str, raw: str, default: object) -> object:
    """Coerce one environment string to the type of the field's default."""
    try:
        if isinstance(default, bool):
            if raw.lower() not in {"1", "0", "true", "false", "yes", "no"}:
                raise ValueError(raw)
            return raw.lower() in {"1", "true", "yes"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, tuple):
            return tuple(Path(p) for p in raw.split(os.pathsep) if p)
    except ValueError:
        raise SettingsError(
            f"{variable}={raw!r} is not a valid {type(default).__name__}"
        ) from None
    return raw
