"""The entities issue's wrong types and broken names, through the real build and model."""

from __future__ import annotations

import json

import pytest

from search.index.build import build_index
from search.index.export import iter_export
from search.index.store import IndexStore
from search.settings import Settings

ARTICLES = [
    {"id": "a1", "title": "EU chief visits Poland", "body": (
        "WARSAW (Reuters) - European Commission President Ursula von der Leyen arrived in "
        "Kraków on Monday. Von der Leyen met students in Kraków and later flew to Warsaw.\n\n"
        "Armenian Foreign Minister Ararat Mirzoyan said the Lachin corridor must stay open. "
        "Mirzoyan spoke after traffic on the Lachin Corridor stopped. Kazakh President "
        "Kassym-Jomart Tokayev called for calm.")},
    {"id": "a2", "title": "Talks in Yerevan", "body": (
        "YEREVAN (Reuters) - Ararat Mirzoyan met Arshak Karapetian, the defence minister, in "
        "Yerevan. Karapetian said the army was ready.")},
]


@pytest.fixture(scope="module")
def entities(tmp_path_factory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("cases")
    source = root / "cases.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    settings = Settings(index_dir=root / "index", extractor="spacy", build_processes=1)
    build_index([source], settings)
    return {r["id"]: r for r in iter_export(IndexStore(settings.index_dir))}


def every(record: dict) -> set[str]:
    return {n for kind in ("people", "organisations", "places") for n in record[kind]}


@pytest.mark.model
def test_whole_names_with_their_types(entities):
    a1, a2 = entities["a1"], entities["a2"]
    assert "Ursula von der Leyen" in a1["people"]
    assert not {"Ursula von der", "Leyen", "Von der Leyen"} & every(a1)
    assert "Kraków" in a1["places"] and "Kraków" not in a1["people"]
    assert "Ararat Mirzoyan" in a1["people"] and "Ararat" not in every(a1)
    assert "Kazakh President" not in every(a1)
    assert "Arshak Karapetyan" in a2["people"] and "Karapetian" not in a2["places"]


@pytest.mark.model
def test_the_lachin_corridor_is_one_place(entities):
    assert "Lachin Corridor" in entities["a1"]["places"]
    assert "Lachin" not in entities["a1"]["places"]


@pytest.mark.model
def test_a_datelines_wire_credit_is_no_organisation(entities):
    assert "Reuters" not in every(entities["a2"])
    assert {"Warsaw", "Yerevan"} <= set(entities["a1"]["places"]) | set(entities["a2"]["places"])
