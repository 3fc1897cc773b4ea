"""Send today's (or a given day's) digests now; ``--dry-run`` only says what it would send."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qadam.tracking.digests import send_digests

MESSAGES = {
    "sent": "sent to {n} recipient(s)",
    "already-sent": "already sent for this day: skipped",
    "no-recipients": "NOT SENT: no focal point with an email address",
    "dry-run": "would be sent to {n} recipient(s)",
}


class Command(BaseCommand):
    help = (
        "Email each institution its digest of overdue actions, actions due within 30 days "
        "and treaty-body follow-up deadlines. A digest is never sent twice for one day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", help="the day the digest is for, YYYY-MM-DD (default: today, local time)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be sent; send nothing"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        period = _date(opts["date"]) if opts["date"] else None
        outcomes = send_digests(period, dry_run=opts["dry_run"])
        if not outcomes:
            self.stdout.write("Nothing to report for any institution.")
        for o in outcomes:
            what = MESSAGES[o.status].format(n=len(o.recipients))
            self.stdout.write(f"{o.institution}: {o.items} item(s), {what}")


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--date {text!r}: expected YYYY-MM-DD") from exc
