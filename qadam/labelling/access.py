"""The only doors to labelling objects: ``get_<obj>_for_user``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from qadam.labelling.models import LabellingRun, ModelVersion, OverlapGroup
from qadam.registry.access import get_recommendations_for_user
from qadam.registry.models import Label


def get_model_versions_for_user(user: Any) -> QuerySet[ModelVersion]:
    return ModelVersion.objects.all()


def get_model_version_for_user(user: Any, pk: int) -> ModelVersion:
    try:
        return get_model_versions_for_user(user).get(pk=pk)
    except ModelVersion.DoesNotExist as exc:
        raise Http404 from exc


def get_runs_for_user(user: Any) -> QuerySet[LabellingRun]:
    if not user.has_perm("labelling.run"):
        return LabellingRun.objects.none()
    return LabellingRun.objects.select_related("model_version")


def get_run_for_user(user: Any, pk: int) -> LabellingRun:
    try:
        return get_runs_for_user(user).get(pk=pk)
    except LabellingRun.DoesNotExist as exc:
        raise Http404 from exc


def get_suggestions_for_user(user: Any) -> QuerySet[Label]:
    """Undecided machine suggestions on recommendations this user may see."""
    if not user.has_perm("labelling.view_suggestions"):
        return Label.objects.none()
    return Label.objects.filter(
        provenance=Label.Provenance.MODEL,
        status=Label.Status.SUGGESTED,
        recommendation__in=get_recommendations_for_user(user),
    )


def get_overlap_groups_for_user(user: Any) -> QuerySet[OverlapGroup]:
    if not user.has_perm("labelling.view_overlap"):
        return OverlapGroup.objects.none()
    return OverlapGroup.objects.all()


def get_overlap_group_for_user(user: Any, pk: int) -> OverlapGroup:
    try:
        return get_overlap_groups_for_user(user).get(pk=pk)
    except OverlapGroup.DoesNotExist as exc:
        raise Http404 from exc
