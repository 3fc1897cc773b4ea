"""Load Kazakhstan's real UPR recommendations (2010 and 2014) from QADAM_DATA_DIR.

The Working Group reports give numbers, texts, states and responses; the UPR Info
export for the same reviews then joins in its issue labels and action categories.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qadam.lib.records import ImportFormatError
from qadam.registry.actions import do_import

DEMO_IMPORTS: list[tuple[str, str, dict[str, Any]]] = [
    ("upr-report", "upr-wg-reports/kazakhstan2010.txt", {}),
    ("upr-report", "upr-wg-reports/kazakhstan2014.txt", {}),
    ("upr-info", "upr-info/recommendations.csv", {"state": "Kazakhstan"}),
]


class Command(BaseCommand):
    help = "Import Kazakhstan's 2010 and 2014 UPR recommendations (idempotent)."

    def handle(self, *args: Any, **opts: Any) -> None:
        data_dir = Path(settings.QADAM_DATA_DIR)
        for kind, relpath, options in DEMO_IMPORTS:
            path = data_dir / relpath
            if not path.is_file():
                raise CommandError(f"{path}: missing; set QADAM_DATA_DIR")
            try:
                report = do_import(
                    kind, path.read_bytes(), path.name, options=options, skip_invalid=True
                )
            except ImportFormatError as exc:
                raise CommandError(str(exc)) from exc
            counts = ", ".join(f"{v} {k}" for k, v in report.counts.items() if v)
            self.stdout.write(f"{kind} {relpath}: {counts}")
            for problem in report.rejected:
                self.stdout.write(f"  row {problem.row} rejected: {problem.field} {problem.reason}")
            if report.mismatches:
                self.stdout.write(f"  {len(report.mismatches)} mismatch(es) with the report:")
                for m in report.mismatches:
                    self.stdout.write(f"    {m}")
