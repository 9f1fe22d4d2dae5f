"""Entity quality: the names newsdesk extracts against CoNLL-2003's and the seeds' gold.

    python -m bench.entities [--extractor spacy] [--data ../shared/data/conll2003-dev]

The 216 Reuters articles of the CoNLL-2003 development set go through the indexing job
as a user's JSONL would (``search build`` with the extractor asked for, then
``search export``), so cleaning, extraction, canonical names and the resolver all count.
Each article's distinct PER / ORG / LOC names are compared with the people,
organisations and places newsdesk gives it, the way the entities issue measured them:
per article, case-folded, a surname matching the full name it stands for; micro-averaged
over all articles. "typed" needs the type to agree too; "any type" does not. The surname
rule applies when the gold name is a person's. PER, ORG and LOC are typed scores of one
kind each.

The five seeds are scored the same way against ``bench/data/seeds_gold.json``, written
by reading them: each gold name lists the forms that stand for it in the text, so a
found "Nikol Pashinian" or "ICRC" counts as the gold "Nikol Pashinyan" or "International
Committee of the Red Cross". Speed is the indexing job's words per second (a fresh
index, so every article is extracted; the CoNLL run, whose 216 articles outweigh the
model's start-up).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from search.index.build import build_index
from search.index.export import iter_export
from search.index.store import IndexStore
from search.settings import Settings

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "conll2003-dev"
ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEEDS_GOLD = Path(__file__).resolve().parent / "data" / "seeds_gold.json"
KINDS = {"PER": "people", "ORG": "organisations", "LOC": "places"}
Names = dict[str, dict[str, set[str]]]  # article id -> kind -> names


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


def load_seed_gold(path: Path = SEEDS_GOLD) -> tuple[Names, dict[str, dict[str, str]]]:
    """The seeds' gold names by article and kind (each name's first form), and per
    article, every form a name is written in (case-folded) -> that first form."""
    data = json.loads(path.read_text(encoding="utf-8"))
    gold: Names = {}
    forms: dict[str, dict[str, str]] = {}
    for doc_id, kinds in data.items():
        if doc_id.startswith("_"):
            continue
        gold[doc_id] = {kind: set() for kind in KINDS.values()}
        forms[doc_id] = {}
        for kind in KINDS.values():
            for spellings in kinds.get(kind, []):
                gold[doc_id][kind].add(spellings[0])
                for form in spellings:
                    forms[doc_id][form.casefold()] = spellings[0]
    return gold, forms


def as_gold_forms(predicted: Names, forms: dict[str, dict[str, str]]) -> Names:
    """Each found name written as the gold name it is a form of (else as found)."""
    return {
        doc_id: {kind: {forms.get(doc_id, {}).get(n.casefold(), n) for n in names}
                 for kind, names in by_kind.items()}
        for doc_id, by_kind in predicted.items()
    }


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


def score_rows(predicted: Names, gold: Names) -> dict[str, dict[str, float]]:
    """Precision, recall and F1: typed, any type, and typed for each kind alone."""
    rows = {}
    for typed in (True, False):
        p, r, f = score(predicted, gold, typed).row()
        rows["typed" if typed else "any type"] = {"precision": p, "recall": r, "f1": f}
    for label, kind in KINDS.items():
        only = {d: {k: (v if k == kind else set()) for k, v in by_kind.items()}
                for d, by_kind in predicted.items()}
        wanted = {d: {k: (v if k == kind else set()) for k, v in by_kind.items()}
                  for d, by_kind in gold.items()}
        p, r, f = score(only, wanted, True).row()
        rows[label] = {"precision": p, "recall": r, "f1": f}
    return rows


def _build(sources: list[Path], extractor: str, work: Path) -> tuple[Names, int, float]:
    """The indexing job over ``sources`` into a fresh index: names found, articles
    indexed, seconds taken."""
    settings = Settings(index_dir=work / "index", extractor=extractor)
    clock = time.perf_counter()
    report = build_index(sources, settings, force=True)
    seconds = time.perf_counter() - clock
    predicted = {
        r["id"]: {k: set(r.get(k) or []) for k in KINDS.values()}
        for r in iter_export(IndexStore(settings.index_dir))
    }
    return predicted, report.indexed, seconds


def run(data: Path, extractor: str, work: Path) -> dict:
    records, gold = load_gold(data)
    source = work / "conll.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    predicted, indexed, seconds = _build([source], extractor, work)
    words = sum(len(r["title"].split()) + len(r["body"].split()) for r in records)
    return {"data": "CoNLL-2003 dev", "extractor": extractor, "articles": len(records),
            "indexed": indexed,
            "gold_names": sum(len(v) for g in gold.values() for v in g.values()),
            "scores": score_rows(predicted, gold), "words_per_second": words / seconds}


def run_seeds(extractor: str, work: Path, seeds: Path = SEEDS,
              gold_path: Path = SEEDS_GOLD) -> dict:
    """The seeds through the indexing job, scored against the gold written from them."""
    gold, forms = load_seed_gold(gold_path)
    predicted, indexed, seconds = _build([seeds], extractor, work)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in seeds.glob("*.txt"))
    return {"data": "seeds", "extractor": extractor, "articles": len(gold), "indexed": indexed,
            "gold_names": sum(len(v) for g in gold.values() for v in g.values()),
            "scores": score_rows(as_gold_forms(predicted, forms), gold),
            "words_per_second": words / seconds}


def run_raw_spacy(data: Path) -> dict:
    """The model alone on the same texts (its labels mapped as newsdesk maps them): what
    newsdesk's cleaning, canonical names and corpus vote add or lose."""
    from search.enrich.entities.extractors import SPACY_LABELS, load_ner_pipeline

    records, gold = load_gold(data)
    nlp = load_ner_pipeline()
    clock = time.perf_counter()
    predicted = {}
    for record, doc in zip(records, nlp.pipe(f"{r['title']}\n\n{r['body']}" for r in records),
                           strict=True):
        names = {k: set() for k in KINDS.values()}
        for ent in doc.ents:
            if ent.label_ in SPACY_LABELS:
                names[SPACY_LABELS[ent.label_]].add(ent.text)
        predicted[record["id"]] = names
    seconds = time.perf_counter() - clock
    words = sum(len(r["title"].split()) + len(r["body"].split()) for r in records)
    return {"data": "CoNLL-2003 dev", "extractor": "spaCy alone (no newsdesk)",
            "indexed": len(records),
            "gold_names": sum(len(v) for g in gold.values() for v in g.values()),
            "scores": score_rows(predicted, gold), "words_per_second": words / seconds}


def _cells(result: dict) -> str:
    scores = result["scores"]
    cells = [" / ".join(f"{scores[k][m]:.3f}" for m in ("precision", "recall", "f1"))
             for k in ("typed", "any type")]
    cells += [f"{scores[k]['f1']:.3f}" for k in KINDS]
    return (f"| {result['data']} | {result['extractor']} | {result['indexed']} | "
            f"{result['gold_names']} | {' | '.join(cells)} | "
            f"{result['words_per_second']:,.0f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--extractor", action="append",
                        help="spacy, gazetteer or none (repeatable; default: spacy, gazetteer)")
    args = parser.parse_args(argv)
    print("| data | extractor | articles | gold names | typed P / R / F1 | any type P / R / F1 "
          "| PER F1 | ORG F1 | LOC F1 | words/s |")
    print("|---|---|--:|--:|---|---|--:|--:|--:|--:|")
    extractors = args.extractor or ["spacy", "gazetteer"]
    for extractor in [*extractors, "raw"]:
        if extractor == "raw":
            print(_cells(run_raw_spacy(args.data)), flush=True)
            continue
        with tempfile.TemporaryDirectory() as work:
            print(_cells(run(args.data, extractor, Path(work))), flush=True)
    for extractor in extractors:
        with tempfile.TemporaryDirectory() as work:
            print(_cells(run_seeds(extractor, Path(work))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
