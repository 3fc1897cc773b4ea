"""The quality-of-life pages: verdicts, map, ranking with uncertainty and the deficit
heat-map; the standard document with its versions; the editor; and "what if".

Verdicts come from the newest stored evaluation (computed by the task worker); "what if"
computes the changed standard on the spot and saves nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qadam.accounts.refusals import anonymous_to_login, require_perm
from qadam.audit.actions import history_for
from qadam.indicators.charts import choropleth
from qadam.lib import qol as engine
from qadam.qol import actions as act
from qadam.qol.access import (
    get_evaluation_for_user,
    get_standard_for_user,
    get_version_for_user,
)
from qadam.qol.forms import StandardForm, WhatIfForm
from qadam.qol.models import Evaluation, Standard, StandardVersion
from qadam.qol.report import Report, build_report
from qadam.qol.tasks import evaluate_standard


def _current(request: HttpRequest, code: str | None) -> tuple[Standard, StandardVersion]:
    standard = get_standard_for_user(request.user, code)
    number = request.GET.get("version", "")
    version = get_version_for_user(
        request.user, standard, int(number) if number.isdigit() else None
    )
    return standard, version


@require_GET
def overview(request: HttpRequest, code: str | None = None) -> HttpResponse:
    try:
        standard, version = _current(request, code)
    except Http404:
        if code:
            raise
        return render(request, "qol/none.html", {}, status=404)
    evaluation = get_evaluation_for_user(request.user, version)
    running = version.evaluations.filter(
        status__in=[Evaluation.Status.QUEUED, Evaluation.Status.RUNNING]
    ).exists()
    context: dict[str, Any] = {
        "standard": standard,
        "version": version,
        "evaluation": evaluation,
        "running": running,
        "refresh": 5 if running and evaluation is None else 0,
    }
    if evaluation is not None:
        report = build_report(version, evaluation.results, evaluation.uncertainty, _year(request))
        context |= {"report": report, "map": _index_map(report)}
    return render(request, "qol/overview.html", context)


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() else None


def _index_map(report: Report) -> str:
    if report.year is None:
        return ""
    return choropleth(
        {row.region: row.index for row in report.rows},
        year=report.year,
        title=_("Quality-of-life index by region, %(year)s") % {"year": report.year},
        desc=_("Map of the regions coloured by their index. The ranking table holds every value."),
        higher_is_better=True,
        names={row.region: row.name for row in report.rows},
        legend_title=_("Index (0–1)"),
        no_data_label=_("No verdict"),
        id_prefix="qol-map",
    )


@require_GET
def document(request: HttpRequest, code: str | None = None) -> HttpResponse:
    standard, version = _current(request, code)
    spec = engine.parse_standard(version.document)
    return render(
        request,
        "qol/document.html",
        {
            "standard": standard,
            "version": version,
            "spec": spec,
            "component_thresholds": engine.component_thresholds(spec),
            "index_threshold": engine.index_threshold(spec),
            "versions": standard.versions.select_related("created_by"),
            "history": history_for(version),
        },
    )


@require_GET
def export_yaml(request: HttpRequest, code: str) -> HttpResponse:
    standard, version = _current(request, code)
    response = HttpResponse(version.yaml, content_type="application/yaml; charset=utf-8")
    filename = f"{standard.code}-v{version.number}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    require_perm(request, "qol.edit_standard")
    standard = get_standard_for_user(request.user, code) if code else None
    latest = standard.latest() if standard else None
    form = StandardForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "text": latest.yaml if latest else act.DEFAULT_STANDARD.read_text(encoding="utf-8")
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = act.do_save_version(
                request.user, form.document_text(), form.cleaned_data["note"]
            )
        except act.StandardInvalid as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if latest is not None and version.pk == latest.pk:
                messages.info(request, _("Nothing changed: no new version was saved."))
            else:
                evaluate_standard.enqueue(act.do_queue_evaluation(request.user, version).pk)
                messages.success(
                    request,
                    _("Version %(n)s is saved and is being evaluated.") % {"n": version.number},
                )
            return redirect("qol:document", code=version.standard.code)
    return render(request, "qol/edit.html", {"form": form, "standard": standard})


@require_POST
@anonymous_to_login
def evaluate(request: HttpRequest, code: str) -> HttpResponse:
    require_perm(request, "qol.evaluate")
    _standard, version = _current(request, code)
    evaluation = act.do_queue_evaluation(request.user, version)
    evaluate_standard.enqueue(evaluation.pk)
    messages.success(request, _("The evaluation is queued; this page shows it when it is done."))
    return redirect("qol:standard-overview", code=version.standard.code)


@require_GET
def what_if(request: HttpRequest, code: str | None = None) -> HttpResponse:
    standard, version = _current(request, code)
    spec = engine.parse_standard(version.document)
    evaluation = get_evaluation_for_user(request.user, version)
    form = WhatIfForm(request.GET or None, spec=spec)
    context: dict[str, Any] = {"standard": standard, "version": version, "form": form}
    if evaluation is not None:
        saved = build_report(version, evaluation.results, {}, _year(request))
        context["saved"] = saved
        if form.is_bound and form.is_valid():
            try:
                changed = form.changed_standard()
            except engine.StandardError as exc:
                for message in exc.errors:
                    form.add_error(None, message)
            else:
                result = act.compute(version, spec=changed, draws=0, year=saved.year)
                context["changed"] = build_report(
                    version, result["results"], {}, saved.year, spec=changed
                )
                context["comparison"] = _compare(saved, context["changed"])
    return render(request, "qol/what_if.html", context)


def _compare(saved: Report, changed: Report) -> list[dict[str, Any]]:
    before = {row.region: row for row in saved.rows}
    out = []
    for row in changed.rows:
        old = before.get(row.region)
        change = (old.rank - row.rank) if old and old.rank and row.rank else None
        out.append(
            {
                "row": row,
                "old": old,
                "rank_change": change,
                "rank_abs": abs(change) if change else None,
                "verdict_changed": old is not None and old.sufficient != row.sufficient,
            }
        )
    return out
