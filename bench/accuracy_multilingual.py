"""Evaluation 4: assign the SDG target titles (169) and indicator titles (~250) in English,
Russian and Kazakh to their goal.

Held out, not just leave-one-out: titles are split into 5 folds by target, so a title is
scored by components built without it, without its translations and without the other
titles of its target; the combiner that turns the scores into probabilities is fitted on
the other folds only. Goal titles stay in every fold (they are the goals' names).

    .venv/bin/python bench/accuracy_multilingual.py [--embeddings]

Writes bench/results/accuracy-multilingual.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qadam.lib.ml import sdg  # noqa: E402

SHIPPED = ["keywords", "stems", "prototypes"]


def data_dir() -> Path:
    return Path(os.environ.get("QADAM_DATA_DIR", ROOT / ".." / "shared" / "data")).resolve()


def held_out_predictions(
    scores: dict[str, np.ndarray], truth: np.ndarray, names: list[str]
) -> np.ndarray:
    folds = scores["fold"]
    best = np.zeros(len(folds), dtype=int)
    for fold in np.unique(folds):
        train, test = folds != fold, folds == fold
        (coef, intercept), _ = sdg._fit_combiner({n: scores[n][train] for n in names}, truth[train])
        logits = (
            sdg.pair_features({n: scores[n][test] for n in names}) @ coef + intercept
        ).reshape(-1, 17)
        best[test] = logits.argmax(axis=1)
    return best


def accuracy_table(dev: list[sdg.Example], best: np.ndarray) -> dict[str, dict[str, float]]:
    hits: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for ex, guess in zip(dev, best, strict=True):
        if ex.kind in ("target", "indicator"):
            ok = sdg.GOALS[guess] in ex.goals
            hits[(ex.kind, ex.lang)].append(ok)
            hits[("all", ex.lang)].append(ok)
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for (kind, lang), found in sorted(hits.items()):
        table[kind][lang] = round(100 * float(np.mean(found)), 1)
        table[kind][f"{lang}_n"] = len(found)
    return dict(table)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embeddings", action="store_true")
    args = parser.parse_args()
    data = data_dir()
    titles = sdg.load_titles(data)
    pool = [*titles, *sdg.load_ohchr_examples(data)]
    keywords = sdg.load_keyword_phrases(data)
    targets = sorted({t for ex in titles for t in ex.targets}, key=sdg._target_key)
    extras = sdg._embedding_extras(pool) if args.embeddings else None
    dev, scores = sdg.dev_set(pool, keywords, targets, extras, with_folds=True)
    truth = sdg.goal_matrix(dev) > 0
    configs = {
        "no embeddings (shipped)": SHIPPED,
        "stems + prototypes (no English phrases)": SHIPPED[1:],
    }
    if args.embeddings:
        configs["with embeddings"] = [*SHIPPED, "embeddings"]
        configs["embeddings only"] = ["embeddings"]
    result = {
        "method": "5 folds grouped by target; a title, its translations and its target's other "
        "titles "
        "are never in the prototypes, stems or combiner that score it",
        "accuracy_percent": {
            name: accuracy_table(dev, held_out_predictions(scores, truth, names))
            for name, names in configs.items()
        },
    }
    out = ROOT / "bench" / "results" / "accuracy-multilingual.json"
    if args.embeddings:
        out = out.with_name("accuracy-multilingual-embeddings.json")
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result["accuracy_percent"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
