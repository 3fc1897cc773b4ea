"""Writes to the reference data. Every write runs in one transaction and is audited."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from qadam.audit.actions import record
from qadam.taxonomy.loaders import LoadReport, load_reference
from qadam.taxonomy.reference import clear_caches


class DryRunRollback(Exception):
    """Raised inside the transaction to undo a dry run."""


def do_load_reference(
    actor: Any = None,
    *,
    data_dir: Path | None = None,
    only: Iterable[str] | None = None,
    reset_mappings: bool = False,
    dry_run: bool = False,
) -> LoadReport:
    """Create or update all reference data in one transaction; return the counts.

    Nothing is audited when nothing changed, so that a repeated load leaves no
    trace. A dry run reports the same counts and then rolls everything back.
    """
    directory = Path(data_dir or settings.QADAM_DATA_DIR)
    report = LoadReport()
    try:
        with transaction.atomic():
            report = load_reference(directory, only=only, reset_mappings=reset_mappings)
            if dry_run:
                raise DryRunRollback
            if report.changed:
                record(
                    actor,
                    "taxonomy.load_reference",
                    changes={
                        "counts": report.as_dict(),
                        "steps": report.steps,
                        "warnings": report.warnings[:50],
                    },
                )
            # bulk writes send no signals: drop the resolvers' cached indexes.
            transaction.on_commit(clear_caches)
    except DryRunRollback:
        pass
    clear_caches()
    return report
