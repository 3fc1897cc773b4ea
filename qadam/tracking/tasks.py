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
