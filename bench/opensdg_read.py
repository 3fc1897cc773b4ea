"""Time the statistics readers on the real data: kazstat-sdg and kz-stats.

Run: .venv/bin/python bench/opensdg_read.py [--repeats N]

* kazstat-sdg read from the folder (qadam.lib.opensdg.LocalSource);
* the same folder served by http.server on 127.0.0.1 and read through HttpSource,
  with 4 parallel requests (the default) and with 1;
* the kz-stats tables (qadam.lib.kzstats).

Each is run ``--repeats`` times in this process; the median is reported, with rows
read per second (kept + set aside), the counts of the first run, and whether the HTTP
read gave exactly the rows and problems of the local one. Writes
bench/results/opensdg-read.json.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qadam.lib import kzstats, opensdg  # noqa: E402

DATA_DIR = Path(os.environ.get("QADAM_DATA_DIR", ROOT.parent / "shared" / "data"))
RESULTS = ROOT / "bench" / "results" / "opensdg-read.json"
AIM_LOCAL_S = 5.0  # the whole kazstat-sdg from disk
AIM_HTTP_S = 15.0  # ... and over loopback HTTP


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    # The default backlog (5) drops parallel connections and costs 1 s SYN retries.
    request_queue_size = 128


def _timed(run: Callable[[], opensdg.Repository], repeats: int) -> tuple[list[float], Any]:
    times, first = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        repository = run()
        times.append(time.perf_counter() - start)
        first = first or repository
    return times, first


def _entry(times: list[float], repository: opensdg.Repository) -> dict[str, Any]:
    summary = repository.summary()
    rows = summary["rows_kept"] + summary["rows_set_aside"]
    median = statistics.median(times)
    return {
        "seconds_median": round(median, 3),
        "seconds_all": [round(t, 3) for t in times],
        "rows_read": rows,
        "rows_per_second": round(rows / median),
        "files_read": summary["files_read"],
        "summary": summary,
    }


def _same(a: opensdg.Repository, b: opensdg.Repository) -> bool:
    rows = [(d.code, d.rows) for d in a.indicators] == [(d.code, d.rows) for d in b.indicators]
    return rows and a.problems == b.problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sdg, stats = DATA_DIR / "kazstat-sdg", DATA_DIR / "kz-stats"
    if not sdg.is_dir() or not stats.is_dir():
        print(f"{DATA_DIR}: kazstat-sdg or kz-stats is missing (set QADAM_DATA_DIR)")
        return 1
    regions = set(kzstats.load_region_names())
    opensdg.load_known_quirks()  # parsed once, outside the timings

    def local() -> opensdg.Repository:
        return opensdg.read_repository(opensdg.LocalSource(sdg), regions=regions)

    server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(sdg)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    try:
        local_times, local_repo = _timed(local, args.repeats)
        results = {"local": _entry(local_times, local_repo)}
        for workers in (4, 1):

            def http(workers: int = workers) -> opensdg.Repository:
                source = opensdg.HttpSource(url, workers=workers)
                return opensdg.read_repository(source, regions=regions)

            times, repo = _timed(http, args.repeats)
            entry = _entry(times, repo)
            entry["same_as_local"] = _same(local_repo, repo)
            results[f"http_{workers}_workers"] = entry
    finally:
        server.shutdown()
        server.server_close()
    kz_times, kz_repo = _timed(lambda: kzstats.read_kz_stats(stats, regions=regions), args.repeats)
    results["kz_stats"] = _entry(kz_times, kz_repo)
    meets = (
        results["local"]["seconds_median"] <= AIM_LOCAL_S
        and results["http_4_workers"]["seconds_median"] <= AIM_HTTP_S
        and results["http_4_workers"]["same_as_local"]
        and results["http_1_workers"]["same_as_local"]
    )
    payload = {
        "aims": {
            "local_seconds": AIM_LOCAL_S,
            "http_seconds": AIM_HTTP_S,
            "http_same_as_local": True,
        },
        "meets_aim": meets,
        "repeats": args.repeats,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, entry in results.items():
        print(f"{name:18} {entry['seconds_median']:7.3f} s  {entry['rows_per_second']:>9,} rows/s")
    print(f"meets aim: {meets}; wrote {RESULTS.relative_to(ROOT)}")
    return 0 if meets else 1


if __name__ == "__main__":
    sys.exit(main())
