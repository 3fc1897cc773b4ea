"""Load the Human Rights Committee's follow-up deadline on CCPR/C/KAZ/CO/2 (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qadam.tracking.followup import (
    HRC_FILE,
    HRC_FOLLOWUP_MONTHS,
    FollowUpDataError,
    load_followup,
)


class Command(BaseCommand):
    help = (
        "Create or update a treaty-body follow-up deadline from a follow-up record in "
        "QADAM_DATA_DIR (default: the Human Rights Committee's 2016 follow-up on Kazakhstan)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", default=HRC_FILE, help=f"path inside QADAM_DATA_DIR (default {HRC_FILE})"
        )
        parser.add_argument(
            "--months",
            type=int,
            default=HRC_FOLLOWUP_MONTHS,
            help="months after the concluding observations the information is due "
            f"(default {HRC_FOLLOWUP_MONTHS}: the Committee's 'within one year')",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(settings.QADAM_DATA_DIR) / opts["file"]
        if not path.is_file():
            raise CommandError(f"{path}: missing; set QADAM_DATA_DIR")
        try:
            result = load_followup(path, months=opts["months"])
        except FollowUpDataError as exc:
            raise CommandError(str(exc)) from exc
        d = result.deadline
        verb = "created" if result.created else "updated"
        state = "met (the Committee assessed the reply)" if d.done else "open"
        self.stdout.write(f"{d.document_symbol}: follow-up deadline {d.due} {verb}, {state}")
        if result.linked:
            self.stdout.write(f"  linked to paragraphs {', '.join(result.linked)}")
        if result.missing:
            self.stdout.write(
                f"  paragraphs not in the registry (import {d.document_symbol} to link them): "
                f"{', '.join(result.missing)}"
            )
