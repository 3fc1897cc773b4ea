"""Evaluations 2, 3 and 6 of docs/accuracy.md, on the real data in QADAM_DATA_DIR.

2. UPR Info issues: train on sessions 1-16 and 19-20, test on sessions 17-18.
3. OHCHR themes, groups and SDGs: train on one Slovenia thematic list, test on the other,
   both ways; names are mapped across OHCHR's renames with the taxonomy's aliases.
6. Speed and size: a full bundle (linear models + SDG scorer) trained on everything,
   saved, loaded, and run on 10,000 UPR Info texts; peak memory of this process.

    .venv/bin/python bench/accuracy_labels.py [--quick]

Writes bench/results/accuracy-labels.json. No Django: it uses qadam.lib.ml directly.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qadam.lib.ml.bundle import Bundle, Examples  # noqa: E402
from qadam.lib.ml.linear import LinearLabeller  # noqa: E402
from qadam.lib.ohchr_docx import parse_ohchr_list  # noqa: E402
from qadam.lib.text import normalise_for_match  # noqa: E402
from qadam.lib.upr_info import parse_upr_info  # noqa: E402

DATA = Path(os.environ.get("QADAM_DATA_DIR", ROOT.parent / "shared" / "data"))
RESULTS = ROOT / "bench" / "results" / "accuracy-labels.json"
TEST_SESSIONS = {"17", "18"}
LISTS = ("slovenia-upr20-cycle2.docx", "slovenia-upr34-cycle3.docx")
SPEED_TEXTS = 10_000


def main() -> int:
    argparse.ArgumentParser(description=__doc__).parse_args()
    upr = upr_rows()
    results = {
        "upr_info_issues": evaluate_upr(upr),
        "ohchr_cross_list": evaluate_ohchr(),
        "speed": evaluate_speed(upr),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(summary(results), indent=2))
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


# ----- 2. UPR Info issues ---------------------------------------------------------------
def upr_rows() -> list[tuple[str, str, set[str]]]:
    path = DATA / "upr-info" / "recommendations.csv"
    parsed = parse_upr_info(path.read_bytes(), path.name)
    return [
        (r.session, r.text, {ref.term for ref in r.labels if ref.taxonomy == "upr-info-issue"})
        for r in parsed.records
    ]


def evaluate_upr(rows: list[tuple[str, str, set[str]]]) -> dict[str, Any]:
    train = [(t, y) for s, t, y in rows if s not in TEST_SESSIONS and y]
    test = [(t, y) for s, t, y in rows if s in TEST_SESSIONS and y]
    started = time.monotonic()
    model, _ = LinearLabeller.train("upr-info-issue", [t for t, _ in train], [y for _, y in train])
    seconds = time.monotonic() - started
    scores = score(model, test)
    seen = {normalise_for_match(t) for t, _ in train}
    unseen = [(t, y) for t, y in test if normalise_for_match(t) not in seen]
    return {
        "train_rows": len(train),
        "test_rows": len(test),
        "test_sessions": sorted(TEST_SESSIONS),
        "train_seconds": round(seconds, 1),
        **scores,
        "test_rows_whose_text_is_not_in_training": len(unseen),
        "micro_f1_on_those": score(model, unseen)["micro_f1"],
    }


def score(model: LinearLabeller, rows: list[tuple[str, set[str]]]) -> dict[str, Any]:
    found = model.suggest([t for t, _ in rows], reasons=False)
    probs = model.probabilities([t for t, _ in rows])
    per: dict[str, list[int]] = {}
    at1 = 0
    for (_, gold), row, p in zip(rows, found, probs, strict=True):
        pred = {s.term for s in row}
        for term in gold | pred:
            tp, fp, fn = per.setdefault(term, [0, 0, 0])
            per[term] = [
                tp + (term in gold and term in pred),
                fp + (term in pred and term not in gold),
                fn + (term in gold and term not in pred),
            ]
        at1 += model.terms[int(p.argmax())] in gold if len(model.terms) else 0
    tp, fp, fn = (sum(v[i] for v in per.values()) for i in range(3))
    per_f1 = {t: f1(*v) for t, v in sorted(per.items()) if v[0] + v[2]}
    return {
        "micro_precision": round(tp / max(1, tp + fp), 4),
        "micro_recall": round(tp / max(1, tp + fn), 4),
        "micro_f1": f1(tp, fp, fn),
        "macro_f1": round(statistics.mean(per_f1.values()), 4) if per_f1 else 0.0,
        "precision_at_1": round(at1 / max(1, len(rows)), 4),
        "per_term_f1": per_f1,
    }


def f1(tp: int, fp: int, fn: int) -> float:
    return round(2 * tp / max(1, 2 * tp + fp + fn), 4)


# ----- 3. OHCHR lists -------------------------------------------------------------------
def theme_codes() -> dict[str, dict[str, str]]:
    """Every spelling of every OHCHR theme and group -> its code, per taxonomy."""
    data = yaml.safe_load((ROOT / "qadam/taxonomy/data/ohchr-themes.yaml").read_text())
    out: dict[str, dict[str, str]] = {}
    for tax in data["taxonomies"]:
        names = out.setdefault(tax["code"], {})
        for term in tax["terms"]:
            for name in [term["code"], term["name"]["en"], *term.get("aliases", [])]:
                names[key(name)] = term["code"]
    return out


def key(name: str) -> str:
    return re.sub(r"\W+", " ", name.casefold()).strip()


_CODED = re.compile(r"^[A-Z]\d{1,2}\s+(.*)$")


def list_rows(name: str, codes: dict[str, dict[str, str]]) -> dict[str, list[tuple[str, set[str]]]]:
    parsed = parse_ohchr_list((DATA / "ohchr-thematic-lists" / name).read_bytes(), name)
    out: dict[str, list[tuple[str, set[str]]]] = {}
    for rec in parsed.records:
        per: dict[str, set[str]] = {}
        for ref in rec.labels:
            per.setdefault(ref.taxonomy, set()).add(resolve(ref.taxonomy, ref.term, codes))
        for taxonomy, terms in per.items():
            out.setdefault(taxonomy, []).append((rec.text, terms))
    return out


def resolve(taxonomy: str, term: str, codes: dict[str, dict[str, str]]) -> str:
    if taxonomy.startswith("sdg"):
        return term.split()[0]
    names = codes.get(taxonomy, {})
    stripped = _CODED.match(term.strip())
    return (
        names.get(key(term))
        or (names.get(key(stripped.group(1))) if stripped else None)
        or key(term)
    )


def evaluate_ohchr() -> dict[str, Any]:
    codes = theme_codes()
    lists = {name: list_rows(name, codes) for name in LISTS}
    out: dict[str, Any] = {}
    for train_name, test_name in (LISTS, LISTS[::-1]):
        direction = f"{train_name} -> {test_name}"
        out[direction] = {}
        for taxonomy in ("ohchr-theme", "ohchr-group", "sdg-goal"):
            train = lists[train_name].get(taxonomy, [])
            test = lists[test_name].get(taxonomy, [])
            if len(train) < 20 or not test:
                out[direction][taxonomy] = {"note": "no labels of this kind in one of the lists"}
                continue
            model, _ = LinearLabeller.train(taxonomy, [t for t, _ in train], [y for _, y in train])
            shared = set(model.terms)
            scored = score(model, test)
            out[direction][taxonomy] = {
                "train_rows": len(train),
                "test_rows": len(test),
                "terms_learned": len(model.terms),
                "test_labels_on_terms_never_seen_in_training": sum(
                    len(y - shared) for _, y in test
                ),
                **{k: v for k, v in scored.items() if k != "per_term_f1"},
            }
    return out


# ----- 6. speed and size ----------------------------------------------------------------
def evaluate_speed(rows: list[tuple[str, str, set[str]]]) -> dict[str, Any]:
    examples: dict[str, Examples] = {"upr-info-issue": Examples()}
    for _, text, terms in rows:
        if terms:
            examples["upr-info-issue"].add(text, terms)
    started = time.monotonic()
    bundle = Bundle.train("bench", examples, DATA)
    train_s = time.monotonic() - started
    with tempfile.TemporaryDirectory() as folder:
        size = bundle.save(Path(folder))
        loads = []
        for _ in range(3):
            t = time.monotonic()
            loaded = Bundle.load(Path(folder))
            loads.append(time.monotonic() - t)
    texts = [t for _, t, _ in rows[:SPEED_TEXTS]]
    with_reasons, without = [], []
    for _ in range(3):
        t = time.monotonic()
        loaded.classify(texts, reasons=False)
        without.append(time.monotonic() - t)
        t = time.monotonic()
        loaded.classify(texts, reasons=True)
        with_reasons.append(time.monotonic() - t)
    return {
        "texts": len(texts),
        "taxonomies": loaded.taxonomies,
        "train_seconds": round(train_s, 1),
        "model_bytes": size,
        "load_seconds_median": round(statistics.median(loads), 3),
        "texts_per_second_median": round(len(texts) / statistics.median(without)),
        "texts_per_second_with_reasons_median": round(len(texts) / statistics.median(with_reasons)),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "embeddings": False,
        "aims": {"texts_per_second": 2000, "load_seconds": 2.0, "peak_rss_mb": 1536},
    }


def summary(results: dict[str, Any]) -> dict[str, Any]:
    upr = {k: v for k, v in results["upr_info_issues"].items() if k != "per_term_f1"}
    return {"upr_info_issues": upr, "ohchr": results["ohchr_cross_list"], "speed": results["speed"]}


if __name__ == "__main__":
    raise SystemExit(main())
