"""Which outlet an article comes from, when the input does not say.

Wire copy signs itself (``/TASS/``, ``(AP)``, a ``Reuter`` sign-off, photo credits), so
a short ordered list of signatures, kept in an operator-editable rules file, recovers
the outlet for most scraped articles. Everything else is filed under ``unknown`` rather
than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from search.enrich.rules import RulesError, compile_pattern, load_toml

UNKNOWN_OUTLET = "unknown"


@dataclass(frozen=True, slots=True)
class OutletRules:
    rules: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def load(cls, extra_paths: Sequence[Path] = ()) -> OutletRules:
        docs = load_toml("outlets.toml", extra_paths)
        # Operator files are tried first so they can override a bundled signature.
        ordered = [*docs[1:], docs[0]]
        rules = []
        for doc in ordered:
            for rule in doc.get("rule", []):
                if not rule.get("outlet") or not rule.get("pattern"):
                    raise RulesError(f"outlet rule needs 'outlet' and 'pattern': {rule!r}")
                rules.append((rule["outlet"], compile_pattern(rule["pattern"], 0)))
        return cls(tuple(rules))

    def detect(self, text: str) -> str | None:
        for outlet, pattern in self.rules:
            if pattern.search(text):
                return outlet
        return None


def normalise_outlet(name: str | None) -> str | None:
    """Explicit outlet names, trimmed; blank means not given."""
    if name is None:
        return None
    name = " ".join(name.split())
    return name or None
