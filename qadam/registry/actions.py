"""All writes to the registry: inside a transaction, and into the audit log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Any

from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qadam.audit.actions import record
from qadam.lib.records import ImportFormatError, ParseResult
from qadam.registry.importing import Importer, ImportReport, parse, parser_options
from qadam.registry.models import ImportRun

logger = logging.getLogger(__name__)

# A stored upload at most this big is previewed inside the web request; a bigger
# one is previewed by the task worker while the run page refreshes itself.
INLINE_PREVIEW_BYTES = 2 * 1024 * 1024


class _Rollback(Exception):
    """Raised inside the atomic block to undo a dry run or a rejected import."""


class ImportRunStateError(Exception):
    """The run is not in a state that allows the requested step."""


def do_import(
    kind: str,
    data: bytes,
    filename: str,
    actor: Any = None,
    options: dict[str, Any] | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    audit_object: models.Model | None = None,
) -> ImportReport:
    """Import one file. All or nothing: a dry run, or any rejected row, writes nothing.

    With ``skip_invalid`` the rejected rows are reported and the rest is written.
    ``options`` are the parser's keyword arguments (``importing.parser_options``).
    Raises ImportFormatError when the file cannot be read at all.
    """
    report_progress = progress or (lambda pct: None)
    result = parse(kind, data, filename, options or {})
    report_progress(10)
    return do_import_parsed(
        kind,
        result,
        filename,
        actor=actor,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        progress=lambda pct: report_progress(10 + pct * 9 // 10),
        audit_object=audit_object,
    )


def do_import_parsed(
    kind: str,
    result: ParseResult,
    filename: str,
    actor: Any = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    audit_object: models.Model | None = None,
) -> ImportReport:
    """Write parsed records under the same all-or-nothing rule as ``do_import``.

    Everything the importer creates on the way (documents, sessions, clusters,
    links) happens inside one transaction that a dry run or a rejected row undoes.
    """
    report: ImportReport | None = None
    try:
        with transaction.atomic():
            report = Importer(kind, filename, progress, skip_invalid).run(result)
            if dry_run or (report.rejected and not skip_invalid):
                raise _Rollback
            record(
                actor,
                "registry.import",
                audit_object,
                {
                    "kind": kind,
                    "file": filename,
                    "counts": report.counts,
                    "documents": report.documents,
                },
            )
    except _Rollback:
        pass
    assert report is not None
    return report


def do_create_import_run(
    kind: str, upload: bytes, filename: str, actor: Any, options: dict[str, Any] | None = None
) -> ImportRun:
    """Store an uploaded file privately, to preview it next (writes no records).

    ``options`` are what the run keeps: the parser filters and ``skip_invalid``.
    """
    with transaction.atomic():
        run = ImportRun(kind=kind, filename=filename, options=options or {}, created_by=actor)
        run.file.save(filename, ContentFile(upload), save=False)
        run.save()
        record(actor, "registry.import.upload", run, {"kind": kind, "file": filename})
    return run


def do_request_preview(run: ImportRun, actor: Any) -> ImportRun:
    """Preview now when the file is small, else queue the preview for the worker."""
    if (
        run.status
        not in (ImportRun.Status.UPLOADED, ImportRun.Status.PREVIEWED, ImportRun.Status.FAILED)
        or run.finished_at is not None
    ):
        raise ImportRunStateError(_("This import has already been confirmed."))
    record(actor, "registry.import.preview", run, {"kind": run.kind})
    if run.file.size <= INLINE_PREVIEW_BYTES:
        return do_preview_import_run(run)
    from qadam.registry.tasks import preview_import

    with transaction.atomic():
        run.status, run.dry_run, run.progress = ImportRun.Status.QUEUED, True, 0
        run.save(update_fields=["status", "dry_run", "progress"])
        transaction.on_commit(lambda: preview_import.enqueue(run.pk))
    return run


def do_preview_import_run(run: ImportRun) -> ImportRun:
    """Dry-run the stored file and keep the report for the user to confirm."""
    run.dry_run = True
    _execute(run, dry_run=True)
    if run.status != ImportRun.Status.FAILED:
        run.status = ImportRun.Status.PREVIEWED
        run.save(update_fields=["status"])
    return run


def can_confirm(run: ImportRun) -> bool:
    """A previewed run may be imported, unless the preview says nothing would be written."""
    if run.status != ImportRun.Status.PREVIEWED:
        return False
    rejected = int(run.counts.get("rejected", 0))
    return not rejected or bool(run.options.get("skip_invalid"))


def do_confirm_import_run(run: ImportRun, actor: Any) -> ImportRun:
    """Queue the real import as a background task (stored in the database)."""
    from qadam.registry.tasks import run_import

    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if not can_confirm(run):
            raise ImportRunStateError(
                _(
                    "Only a previewed import whose preview rejected no rows (or that skips "
                    "invalid rows) can be confirmed."
                )
            )
        run.status, run.dry_run, run.progress = ImportRun.Status.QUEUED, False, 0
        run.save(update_fields=["status", "dry_run", "progress"])
        record(actor, "registry.import.confirm", run, {"kind": run.kind})
        actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        transaction.on_commit(lambda: run_import.enqueue(run.pk, actor_id))
    return run


def execute_import_run(run: ImportRun, actor: Any = None) -> ImportRun:
    """The body of the background task: the real import, audited as ``actor``."""
    run.status = ImportRun.Status.RUNNING
    run.save(update_fields=["status"])
    return _execute(run, dry_run=False, actor=actor or run.created_by)


def execute_preview_run(run: ImportRun) -> ImportRun:
    """The body of the preview task, for uploads too big to preview inline."""
    run.status = ImportRun.Status.RUNNING
    run.save(update_fields=["status"])
    return do_preview_import_run(run)


def do_record_import_run(
    kind: str,
    filename: str,
    options: dict[str, Any],
    report: ImportReport | None,
    error: str = "",
    actor: Any = None,
) -> ImportRun:
    """Keep a command-line import in the list of runs (the file itself is not stored)."""
    run = ImportRun(
        kind=kind,
        filename=filename,
        options=options,
        created_by=actor,
        progress=100,
        finished_at=timezone.now(),
    )
    _store_outcome(run, report, error, dry_run=False)
    run.save()
    return run


def _execute(run: ImportRun, dry_run: bool, actor: Any = None) -> ImportRun:
    report: ImportReport | None = None
    error = ""
    with _ProgressWriter(run.pk) as progress:
        try:
            report = _import_stored_file(run, dry_run, actor, progress)
        except ImportFormatError as exc:
            error = str(exc)
        except Exception:
            logger.exception("import run %s failed", run.pk)
            error = _(
                "The import stopped on an unexpected error; nothing was written. "
                "The server log has the details."
            )
    _store_outcome(run, report, error, dry_run)
    run.progress = 100
    if not dry_run:
        run.finished_at = timezone.now()
    run.save()
    return run


def _import_stored_file(
    run: ImportRun, dry_run: bool, actor: Any, progress: Callable[[int], None]
) -> ImportReport:
    with run.file.open("rb") as fh:
        data = fh.read()
    return do_import(
        run.kind,
        data,
        run.filename,
        actor=actor,
        options=parser_options(run.kind, run.options),
        dry_run=dry_run,
        skip_invalid=bool(run.options.get("skip_invalid")),
        progress=progress,
        audit_object=run,
    )


def _store_outcome(run: ImportRun, report: ImportReport | None, error: str, dry_run: bool) -> None:
    if report is None:
        run.status, run.error = ImportRun.Status.FAILED, error
        run.counts, run.report = {}, []
        return
    run.counts = report.counts
    run.report = [r.to_json() for r in report.rows] + [
        {"row": 0, "outcome": "mismatch", "reason": m} for m in report.mismatches
    ]
    failed = bool(report.rejected) and not run.options.get("skip_invalid")
    run.status = ImportRun.Status.FAILED if failed and not dry_run else ImportRun.Status.DONE
    run.error = ""
    if failed and not dry_run:
        count = len(report.rejected)
        run.error = ngettext(
            "%(count)d row rejected; nothing was written.",
            "%(count)d rows rejected; nothing was written.",
            count,
        ) % {"count": count}


class _ProgressWriter:
    """Writes a run's progress where other processes can see it.

    Progress reported outside a transaction is saved at once. The import itself
    runs inside one transaction, whose writes nobody else sees until it commits:
    on PostgreSQL the progress goes through a second connection; SQLite allows
    one writer at a time, so there the bar moves only between the phases.
    """

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.side: Any = None
        self.outside_transaction = not connection.in_atomic_block
        self.last = -1

    def __enter__(self) -> _ProgressWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.side is not None:
            self.side.close()

    def __call__(self, pct: int) -> None:
        if pct == self.last:
            return
        self.last = pct
        if not connection.in_atomic_block:
            ImportRun.objects.filter(pk=self.run_id).update(progress=pct)
        elif self.outside_transaction and connection.vendor == "postgresql":
            self._side_update(pct)

    def _side_update(self, pct: int) -> None:
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportRun._meta.db_table} SET progress = %s WHERE id = %s",
                [pct, self.run_id],
            )
