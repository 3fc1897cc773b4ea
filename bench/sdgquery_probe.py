"""How well do SDG query hits alone classify the SDG Classification Benchmark?

Usage: .venv/bin/python bench/sdgquery_probe.py [benchmark.csv] [data_dir]

The benchmark (PyPI ``sdgclassification-benchmark``) labels 1,251 texts as addressing
(True) or not (False) one SDG each. Its metric is, per SDG, the accuracy of
"(sdg in predicted SDGs) == label", averaged over the 17 SDGs. A system predicts an SDG
when at least one of its queries for that goal hits the text. Also prints speed figures.
"""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path

from qadam.lib.ml.sdgquery import DEFAULT_SYSTEMS, GOALS, QuerySet

DEFAULT_CSV = "/tmp/pk/sdgb/sdgclassification/benchmark/resources/benchmark.csv"


def average_accuracy(rows: list[dict[str, str]], predicted: list[set[str]]) -> float:
    per_goal = []
    for goal in GOALS:
        pairs = [
            (goal in pred, row["label"] == "True")
            for row, pred in zip(rows, predicted, strict=True)
            if row["sdg"] == goal
        ]
        per_goal.append(sum(p == e for p, e in pairs) / len(pairs))
    return 100 * sum(per_goal) / len(per_goal)


def main() -> None:
    csv_path = Path(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_CSV)
    data_dir = Path(
        sys.argv[2] if len(sys.argv) > 2 else os.environ.get("QADAM_DATA_DIR", "/work/shared/data")
    )
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))

    started = time.perf_counter()
    queries = QuerySet.load(data_dir)
    print(f"load: {time.perf_counter() - started:.2f} s, {queries.count_by_system()}")

    started, cpu = time.perf_counter(), time.process_time()
    counts = [queries.goal_counts(row["text"]) for row in rows]
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"match: {len(rows)} texts in {elapsed:.2f} s wall, {cpu:.2f} s CPU")

    for system in (*DEFAULT_SYSTEMS, "union"):
        predicted = [
            {g for g, by in c.items() if system == "union" or system in by} for c in counts
        ]
        print(f"{system:16s} {average_accuracy(rows, predicted):5.1f}")
    predicted = [{g for g, by in c.items() if set(by) - {"sdgo"}} for c in counts]
    print(f"{'union w/o sdgo':16s} {average_accuracy(rows, predicted):5.1f}")
    print(f"{'predict none':16s} {average_accuracy(rows, [set() for _ in rows]):5.1f}")


if __name__ == "__main__":
    main()
