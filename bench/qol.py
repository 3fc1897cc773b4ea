"""Quality of life on the real data: the indicator imports, then the default standard.

    .venv/bin/python bench/qol.py [--import-repeats 3] [--compute-repeats 5] [--draws 1000]

In a throwaway SQLite database of its own (a temporary folder: ``DATABASE_URL``,
``QADAM_STATE_DIR`` and ``SECRET_KEY`` are set here, whatever the caller's are; DEBUG
off), with the real data of QADAM_DATA_DIR (default ../shared/data):

1. ``migrate`` and ``load_reference`` (regions and SDG terms);
2. **kazstat-sdg import** from its folder, ``qadam indicators import opensdg <folder>
   --force``: the first import into the empty database (``first``), then
   ``--import-repeats`` forced re-imports (each replaces the dataset in one
   transaction; their median is ``median_s``), rows per second (rows kept + set aside);
   then once over loopback HTTP (the same folder served by http.server in a thread on
   127.0.0.1); then the **kz-stats import** (``indicators import kz-stats <folder>``),
   first and median likewise;
3. the default standard, as ``qadam qol load-default`` saves it
   (``qadam.qol.actions.do_load_default``);
4. in a fresh process (as the worker that computes an evaluation), on the imported data:
   **``qadam.qol.actions.compute(version, draws=1000)``**, what an evaluation computes:
   the panel built from the database, every region and year scored, then 1,000 Monte
   Carlo draws and the Sobol indices (1,024 base samples, 5,120 model runs) for the
   latest year with verdicts. A first run, reported apart (``first_s``), then
   ``--compute-repeats`` timed runs: the median is the aim's figure (≤ 2 s). Then the
   engine alone (``qadam.lib.qol.evaluate`` + ``uncertainty`` on the panel from
   ``qadam.qol.panel.build_panel``), timed likewise; and the memory: the tracemalloc
   peak of one more compute and of one more engine run, and the process's maximum
   resident set before and after.

Writes bench/results/qol.json; exits 1 when the aim is missed or a check fails (every
one of the 20 regions has a verdict in the latest year; the HTTP import stores what the
folder's does): "meets_aim": false.
Nothing here is synthetic; nothing is written outside the temporary folder but the JSON.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qadam.settings")

DATA = Path(os.environ.get("QADAM_DATA_DIR", ROOT.parent / "shared" / "data"))
RESULTS = ROOT / "bench" / "results" / "qol.json"
COMPUTE_AIM_S = 2.0
SEED = 20251
STEP_TIMEOUT_S = 20 * 60


def main() -> int:
    args = _arguments()
    if args.compute_only:
        return _compute_only(args)
    missing = [p for p in (DATA / "kazstat-sdg", DATA / "kz-stats") if not p.is_dir()]
    if missing:
        where = ", ".join(map(str, missing))
        print(f"qol.py: no data in {where} (QADAM_DATA_DIR)", file=sys.stderr)
        return 2
    started = time.monotonic()
    generated_at = _now()
    with tempfile.TemporaryDirectory(prefix="qadam-bench-qol-") as tmp:
        env = _environment(Path(tmp))
        os.environ.update(env)
        import django

        django.setup()
        _prepare()
        result: dict[str, Any] = {
            "benchmark": "qol",
            "generated_at": generated_at,
            "database": "SQLite (throwaway file)",
            "data_dir": str(DATA),
            "machine": machine(),
            "imports": _imports(args.import_repeats),
        }
        version = _load_default()
        result["standard"] = version
        result["import_process_max_rss_mb"] = _max_rss_mb()
        _close_connections()
        result["compute"] = _compute_in_fresh_process(args, Path(tmp), env)
    result["finished_at"] = _now()
    result["wall_s"] = round(time.monotonic() - started, 1)
    result["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    compute_s = result["compute"]["compute"]["median_s"]
    latest, panel = result["compute"]["latest_year"], result["compute"]["panel"]
    result["aims"] = {"compute_s": COMPUTE_AIM_S}
    result["checks"] = {
        "every_region_has_a_verdict": latest["regions_with_verdict"] == panel["regions"],
        "http_import_same_counts": result["imports"]["kazstat-sdg over loopback HTTP"][
            "same_counts_as_folder"
        ],
    }
    result["meets_aim"] = bool(compute_s <= COMPUTE_AIM_S and all(result["checks"].values()))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    _print_summary(result)
    print(f"wrote {_shown(out)}")
    return 0 if result["meets_aim"] else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--import-repeats", type=int, default=3, help="forced re-imports")
    parser.add_argument("--compute-repeats", type=int, default=5)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--compute-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def _environment(tmp: Path) -> dict[str, str]:
    """Nothing of the developer's: a database, state folder and secret of the run's own."""
    return {
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "QADAM_STATE_DIR": str(tmp / "state"),
        "QADAM_DATA_DIR": str(DATA),
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DEBUG": "",  # DEBUG would keep every SQL query in memory
        "QADAM_PRODUCTION": "",
        "CONN_MAX_AGE": "0",
        "PYTHONHASHSEED": "0",
    }


def _prepare() -> None:
    from django.core.management import call_command

    with redirect_stdout(io.StringIO()):
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_reference", verbosity=0)


def _close_connections() -> None:
    from django.db import connections

    connections.close_all()


# -- 2. imports ------------------------------------------------------------------------------


def _imports(repeats: int) -> dict[str, Any]:
    kazstat, kzstats = DATA / "kazstat-sdg", DATA / "kz-stats"
    out: dict[str, Any] = {"kazstat-sdg": _timed_import("opensdg", str(kazstat), repeats)}
    with _served(kazstat) as url:
        http = _import_once("opensdg", url)
    http["origin"] = "http://127.0.0.1:<port>/ (http.server in a thread, this process)"
    local = out["kazstat-sdg"]["first"]
    http["same_counts_as_folder"] = all(
        http[key] == local[key] for key in ("indicators", "observations", "set_aside")
    )
    out["kazstat-sdg over loopback HTTP"] = http
    out["kz-stats"] = _timed_import("kz-stats", str(kzstats), repeats)
    return out


def _timed_import(kind: str, origin: str, repeats: int) -> dict[str, Any]:
    first = _import_once(kind, origin)
    runs = [_import_once(kind, origin) for _ in range(repeats)]
    median = statistics.median(r["seconds"] for r in runs)
    rows = first["rows"]
    return {
        "origin": _shown(Path(origin)),
        "command": f"qadam indicators import {kind} <folder> --force",
        "first": first,
        "repeats": repeats,
        "median_s": round(median, 3),
        "rows_per_s_median": round(rows / median) if median else None,
        "runs_s": [r["seconds"] for r in runs],
        "note": "first: into the empty database; median: of the forced re-imports, each "
        "replacing the dataset",
    }


def _import_once(kind: str, origin: str) -> dict[str, Any]:
    from django.core.management import call_command

    from qadam.indicators.models import ImportRun, Observation

    started, cpu = time.perf_counter(), time.process_time()
    with redirect_stdout(io.StringIO()):
        call_command("indicators", "import", kind, origin, "--force", verbosity=0)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    run = ImportRun.objects.order_by("-pk").first()
    assert run is not None
    counts = run.counts
    rows = int(counts.get("observations", 0)) + int(counts.get("set_aside", 0))
    return {
        "status": run.status,
        "seconds": round(seconds, 3),
        "python_cpu_s": round(cpu, 3),
        "rows": rows,
        "rows_per_s": round(rows / seconds) if seconds else None,
        "indicators": counts.get("indicators", 0),
        "observations": counts.get("observations", 0),
        "set_aside": counts.get("set_aside", 0),
        "flagged": counts.get("flagged", 0),
        "stored_observations": Observation.objects.filter(
            series__indicator__dataset__code=run.dataset_code
        ).count(),
    }


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    # The default backlog (5) drops parallel connections: 1 s SYN retries, not the reader.
    request_queue_size = 128


@contextmanager
def _served(folder: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _load_default() -> dict[str, Any]:
    from qadam.lib.qol import parse_standard
    from qadam.qol import actions

    started = time.perf_counter()
    version = actions.do_load_default()
    spec = parse_standard(version.document)
    return {
        "code": version.standard.code,
        "version": version.number,
        "components": len(spec.components),
        "indicators": len(spec.indicators),
        "load_default_s": round(time.perf_counter() - started, 3),
    }


# -- 4. compute, in a fresh process ----------------------------------------------------------


def _compute_in_fresh_process(args: argparse.Namespace, tmp: Path, env: dict[str, str]) -> Any:
    out = tmp / "compute.json"
    command = [
        sys.executable,
        __file__,
        "--compute-only",
        "--compute-repeats",
        str(args.compute_repeats),
        "--draws",
        str(args.draws),
        "--out",
        str(out),
    ]
    subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, check=True, timeout=STEP_TIMEOUT_S)
    return json.loads(out.read_text())


def _compute_only(args: argparse.Namespace) -> int:
    rss_before_setup = _max_rss_mb()
    import django

    django.setup()
    from django.conf import settings

    from qadam.lib import qol as engine
    from qadam.qol import actions
    from qadam.qol.models import Standard
    from qadam.qol.panel import build_panel

    standard = Standard.objects.get(code=settings.QADAM_QOL_STANDARD)
    version = standard.latest()
    assert version is not None
    rss_after_setup = _max_rss_mb()

    def compute() -> dict[str, Any]:
        return actions.compute(version, draws=args.draws, seed=SEED)

    first_s, result = _timed(compute)
    times = [_timed(compute)[0] for _ in range(args.compute_repeats)]
    compute_peak = _traced_peak_mb(compute)
    rss_after_compute = _max_rss_mb()

    spec = engine.parse_standard(version.document)
    panel_s, data = _timed(lambda: build_panel(spec))
    panel = data.panel
    year = result["year"]

    def engine_run() -> Any:
        engine.evaluate(spec, panel)
        return engine.uncertainty(spec, panel, year, draws=args.draws, seed=SEED)

    engine_first_s, ranks = _timed(engine_run)
    engine_times = [_timed(engine_run)[0] for _ in range(args.compute_repeats)]
    engine_peak = _traced_peak_mb(engine_run)

    latest = [row for row in result["results"] if row["year"] == year]
    indicators, regions, years = panel.values.shape
    facts = {
        "function": f"qadam.qol.actions.compute(version, draws={args.draws}, seed={SEED})",
        "panel": {
            "indicators": indicators,
            "regions": regions,
            "years": years,
            "first_year": panel.years[0] if panel.years else None,
            "last_year": panel.years[-1] if panel.years else None,
            "values_present": int((~_isnan(panel.values)).sum()),
            "cells": int(panel.values.size),
            "indicators_without_series": sorted(k for k, v in data.found.items() if not v),
        },
        "latest_year": {
            "year": year,
            "regions_with_verdict": sum(1 for r in latest if r["sufficient"] is not None),
            "sufficient": sum(1 for r in latest if r["sufficient"] is True),
            "not_sufficient": sum(1 for r in latest if r["sufficient"] is False),
            "ranked": len(ranks.regions),
            "wide_rank_intervals": int(ranks.wide.sum()),
            "sobol_total_effect": {
                k: v.get("ST") for k, v in result["uncertainty"]["sobol"].items()
            },
        },
        "draws": args.draws,
        "sobol_samples": 1024,
        "model_runs": args.draws + 1024 * 5,
        "compute": _spread(first_s, times, COMPUTE_AIM_S),
        "engine": {
            "function": "qadam.lib.qol.evaluate + qadam.lib.qol.uncertainty on the built panel",
            **_spread(engine_first_s, engine_times, None),
        },
        "build_panel_s": round(panel_s, 4),
        "memory": {
            "compute_tracemalloc_peak_mb": compute_peak,
            "engine_tracemalloc_peak_mb": engine_peak,
            "max_rss_mb_at_start": rss_before_setup,
            "max_rss_mb_after_django_setup": rss_after_setup,
            "max_rss_mb_after_compute": rss_after_compute,
            "note": "tracemalloc: Python and NumPy allocations of one run, at their peak; "
            "max RSS: this fresh process's high-water mark (VmHWM), after Django's setup "
            "and after all the compute runs (Django, NumPy and SciPy loaded)",
        },
    }
    Path(args.out).write_text(json.dumps(facts, indent=2, ensure_ascii=False) + "\n")
    return 0


def _isnan(values: Any) -> Any:
    import numpy as np

    return np.isnan(values)


def _spread(first_s: float, times: list[float], aim: float | None) -> dict[str, Any]:
    median = statistics.median(times)
    out: dict[str, Any] = {
        "first_s": round(first_s, 4),
        "median_s": round(median, 4),
        "min_s": round(min(times), 4),
        "max_s": round(max(times), 4),
        "runs_s": [round(t, 4) for t in times],
    }
    if aim is not None:
        out["aim_s"] = aim
        out["meets_aim"] = median <= aim
    return out


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _traced_peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 2**20, 2)


# -- reporting -------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """bench/scale.py's facts (cores, CPU, memory, Python, load) and the numeric stack."""
    import sqlite3

    import numpy as np
    import scipy
    from scale import machine as facts

    return {
        **facts(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sqlite": sqlite3.sqlite_version,
    }


def _max_rss_mb() -> float:
    """This process's peak resident set. VmHWM, not ru_maxrss: Linux carries ru_maxrss
    over fork and exec, so a child of the import process would report the parent's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _now() -> str:
    # UTC: django.setup() sets the process's TZ to settings.TIME_ZONE half-way through.
    return datetime.now(UTC).isoformat(timespec="seconds")


def _shown(path: Path) -> str:
    """A path relative to the repository or the data folder, never a home directory."""
    for base, prefix in ((ROOT, ""), (DATA, "$QADAM_DATA_DIR/")):
        try:
            return prefix + str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


def _print_summary(result: dict[str, Any]) -> None:
    imports = result["imports"]
    for name in ("kazstat-sdg", "kz-stats"):
        r = imports[name]
        print(
            f"{name} import: first {r['first']['seconds']:.2f} s, median {r['median_s']:.2f} s "
            f"of {r['repeats']} ({r['rows_per_s_median']:,} rows/s, {r['first']['rows']:,} rows)"
        )
    http = imports["kazstat-sdg over loopback HTTP"]
    seconds, rate = http["seconds"], http["rows_per_s"]
    print(f"kazstat-sdg over loopback HTTP: {seconds:.2f} s ({rate:,} rows/s)")
    c = result["compute"]
    p, y = c["panel"], c["latest_year"]
    aim = "ok" if c["compute"]["meets_aim"] else "MISSED"
    print(
        f"compute, {p['indicators']} indicators × {p['regions']} regions × {p['years']} years, "
        f"{c['draws']:,} draws + Sobol: median {c['compute']['median_s']:.3f} s "
        f"(first {c['compute']['first_s']:.3f} s; aim ≤ {COMPUTE_AIM_S} s: {aim}); engine "
        f"alone {c['engine']['median_s']:.3f} s; build_panel {c['build_panel_s']:.3f} s"
    )
    m = c["memory"]
    print(
        f"memory: tracemalloc peak {m['compute_tracemalloc_peak_mb']} MB (compute), "
        f"{m['engine_tracemalloc_peak_mb']} MB (engine); max RSS {m['max_rss_mb_after_compute']} MB"
    )
    print(f"{y['year']}: {y['regions_with_verdict']} of {p['regions']} regions with a verdict")


if __name__ == "__main__":
    sys.exit(main())
