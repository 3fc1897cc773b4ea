"""``make bench``: every benchmark, one entry point.

    .venv/bin/python bench/run.py [--quick] [--only sqlite|postgresql|extraction|accuracy|qol]

* extraction: bench/extraction.py (UPR report extractor against UPR Info), which
  writes bench/results/extraction.json itself;
* scale, once per database, each in a throwaway database of its own: a temporary
  SQLite file, and a temporary PostgreSQL server (scripts/with-postgres.sh). See
  bench/scale.py. 250,000 rows, or 20,000 with --quick (a smoke test).

* accuracy: the six labelling evaluations of docs/accuracy.md (accuracy_labels.py:
  UPR Info issues, OHCHR lists, speed and size; accuracy_sdg.py: the SDG Classification
  Benchmark; accuracy_multilingual.py: SDG titles in en/ru/kk; accuracy_overlap.py: the
  Kazakhstan overlap gold set), each writing bench/results/accuracy-*.json;
* qol: quality of life and the indicators, on the real data of QADAM_DATA_DIR, each
  script writing its own bench/results/*.json: qol.py (kazstat-sdg and kz-stats imports
  and the default standard's evaluation with 1,000 draws and Sobol indices, in a
  throwaway SQLite database; aim ≤ 2 s), qol_engine.py (the engine on a synthetic panel),
  svgmap_render.py (maps and line charts), opensdg_read.py (the statistics readers;
  skipped with a note when absent) and qol_default_analysis.py (re-derives the default
  standard's numbers: a check, not a timing);
* tracking, only when asked (``--only tracking``): bench/tracking.py, which writes its
  own results; it takes far longer than the rest, so ``make bench`` leaves it out.

Writes bench/results/scale.json (scale-quick.json with --quick) and exits non-zero
when a benchmark fails or misses an aim ("meets_aim": false in the JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = sys.executable
STEP_TIMEOUT_S = 30 * 60  # a full scale run takes a few minutes; this only bounds a hang
DATABASES = ("sqlite", "postgresql")
ACCURACY = (
    "accuracy_labels.py",
    "accuracy_sdg.py",
    "accuracy_multilingual.py",
    "accuracy_overlap.py",
)
QOL = (
    "qol.py",
    "qol_engine.py",
    "svgmap_render.py",
    "opensdg_read.py",
    "qol_default_analysis.py",
)


def main() -> int:
    args = _arguments()
    only = set(args.only or ("extraction", "accuracy", "qol", *DATABASES))
    started = time.monotonic()
    results: dict[str, Any] = {}
    ok = True
    if "extraction" in only:
        ok &= _script("extraction.py", [])
    if "accuracy" in only:
        for name in ACCURACY:
            ok &= _script(name, [])
    if "qol" in only:
        for name in QOL:
            ok &= _script(name, [])
    if "tracking" in only:
        ok &= _script("tracking.py", ["--quick"] if args.quick else [])
    scale: dict[str, Any] = {}
    for vendor in DATABASES:
        if vendor in only:
            scale[vendor] = _scale(vendor, args.quick)
            ok &= bool(scale[vendor].get("meets_aim"))
    if scale:
        results = _summary(scale, args.quick, time.monotonic() - started)
        name = "scale-quick.json" if args.quick else "scale.json"
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / name).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        _print_table(results)
        print(f"wrote bench/results/{name}")
    return 0 if ok else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run the benchmarks.")
    parser.add_argument("--quick", action="store_true", help="20,000 rows, 3 repeats")
    parser.add_argument(
        "--only", action="append", choices=("extraction", "accuracy", "qol", "tracking", *DATABASES)
    )
    return parser.parse_args()


def _script(name: str, arguments: list[str]) -> bool:
    """Run another benchmark script of bench/ as it runs by itself."""
    script = BENCH / name
    if not script.exists():
        print(f"bench/{name} is missing: skipped")
        return True
    print(f"== {script.stem}", flush=True)
    command = [PYTHON, str(script), *arguments]
    done = subprocess.run(command, cwd=ROOT, timeout=STEP_TIMEOUT_S, check=False)
    return done.returncode == 0


def _scale(vendor: str, quick: bool) -> dict[str, Any]:
    """Run bench/scale.py in a fresh process against a throwaway database of its own."""
    print(f"== scale, {vendor}", flush=True)
    rows, batch, repeats = (20_000, 10_000, 3) if quick else (250_000, 25_000, 10)
    with tempfile.TemporaryDirectory(prefix=f"qadam-bench-{vendor}-") as tmp:
        out = Path(tmp) / "result.json"
        command = [
            PYTHON,
            str(BENCH / "scale.py"),
            "--rows",
            str(rows),
            "--batch",
            str(batch),
            "--repeats",
            str(repeats),
            "--out",
            str(out),
        ]
        env = _environment(Path(tmp))
        if vendor == "postgresql":
            command = [str(ROOT / "scripts" / "with-postgres.sh"), *command]
        else:
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, env=env, timeout=STEP_TIMEOUT_S, check=False)
        if done.returncode != 0 or not out.exists():
            return {"error": f"bench/scale.py exited with {done.returncode}", "meets_aim": False}
        result: dict[str, Any] = json.loads(out.read_text())
        result["wall_s"] = round(time.monotonic() - started, 1)
        return result


def _environment(tmp: Path) -> dict[str, str]:
    """Nothing of the developer's: a state folder, secret and database of the run's own."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        {
            "QADAM_STATE_DIR": str(tmp / "state"),
            "SECRET_KEY": secrets.token_urlsafe(32),
            "DEBUG": "",
            "QADAM_PRODUCTION": "",
            # Persistent connections, as a production deployment runs.
            "CONN_MAX_AGE": "600",
            "PYTHONHASHSEED": "0",
        }
    )
    return env


def _summary(scale: dict[str, Any], quick: bool, seconds: float) -> dict[str, Any]:
    return {
        "benchmark": "scale",
        "quick": quick,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "wall_s": round(seconds, 1),
        "aims": {"import_rows_per_s": ">= 5000", "p95_ms": "<= 100 per page and database"},
        "meets_aim": all(bool(r.get("meets_aim")) for r in scale.values()),
        "databases": scale,
    }


def _print_table(results: dict[str, Any]) -> None:
    print(
        f"{'database':12} {'import rows/s':>14} {'page':5} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'SQL/req':>8}  aim"
    )
    for vendor, r in results["databases"].items():
        if "error" in r:
            print(f"{vendor:12} {r['error']}")
            continue
        for page, p in r["http"]["pages"].items():
            aim = "ok" if p["meets_aim"] and r["import"]["meets_aim"] else "MISSED"
            print(
                f"{vendor:12} {r['import']['rows_per_s']:>14} {page:5} {p['p50_ms']:>8} "
                f"{p['p95_ms']:>8} {p['sql_queries_per_request']['median']:>8}  {aim}"
            )


if __name__ == "__main__":
    sys.exit(main())
