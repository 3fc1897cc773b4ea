"""All writes to the registry: inside a transaction, and into the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from qadam.audit.actions import record
from qadam.lib.records import ImportFormatError
from qadam.registry.importing import Importer, ImportReport, parse
from qadam.registry.models import ImportRun


class _Rollback(Exception):
    """Raised inside the atomic block to undo a dry run or a rejected import."""


def do_import(
    kind: str,
    data: bytes,
    filename: str,
    actor: Any = None,
    options: dict[str, Any] | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one file. All or nothing: a dry run, or any rejected row, writes nothing.

    With ``skip_invalid`` the rejected rows are reported and the rest is written.
    Raises ImportFormatError when the file cannot be read at all.
    """
    result = parse(kind, data, filename, options or {})
    report: ImportReport | None = None
    try:
        with transaction.atomic():
            report = Importer(kind, filename, progress, skip_invalid).run(result)
            if dry_run or (report.rejected and not skip_invalid):
                raise _Rollback
            record(actor, "registry.import", None, {
                "kind": kind, "file": filename, "counts": report.counts,
                "documents": report.documents,
            })
    except _Rollback:
        pass
    assert report is not None
    return report


def do_create_import_run(
    kind: str, upload: bytes, filename: str, actor: Any, options: dict[str, Any] | None = None
) -> ImportRun:
    """Store an uploaded file privately and parse it for a preview (writes no records)."""
    with transaction.atomic():
        run = ImportRun(kind=kind, filename=filename, options=options or {}, created_by=actor)
        run.file.save(filename, ContentFile(upload), save=False)
        run.save()
        record(actor, "registry.import.upload", run, {"kind": kind, "file": filename})
    return run


def do_preview_import_run(run: ImportRun) -> ImportRun:
    """Dry-run the stored file and keep the report for the user to confirm."""
    _execute(run, dry_run=True)
    if run.status != ImportRun.Status.FAILED:
        run.status = ImportRun.Status.PREVIEWED
        run.save(update_fields=["status"])
    return run


def do_confirm_import_run(run: ImportRun, actor: Any) -> ImportRun:
    """Queue the real import as a background task."""
    from qadam.registry.tasks import run_import

    with transaction.atomic():
        run.status = ImportRun.Status.QUEUED
        run.progress = 0
        run.save(update_fields=["status", "progress"])
        record(actor, "registry.import.confirm", run, {"kind": run.kind})
        transaction.on_commit(lambda: run_import.enqueue(run.pk))
    return run


def execute_import_run(run: ImportRun) -> ImportRun:
    """The body of the background task (also run inline by tests)."""
    run.status = ImportRun.Status.RUNNING
    run.save(update_fields=["status"])
    return _execute(run, dry_run=False)


def _execute(run: ImportRun, dry_run: bool) -> ImportRun:
    def progress(pct: int) -> None:
        ImportRun.objects.filter(pk=run.pk).update(progress=pct)

    try:
        with run.file.open("rb") as fh:
            data = fh.read()
        report = do_import(
            run.kind, data, run.filename, actor=run.created_by, options=run.options,
            dry_run=dry_run, skip_invalid=bool(run.options.get("skip_invalid")),
            progress=progress,
        )
    except ImportFormatError as exc:
        run.status, run.error = ImportRun.Status.FAILED, str(exc)
        run.counts, run.report = {}, []
    else:
        run.counts = report.counts
        run.report = [r.to_json() for r in report.rows] + [
            {"row": 0, "outcome": "mismatch", "reason": m} for m in report.mismatches
        ]
        failed = bool(report.rejected) and not run.options.get("skip_invalid")
        run.status = ImportRun.Status.FAILED if failed and not dry_run else ImportRun.Status.DONE
        run.error = ""
    run.progress = 100
    if not dry_run:
        run.finished_at = timezone.now()
    run.save()
    return run
