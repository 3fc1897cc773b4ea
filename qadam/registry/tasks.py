"""Background jobs of the registry. They run in the database-backed task worker.

A queued task is a database row, so it survives a restart of the web process or
of the worker: ``manage.py db_worker`` picks it up when it comes back.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task

from qadam.registry.models import ImportRun


@task()
def run_import(run_id: int, actor_id: int | None = None) -> str:
    """Import a confirmed run; the audit log names ``actor_id``, who confirmed it."""
    from qadam.registry.actions import execute_import_run

    run = ImportRun.objects.get(pk=run_id)
    if run.status != ImportRun.Status.QUEUED or run.dry_run:
        return run.status  # already done: a task delivered twice imports once
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return execute_import_run(run, actor).status


@task()
def preview_import(run_id: int) -> str:
    """Dry-run an upload too big to preview inside the web request."""
    from qadam.registry.actions import execute_preview_run

    run = ImportRun.objects.get(pk=run_id)
    if run.status != ImportRun.Status.QUEUED or not run.dry_run:
        return run.status
    return execute_preview_run(run).status
