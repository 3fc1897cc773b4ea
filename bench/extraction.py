"""Benchmark the UPR Working Group report extractor against UPR Info.

Run: .venv/bin/python bench/extraction.py [--show-misses]

For every report in $QADAM_DATA_DIR/upr-wg-reports, parse it, take the UPR Info
rows for the same State ("To") and Working Group session, and match texts with
qadam.lib.upr_match.

* recall    = share of UPR Info recommendations, deduplicated by normalised text
              (UPR Info repeats a text once per recommending State), that some
              extracted recommendation matches;
* precision = share of extracted recommendations that match some UPR Info row.

The State and session come from the report itself (state_under_review, session),
not from the file name. Reports whose session UPR Info does not cover (its export
stops at session 18, plus Kazakhstan's session 20) are parsed and timed but left
out of the scores. Writes bench/results/extraction.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qadam.lib.records import ImportFormatError  # noqa: E402
from qadam.lib.text import normalise_for_match  # noqa: E402
from qadam.lib.upr_match import DEFAULT_THRESHOLD, match_records  # noqa: E402
from qadam.lib.upr_report import parse_upr_report  # noqa: E402

DATA_DIR = Path(os.environ.get("QADAM_DATA_DIR", ROOT.parent / "shared" / "data"))
RESULTS = ROOT / "bench" / "results" / "extraction.json"
MISSES_KEPT = 20  # per report and side, in the JSON

Row = dict[str, str]


@dataclass
class ReportScore:
    file: str
    seconds: float  # extraction (decode + parse) only
    error: str = ""
    symbol: str = ""
    state: str = ""
    session: str = ""
    extracted: int = 0
    problems: list[str] = field(default_factory=list)
    upr_info_to: str = ""
    upr_info: int | None = None  # distinct UPR Info texts; None when not covered
    upr_info_rows: int = 0
    match_seconds: float = 0.0
    matched_upr_info: int = 0
    matched_extracted: int = 0
    recall: float | None = None
    precision: float | None = None
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)


def load_upr_info(path: Path) -> dict[str, list[Row]]:
    """UPR Info rows grouped by session."""
    by_session: dict[str, list[Row]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_session[row["Session"].strip()].append(row)
    return by_session


def name_words(name: str) -> set[str]:
    words = normalise_for_match(name).replace("(", " ").replace(")", " ").split()
    return {word for word in words if word not in {"the", "of", "and", "republic", "state"}}


def upr_info_rows(
    state: str, session: str, by_session: dict[str, list[Row]]
) -> tuple[str, list[Row]]:
    """UPR Info's name for the reviewed State, and its rows for the session.

    UPR Info uses short names ("Tanzania", "Bolivia") where the report has the
    formal one: the UPR Info name whose words all occur in the report's name wins.
    """
    rows = by_session.get(session, [])
    wanted = name_words(state)
    names = {row["To"] for row in rows if name_words(row["To"]) and name_words(row["To"]) <= wanted}
    if not names:
        return "", []
    name = max(names, key=lambda candidate: len(name_words(candidate)))
    return name, [row for row in rows if row["To"] == name]


def measure(path: Path, by_session: dict[str, list[Row]]) -> ReportScore:
    data = path.read_bytes()
    started = time.perf_counter()
    try:
        result = parse_upr_report(data, path.name)
    except ImportFormatError as error:
        return ReportScore(path.name, time.perf_counter() - started, error=str(error))
    score = ReportScore(
        path.name,
        round(time.perf_counter() - started, 4),
        symbol=result.document.get("symbol", ""),
        state=result.document.get("state_under_review", ""),
        session=result.document.get("session", ""),
        extracted=len(result.records),
        problems=[str(problem) for problem in result.problems],
    )
    score.upr_info_to, rows = upr_info_rows(score.state, score.session, by_session)
    if not rows:
        return score
    unique: dict[str, str] = {}
    for row in rows:
        unique.setdefault(normalise_for_match(row["Text"]), row["Text"])
    truth = list(unique.values())
    extracted = [record.text for record in result.records]
    started = time.perf_counter()
    matching = match_records(extracted, truth, DEFAULT_THRESHOLD)
    score.match_seconds = round(time.perf_counter() - started, 4)
    score.upr_info, score.upr_info_rows = len(truth), len(rows)
    score.matched_upr_info = len(truth) - len(matching.unmatched_upr_info)
    score.matched_extracted = len(extracted) - len(matching.unmatched_report)
    score.recall = round(score.matched_upr_info / len(truth), 4)
    score.precision = round(score.matched_extracted / max(1, len(extracted)), 4)
    score.missed = [truth[j] for j in matching.unmatched_upr_info][:MISSES_KEPT]
    score.spurious = [
        f"{result.records[i].number}: {extracted[i]}" for i in matching.unmatched_report
    ][:MISSES_KEPT]
    return score


def summarise(scores: list[ReportScore]) -> dict[str, object]:
    scored = [score for score in scores if score.upr_info is not None]
    truth = sum(score.upr_info or 0 for score in scored)
    extracted = sum(score.extracted for score in scored)
    return {
        "reports": len(scores),
        "reports_scored": len(scored),
        "reports_failed": sum(1 for score in scores if score.error),
        "threshold": DEFAULT_THRESHOLD,
        "upr_info_recommendations": truth,
        "extracted_in_scored_reports": extracted,
        "recall": round(sum(s.matched_upr_info for s in scored) / truth, 4) if truth else None,
        "precision": (
            round(sum(s.matched_extracted for s in scored) / extracted, 4) if extracted else None
        ),
        "median_seconds_per_report": round(statistics.median(s.seconds for s in scores), 4),
        "median_match_seconds_per_report": (
            round(statistics.median(s.match_seconds for s in scored), 4) if scored else None
        ),
    }


def print_table(scores: list[ReportScore], summary: dict[str, object], show_misses: bool) -> None:
    print(f"{'report':26} {'session':>7} {'extr':>5} {'truth':>5} {'recall':>7} {'prec':>7}")
    for score in scores:
        if score.error:
            print(f"{score.file:26} ERROR {score.error}")
        elif score.recall is None or score.precision is None:
            print(f"{score.file:26} {score.session:>7} {score.extracted:>5}   (not in UPR Info)")
        else:
            print(
                f"{score.file:26} {score.session:>7} {score.extracted:>5} "
                f"{score.upr_info:>5} {score.recall:>7.3f} {score.precision:>7.3f}"
            )
        if show_misses:
            for text in score.missed:
                print(f"    MISSED   {text[:150]}")
            for text in score.spurious:
                print(f"    SPURIOUS {text[:150]}")
    print(
        f"\noverall recall {summary['recall']}, precision {summary['precision']} over "
        f"{summary['reports_scored']} scored reports ({summary['upr_info_recommendations']} "
        f"UPR Info recommendations); median {summary['median_seconds_per_report']} s per "
        f"report to extract, {summary['median_match_seconds_per_report']} s to match"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the UPR report extractor.")
    parser.add_argument("--show-misses", action="store_true", help="print unmatched texts")
    args = parser.parse_args()
    by_session = load_upr_info(DATA_DIR / "upr-info" / "recommendations.csv")
    paths = sorted((DATA_DIR / "upr-wg-reports").glob("*.txt"))
    scores = [measure(path, by_session) for path in paths]
    summary = summarise(scores)
    print_table(scores, summary, args.show_misses)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {"overall": summary, "reports": [asdict(score) for score in scores]}
    RESULTS.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
