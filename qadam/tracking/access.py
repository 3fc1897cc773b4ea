"""The only doors to tracking objects: ``get_<obj>_for_user``.

The querysets below encode the same rules as ``rules.py`` so that lists never show
what a detail page would refuse; tests check the two agree.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from qadam.tracking.models import Action, ActionInstitution, Evidence, Plan, ProgressUpdate
from qadam.tracking.rules import user_institution_id


def _is_secretariat(user: Any) -> bool:
    return bool(user.has_perm("tracking.add_plan"))


def _is_government(user: Any) -> bool:
    return getattr(user, "role", "") in ("focal_point", "contributor")


def get_plans_for_user(user: Any) -> QuerySet[Plan]:
    if _is_secretariat(user) or _is_government(user):
        return Plan.objects.all()
    return Plan.objects.filter(published=True)


def get_plan_for_user(user: Any, pk: int) -> Plan:
    return _get(get_plans_for_user(user), pk)


def get_actions_for_user(user: Any) -> QuerySet[Action]:
    qs = Action.objects.select_related("plan", "outcome_type")
    if _is_secretariat(user):
        return qs
    visible = Q(published=True, plan__published=True)
    inst = user_institution_id(user)
    if _is_government(user) and inst is not None:
        # A subquery, not a join to the assignments: each action stays one row, so no
        # DISTINCT (over every column) is needed, and it stays cheap at 50,000 actions.
        own = ActionInstitution.objects.filter(institution_id=inst).values("action_id")
        visible |= Q(pk__in=own)
    return qs.filter(visible)


def get_action_for_user(user: Any, pk: int) -> Action:
    return _get(get_actions_for_user(user), pk)


def get_updates_for_user(user: Any) -> QuerySet[ProgressUpdate]:
    qs = ProgressUpdate.objects.select_related("action", "institution")
    if _is_secretariat(user):
        return qs
    # Same as rules.is_public_update: a published update on a hidden action stays hidden.
    visible = Q(
        state=ProgressUpdate.State.PUBLISHED, action__published=True, action__plan__published=True
    )
    inst = user_institution_id(user)
    if _is_government(user) and inst is not None:
        visible |= Q(institution_id=inst)
    return qs.filter(visible)


def get_update_for_user(user: Any, pk: int) -> ProgressUpdate:
    return _get(get_updates_for_user(user), pk)


def get_evidence_for_user(user: Any, pk: int) -> Evidence:
    """404, never 403: an outsider must not learn that a file exists."""
    evidence = _get(Evidence.objects.select_related("update"), pk)
    if not user.has_perm("tracking.download_evidence", evidence.update):
        raise Http404
    return evidence


def _get(qs: QuerySet[Any], pk: int) -> Any:
    try:
        return qs.get(pk=pk)
    except qs.model.DoesNotExist as exc:
        raise Http404 from exc
