"""Make sure the daily digest job is queued (exactly once); safe to run at every deploy."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qadam.tracking.digests import ensure_digest_scheduled


class Command(BaseCommand):
    help = (
        "Queue the daily digest job for its next run unless it is already queued. "
        "The job re-queues itself each day; `manage.py db_worker` runs it."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            run_after = ensure_digest_scheduled()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        local = timezone.localtime(run_after)
        self.stdout.write(f"Next digest run: {local:%Y-%m-%d %H:%M} ({local.tzname()})")
