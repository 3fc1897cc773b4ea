"""Importing a plan from the web: upload → preview (a dry run) → confirm → report.

Only the secretariat imports (``tracking.import_plan``). Anonymous visitors are
sent to the login page; a signed-in user without the permission gets 403, whether
or not the import they ask for exists. The plan template is public: it is
documentation.

A confirmed import of up to ``importing.INLINE_ROWS`` activities runs inside the
request; a bigger one is queued for the task worker and the page follows it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qadam.lib import plan_table
from qadam.registry.views.imports import permission_required
from qadam.tracking.importing import (
    FLAG_LABELS,
    INLINE_ROWS,
    OUTCOMES,
    PlanImportReport,
    StagedImport,
    StagedImportError,
    can_confirm,
    do_confirm_plan_import,
    do_stage_plan_import,
    load_staged,
)
from qadam.tracking.models import Plan

REFRESH_SECONDS = 3
TEMPLATES = {
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        plan_table.build_plan_template_xlsx,
    ),
    "csv": ("text/csv; charset=utf-8", plan_table.build_plan_template_csv),
}


class PlanImportForm(forms.Form):
    """The file, and the plan it goes into: an existing one or a new one."""

    file = forms.FileField(label=gettext_lazy("Plan file (XLSX or CSV)"), max_length=200)
    plan = forms.ModelChoiceField(
        label=gettext_lazy("Import into"),
        queryset=Plan.objects.none(),
        required=False,
        empty_label=gettext_lazy("A new plan (give its title below)"),
        help_text=gettext_lazy(
            "Importing into an existing plan updates the actions with the same numbers."
        ),
    )
    title_en = forms.CharField(label=gettext_lazy("Title of a new plan (English)"),
                               required=False, max_length=300)  # fmt: skip
    title_ru = forms.CharField(label=gettext_lazy("Title in Russian"), required=False,
                               max_length=300)  # fmt: skip
    title_kk = forms.CharField(label=gettext_lazy("Title in Kazakh"), required=False,
                               max_length=300)  # fmt: skip
    kind = forms.ChoiceField(label=gettext_lazy("Kind of plan"), choices=Plan.Kind.choices,
                             initial=Plan.Kind.FOLLOW_UP)  # fmt: skip
    adopted_by = forms.CharField(
        label=gettext_lazy("Adopted by"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("E.g. Government decree No. 258 of 28 April 2022."),
    )
    adopted_on = forms.DateField(
        label=gettext_lazy("Adopted on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "Timeframes without a year, such as “by the end of the year”, count from this date."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan = self.fields["plan"]
        assert isinstance(plan, forms.ModelChoiceField)
        plan.queryset = Plan.objects.order_by("-created_at")
        self.fields["file"].help_text = _("At most %(size)s.") % {
            "size": filesizeformat(settings.QADAM_MAX_IMPORT_BYTES)
        }

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = int(settings.QADAM_MAX_IMPORT_BYTES)
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                _("%(name)s is %(size)s; the largest file accepted is %(limit)s.")
                % {"name": upload.name, "size": filesizeformat(upload.size),
                   "limit": filesizeformat(limit)},
                code="too_large",
            )  # fmt: skip
        if not upload.size:
            raise forms.ValidationError(_("%(name)s is empty.") % {"name": upload.name},
                                        code="empty")  # fmt: skip
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("plan") and not (
            data.get("title_en") or data.get("title_ru") or data.get("title_kk")
        ):
            self.add_error(
                "title_en", _("Choose the plan to import into, or give the title of a new plan.")
            )
        return data

    def new_plan(self) -> dict[str, Any]:
        data = self.cleaned_data
        title = {lang: " ".join(data[f"title_{lang}"].split()) for lang in ("en", "ru", "kk")}
        fields: dict[str, Any] = {
            "title": {lang: text for lang, text in title.items() if text},
            "kind": data["kind"],
            "adopted_by": data["adopted_by"],
        }
        if data.get("adopted_on"):
            fields["adopted_on"] = data["adopted_on"]
        return fields


@require_http_methods(["GET", "POST"])
@permission_required("tracking.import_plan")
def plan_import(request: HttpRequest) -> HttpResponse:
    """The upload page; a valid upload is previewed and shown on its own page."""
    form = PlanImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        plan = form.cleaned_data.get("plan")
        staged = do_stage_plan_import(
            request.user, upload.read(), upload.name, plan, form.new_plan() if not plan else {}
        )
        return redirect("tracking:plan-import-preview", token=staged.token)
    status = 400 if form.is_bound else 200
    return render(request, "tracking/import_start.html",
                  {"form": form, "inline_rows": INLINE_ROWS}, status=status)  # fmt: skip


@require_GET
@permission_required("tracking.import_plan")
def plan_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """The preview before confirmation, the progress while queued, the final report."""
    staged = _staged(token)
    working = staged.status == "queued"
    report_json = staged.result or staged.preview
    report = PlanImportReport.from_json(report_json) if report_json else None
    response = render(
        request,
        "tracking/import_preview.html",
        {
            "staged": staged,
            "report": report,
            "rows": _rows(report),
            "counts": report.counts if report else {},
            "can_confirm": can_confirm(staged),
            "working": working,
            "refresh_seconds": REFRESH_SECONDS,
            "inline_rows": INLINE_ROWS,
            "plan_url": _plan_url(report),
        },
    )
    if working:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@require_POST
@permission_required("tracking.import_plan")
def plan_import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    staged = _staged(token)
    try:
        staged = do_confirm_plan_import(request.user, staged)
    except StagedImportError as exc:
        messages.error(request, str(exc))
    else:
        if staged.status == "queued":
            messages.success(request, _("The import is queued; this page follows its progress."))
        elif staged.status == "done":
            messages.success(request, _("The plan is imported."))
    return redirect("tracking:plan-import-preview", token=staged.token)


@require_GET
def plan_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The documented plan template: public, it is documentation."""
    if fmt not in TEMPLATES:
        raise Http404
    content_type, build = TEMPLATES[fmt]
    response = HttpResponse(build(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="qadam-plan-template.{fmt}"'
    return response


def _staged(token: str) -> StagedImport:
    try:
        return load_staged(token)
    except StagedImportError as exc:
        raise Http404 from exc


def _rows(report: PlanImportReport | None) -> list[dict[str, Any]]:
    """Report rows for the table: problems first, then by row, with labels."""
    if report is None:
        return []
    rank = {"rejected": 0, "created": 1, "updated": 1, "unchanged": 1, "skipped": 1}
    rows = sorted(report.rows, key=lambda r: (rank.get(r.outcome, 2), r.row))
    return [
        {
            "row": r.row,
            "number": r.number,
            "outcome": r.outcome,
            "label": OUTCOMES.get(r.outcome, r.outcome),
            "field": r.field,
            "reason": r.reason,
            "flags": [FLAG_LABELS.get(f, f) for f in r.flags],
        }
        for r in rows
    ]


def _plan_url(report: PlanImportReport | None) -> str:
    """The imported plan's page, once it exists (and if the plan pages are installed)."""
    if report is None or report.plan_id is None or (report.dry_run and report.plan_created):
        return ""
    try:
        return reverse("tracking:plan-detail", args=[report.plan_id])
    except NoReverseMatch:  # pragma: no cover - the plan pages are another area
        return ""
