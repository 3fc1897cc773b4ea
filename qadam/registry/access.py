"""The only doors to registry objects: ``get_<obj>_for_user``.

Views and the API never query registry models directly for a user; they come
through here, so that "unpublished is invisible" holds everywhere.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from qadam.registry.models import ImportRun, Recommendation, SourceDocument


def get_recommendations_for_user(user: Any) -> QuerySet[Recommendation]:
    qs = Recommendation.objects.all()
    if not user.has_perm("registry.import"):
        qs = qs.filter(published=True)
    return qs


def get_recommendation_for_user(user: Any, pk: int) -> Recommendation:
    try:
        return (
            get_recommendations_for_user(user)
            .select_related("document", "mechanism", "session", "state_under_review")
            .get(pk=pk)
        )
    except Recommendation.DoesNotExist as exc:
        raise Http404 from exc


def get_documents_for_user(user: Any) -> QuerySet[SourceDocument]:
    return SourceDocument.objects.all()


def get_document_for_user(user: Any, pk: int) -> SourceDocument:
    try:
        return (
            get_documents_for_user(user)
            .select_related("mechanism", "session", "state_under_review")
            .get(pk=pk)
        )
    except SourceDocument.DoesNotExist as exc:
        raise Http404 from exc


def get_import_runs_for_user(user: Any) -> QuerySet[ImportRun]:
    if not user.has_perm("registry.view_importrun"):
        return ImportRun.objects.none()
    return ImportRun.objects.all()


def get_import_run_for_user(user: Any, pk: int) -> ImportRun:
    try:
        return get_import_runs_for_user(user).get(pk=pk)
    except ImportRun.DoesNotExist as exc:
        raise Http404 from exc
