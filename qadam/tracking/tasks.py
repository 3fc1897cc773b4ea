"""Background jobs of tracking. They run in the database-backed task worker.

A queued task is a database row, so it survives a restart of the web process or
of the worker: ``manage.py db_worker`` picks it up when it comes back.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def send_daily_digests() -> dict[str, Any]:
    """Send today's digests, then queue the next run for tomorrow morning.

    Today is the day the task runs, not the day it was queued for: after a worker
    outage the missed days are not replayed (their digests would be stale), and a
    run delivered twice sends nothing twice (see tracking.digests)."""
    from qadam.tracking.digests import ensure_digest_scheduled, send_digests, summary

    try:
        outcomes = send_digests()
    finally:
        # Even when sending fails, tomorrow's run must stay queued.
        next_at = ensure_digest_scheduled()
    return {**summary(outcomes), "next_run": next_at.isoformat()}


@task()
def import_staged_plan(token: str, actor_id: int | None = None) -> str:
    """Import a confirmed plan upload too big to import inside the web request.

    The outcome is written to the staged import's state, which the web page
    follows; a task delivered twice imports once (the second finds it done)."""
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext as _

    from qadam.tracking.importing import load_staged, run_staged_import

    staged = load_staged(token)
    if staged.status != "queued":
        return staged.status
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    if actor is None:
        # No actor would mean the trusted command line: a web import needs its user.
        staged.status = "failed"
        staged.error = _("The user who confirmed the import no longer exists; nothing was written.")
        staged.save()
        return staged.status
    return run_staged_import(staged, actor).status
