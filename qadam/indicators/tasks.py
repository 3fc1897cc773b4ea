"""Background jobs of indicators: imports run in the database-backed task worker."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def import_indicators(run_id: int) -> dict[str, Any]:
    from qadam.indicators.actions import ImportSourceError, do_fail_import, do_import
    from qadam.indicators.models import ImportRun

    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    if run.status in (ImportRun.Status.DONE, ImportRun.Status.UNCHANGED):
        return {"run": run.pk, "status": run.status}
    try:
        do_import(run.created_by, run, progress=lambda pct: _progress(run.pk, pct))
    except ImportSourceError:
        return {"run": run.pk, "status": ImportRun.Status.FAILED}
    except Exception as exc:
        do_fail_import(run, f"{type(exc).__name__}: {exc}")
        raise
    return {"run": run.pk, "status": run.status, "counts": run.counts}


def _progress(run_id: int, percent: int) -> None:
    from qadam.indicators.models import ImportRun

    ImportRun.objects.filter(pk=run_id).update(progress=percent)
