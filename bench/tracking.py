"""The tracking benchmark: dashboards, work queue and list pages at scale, over HTTP.

    .venv/bin/python bench/tracking.py [--quick] [--strict] [--only sqlite|postgresql]

Per database, in a throwaway database of its own (a temporary SQLite file through
DATABASE_URL; a temporary PostgreSQL server from scripts/with-postgres.sh), with its
own QADAM_STATE_DIR and SECRET_KEY, never the developer's ``var/``:

1. ``migrate`` and ``load_reference`` (the real institutions);
2. 250,000 synthetic recommendations (bench/synthetic.py, the registry benchmark's
   generator, through the real importer), then in bulk (bench/tracking_data.py)
   50,000 synthetic actions in 20 synthetic plans with lead and co-executor
   institutions, deadlines over 2015-2030, budgets in KZT and USD and links to 1-5
   recommendations each, 200,000 progress updates in every state, evidence rows,
   the derived assessments and an audit event per object. ``--quick``: a tenth;
3. on PostgreSQL ``VACUUM ANALYZE`` (what autovacuum does after a bulk load);
4. in a fresh process, serve the site with wsgiref on 127.0.0.1 (DEBUG off,
   CONN_MAX_AGE=600) and ask every page of bench/tracking_pages.py as its persona
   (session cookie, or API token for the API): one unmeasured warm-up pass, then up
   to ``--repeats`` timed passes (20; 5 with --quick). p50 and p95 per page (aim:
   p95 <= 150 ms) and the SQL queries each request made.

Writes bench/results/tracking.json (tracking-quick.json with --quick). Exits non-zero
when a run fails, and, with --strict only, when a page misses the aim.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qadam.settings")

DATABASES = ("sqlite", "postgresql")
STEP_TIMEOUT_S = 25 * 60  # a full run per database takes a few minutes; this bounds a hang
SERVE_BUDGET_S = 240.0  # timed passes stop early (after 5) once this is spent
COLD_REPEATS = 5  # dashboards right after a write: seconds each at full scale
SEED = 20260301


# -- the entry point: one throwaway database per vendor ---------------------------------------


def run(
    quick: bool = False, only: tuple[str, ...] = DATABASES, repeats: int | None = None
) -> dict[str, Any]:
    """Run the benchmark on each database and write the results JSON; returns it."""
    started = time.monotonic()
    repeats = repeats or (5 if quick else 20)
    databases = {vendor: _one_database(vendor, quick, repeats) for vendor in only}
    results = {
        "benchmark": "tracking",
        "quick": quick,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "wall_s": round(time.monotonic() - started, 1),
        "aims": {
            "p95_ms": "<= 150 per page and database",
            "meets_aim": "every page, figures of an unchanged database (dashboards cached)",
            "after_write_meets_aim": "the dashboards right after a write (counted again)",
        },
        "method": (
            "wsgiref server in a thread on 127.0.0.1, DEBUG off, CONN_MAX_AGE=600; one "
            "warm-up pass, then timed passes over every page; nearest-rank p50/p95 of the "
            "client's time from request to last byte; SQL queries and the server thread's "
            "CPU time counted on the server"
        ),
        "meets_aim": all(bool(r.get("meets_aim")) for r in databases.values()),
        "after_write_meets_aim": all(
            bool(r.get("after_write_meets_aim")) for r in databases.values()
        ),
        "databases": databases,
    }
    name = "tracking-quick.json" if quick else "tracking.json"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / name).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print_table(results)
    print(f"wrote bench/results/{name}")
    return results


def _one_database(vendor: str, quick: bool, repeats: int) -> dict[str, Any]:
    print(f"== tracking, {vendor}", flush=True)
    with tempfile.TemporaryDirectory(prefix=f"qadam-bench-tracking-{vendor}-") as tmp:
        out = Path(tmp) / "result.json"
        command = [
            sys.executable,
            __file__,
            "--worker",
            "--repeats",
            str(repeats),
            "--out",
            str(out),
        ]
        if quick:
            command.append("--quick")
        env = _environment(Path(tmp))
        if vendor == "postgresql":
            command = [str(ROOT / "scripts" / "with-postgres.sh"), *command]
        else:
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        started = time.monotonic()
        try:
            done = subprocess.run(command, cwd=ROOT, env=env, timeout=STEP_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {STEP_TIMEOUT_S} s", "meets_aim": False}
        if done.returncode != 0 or not out.exists():
            return {
                "error": f"bench/tracking.py --worker exited with {done.returncode}",
                "meets_aim": False,
            }
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
            "CONN_MAX_AGE": "600",  # persistent connections, as in production
            "PYTHONHASHSEED": "0",
        }
    )
    return env


def print_table(results: dict[str, Any]) -> None:
    print(f"{'database':11} {'page':36} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'SQL':>5}  aim")
    for vendor, r in results["databases"].items():
        if "error" in r:
            print(f"{vendor:11} {r['error']}")
            continue
        pages = {**r["http"]["pages"], **r["http"].get("after_write", {}).get("pages", {})}
        for key, p in pages.items():
            aim = "ok" if p["meets_aim"] else "MISSED"
            print(
                f"{vendor:11} {key:36} {p['p50_ms']:>8} {p['p95_ms']:>8} "
                f"{p['server_cpu_p50_ms']:>8} {p['sql_queries']['median']:>5}  {aim}"
            )


# -- the worker: build, then serve from a fresh process ------------------------------------


def _worker(args: argparse.Namespace) -> int:
    import django

    django.setup()
    import tracking_data as data
    from django.db import connection

    if _refuse():
        return 2
    sizes = data.sizes(args.quick)
    with redirect_stdout(io.StringIO()):
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_reference", verbosity=0)
    result: dict[str, Any] = {"database": _database_facts(connection), "machine": machine()}
    build: dict[str, Any] = {"sizes": sizes}
    build["recommendations"] = data.import_recommendations(sizes["recommendations"], SEED)
    build["tracking"] = data.build_tracking(sizes["actions"], sizes["updates"], SEED)
    started = time.perf_counter()
    build["after_load"] = data.settle(connection)
    build["after_load_seconds"] = round(time.perf_counter() - started, 1)
    build["counts"] = data.counts()
    result["build"] = build
    connection.close()
    serve_out = Path(args.out).with_suffix(".serve.json")
    command = [
        sys.executable,
        __file__,
        "--serve",
        "--repeats",
        str(args.repeats),
        "--out",
        str(serve_out),
    ]
    subprocess.run(command, check=True, timeout=STEP_TIMEOUT_S)
    result.update(json.loads(serve_out.read_text()))
    result["machine"]["load_average_after"] = machine()["load_average"]
    result["meets_aim"] = all(p["meets_aim"] for p in result["http"]["pages"].values())
    result["after_write_meets_aim"] = all(
        p["meets_aim"] for p in result["http"]["after_write"]["pages"].values()
    )
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


def _serve(args: argparse.Namespace) -> int:
    """A fresh process, as a web worker that built nothing would be."""
    import django

    django.setup()
    import server
    import tracking_pages
    from django.db import connection

    facts = tracking_pages.targets()
    todo = tracking_pages.pages(facts)
    connection.close()
    httpd = server.start()
    try:
        http = tracking_pages.measure(
            httpd.base, todo, args.repeats, SERVE_BUDGET_S, min(args.repeats, COLD_REPEATS)
        )
    finally:
        httpd.stop()
    http["server"] = "wsgiref, one thread, 127.0.0.1; DEBUG off; CONN_MAX_AGE=" + os.environ.get(
        "CONN_MAX_AGE", "0"
    )
    http["repeats_asked"] = args.repeats
    Path(args.out).write_text(json.dumps({"targets": facts, "http": http}, indent=2) + "\n")
    return 0


def _refuse() -> bool:
    """A safety net: the benchmark writes a million rows; only into an empty database."""
    from django.db import connection
    from django.db.utils import DatabaseError

    try:
        from qadam.registry.models import Recommendation

        if Recommendation.objects.exists():
            print(
                "tracking.py: the database already holds recommendations; refusing", file=sys.stderr
            )
            return True
    except DatabaseError:
        connection.close()  # no tables yet: a fresh database
    return False


def _database_facts(connection: Any) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sqlite_version()" if connection.vendor == "sqlite" else "SELECT version()"
        )
        version = cursor.fetchone()[0]
    return {"vendor": connection.vendor, "version": version}


def machine() -> dict[str, Any]:
    cpu, memory_kb = "", 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


# -- command line ------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows, 5 passes")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a page misses the aim")
    parser.add_argument("--only", action="append", choices=DATABASES)
    parser.add_argument(
        "--repeats", type=int, default=None, help="timed passes (20; 5 with --quick)"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return _worker(args)
    if args.serve:
        return _serve(args)
    results = run(args.quick, tuple(args.only or DATABASES), args.repeats)
    failed = any("error" in r for r in results["databases"].values())
    if failed:
        return 1
    return 1 if args.strict and not results["meets_aim"] else 0


if __name__ == "__main__":
    sys.exit(main())
