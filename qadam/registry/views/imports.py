"""Importing from the web: upload, preview, confirm, follow the run; templates.

Only the secretariat imports (``registry.import``). Anonymous visitors are sent
to the login page; a signed-in user without the permission gets 403, whether or
not the run they ask for exists, so that the page leaks nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qadam.audit.actions import history_for
from qadam.registry.access import get_import_run_for_user, get_import_runs_for_user
from qadam.registry.actions import (
    ImportRunStateError,
    can_confirm,
    do_confirm_import_run,
    do_create_import_run,
    do_request_preview,
)
from qadam.registry.forms import ImportForm
from qadam.registry.importing import KINDS
from qadam.registry.models import ImportRun

View = Callable[..., HttpResponseBase]

OUTCOMES = {
    "rejected": gettext_lazy("Rejected"),
    "skipped": gettext_lazy("Skipped"),
    "mismatch": gettext_lazy("Not matched"),
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Updated"),
    "unchanged": gettext_lazy("Unchanged"),
}
EVENTS = {
    "registry.import.upload": gettext_lazy("Uploaded the file"),
    "registry.import.preview": gettext_lazy("Asked for a preview"),
    "registry.import.confirm": gettext_lazy("Confirmed the import"),
    "registry.import": gettext_lazy("Imported the recommendations"),
}
ROWS_PER_PAGE = 200
REFRESH_SECONDS = 3
TEMPLATE_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "build_template_csv"),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "build_template_xlsx",
    ),
}


def permission_required(perm: str) -> Callable[[View], View]:
    """Anonymous → the login page; signed in without ``perm`` → 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@require_http_methods(["GET", "POST"])
@permission_required("registry.import")
def import_start(request: HttpRequest) -> HttpResponse:
    """The import page: choose a kind, upload, and go on to the preview."""
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        run = do_create_import_run(
            form.cleaned_data["kind"], upload.read(), upload.name, request.user, form.options()
        )
        do_request_preview(run, request.user)
        return redirect("registry:import-run", pk=run.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "registry/import_start.html",
        {
            "form": form,
            "recent": _with_kind_labels(
                get_import_runs_for_user(request.user).select_related("created_by")[:5]
            ),
        },
        status=status,
    )


@require_GET
@permission_required("registry.view_importrun")
def import_run_list(request: HttpRequest) -> HttpResponse:
    runs = get_import_runs_for_user(request.user).select_related("created_by")
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    page.object_list = _with_kind_labels(page.object_list)
    return render(
        request,
        "registry/import_run_list.html",
        {
            "page": page,
            "page_links": _page_links(page),
        },
    )


@require_GET
@permission_required("registry.view_importrun")
def import_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Status, progress (refreshing itself while the worker runs) and the report."""
    run = get_import_run_for_user(request.user, pk)
    outcome = request.GET.get("outcome", "")
    if outcome not in OUTCOMES:
        outcome = ""
    working = run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)
    page = _report_page(run, outcome, request.GET.get("page"))
    response = render(
        request,
        "registry/import_run_detail.html",
        {
            "run": run,
            "kind": KINDS.get(run.kind),
            "working": working,
            "refresh_seconds": REFRESH_SECONDS,
            "can_confirm": can_confirm(run) and request.user.has_perm("registry.import"),
            "can_preview": _can_preview(run) and request.user.has_perm("registry.import"),
            "can_download": bool(run.file) and request.user.has_perm("registry.download_original"),
            "outcome": outcome,
            "outcome_counts": _outcome_counts(run),
            "page": page,
            "page_links": _page_links(page),
            "history": _history(run),
        },
    )
    if working:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@require_POST
@permission_required("registry.import")
def import_run_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview (again): useful after reference data changed."""
    run = get_import_run_for_user(request.user, pk)
    try:
        do_request_preview(run, request.user)
    except ImportRunStateError as exc:
        messages.error(request, str(exc))
    return redirect("registry:import-run", pk=run.pk)


@require_POST
@permission_required("registry.import")
def import_run_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_import_run_for_user(request.user, pk)
    try:
        do_confirm_import_run(run, request.user)
    except ImportRunStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The import is queued; this page follows its progress."))
    return redirect("registry:import-run", pk=run.pk)


@require_GET
@permission_required("registry.download_original")
def import_run_file(request: HttpRequest, pk: int) -> FileResponse:
    """The stored upload, as an attachment, never rendered by the browser."""
    run = get_import_run_for_user(request.user, pk)
    if not run.file:
        raise Http404
    response = FileResponse(
        run.file.open("rb"),
        as_attachment=True,
        filename=run.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The documented import template: public, it is documentation."""
    if fmt not in TEMPLATE_FORMATS:
        raise Http404
    from qadam.lib import template

    content_type, builder = TEMPLATE_FORMATS[fmt]
    data = getattr(template, builder)()
    if isinstance(data, str):
        data = data.encode("utf-8")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="qadam-import-template.{fmt}"'
    return response


def _with_kind_labels(runs: Iterable[ImportRun]) -> list[ImportRun]:
    """Each run with ``kind_label``: the translated name of its kind."""
    out = list(runs)
    for run in out:
        kind = KINDS.get(run.kind)
        run.kind_label = kind.label if kind else run.kind  # type: ignore[attr-defined]
    return out


def _page_links(page: Page[Any]) -> list[int | str]:
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def _history(run: ImportRun) -> list[dict[str, Any]]:
    """Who uploaded, previewed, confirmed and imported, oldest first."""
    events = history_for(run).order_by("at", "id")
    return [{"at": e.at, "actor": e.actor, "label": EVENTS.get(e.action, e.action)} for e in events]


def _can_preview(run: ImportRun) -> bool:
    return run.finished_at is None and run.status in (
        ImportRun.Status.UPLOADED,
        ImportRun.Status.PREVIEWED,
        ImportRun.Status.FAILED,
    )


def _outcome_counts(run: ImportRun) -> list[tuple[str, Any, int]]:
    counts = dict(run.counts)
    counts["mismatch"] = sum(1 for r in run.report if r.get("outcome") == "mismatch")
    return [(code, label, counts.get(code, 0)) for code, label in OUTCOMES.items()]


def _report_page(run: ImportRun, outcome: str, number: str | None) -> Page[Any]:
    """Problems first (rejected, skipped, not matched), then the rest, by row."""
    rows = [r for r in run.report if not outcome or r.get("outcome") == outcome]
    if not outcome:
        rank = {code: i for i, code in enumerate(OUTCOMES)}
        rows.sort(key=lambda r: (rank.get(r.get("outcome", ""), len(rank)), r.get("row", 0)))
    page = Paginator(rows, ROWS_PER_PAGE).get_page(number)
    page.object_list = [
        {**r, "label": OUTCOMES.get(r.get("outcome", ""), r.get("outcome", ""))}
        for r in page.object_list
    ]
    return page
