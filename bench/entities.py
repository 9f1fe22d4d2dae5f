"""Entity quality: the names newsdesk extracts against CoNLL-2003's gold names.

    python -m bench.entities [--extractor spacy] [--data ../shared/data/conll2003-dev]

The 216 Reuters articles of the CoNLL-2003 development set go through the indexing job
as a user's JSONL would (``search build`` with the extractor asked for, then
``search export``), so cleaning, extraction, canonical names and the resolver all count.
Each article's distinct PER / ORG / LOC names are compared with the people,
organisations and places newsdesk gives it, the way the entities issue measured them:
per article, case-folded, a surname matching the full name it stands for; micro-averaged
over all articles. "typed" needs the type to agree too; "any type" does not. The surname
rule applies when the gold name is a person's.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from search.index.build import build_index
from search.index.export import iter_export
from search.index.store import IndexStore
from search.settings import Settings

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "conll2003-dev"
KINDS = {"PER": "people", "ORG": "organisations", "LOC": "places"}


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def row(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load_gold(data: Path) -> tuple[list[dict], dict[str, dict[str, set[str]]]]:
    """The articles as JSONL records, and each one's gold names by newsdesk's kinds."""
    records, gold = [], {}
    for line in (data / "testa_docs.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        lines = doc["text"].split("\n")
        records.append({"id": doc["id"], "title": doc["title"], "date": doc["date"],
                        "body": "\n".join(lines[1:])})  # the first line is the title
        names = {kind: set() for kind in KINDS.values()}
        for entity in doc["entities"]:
            if entity["type"] in KINDS:
                names[KINDS[entity["type"]]].add(entity["text"])
        gold[doc["id"]] = names
    return records, gold


def _matches(found: str, wanted: str, kind: str) -> bool:
    a, b = found.casefold(), wanted.casefold()
    if a == b:
        return True
    if kind == "people":  # "Simmons" for "Phil Simmons", either way round
        return a.split()[-1] == b or b.split()[-1] == a
    return False


def score(predicted: dict[str, dict[str, set[str]]], gold: dict[str, dict[str, set[str]]],
          typed: bool) -> Counts:
    counts = Counts()
    for doc_id, wanted_by_kind in gold.items():
        found_by_kind = predicted.get(doc_id, {k: set() for k in KINDS.values()})
        if typed:
            groups = [({(f, k) for f in found_by_kind[k]}, {(w, k) for w in wanted_by_kind[k]})
                      for k in KINDS.values()]
        else:  # any type: every name found against every gold name of the article
            groups = [({(f, k) for k, v in found_by_kind.items() for f in v},
                       {(w, k) for k, v in wanted_by_kind.items() for w in v})]
        for found, wanted in groups:
            # The surname rule is the gold name's: a person's name, whatever was found.
            matched_wanted = {w for w in wanted if any(_matches(f, w[0], w[1]) for f, _ in found)}
            matched_found = {f for f in found if any(_matches(f[0], w, k) for w, k in wanted)}
            counts.tp += len(matched_wanted)
            counts.fn += len(wanted) - len(matched_wanted)
            counts.fp += len(found) - len(matched_found)
    return counts


def run(data: Path, extractor: str, work: Path) -> dict:
    records, gold = load_gold(data)
    source = work / "conll.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    settings = Settings(index_dir=work / "index", extractor=extractor)
    report = build_index([source], settings, force=True)
    predicted = {
        r["id"]: {k: set(r.get(k) or []) for k in KINDS.values()}
        for r in iter_export(IndexStore(settings.index_dir))
    }
    rows = {}
    for typed in (True, False):
        p, r, f = score(predicted, gold, typed).row()
        rows["typed" if typed else "any type"] = {"precision": p, "recall": r, "f1": f}
    return {"extractor": extractor, "articles": len(records), "indexed": report.indexed,
            "gold_names": sum(len(v) for g in gold.values() for v in g.values()),
            "scores": rows}


def run_raw_spacy(data: Path) -> dict:
    """The model alone on the same texts (its labels mapped as newsdesk maps them): what
    newsdesk's cleaning, canonical names and corpus vote add or lose."""
    from search.enrich.entities.extractors import SPACY_LABELS, load_ner_pipeline

    records, gold = load_gold(data)
    nlp = load_ner_pipeline()
    predicted = {}
    for record, doc in zip(records, nlp.pipe(f"{r['title']}\n\n{r['body']}" for r in records),
                           strict=True):
        names = {k: set() for k in KINDS.values()}
        for ent in doc.ents:
            if ent.label_ in SPACY_LABELS:
                names[SPACY_LABELS[ent.label_]].add(ent.text)
        predicted[record["id"]] = names
    rows = {}
    for typed in (True, False):
        p, r, f = score(predicted, gold, typed).row()
        rows["typed" if typed else "any type"] = {"precision": p, "recall": r, "f1": f}
    return {"extractor": "spaCy alone (no newsdesk)", "indexed": len(records),
            "gold_names": sum(len(v) for g in gold.values() for v in g.values()), "scores": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--extractor", action="append",
                        help="spacy, gazetteer or none (repeatable; default: spacy, gazetteer)")
    args = parser.parse_args(argv)
    print("| extractor | articles | gold names | typed P / R / F1 | any type P / R / F1 |")
    print("|---|--:|--:|---|---|")
    for extractor in [*(args.extractor or ["spacy", "gazetteer"]), "raw"]:
        if extractor == "raw":
            result = run_raw_spacy(args.data)
        else:
            with tempfile.TemporaryDirectory() as work:
                result = run(args.data, extractor, Path(work))
        cells = [
            " / ".join(f"{result['scores'][k][m]:.3f}" for m in ("precision", "recall", "f1"))
            for k in ("typed", "any type")
        ]
        print(f"| {result['extractor']} | {result['indexed']} | {result['gold_names']} | "
              f"{cells[0]} | {cells[1]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
