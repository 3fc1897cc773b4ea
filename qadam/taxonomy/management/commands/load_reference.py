"""``qadam load_reference``: create or update all reference data, idempotently."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qadam.taxonomy.actions import do_load_reference
from qadam.taxonomy.loaders import STEP_NAMES, LoadReport, ReferenceDataError


class Command(BaseCommand):
    help = cast(
        str,
        gettext_lazy(
            "Create or update SDGs, mechanisms, human-rights taxonomies and their mapping, "
            "States, institutions and regions from the curated YAML files and QADAM_DATA_DIR. "
            "Idempotent: a second run changes nothing."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--only",
            action="append",
            metavar="STEP",
            help=_(
                "Run only this step (repeatable): %(steps)s, or the path of "
                "any YAML file in a reference format."
            )
            % {"steps": ", ".join(STEP_NAMES)},
        )
        parser.add_argument(
            "--data-dir",
            type=Path,
            help=_("Read third-party data from here instead of QADAM_DATA_DIR."),
        )
        parser.add_argument(
            "--reset-mappings",
            action="store_true",
            help=_(
                "Restore the relation and note of existing term mappings "
                "from the YAML file (edits made in the admin are lost)."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Report what would change, then roll everything back."),
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.monotonic()
        try:
            report = do_load_reference(
                data_dir=opts["data_dir"],
                only=opts["only"],
                reset_mappings=opts["reset_mappings"],
                dry_run=opts["dry_run"],
            )
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        self._print(report)
        elapsed = time.monotonic() - started
        message = _("Dry run: nothing was saved.") if opts["dry_run"] else _("Done.")
        self.stdout.write(f"{message} ({elapsed:.2f} s)")

    def _print(self, report: LoadReport) -> None:
        header = (_("kind"), _("created"), _("updated"), _("unchanged"))
        self.stdout.write(f"{header[0]:<16}{header[1]:>9}{header[2]:>9}{header[3]:>11}")
        for kind, c in report.counts.items():
            self.stdout.write(f"{kind:<16}{c.created:>9}{c.updated:>9}{c.unchanged:>11}")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(_("warning: %(w)s") % {"w": warning}))
