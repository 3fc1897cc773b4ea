"""The tracking API: plans, actions, progress updates, evidence and assessments.

The same doors as the web pages, so the two cannot disagree:

- every read goes through ``tracking.access.get_<obj>_for_user`` (or
  ``registry.access`` for recommendations): what you may not see is a 404, exactly
  as if it did not exist;
- every write goes through a ``do_*`` function of ``tracking.actions``, which asks
  ``tracking.rules`` and raises ``PermissionDenied`` (403, or 401 for nobody),
  ``ValidationError`` (422), ``ConcurrentEditError`` or ``TransitionError`` (409);
  ``qadam/api.py`` turns those into ``{"detail": …}`` answers.

So a write on something you can see but may not change is a 403; on something you
cannot see, a 404. Checks that only concern the request's shape (an unknown
institution code, a deadline before its start) are made here, before the write.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status, UploadedFile

from qadam.accounts.api import WRITE_AUTH
from qadam.accounts.rules import is_secretariat_admin
from qadam.indicators.models import Indicator
from qadam.registry.access import get_recommendation_for_user, get_recommendations_for_user
from qadam.registry.api import paginate
from qadam.registry.models import Cluster, Recommendation
from qadam.registry.schemas import PageParams
from qadam.taxonomy.models import Institution
from qadam.taxonomy.schemas import ErrorOut
from qadam.tracking import actions as act
from qadam.tracking.access import (
    get_action_for_user,
    get_actions_for_user,
    get_evidence_for_user,
    get_plan_for_user,
    get_plans_for_user,
    get_update_for_user,
    get_updates_for_user,
)
from qadam.tracking.models import (
    Action,
    ActionInstitution,
    Assessment,
    Evidence,
    OutcomeType,
    Plan,
    ProgressUpdate,
)
from qadam.tracking.models import Status as ActionStatus
from qadam.tracking.rules import own_gov_update
from qadam.tracking.schemas import (
    ActionIn,
    ActionOut,
    ActionPage,
    ActionParams,
    ActionPatch,
    AssessmentIn,
    AssessmentOut,
    AssignmentIO,
    EvidenceOut,
    InstitutionsIn,
    LinksIn,
    PlanIn,
    PlanOut,
    PlanPage,
    PlanPatch,
    ProblemOut,
    PublishIn,
    TransitionIn,
    UpdateIn,
    UpdateOut,
    UpdatePage,
    UpdatePatch,
)

router = Router()

# What each kind of operation may answer besides success, for the OpenAPI document.
READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ProblemOut,
}
CLOSED = (ActionStatus.DONE, ActionStatus.OBSOLETE)
# The state-free permission behind each workflow step (see tracking.rules).
STEP_ROLES = {
    "submitted": "tracking.submit_own_updates",
    "validated": "tracking.review_updates",
    "returned": "tracking.review_updates",
    "published": "tracking.review_updates",
}
# The review discussion stays between the reporting institution and the secretariat,
# even once the update itself is published.
sees_review = is_secretariat_admin | own_gov_update


# --- helpers -------------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def _patch(payload: Any, nullable: Iterable[str], exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The fields a PATCH sent; null only where the column allows it."""
    fields = payload.model_dump(exclude_unset=True, exclude=set(exclude))
    refused = sorted(
        name for name, value in fields.items() if value is None and name not in nullable
    )
    if refused:
        raise ValidationError(
            _("These fields cannot be empty: %(fields)s.") % {"fields": ", ".join(refused)}
        )
    return fields


def _publishing(payload: PublishIn | None) -> bool:
    return True if payload is None else payload.published


def _check_period(start: datetime.date | None, end: datetime.date | None) -> None:
    if start and end and start > end:
        raise ValidationError(
            _("The period starts after it ends (%(start)s > %(end)s).")
            % {"start": start, "end": end}
        )


# --- plans ---------------------------------------------------------------------------------


def plan_out(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "title": plan.title,
        "kind": plan.kind,
        "adopted_by": plan.adopted_by,
        "adopted_on": plan.adopted_on,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "is_demo": plan.is_demo,
        "published": plan.published,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
    }


@router.get("/plans", response={200: PlanPage, **READ_ERRORS}, tags=["plans"], summary="List plans")
def list_plans(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    """Plans you may see: published ones for everyone; all of them for the secretariat and
    for government focal points and contributors. Newest period first."""
    body = paginate(request, get_plans_for_user(request.user), params)
    body["results"] = [plan_out(p) for p in body.pop("items")]
    return body


@router.post(
    "/plans",
    auth=WRITE_AUTH,
    response={201: PlanOut, **WRITE_ERRORS},
    tags=["plans"],
    summary="Create a plan",
)
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[dict[str, Any]]:
    """A new, unpublished plan. Secretariat only."""
    _check_period(payload.period_start, payload.period_end)
    plan = act.do_create_plan(request.user, **payload.model_dump())
    return Status(201, plan_out(plan))


@router.get(
    "/plans/{int:id}", response={200: PlanOut, **READ_ERRORS}, tags=["plans"], summary="One plan"
)
def get_plan(request: HttpRequest, id: int) -> dict[str, Any]:
    """One plan; 404 when it does not exist or you may not see it."""
    return plan_out(get_plan_for_user(request.user, id))


@router.patch(
    "/plans/{int:id}",
    auth=WRITE_AUTH,
    response={200: PlanOut, **WRITE_ERRORS},
    tags=["plans"],
    summary="Change a plan",
)
def update_plan(request: HttpRequest, id: int, payload: PlanPatch) -> dict[str, Any]:
    """Change the fields sent, leave the others. Secretariat only."""
    plan = get_plan_for_user(request.user, id)
    fields = _patch(payload, nullable={"adopted_on", "period_start", "period_end"})
    _check_period(
        fields.get("period_start", plan.period_start), fields.get("period_end", plan.period_end)
    )
    return plan_out(act.do_update_plan(request.user, plan, **fields))


@router.delete(
    "/plans/{int:id}",
    auth=WRITE_AUTH,
    response={204: None, **WRITE_ERRORS},
    tags=["plans"],
    summary="Delete a plan",
)
def delete_plan(request: HttpRequest, id: int) -> Status[None]:
    """Delete a plan with all its actions, progress updates and evidence. Secretariat only."""
    act.do_delete_plan(request.user, get_plan_for_user(request.user, id))
    return Status(204, None)


@router.post(
    "/plans/{int:id}/publish",
    auth=WRITE_AUTH,
    response={200: PlanOut, **WRITE_ERRORS},
    tags=["plans"],
    summary="Publish or withdraw a plan",
)
def publish_plan(request: HttpRequest, id: int, payload: PublishIn | None = None) -> dict[str, Any]:
    """Show the plan to the public (no body, or `{"published": true}`), or withdraw it
    (`{"published": false}`). Its actions are public only once they are published too.
    Secretariat only."""
    plan = get_plan_for_user(request.user, id)
    return plan_out(act.do_publish_plan(request.user, plan, _publishing(payload)))


# --- actions -------------------------------------------------------------------------------


def actions_with_relations(user: Any, qs: QuerySet[Action]) -> QuerySet[Action]:
    """Everything an action shows, in a fixed number of queries whatever the page size.
    Linked recommendations are only those the user may see."""
    return qs.select_related("outcome_type").prefetch_related(
        Prefetch("assignments", queryset=ActionInstitution.objects.select_related("institution")),
        Prefetch(
            "recommendations", queryset=get_recommendations_for_user(user).order_by("pk").only("pk")
        ),
        Prefetch("clusters", queryset=Cluster.objects.order_by("pk").only("pk")),
        Prefetch("indicators", queryset=Indicator.objects.order_by("code").only("code")),
    )


def action_out(action: Action, today: datetime.date) -> dict[str, Any]:
    return {
        "id": action.pk,
        "plan": action.plan_id,
        "number": action.number,
        "title": action.title,
        "description": action.description,
        "outcome_type": action.outcome_type.code if action.outcome_type else None,
        "timeframe_text": action.timeframe_text,
        "deadline_start": action.deadline_start,
        "deadline": action.deadline,
        "overdue": bool(
            action.deadline and action.deadline < today and action.status not in CLOSED
        ),
        "status": action.status,
        "budget_planned": action.budget_planned,
        "budget_spent": action.budget_spent,
        "budget_currency": action.budget_currency,
        "budget_source": action.budget_source,
        "institutions": [
            {"institution": a.institution.code, "role": a.role, "as_agreed": a.as_agreed}
            for a in action.assignments.all()
        ],
        "recommendations": [r.pk for r in action.recommendations.all()],
        "clusters": [c.pk for c in action.clusters.all()],
        "indicators": [i.code for i in action.indicators.all()],
        "flags": action.flags,
        "version": action.version,
        "published": action.published,
        "created_at": action.created_at,
        "updated_at": action.updated_at,
    }


def _action_detail(user: Any, pk: int) -> dict[str, Any]:
    qs = actions_with_relations(user, get_actions_for_user(user))
    action = qs.filter(pk=pk).first()
    if action is None:
        raise Http404
    return action_out(action, _today())


def filter_actions(qs: QuerySet[Action], params: ActionParams) -> QuerySet[Action]:
    today = _today()
    overdue = Q(deadline__lt=today) & ~Q(status__in=CLOSED)
    if params.plan is not None:
        qs = qs.filter(plan_id=params.plan)
    if params.institution:
        # A subquery, not a join: the visibility filter may already join assignments.
        assigned = ActionInstitution.objects.filter(institution__code=params.institution)
        qs = qs.filter(pk__in=assigned.values("action_id"))
    if params.status:
        qs = qs.filter(status__in=params.status)
    if params.overdue is not None:
        qs = qs.filter(overdue) if params.overdue else qs.exclude(overdue)
    if params.due_within_days is not None:
        until = today + datetime.timedelta(days=params.due_within_days)
        qs = qs.filter(deadline__gte=today, deadline__lte=until).exclude(status__in=CLOSED)
    return qs


def _resolve_assignments(rows: list[AssignmentIO]) -> list[tuple[Institution, str, bool]]:
    """Institutions by acronym, lead first, each once; every problem in one message."""
    codes = [row.institution for row in rows]
    known = {i.code: i for i in Institution.objects.filter(code__in=codes)}
    problems = []
    unknown = [c for c in codes if c not in known]
    if unknown:
        problems.append(_("Unknown institutions: %(codes)s.") % {"codes": ", ".join(unknown)})
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        problems.append(
            _("Each institution may appear once: %(codes)s.") % {"codes": ", ".join(repeated)}
        )
    roles = [row.role for row in rows]
    if roles.count("lead") > 1 or ("lead" in roles and roles[0] != "lead"):
        problems.append(_("Give one lead institution, first in the list."))
    if problems:
        raise ValidationError(problems)
    return [(known[row.institution], row.role, row.as_agreed) for row in rows]


def _resolve_recommendations(user: Any, ids: list[int]) -> list[Recommendation]:
    """The recommendations named, all of which the user must be able to see."""
    wanted = set(ids)
    found = list(get_recommendations_for_user(user).filter(pk__in=wanted))
    missing = sorted(wanted - {r.pk for r in found})
    if missing:
        raise ValidationError(
            _("There are no recommendations with these ids: %(ids)s.")
            % {"ids": ", ".join(map(str, missing))}
        )
    return found


def _resolve_cluster(pk: int | None) -> list[Cluster]:
    if pk is None:
        return []
    cluster = Cluster.objects.filter(pk=pk).first()
    if cluster is None:
        raise ValidationError(_("There is no cluster %(id)s.") % {"id": pk})
    return [cluster]


def _members(
    user: Any, clusters: list[Cluster], besides: list[Recommendation]
) -> list[Recommendation]:
    """A cluster's members the user may see (an unpublished one is never linked blindly)."""
    if not clusters:
        return besides
    seen = {r.pk for r in besides}
    members = get_recommendations_for_user(user).filter(clusters__in=clusters).distinct()
    return besides + [r for r in members if r.pk not in seen]


def _resolve_outcome(fields: dict[str, Any]) -> None:
    """Replace an outcome type code by the outcome type, in place."""
    if fields.get("outcome_type") is None:
        return
    code = fields["outcome_type"]
    outcome = OutcomeType.objects.filter(code=code).first()
    if outcome is None:
        raise ValidationError(_("Unknown outcome type %(code)s.") % {"code": code})
    fields["outcome_type"] = outcome


@router.get(
    "/actions", response={200: ActionPage, **READ_ERRORS}, tags=["actions"], summary="List actions"
)
def list_actions(request: HttpRequest, params: Query[ActionParams]) -> dict[str, Any]:
    """Actions you may see, filtered: published actions of published plans for everyone;
    also their own institution's actions for a focal point or contributor; all of them
    for the secretariat. `institution=MLSP&overdue=true` is MLSP's overdue list."""
    qs = filter_actions(get_actions_for_user(request.user), params)
    body = paginate(request, actions_with_relations(request.user, qs), params)
    today = _today()
    body["results"] = [action_out(a, today) for a in body.pop("items")]
    return body


@router.post(
    "/actions",
    auth=WRITE_AUTH,
    response={201: ActionOut, **WRITE_ERRORS},
    tags=["actions"],
    summary="Create an action",
)
def create_action(request: HttpRequest, payload: ActionIn) -> Status[dict[str, Any]]:
    """A new, unpublished action in a plan, with its institutions and linked
    recommendations. Secretariat only."""
    user = request.user
    plan = get_plans_for_user(user).filter(pk=payload.plan).first()
    if plan is None:
        raise ValidationError(_("There is no plan %(id)s.") % {"id": payload.plan})
    institutions = _resolve_assignments(payload.institutions)
    recommendations = _resolve_recommendations(user, payload.recommendations)
    fields = payload.model_dump(
        exclude={"plan", "institutions", "recommendations"}, exclude_none=True
    )
    _resolve_outcome(fields)
    _check_period(fields.get("deadline_start"), fields.get("deadline"))
    action = act.do_create_action(user, plan, institutions, recommendations, **fields)
    return Status(201, _action_detail(user, action.pk))


@router.get(
    "/actions/{int:id}",
    response={200: ActionOut, **READ_ERRORS},
    tags=["actions"],
    summary="One action",
)
def get_action(request: HttpRequest, id: int) -> dict[str, Any]:
    """One action with its institutions, budget and links; 404 when it does not exist or
    you may not see it."""
    return _action_detail(request.user, id)


@router.patch(
    "/actions/{int:id}",
    auth=WRITE_AUTH,
    response={200: ActionOut, **WRITE_ERRORS},
    tags=["actions"],
    summary="Change an action",
)
def update_action(request: HttpRequest, id: int, payload: ActionPatch) -> dict[str, Any]:
    """Change the fields sent. Send the `version` you read: if the action changed since,
    nothing is saved and the answer is 409. The secretariat may change every field; a
    focal point of a lead or co-executing institution only `description` and
    `budget_spent`."""
    user = request.user
    action = get_action_for_user(user, id)
    fields = _patch(
        payload,
        exclude={"version"},
        nullable={"outcome_type", "deadline_start", "deadline", "budget_planned", "budget_spent"},
    )
    _resolve_outcome(fields)
    _check_period(
        fields.get("deadline_start", action.deadline_start), fields.get("deadline", action.deadline)
    )
    act.do_update_action(user, action, version=payload.version, **fields)
    return _action_detail(user, id)


@router.delete(
    "/actions/{int:id}",
    auth=WRITE_AUTH,
    response={204: None, **WRITE_ERRORS},
    tags=["actions"],
    summary="Delete an action",
)
def delete_action(request: HttpRequest, id: int) -> Status[None]:
    """Delete an action with its progress updates and evidence. Secretariat only."""
    act.do_delete_action(request.user, get_action_for_user(request.user, id))
    return Status(204, None)


@router.post(
    "/actions/{int:id}/publish",
    auth=WRITE_AUTH,
    response={200: ActionOut, **WRITE_ERRORS},
    tags=["actions"],
    summary="Publish or withdraw an action",
)
def publish_action(
    request: HttpRequest, id: int, payload: PublishIn | None = None
) -> dict[str, Any]:
    """Show the action to the public once its plan is published too (no body, or
    `{"published": true}`), or withdraw it (`{"published": false}`). Secretariat only."""
    action = get_action_for_user(request.user, id)
    act.do_publish_action(request.user, action, _publishing(payload))
    return _action_detail(request.user, id)


@router.post(
    "/actions/{int:id}/recommendations",
    auth=WRITE_AUTH,
    response={200: ActionOut, **WRITE_ERRORS},
    tags=["actions"],
    summary="Link recommendations to an action",
)
def link_recommendations(request: HttpRequest, id: int, payload: LinksIn) -> dict[str, Any]:
    """Link recommendations by id, and/or a cluster: the cluster is recorded on the action
    and each of its recommendations is linked. Links that exist already are left as they
    are. Secretariat only."""
    user = request.user
    action = get_action_for_user(user, id)
    clusters = _resolve_cluster(payload.cluster)
    recs = _members(user, clusters, _resolve_recommendations(user, payload.recommendations))
    act.do_link_recommendations(user, action, add=recs, add_clusters=clusters)
    return _action_detail(user, id)


@router.delete(
    "/actions/{int:id}/recommendations",
    auth=WRITE_AUTH,
    response={200: ActionOut, **WRITE_ERRORS},
    tags=["actions"],
    summary="Unlink recommendations from an action",
)
def unlink_recommendations(request: HttpRequest, id: int, payload: LinksIn) -> dict[str, Any]:
    """Unlink recommendations by id, and/or a cluster (the body is JSON, as for linking).
    Unlinking a cluster leaves its recommendations linked, since they may be there on
    their own: list their ids to unlink them too. Secretariat only."""
    user = request.user
    action = get_action_for_user(user, id)
    clusters = _resolve_cluster(payload.cluster)
    recs = _resolve_recommendations(user, payload.recommendations)
    act.do_link_recommendations(user, action, remove=recs, remove_clusters=clusters)
    return _action_detail(user, id)


@router.put(
    "/actions/{int:id}/institutions",
    auth=WRITE_AUTH,
    response={200: ActionOut, **WRITE_ERRORS},
    tags=["actions"],
    summary="Set an action's institutions",
)
def set_institutions(request: HttpRequest, id: int, payload: InstitutionsIn) -> dict[str, Any]:
    """Replace the lead and co-executing institutions: the lead first, each institution
    once, by acronym. Secretariat only."""
    action = get_action_for_user(request.user, id)
    act.do_set_action_institutions(request.user, action, _resolve_assignments(payload.institutions))
    return _action_detail(request.user, id)


# --- progress updates ----------------------------------------------------------------------


def updates_with_relations(qs: QuerySet[ProgressUpdate]) -> QuerySet[ProgressUpdate]:
    return qs.select_related("institution").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("pk"))
    )


def evidence_out(evidence: Evidence) -> dict[str, Any]:
    # No storage path: files are reached through the permission-checked download only.
    return {
        "id": evidence.pk,
        "name": evidence.original_name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "url": reverse("api:download_evidence", args=[evidence.pk]),
        "created_at": evidence.created_at,
    }


def update_out(user: Any, update: ProgressUpdate) -> dict[str, Any]:
    return {
        "id": update.pk,
        "action": update.action_id,
        "institution": update.institution.code,
        "as_of": update.as_of,
        "text": update.text,
        "language": update.language,
        "proposed_status": update.proposed_status,
        "spent": update.spent,
        "state": update.state,
        "review_comment": update.review_comment if sees_review(user, update) else "",
        "is_demo": update.is_demo,
        "version": update.version,
        "evidence": [evidence_out(e) for e in update.evidence.all()],
        "created_at": update.created_at,
        "updated_at": update.updated_at,
    }


def _update_detail(user: Any, pk: int) -> dict[str, Any]:
    update = updates_with_relations(get_updates_for_user(user)).filter(pk=pk).first()
    if update is None:
        raise Http404
    return update_out(user, update)


@router.get(
    "/actions/{int:id}/updates",
    response={200: UpdatePage, **READ_ERRORS},
    tags=["progress updates"],
    summary="List an action's progress updates",
)
def list_updates(request: HttpRequest, id: int, params: Query[PageParams]) -> dict[str, Any]:
    """The progress updates of one action you may see, newest first: published ones for
    everyone; drafts and updates under review for their own institution and the
    secretariat."""
    user = request.user
    action = get_action_for_user(user, id)
    qs = updates_with_relations(get_updates_for_user(user).filter(action=action))
    body = paginate(request, qs, params)
    body["results"] = [update_out(user, u) for u in body.pop("items")]
    return body


@router.post(
    "/actions/{int:id}/updates",
    auth=WRITE_AUTH,
    response={201: UpdateOut, **WRITE_ERRORS},
    tags=["progress updates"],
    summary="Report progress on an action",
)
def create_update(request: HttpRequest, id: int, payload: UpdateIn) -> Status[dict[str, Any]]:
    """A new draft progress update, in the name of your institution. Focal points and
    contributors of a lead or co-executing institution; a focal point then submits it."""
    action = get_action_for_user(request.user, id)
    update = act.do_create_update(request.user, action, **payload.model_dump())
    return Status(201, _update_detail(request.user, update.pk))


@router.get(
    "/updates/{int:id}",
    response={200: UpdateOut, **READ_ERRORS},
    tags=["progress updates"],
    summary="One progress update",
)
def get_update(request: HttpRequest, id: int) -> dict[str, Any]:
    """One progress update with its evidence files; 404 when it does not exist or you may
    not see it."""
    return _update_detail(request.user, id)


@router.patch(
    "/updates/{int:id}",
    auth=WRITE_AUTH,
    response={200: UpdateOut, **WRITE_ERRORS},
    tags=["progress updates"],
    summary="Change a progress update",
)
def edit_update(request: HttpRequest, id: int, payload: UpdatePatch) -> dict[str, Any]:
    """Change a draft or returned update of your institution. Send the `version` you read:
    if the update changed since, nothing is saved and the answer is 409."""
    update = get_update_for_user(request.user, id)
    fields = _patch(payload, exclude={"version"}, nullable={"spent"})
    act.do_edit_update(request.user, update, version=payload.version, **fields)
    return _update_detail(request.user, id)


@router.delete(
    "/updates/{int:id}",
    auth=WRITE_AUTH,
    response={204: None, **WRITE_ERRORS},
    tags=["progress updates"],
    summary="Delete a progress update",
)
def delete_update(request: HttpRequest, id: int) -> Status[None]:
    """Delete a draft or returned update of your institution, with its evidence; the
    secretariat may delete any update that is not published."""
    act.do_delete_update(request.user, get_update_for_user(request.user, id))
    return Status(204, None)


@router.post(
    "/updates/{int:id}/transition",
    auth=WRITE_AUTH,
    response={200: UpdateOut, **WRITE_ERRORS},
    tags=["progress updates"],
    summary="Submit, validate, return or publish a progress update",
)
def transition_update(request: HttpRequest, id: int, payload: TransitionIn) -> dict[str, Any]:
    """Move an update through its workflow: draft or returned → submitted (focal point of
    the institution); submitted → validated or returned, with a comment (secretariat);
    validated → published (secretariat). A validated update sets its action's status and
    money spent. A step the workflow does not allow from the current state is a 409."""
    user = request.user
    update = get_update_for_user(user, id)
    # As on the web: who could never take this step is refused (403) before being told
    # the update's state does not allow it (409).
    if not user.has_perm(STEP_ROLES[payload.to], update):
        raise PermissionDenied(STEP_ROLES[payload.to])
    act.do_transition_update(user, update, payload.to, payload.comment, payload.version)
    return _update_detail(user, id)


# --- evidence ------------------------------------------------------------------------------


@router.post(
    "/updates/{int:id}/evidence",
    auth=WRITE_AUTH,
    response={201: EvidenceOut, **WRITE_ERRORS},
    tags=["evidence"],
    summary="Attach an evidence file to a progress update",
)
def upload_evidence(
    request: HttpRequest, id: int, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    """Upload one file (multipart/form-data, field `file`) to a draft or returned update of
    your institution. PDF, Word, Excel, OpenDocument text, PNG, JPEG or plain text, judged
    by its contents; too large, empty or mis-typed files are refused with 422 naming the
    file."""
    user = request.user
    update = get_update_for_user(user, id)
    name = file.name or "upload"
    limit = act.evidence_limit()
    if (file.size or 0) > limit:
        # Refuse before reading a huge file into memory; the permission comes first so
        # that the answer is the same as do_attach_evidence would give.
        if not user.has_perm("tracking.change_update", update):
            raise PermissionDenied("tracking.change_update")
        raise ValidationError(
            _("%(file)s is %(size)d bytes; evidence files may be at most %(limit)d bytes.")
            % {"file": name, "size": file.size, "limit": limit}
        )
    evidence = act.do_attach_evidence(user, update, file.read(), name)
    return Status(201, evidence_out(evidence))


@router.get(
    "/evidence/{int:id}",
    url_name="download_evidence",
    response=READ_ERRORS,
    tags=["evidence"],
    summary="Download an evidence file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def download_evidence(request: HttpRequest, id: int) -> FileResponse:
    """The file itself. Evidence of an unpublished update is for its institution and the
    secretariat only: for anyone else it is a 404, as if it did not exist."""
    evidence = get_evidence_for_user(request.user, id)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    # Never let a shared cache keep a file that may be private.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- assessments ---------------------------------------------------------------------------


def assessment_out(user: Any, rec: Recommendation) -> dict[str, Any]:
    visible_actions = get_actions_for_user(user).filter(recommendations=rec)
    action_ids = sorted(set(visible_actions.values_list("pk", flat=True)))
    assessment = Assessment.objects.filter(recommendation=rec).first()
    if assessment is None:
        # Never computed yet (no action was ever linked): derive it without writing.
        statuses = list(Action.objects.filter(recommendations=rec).values_list("status", flat=True))
        derived = act.derive_status(statuses)
        return {
            "recommendation": rec.pk,
            "status": derived,
            "derived_status": derived,
            "override_status": "",
            "override_reason": "",
            "actions": action_ids,
            "updated_at": None,
        }
    return {
        "recommendation": rec.pk,
        "status": assessment.status,
        "derived_status": assessment.derived_status,
        "override_status": assessment.override_status,
        "override_reason": assessment.override_reason,
        "actions": action_ids,
        "updated_at": assessment.updated_at,
    }


@router.get(
    "/recommendations/{int:id}/assessment",
    response={200: AssessmentOut, **READ_ERRORS},
    tags=["assessments"],
    summary="A recommendation's implementation assessment",
)
def get_assessment(request: HttpRequest, id: int) -> dict[str, Any]:
    """How far a recommendation is implemented: derived from the statuses of its actions
    (not started, in progress, partially implemented, fully implemented, no longer
    relevant), unless the secretariat overrode it with a stated reason. 404 when the
    recommendation does not exist or is not published."""
    rec = get_recommendation_for_user(request.user, id)
    return assessment_out(request.user, rec)


@router.put(
    "/recommendations/{int:id}/assessment",
    auth=WRITE_AUTH,
    response={200: AssessmentOut, **WRITE_ERRORS},
    tags=["assessments"],
    summary="Override a recommendation's assessment",
)
def override_assessment(request: HttpRequest, id: int, payload: AssessmentIn) -> dict[str, Any]:
    """Set the status by hand, with the reason (required), or send `"status": ""` to go
    back to the derived status. Secretariat only."""
    rec = get_recommendation_for_user(request.user, id)
    act.do_override_assessment(request.user, rec, payload.status, payload.reason)
    return assessment_out(request.user, rec)
