"""``qadam train``: build a new model version from the database and QADAM_DATA_DIR."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qadam.labelling.actions import do_train


class Command(BaseCommand):
    help = (
        "Train the labelling models from every imported and confirmed label in the "
        "database plus the labelled data in QADAM_DATA_DIR, write a new model version "
        "with its evaluation, and make it the active one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-activate", action="store_true", help="write the version, keep the active one"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.monotonic()
        version = do_train(
            None, activate=not opts["no_activate"], progress=lambda m: self.stdout.write(m)
        )
        report = version.report.get("training", {})
        for taxonomy, facts in sorted(report.items()):
            if isinstance(facts, dict) and "terms" in facts:
                self.stdout.write(
                    f"  {taxonomy}: {facts['examples']} examples, {facts['terms']} terms, "
                    f"mean out-of-fold F1 {facts['mean_f1_out_of_fold']}"
                )
            elif isinstance(facts, dict) and facts.get("note"):
                self.stdout.write(f"  {taxonomy}: no model ({facts['note']})")
        state = "active" if version.active else "not active"
        self.stdout.write(
            self.style.SUCCESS(
                f"model version {version.name} ({state}), "
                f"{version.report.get('bytes', 0) / 1e6:.1f} MB, "
                f"{time.monotonic() - started:.0f} s"
            )
        )
