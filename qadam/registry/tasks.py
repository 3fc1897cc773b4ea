"""Background jobs of the registry. They run in the database-backed task worker."""

from __future__ import annotations

from django_tasks import task

from qadam.registry.models import ImportRun


@task()
def run_import(run_id: int) -> str:
    from qadam.registry.actions import execute_import_run

    run = ImportRun.objects.get(pk=run_id)
    return execute_import_run(run).status
