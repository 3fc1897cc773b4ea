"""The only doors to quality-of-life objects: ``get_<obj>_for_user``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from qadam.qol.models import Evaluation, Standard, StandardVersion


def get_standards_for_user(user: Any) -> QuerySet[Standard]:
    return Standard.objects.all()


def get_standard_for_user(user: Any, code: str | None = None) -> Standard:
    """The standard named ``code``; without a code, the configured default, else the
    only one there is."""
    standards = get_standards_for_user(user)
    if code:
        standard = standards.filter(code=code).first()
    else:
        standard = standards.filter(code=settings.QADAM_QOL_STANDARD).first() or (
            standards.first() if standards.count() == 1 else None
        )
    if standard is None:
        raise Http404
    return standard


def get_version_for_user(
    user: Any, standard: Standard, number: int | None = None
) -> StandardVersion:
    versions = standard.versions.all()
    version = versions.filter(number=number).first() if number else versions.first()
    if version is None:
        raise Http404
    return version


def get_evaluation_for_user(user: Any, version: StandardVersion) -> Evaluation | None:
    """The newest finished evaluation of a version; None when it was never computed."""
    return version.evaluations.filter(status=Evaluation.Status.DONE).first()


def get_evaluations_for_user(user: Any) -> QuerySet[Evaluation]:
    return Evaluation.objects.select_related("version__standard")
