"""The only doors to indicator objects: ``get_<obj>_for_user``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from qadam.indicators.models import ImportRun, Indicator, IndicatorLink


def get_indicators_for_user(user: Any) -> QuerySet[Indicator]:
    return Indicator.objects.select_related("dataset", "sdg")


def get_indicator_for_user(user: Any, dataset: str, code: str) -> Indicator:
    try:
        return get_indicators_for_user(user).get(dataset__code=dataset, code=code)
    except Indicator.DoesNotExist as exc:
        raise Http404 from exc


def get_imports_for_user(user: Any) -> QuerySet[ImportRun]:
    if not user.has_perm("indicators.view_import"):
        return ImportRun.objects.none()
    return ImportRun.objects.select_related("created_by")


def get_import_for_user(user: Any, pk: int) -> ImportRun:
    try:
        return get_imports_for_user(user).get(pk=pk)
    except ImportRun.DoesNotExist as exc:
        raise Http404 from exc


def get_link_for_user(user: Any, pk: int) -> IndicatorLink:
    try:
        return IndicatorLink.objects.select_related("indicator", "recommendation").get(pk=pk)
    except IndicatorLink.DoesNotExist as exc:
        raise Http404 from exc


def get_quality_notes_for_user(user: Any, indicator: Indicator, limit: int) -> list[dict[str, Any]]:
    """What the latest import of the indicator's dataset set aside, flagged or corrected
    in its file. Public, like the data: a reader must see the caveats of what they read
    (the run itself, with its server paths, stays with signed-in users)."""
    run = (
        ImportRun.objects.filter(
            dataset_code=indicator.dataset.code,
            status__in=[ImportRun.Status.DONE, ImportRun.Status.UNCHANGED],
        )
        .only("problems")
        .first()
    )
    if run is None:
        return []
    needle = f"indicator_{indicator.code}.csv"
    return [p for p in run.problems if str(p.get("file", "")).endswith(needle)][:limit]
