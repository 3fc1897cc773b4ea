"""Build the overlap gold set: pairs of Kazakhstan's UPR recommendations labelled
``same`` (one action would answer both) or ``different``.

Run: .venv/bin/python bench/gold_overlap.py [--show-unlabelled]

Reads $QADAM_DATA_DIR/upr-info/recommendations.csv (rows with To == "Kazakhstan":
session 7, 2010, and session 20, 2014) and writes bench/overlap_gold.csv with the
columns a_session,a_from,a_text,b_session,b_from,b_text,label,how.

Sampling (seeded, so a rerun writes the same file):

* rule/same: every pair whose normalised texts are equal or nearly so
  (qadam.lib.text.similarity >= 0.95);
* rule/different: RULE_DIFFERENT pairs drawn at random among those that share no
  UPR Info issue and whose plain TF-IDF cosine is below 0.05;
* hand: pairs that share at least one UPR Info issue, drawn at random in four bands
  of plain TF-IDF cosine (English stop words only, none of the overlap detector's
  folding) and in equal numbers cross-cycle and within-cycle. Their labels are read
  by a person; the decisions live in bench/overlap_gold.csv itself and are carried
  over on a rerun, keyed by the pair (both sessions, States and texts). A pair
  without a decision is written with an empty label and the script exits 1.

The baseline for the bands is deliberately not the detector under test, so the
sample is not shaped by the scores it is used to judge.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import os
import random
import sys
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qadam.lib.text import normalise_for_match, similarity  # noqa: E402

GOLD = ROOT / "bench" / "overlap_gold.csv"
COLUMNS = ["a_session", "a_from", "a_text", "b_session", "b_from", "b_text", "label", "how"]
SEED = 20100214
RULE_DIFFERENT = 100
# (low, high) plain cosine bands and how many pairs to draw from each, half of
# them cross-cycle and half within a cycle.
HAND_BANDS = ((0.15, 0.30, 60), (0.30, 0.45, 70), (0.45, 0.60, 70), (0.60, 1.01, 80))
NEAR_IDENTICAL = 0.95


def data_dir() -> Path:
    return Path(os.environ.get("QADAM_DATA_DIR", ROOT.parent / "shared" / "data"))


def load_kazakhstan() -> list[dict[str, str]]:
    path = data_dir() / "upr-info" / "recommendations.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["To"] == "Kazakhstan"]
    for row in rows:
        row["Text"] = row["Text"].strip()
    return rows


def pair_key(
    a_session: str, a_from: str, a_text: str, b_session: str, b_from: str, b_text: str
) -> str:
    left = f"{a_session}\t{a_from}\t{a_text.strip()}"
    right = f"{b_session}\t{b_from}\t{b_text.strip()}"
    first, second = sorted((left, right))
    return hashlib.sha1(f"{first}\n{second}".encode()).hexdigest()[:16]


def issues(row: dict[str, str]) -> set[str]:
    return {part.strip() for part in row["Issue"].split(",") if part.strip()}


def candidates(rows: list[dict[str, str]]) -> list[tuple[int, int, str, str]]:
    """(i, j, how, rule label or "") for every sampled pair, i < j, in a fixed order."""
    texts = [row["Text"] for row in rows]
    plain = TfidfVectorizer(stop_words="english").fit_transform(texts)
    cosine = (plain @ plain.T).toarray()
    normal = [normalise_for_match(t) for t in texts]

    rule_same: list[tuple[int, int]] = []
    rule_diff_pool: list[tuple[int, int]] = []
    hand_pool: dict[tuple[int, bool], list[tuple[int, int]]] = {}
    for i, j in itertools.combinations(range(len(rows)), 2):
        if normal[i] == normal[j] or (
            cosine[i, j] >= 0.8 and similarity(texts[i], texts[j]) >= NEAR_IDENTICAL
        ):
            rule_same.append((i, j))
            continue
        shared = issues(rows[i]) & issues(rows[j])
        if not shared:
            if cosine[i, j] < 0.05:
                rule_diff_pool.append((i, j))
            continue
        cross = rows[i]["Session"] != rows[j]["Session"]
        for band, (low, high, _count) in enumerate(HAND_BANDS):
            if low <= cosine[i, j] < high:
                hand_pool.setdefault((band, cross), []).append((i, j))
    rng = random.Random(SEED)
    out = [(i, j, "rule", "same") for i, j in rule_same]
    out += [(i, j, "rule", "different") for i, j in rng.sample(rule_diff_pool, RULE_DIFFERENT)]
    for band, (_low, _high, count) in enumerate(HAND_BANDS):
        for cross in (True, False):
            pool = hand_pool.get((band, cross), [])
            want = count // 2
            out += [(i, j, "hand", "") for i, j in rng.sample(pool, min(want, len(pool)))]
    return out


def read_decisions() -> dict[str, str]:
    if not GOLD.exists():
        return {}
    with GOLD.open(encoding="utf-8", newline="") as handle:
        return {
            pair_key(*(r[c] for c in COLUMNS[:6])): r["label"]
            for r in csv.DictReader(handle)
            if r["how"] == "hand" and r["label"]
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--show-unlabelled",
        action="store_true",
        help="print the hand pairs still without a label, numbered",
    )
    args = parser.parse_args()
    rows = load_kazakhstan()
    decisions = read_decisions()
    out_rows: list[dict[str, str]] = []
    unlabelled = 0
    for i, j, how, label in candidates(rows):
        a, b = rows[i], rows[j]
        record = {
            "a_session": a["Session"],
            "a_from": a["From"],
            "a_text": a["Text"],
            "b_session": b["Session"],
            "b_from": b["From"],
            "b_text": b["Text"],
            "label": label,
            "how": how,
        }
        if how == "hand":
            record["label"] = decisions.get(pair_key(*(record[c] for c in COLUMNS[:6])), "")
            if not record["label"]:
                unlabelled += 1
                if args.show_unlabelled:
                    print(f"[{len(out_rows)}] A: {a['Text']}\n    B: {b['Text']}\n")
        out_rows.append(record)
    with GOLD.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out_rows)
    counts: dict[tuple[str, str], int] = {}
    for r in out_rows:
        counts[(r["how"], r["label"] or "?")] = counts.get((r["how"], r["label"] or "?"), 0) + 1
    print(
        f"wrote {len(out_rows)} pairs to {GOLD.relative_to(ROOT)}: "
        + ", ".join(f"{how}/{label} {n}" for (how, label), n in sorted(counts.items()))
    )
    if unlabelled:
        print(f"{unlabelled} hand pairs have no label yet", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
