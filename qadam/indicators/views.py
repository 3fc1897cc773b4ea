"""The indicator pages: the list with the key indicators, one indicator (chart, map,
table, metadata, linked recommendations and actions), and the import pages.

Views parse and render; objects come through ``qadam.indicators.access`` and writes go
through ``qadam.indicators.actions``. Imports run in the task worker, never here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qadam.accounts.refusals import anonymous_to_login, require_perm
from qadam.indicators import actions as act
from qadam.indicators import charts
from qadam.indicators.access import (
    get_import_for_user,
    get_imports_for_user,
    get_indicator_for_user,
    get_indicators_for_user,
    get_link_for_user,
    get_quality_notes_for_user,
)
from qadam.indicators.forms import ImportForm, LinkForm
from qadam.indicators.models import ImportRun, Indicator, Observation, Series
from qadam.indicators.tasks import import_indicators
from qadam.labelling.linking import Link, link_paragraph
from qadam.registry.access import get_recommendation_for_user, get_recommendations_for_user
from qadam.registry.models import Label, Recommendation
from qadam.taxonomy.models import Region

# The claims people check first: life expectancy up, newborn and child deaths down,
# poverty down. Shown on the list page with their first and latest national values.
KEY_INDICATORS = (
    ("kz-stats", "kz-life-expectancy"),
    ("kazstat-sdg", "3-2-2"),
    ("kazstat-sdg", "3-2-1"),
    ("kazstat-sdg", "1-2-1"),
)
LINKED_SHOWN = 25
PROBLEMS_SHOWN = 200
REFRESH_SECONDS = 5


@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    indicators = get_indicators_for_user(request.user).annotate(n_series=Count("series"))
    query = request.GET.get("q", "").strip()
    if query:
        indicators = indicators.filter(Q(code__icontains=query) | Q(title__icontains=query))
    if request.GET.get("regions"):
        indicators = indicators.filter(has_regions=True)
    return render(
        request,
        "indicators/indicator_list.html",
        {
            "key_indicators": _key_indicators(request.user),
            "indicators": indicators,
            "query": query,
            "regions_only": bool(request.GET.get("regions")),
        },
    )


def _key_indicators(user: Any) -> list[dict[str, Any]]:
    out = []
    for dataset, code in KEY_INDICATORS:
        indicator = get_indicators_for_user(user).filter(dataset__code=dataset, code=code).first()
        series = _default_series(indicator) if indicator else None
        if indicator is None or series is None:
            continue
        national = list(Observation.objects.filter(series=series, region="").order_by("year"))
        if national:
            breaks = [int(y) for y, code in indicator.breaks if str(code).startswith("method")]
            out.append(
                {
                    "indicator": indicator,
                    "first": national[0],
                    "last": national[-1],
                    # A first-to-latest change across a method change is no trend.
                    "method_break": next(
                        (y for y in breaks if national[0].year < y <= national[-1].year), None
                    ),
                }
            )
    return out


def _default_series(indicator: Indicator, pk: str | None = None) -> Series | None:
    series = indicator.series.all()
    if pk and pk.isdigit():
        chosen = series.filter(pk=int(pk)).first()
        if chosen is not None:
            return chosen
    return series.filter(is_total=True).first() or series.first()


@require_GET
def indicator_detail(request: HttpRequest, dataset: str, code: str) -> HttpResponse:
    indicator = get_indicator_for_user(request.user, dataset, code)
    series = _default_series(indicator, request.GET.get("series"))
    regions = list(Region.objects.all())
    context: dict[str, Any] = {
        "indicator": indicator,
        "series": series,
        "all_series": indicator.series.all(),
        "recommendations": _linked_recommendations(request.user, indicator),
        "links": indicator.links.select_related("recommendation"),
        "link_form": LinkForm(),
        "candidates": _link_candidates(request.user, indicator),
        "problems": get_quality_notes_for_user(request.user, indicator, PROBLEMS_SHOWN),
        "meta": _meta_rows(indicator),
    }
    if series is not None:
        grid = charts.grid_for(series, regions)
        year = _year(request.GET.get("year"), grid)
        highlight = request.GET.get("region", "")
        context |= {
            "grid": grid,
            "year": year,
            "unit": charts.unit_text(indicator, series),
            "chart": charts.line_chart(indicator, series, grid, highlight),
            "map": charts.region_map(indicator, series, grid, year, None) if year else "",
            "map_years": sorted({y for row in grid.values.values() for y in row}),
        }
    return render(request, "indicators/indicator_detail.html", context)


LINK_CANDIDATES = 5


def _link_candidates(user: Any, indicator: Indicator) -> list[Link]:
    """For the secretariat: recommendations whose words the indicator's title shares,
    to link in one click. Word overlap only (no model), so it works on a fresh install."""
    if not user.has_perm("indicators.link"):
        return []
    title = " ".join(filter(None, [indicator.title.get("en"), indicator.title.get("ru")]))
    linked = set(indicator.links.values_list("recommendation_id", flat=True))
    links = link_paragraph(title, user, k=LINK_CANDIDATES + len(linked), suggestions=[])
    return [link for link in links if link.recommendation.pk not in linked][:LINK_CANDIDATES]


def _year(raw: str | None, grid: charts.Grid) -> int | None:
    years = {y for row in grid.values.values() for y in row}
    if raw and raw.isdigit() and int(raw) in years:
        return int(raw)
    return grid.latest_regional_year()


def _linked_recommendations(user: Any, indicator: Indicator) -> dict[str, Any]:
    """The recommendations an indicator measures: the secretariat's links, and those
    confirmed under the SDG target the indicator belongs to."""
    visible = get_recommendations_for_user(user)
    target = indicator.sdg.parent if indicator.sdg is not None else None
    by_target: QuerySet[Recommendation] = visible.none()
    if target is not None:
        by_target = visible.filter(
            labels__term=target, labels__status=Label.Status.CONFIRMED
        ).distinct()
    linked = visible.filter(indicator_links__indicator=indicator)
    return {
        "target": target,
        "linked": linked,
        "by_target": by_target[:LINKED_SHOWN],
        "by_target_count": by_target.count(),
    }


def _meta_rows(indicator: Indicator) -> list[tuple[str, str]]:
    labels = {
        "un_custodian_agency": _("UN custodian agency"),
        "un_designated_tier": _("UN tier"),
        "goal_meta_link": _("UN metadata"),
        "source": _("Source"),
        "source_url": _("Source"),
    }
    return [(labels[k], str(indicator.meta[k])) for k in labels if indicator.meta.get(k)]


@require_POST
@anonymous_to_login
def link_add(request: HttpRequest, dataset: str, code: str) -> HttpResponse:
    require_perm(request, "indicators.link")
    indicator = get_indicator_for_user(request.user, dataset, code)
    form = LinkForm(request.POST)
    if form.is_valid():
        rec = get_recommendation_for_user(request.user, form.cleaned_data["recommendation"])
        act.do_link_recommendation(request.user, indicator, rec, form.cleaned_data["note"])
        messages.success(request, _("The recommendation is linked."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(_detail_url(indicator))


@require_POST
@anonymous_to_login
def link_remove(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "indicators.link")
    link = get_link_for_user(request.user, pk)
    indicator = link.indicator
    act.do_unlink_recommendation(request.user, link)
    messages.success(request, _("The link is removed."))
    return redirect(_detail_url(indicator))


def _detail_url(indicator: Indicator) -> str:
    return reverse("indicators:indicator-detail", args=[indicator.dataset.code, indicator.code])


# -- imports -----------------------------------------------------------------------------


@require_GET
@anonymous_to_login
def import_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "indicators.view_import")
    return render(
        request,
        "indicators/import_list.html",
        {"runs": get_imports_for_user(request.user)[:50], "form": ImportForm()},
    )


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def import_new(request: HttpRequest) -> HttpResponse:
    require_perm(request, "indicators.import")
    form = ImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = act.do_queue_import(
                request.user,
                form.cleaned_data["kind"],
                form.origin(),
                force=form.cleaned_data["force"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            import_indicators.enqueue(run.pk)
            messages.success(request, _("The import is queued; this page follows it."))
            return redirect("indicators:import-detail", pk=run.pk)
    return render(request, "indicators/import_new.html", {"form": form})


@require_GET
@anonymous_to_login
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_import_for_user(request.user, pk)
    running = run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)
    code = request.GET.get("code", "")
    labels = {
        "set-aside": _("set aside"),
        "flagged": _("kept, flagged"),
        "corrected": _("corrected"),
        "noted": _("noted"),
    }
    problems = [
        p | {"action_label": labels.get(p["action"], p["action"])}
        for p in run.problems
        if not code or p["code"] == code
    ]
    return render(
        request,
        "indicators/import_detail.html",
        {
            "run": run,
            "refresh": REFRESH_SECONDS if running else 0,
            "problems": problems[: PROBLEMS_SHOWN * 5],
            "code": code,
        },
    )
