"""Scale benchmark on one throwaway database (DATABASE_URL): import, then serve and time.

1. migrate and load the reference data into the (empty, throwaway) database;
2. import ``--rows`` synthetic recommendations (bench/synthetic.py) through the real
   importer, ``qadam.registry.actions.do_import_parsed``, ``--batch`` rows per run,
   and time each run: rows per second;
3. in a fresh process (a web worker that did no import), serve the site with wsgiref
   on 127.0.0.1 and ask the web list page and the API list (with facets) every query
   of bench/workload.py: one unmeasured first pass (it builds the list snapshot;
   reported as ``first_pass``), then ``--repeats`` timed passes; report p50 and p95
   per page, and per query, with SQL queries per request;
4. check that every query's result count equals a plain SQL count.

Run through bench/run.py, which makes the throwaway databases; never point this at a
database you care about: it refuses one that already holds recommendations.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qadam.settings")

IMPORT_AIM_ROWS_PER_S = 5000
P95_AIM_MS = 100.0


def main() -> int:
    args = _arguments()
    import django

    django.setup()
    if args.serve_only:
        return _serve_only(args)
    from django.db import connection

    if _refuse(connection):
        return 2
    _prepare()
    result: dict[str, Any] = {"database": _database_facts(connection), "machine": machine()}
    result["import"] = import_rows(args.rows, args.batch, args.seed)
    result["data"] = _data_facts()
    result["after_import"] = _settle(connection)
    connection.close()
    result.update(_served(args))
    result["machine"]["load_average_after"] = machine()["load_average"]
    result["meets_aim"] = bool(
        result["import"]["meets_aim"]
        and all(p["meets_aim"] for p in result["http"]["pages"].values())
        and result["consistency"]["matches_sql"]
    )
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


def _served(args: argparse.Namespace) -> dict[str, Any]:
    """Time the site from a fresh process, as a web worker that did no import would be."""
    out = Path(args.out).with_suffix(".serve.json")
    command = [
        sys.executable,
        __file__,
        "--serve-only",
        "--repeats",
        str(args.repeats),
        "--out",
        str(out),
    ]
    subprocess.run(command, check=True, timeout=20 * 60)
    served: dict[str, Any] = json.loads(out.read_text())
    return served


def _serve_only(args: argparse.Namespace) -> int:
    result = {"http": serve_and_time(args.repeats), "consistency": consistency()}
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument("--batch", type=int, default=25_000)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--out", required=True)
    parser.add_argument("--serve-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def _refuse(connection: Any) -> bool:
    """A safety net: the benchmark writes 250k rows; only into an empty database."""
    from django.db.utils import DatabaseError

    try:
        from qadam.registry.models import Recommendation

        if Recommendation.objects.exists():
            print("scale.py: the database already holds recommendations; refusing", file=sys.stderr)
            return True
    except DatabaseError:
        connection.close()  # no tables yet: a fresh database
    return False


def _prepare() -> None:
    from django.core.management import call_command

    with redirect_stdout(io.StringIO()):
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_reference", verbosity=0)


# -- 2. import ------------------------------------------------------------------------------


def import_rows(rows: int, batch: int, seed: int) -> dict[str, Any]:
    import synthetic
    from django.conf import settings

    from qadam.registry.actions import do_import_parsed
    from qadam.taxonomy.models import Term

    themes = list(Term.objects.filter(taxonomy__code="ohchr-theme").values_list("code", flat=True))
    goals = list(Term.objects.filter(taxonomy__code="sdg-goal").values_list("code", flat=True))
    csv_path = Path(settings.QADAM_DATA_DIR) / "upr-info" / "recommendations.csv"
    source = synthetic.load_source(csv_path, themes, goals)
    rng = random.Random(seed)
    runs = []
    for run, start in enumerate(range(0, rows, batch), start=1):
        parsed = synthetic.batch(source, run, min(batch, rows - start), rng)
        started, cpu_started = time.perf_counter(), time.process_time()
        report = do_import_parsed("upr-info", parsed, f"synthetic-{run:02d}.csv", skip_invalid=True)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        counts = report.counts
        runs.append(
            {
                "run": run,
                "rows": len(parsed.records),
                "seconds": round(seconds, 2),
                "python_cpu_s": round(cpu, 2),
                "rows_per_s": round(len(parsed.records) / seconds),
                **counts,
            }
        )
        print(
            f"  import run {run}: {len(parsed.records)} rows in {seconds:.1f} s "
            f"({len(parsed.records) / seconds:.0f} rows/s) {counts}",
            flush=True,
        )
    total_rows = sum(r["rows"] for r in runs)
    total_seconds = sum(r["seconds"] for r in runs)
    rate = total_rows / total_seconds if total_seconds else 0.0
    return {
        "path": "qadam.registry.actions.do_import_parsed (kind upr-info), one transaction per run",
        "synthetic": "UPR Info rows resampled with replacement; documents SYNTHETIC/<run>/"
        "<session>/<state>; plus a random OHCHR theme and SDG goal per row, "
        "label source 'synthetic'",
        "batch": batch,
        "rows": total_rows,
        "seconds": round(total_seconds, 1),
        "rows_per_s": round(rate),
        # Rows per second of this process's CPU (the database server's excluded): what
        # the importer costs in Python, steadier than wall time on a loaded machine.
        "rows_per_python_cpu_s": round(
            total_rows / max(sum(r["python_cpu_s"] for r in runs), 1e-9)
        ),
        "aim_rows_per_s": IMPORT_AIM_ROWS_PER_S,
        "meets_aim": rate >= IMPORT_AIM_ROWS_PER_S,
        "runs": runs,
    }


def _data_facts() -> dict[str, int]:
    from qadam.registry.models import Label, Recommendation, SourceDocument

    through = Recommendation.recommending_states.through
    return {
        "recommendations": Recommendation.objects.count(),
        "synthetic_documents": SourceDocument.objects.filter(
            symbol__startswith="SYNTHETIC/"
        ).count(),
        "labels": Label.objects.count(),
        "recommending_state_links": through.objects.count(),
    }


def _settle(connection: Any) -> str:
    """After a bulk load PostgreSQL's autovacuum vacuums and analyzes the new tables
    within a minute or so; do it now, so that the timings are not of its work."""
    if connection.vendor != "postgresql":
        return "nothing (SQLite keeps no statistics unless asked; none are needed here)"
    from django.apps import apps

    tables = [m._meta.db_table for m in apps.get_app_config("registry").get_models()]
    tables += [
        f.remote_field.through._meta.db_table
        for m in apps.get_app_config("registry").get_models()
        for f in m._meta.local_many_to_many
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
    return "VACUUM ANALYZE of the registry tables (as autovacuum would)"


# -- 3. serve and time ---------------------------------------------------------------------


def serve_and_time(repeats: int) -> dict[str, Any]:
    import server
    import workload

    httpd = server.start()
    try:
        first = _pass(httpd.base, workload)
        timed: dict[tuple[int, str], list[server.Timed]] = {}
        for _repeat in range(repeats):  # bounded: repeats x queries x pages requests
            for key, response in _pass(httpd.base, workload).items():
                timed.setdefault(key, []).append(response)
    finally:
        httpd.stop()
    return {
        "server": "wsgiref, one thread, 127.0.0.1; Django DEBUG off; CONN_MAX_AGE="
        + os.environ.get("CONN_MAX_AGE", "0"),
        "repeats": repeats,
        "requests_timed": sum(len(v) for v in timed.values()),
        "first_pass": _first_pass(first, workload),
        "pages": {page: _page_summary(page, timed) for page in workload.PAGES},
        "queries": [
            _query_summary(i, name, params, timed, workload)
            for i, (name, params) in enumerate(workload.QUERIES)
        ],
    }


def _pass(base: str, workload: Any) -> dict[tuple[int, str], Any]:
    import server

    out = {}
    for i, (_name, params) in enumerate(workload.QUERIES):
        for page in workload.PAGES:
            response = server.get(base, workload.url(page, params))
            if response.status != 200:
                raise RuntimeError(f"{workload.url(page, params)}: HTTP {response.status}")
            out[(i, page)] = response
    return out


def _ms(seconds: list[float], q: float) -> float:
    ordered = sorted(seconds)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(1000 * ordered[index], 1)


def _first_pass(first: dict[tuple[int, str], Any], workload: Any) -> dict[str, Any]:
    very_first = first[(0, next(iter(workload.PAGES)))]
    return {
        "note": "unmeasured warm-up pass; its very first request builds the list snapshot",
        "very_first_request_ms": round(1000 * very_first.seconds, 1),
        "total_s": round(sum(r.seconds for r in first.values()), 2),
    }


def _page_summary(page: str, timed: dict[tuple[int, str], list[Any]]) -> dict[str, Any]:
    seconds = [r.seconds for (_, p), rs in timed.items() if p == page for r in rs]
    queries = [r.queries for (_, p), rs in timed.items() if p == page for r in rs]
    cpu = [r.cpu_ms / 1000 for (_, p), rs in timed.items() if p == page for r in rs]
    p95 = _ms(seconds, 0.95)
    return {
        "requests": len(seconds),
        "p50_ms": _ms(seconds, 0.50),
        "p95_ms": p95,
        "max_ms": _ms(seconds, 1.0),
        "server_cpu_p50_ms": _ms(cpu, 0.50),
        "server_cpu_p95_ms": _ms(cpu, 0.95),
        "sql_queries_per_request": {
            "min": min(queries),
            "median": statistics.median(queries),
            "max": max(queries),
        },
        "aim_p95_ms": P95_AIM_MS,
        "meets_aim": p95 <= P95_AIM_MS,
    }


def _query_summary(
    i: int,
    name: str,
    params: dict[str, str],
    timed: dict[tuple[int, str], list[Any]],
    workload: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "params": params}
    for page in workload.PAGES:
        responses = timed[(i, page)]
        out[page] = {
            "p50_ms": _ms([r.seconds for r in responses], 0.5),
            "p95_ms": _ms([r.seconds for r in responses], 0.95),
            "server_cpu_p50_ms": _ms([r.cpu_ms / 1000 for r in responses], 0.5),
            "sql_queries": statistics.median(r.queries for r in responses),
        }
    api = json.loads(timed[(i, "api")][-1].body)
    out["results"] = api["count"]
    return out


# -- 4. the answers are right -----------------------------------------------------------------


# Queries whose first page and facets are also compared with plain SQL (slow: SQL
# facets over 250k rows take seconds each, which is why the list does not use them).
DEEP_CHECKS = (
    "unfiltered first page",
    "women, SDG goal 5",
    "no text: issue women's rights, noted",
)


def consistency() -> dict[str, Any]:
    """Each query's count through the list machinery (snapshot) against plain SQL; for
    DEEP_CHECKS, the first page and every facet value too."""
    import workload

    from qadam.registry.models import Recommendation
    from qadam.registry.queries import RecommendationQuery, apply_filters

    mismatches: list[dict[str, Any]] = []
    for name, params in workload.QUERIES:
        query = RecommendationQuery.from_params(params)
        qs = apply_filters(Recommendation.objects.filter(published=True), query)
        mismatches += _compare(name, query, qs, deep=name in DEEP_CHECKS)
    return {
        "matches_sql": not mismatches,
        "deep_checks": list(DEEP_CHECKS),
        "mismatches": mismatches,
    }


def _compare(name: str, query: Any, qs: Any, deep: bool) -> list[dict[str, Any]]:
    from dataclasses import asdict

    from django.db.models import QuerySet

    from qadam.registry import queries

    fast = queries.ordered(qs, query)
    out = []
    if fast.count() != QuerySet.count(qs):
        out.append(
            {"query": name, "what": "count", "list": fast.count(), "sql": QuerySet.count(qs)}
        )
    if not deep:
        return out
    sql_page = list(
        QuerySet.order_by(qs, *queries.SORTS[query.sort]).values_list("pk", flat=True)[:25]
    )
    if [r.pk for r in fast[:25]] != sql_page:
        out.append({"query": name, "what": "first page"})
    as_dicts = lambda facets: {k: [asdict(v) for v in vs] for k, vs in facets.items()}  # noqa: E731
    if as_dicts(queries.facets(qs, query)) != as_dicts(queries._sql_facets(qs, query)):
        out.append({"query": name, "what": "facets"})
    return out


# -- facts ------------------------------------------------------------------------------------


def _database_facts(connection: Any) -> dict[str, Any]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
        else:
            cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    return {"vendor": connection.vendor, "version": version}


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        memory_kb = 0
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


if __name__ == "__main__":
    sys.exit(main())
