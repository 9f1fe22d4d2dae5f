"""Shared fixtures: paths, and one seed index built once per test session."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from search.index.build import build_index
from search.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"


def pytest_configure(config):
    config.addinivalue_line("markers", "model: runs the spaCy model (slower)")
    config.addinivalue_line("markers", "browser: drives Chromium (tests/browser)")
    config.addinivalue_line(
        "markers", "container: needs a container engine and the built image (make docker-test)"
    )


def shared_data(name: str) -> Path:
    """A data set from ../shared/data. CI has it beside the clone, so there a missing one
    fails the run (a ranking floor that skips guards nothing); elsewhere it skips."""
    path = SHARED_DATA / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing: CI runs with ../shared/data beside the clone")
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return Settings(extractor="spacy", build_processes=1)


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, base_settings) -> Settings:
    """Settings pointing at an index built from seeds/ with the real model."""
    settings = replace(base_settings, index_dir=tmp_path_factory.mktemp("seed-index"))
    report = build_index([SEEDS], settings)
    assert report.indexed == 5, report.summary()
    return settings
