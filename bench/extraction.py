"""Benchmark the UPR Working Group report extractor against UPR Info.

Run: .venv/bin/python bench/extraction.py [--show-misses]

For every report in $QADAM_DATA_DIR/upr-wg-reports, parse it, take the UPR Info
rows for the same State ("To") and Working Group session, and match texts.

* recall    = share of UPR Info recommendations, deduplicated by normalised text
              (UPR Info repeats a text once per recommending State), that some
              extracted recommendation matches;
* precision = share of extracted recommendations that match some UPR Info row.

Reports whose session UPR Info does not cover (its export stops at session 18,
plus Kazakhstan's session 20) are parsed and timed but left out of the scores.
Writes bench/results/extraction.json.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qadam.lib.records import ImportFormatError, ParseResult  # noqa: E402
from qadam.lib.text import normalise_for_match  # noqa: E402
from qadam.lib.upr_match import DEFAULT_THRESHOLD, match_records  # noqa: E402
from qadam.lib.upr_report import parse_upr_report  # noqa: E402

DATA_DIR = Path(os.environ.get("QADAM_DATA_DIR", ROOT.parent / "shared" / "data"))
RESULTS = ROOT / "bench" / "results" / "extraction.json"
MISSES_KEPT = 15  # per report and side, in the JSON


def load_upr_info(path: Path) -> dict[str, list[dict[str, str]]]:
    """UPR Info rows grouped by session."""
    by_session: dict[str, list[dict[str, str]]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_session[row["Session"].strip()].append(row)
    return by_session


def state_key(name: str) -> set[str]:
    words = normalise_for_match(name).replace("(", " ").replace(")", " ").split()
    return {word for word in words if word not in {"the", "of", "and", "republic", "state"}}


def rows_for(
    result: ParseResult, by_session: dict[str, list[dict[str, str]]]
) -> tuple[str, list[dict[str, str]]]:
    """UPR Info's name for the reviewed State, and its rows for the session.

    UPR Info uses short names ("Tanzania", "Bolivia") where the report has the
    formal one: a UPR Info name whose words all occur in the report's name wins.
    """
    state = result.document.get("state_under_review", "")
    rows = by_session.get(result.document.get("session", ""), [])
    wanted = state_key(state)
    names = {row["To"] for row in rows}
    matching = [name for name in names if state_key(name) and state_key(name) <= wanted]
    if not matching:
        return "", []
    name = max(matching, key=lambda n: len(state_key(n)))
    return name, [row for row in rows if row["To"] == name]


def measure(path: Path, by_session: dict[str, list[dict[str, str]]]) -> dict[str, object]:
    data = path.read_bytes()
    started = time.perf_counter()
    try:
        result = parse_upr_report(data, path.name)
    except ImportFormatError as error:
        return {"file": path.name, "error": str(error), "seconds": time.perf_counter() - started}
    seconds = time.perf_counter() - started
    to, rows = rows_for(result, by_session)
    report: dict[str, object] = {
        "file": path.name,
        "symbol": result.document.get("symbol", ""),
        "state": result.document.get("state_under_review", ""),
        "session": result.document.get("session", ""),
        "extracted": len(result.records),
        "problems": [str(problem) for problem in result.problems],
        "seconds": round(seconds, 4),
    }
    if not rows:
        report["upr_info"] = None
        return report
    unique: dict[str, str] = {}
    for row in rows:
        unique.setdefault(normalise_for_match(row["Text"]), row["Text"])
    truth = list(unique.values())
    extracted = [record.text for record in result.records]
    matching = match_records(extracted, truth, DEFAULT_THRESHOLD)
    report.update(
        {
            "upr_info_to": to,
            "upr_info": len(truth),
            "upr_info_rows": len(rows),
            "recall": round(1 - len(matching.unmatched_upr_info) / len(truth), 4),
            "precision": round(1 - len(matching.unmatched_report) / max(1, len(extracted)), 4),
            "missed": [truth[j] for j in matching.unmatched_upr_info][:MISSES_KEPT],
            "spurious": [
                f"{result.records[i].number}: {extracted[i]}" for i in matching.unmatched_report
            ][:MISSES_KEPT],
            "_counts": (
                len(truth) - len(matching.unmatched_upr_info),
                len(truth),
                len(extracted) - len(matching.unmatched_report),
                len(extracted),
            ),
        }
    )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show-misses", action="store_true", help="print unmatched texts")
    args = parser.parse_args()
    reports_dir = DATA_DIR / "upr-wg-reports"
    by_session = load_upr_info(DATA_DIR / "upr-info" / "recommendations.csv")
    reports = [measure(path, by_session) for path in sorted(reports_dir.glob("*.txt"))]
    summary = summarise(reports)
    print_table(reports, summary, args.show_misses)
    for report in reports:
        report.pop("_counts", None)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {"overall": summary, "reports": reports}
    RESULTS.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


def summarise(reports: list[dict[str, object]]) -> dict[str, object]:
    scored = [report["_counts"] for report in reports if "_counts" in report]
    hit_truth = sum(c[0] for c in scored)  # type: ignore[index]
    truth = sum(c[1] for c in scored)  # type: ignore[index]
    hit_extracted = sum(c[2] for c in scored)  # type: ignore[index]
    extracted = sum(c[3] for c in scored)  # type: ignore[index]
    return {
        "reports": len(reports),
        "reports_scored": len(scored),
        "reports_failed": sum(1 for report in reports if "error" in report),
        "threshold": DEFAULT_THRESHOLD,
        "upr_info_recommendations": truth,
        "extracted_in_scored_reports": extracted,
        "recall": round(hit_truth / truth, 4) if truth else None,
        "precision": round(hit_extracted / extracted, 4) if extracted else None,
        "median_seconds_per_report": round(
            statistics.median(float(report["seconds"]) for report in reports),
            4,  # type: ignore[arg-type]
        ),
    }


def print_table(
    reports: list[dict[str, object]], summary: dict[str, object], show_misses: bool
) -> None:
    print(f"{'report':26} {'session':>7} {'extr':>5} {'truth':>5} {'recall':>7} {'prec':>7}")
    for report in reports:
        if "error" in report:
            print(f"{report['file']:26} ERROR {report['error']}")
            continue
        truth = report.get("upr_info")
        if truth is None:
            print(
                f"{report['file']:26} {report['session']:>7} {report['extracted']:>5} (no UPR Info)"
            )
            continue
        print(
            f"{report['file']:26} {report['session']:>7} {report['extracted']:>5} "
            f"{truth:>5} {report['recall']:>7.3f} {report['precision']:>7.3f}"
        )
        if show_misses:
            for text in report["missed"]:  # type: ignore[attr-defined]
                print(f"    MISSED   {str(text)[:150]}")
            for text in report["spurious"]:  # type: ignore[attr-defined]
                print(f"    SPURIOUS {str(text)[:150]}")
    print(
        f"\noverall recall {summary['recall']}, precision {summary['precision']} over "
        f"{summary['reports_scored']} scored reports ({summary['upr_info_recommendations']} "
        f"UPR Info recommendations); median {summary['median_seconds_per_report']} s per report"
    )


if __name__ == "__main__":
    main()
