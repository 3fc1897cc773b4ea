"""The secretariat's and the institutions' tracking pages: plans, actions, progress
updates with evidence, the work queue and recommendation assessments.

Views parse and render. Objects come through ``qadam.tracking.access`` (so lists never
show what a detail page would refuse), writes go through ``qadam.tracking.actions``
(permission-checked, audited, all or nothing), and who may do what is decided in
``qadam.tracking.rules``.

Refusals, the same on every page:

* an anonymous visitor asking for anything not public is sent to the login page,
  whether or not the object exists;
* a signed-in user who may not see an object gets 404, so that a guessed address
  learns nothing (unpublished evidence above all);
* a signed-in user who may see it but not do what they asked gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qadam.accounts.refusals import anonymous_to_login
from qadam.audit.actions import history_for
from qadam.registry.access import (
    get_documents_for_user,
    get_recommendation_for_user,
    get_recommendations_for_user,
)
from qadam.registry.models import Cluster, Recommendation
from qadam.registry.queries import RecommendationQuery, apply_filters
from qadam.tracking import actions as act
from qadam.tracking.access import (
    get_actions_for_user,
    get_evidence_for_user,
    get_plan_for_user,
    get_plans_for_user,
    get_updates_for_user,
)
from qadam.tracking.forms import (
    ActionForm,
    LinkForm,
    OverrideForm,
    PlanForm,
    ReportForm,
    TransitionForm,
    UpdateForm,
    co_formset,
    co_initial,
)
from qadam.tracking.importing import FLAG_LABELS
from qadam.tracking.models import (
    Action,
    ActionInstitution,
    Assessment,
    ProgressUpdate,
    Status,
)
from qadam.tracking.rules import user_institution_id

View = Callable[..., HttpResponseBase]

PLANS_PER_PAGE = 50
ACTIONS_PER_PAGE = 100
QUEUE_ROWS = 200
SEARCH_RESULTS = 25
DUE_SOON_DAYS = 30
REPORT_EVERY_DAYS = 90
HISTORY_ROWS = 50
CLOSED = (Status.DONE, Status.OBSOLETE)

# Audit verbs as a reader says them.
EVENTS = {
    "tracking.plan.create": gettext_lazy("Created the plan"),
    "tracking.plan.update": gettext_lazy("Edited the plan"),
    "tracking.plan.publish": gettext_lazy("Changed whether the plan is published"),
    "tracking.plan.import": gettext_lazy("Imported actions from a plan file"),
    "tracking.plan.import.confirm": gettext_lazy("Confirmed the plan import"),
    "tracking.action.create": gettext_lazy("Created the action"),
    "tracking.action.update": gettext_lazy("Edited the action"),
    "tracking.action.institutions": gettext_lazy("Changed the responsible institutions"),
    "tracking.action.links": gettext_lazy("Linked or unlinked recommendations"),
    "tracking.action.publish": gettext_lazy("Changed whether the action is published"),
    "tracking.update.create": gettext_lazy("Drafted the progress update"),
    "tracking.update.edit": gettext_lazy("Edited the progress update"),
    "tracking.update.submitted": gettext_lazy("Submitted the update to the secretariat"),
    "tracking.update.validated": gettext_lazy("Validated the update"),
    "tracking.update.returned": gettext_lazy("Returned the update to the institution"),
    "tracking.update.published": gettext_lazy("Published the update"),
    "tracking.update.demo": gettext_lazy("Marked the update as demo progress"),
    "tracking.evidence.add": gettext_lazy("Attached an evidence file"),
    "tracking.assessment.override": gettext_lazy("Overrode the assessment"),
}


# -- refusals --------------------------------------------------------------------------


def _require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _form_errors(form: Any, exc: ValidationError) -> None:
    """A refusal from actions.py shown at the top of the form, user's input kept."""
    for message in exc.messages:
        form.add_error(None, message)


def _history(obj: Any) -> list[tuple[Any, str]]:
    return [(e, str(EVENTS.get(e.action, e.action))) for e in history_for(obj)[:HISTORY_ROWS]]


def _page_links(page: Page[Any]) -> list[int | str]:
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def _with_assignments(qs: QuerySet[Action]) -> QuerySet[Action]:
    """What an action row shows, in a fixed number of queries whatever the rows."""
    return qs.select_related("plan", "outcome_type").prefetch_related(
        Prefetch(
            "assignments",
            queryset=ActionInstitution.objects.select_related("institution").order_by("position"),
        )
    )


# -- plans -------------------------------------------------------------------------------


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = get_plans_for_user(request.user).order_by("-period_start", "id")
    page = Paginator(plans, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    counts = _action_counts(request.user, [p.pk for p in page.object_list])
    return render(
        request,
        "tracking/plan_list.html",
        {
            "page": page,
            "page_links": _page_links(page),
            "rows": [(p, counts.get(p.pk, 0)) for p in page.object_list],
        },
    )


def _action_counts(user: Any, plan_ids: list[int]) -> dict[int, int]:
    """Actions per plan that this user may see, in one query."""
    rows = (
        get_actions_for_user(user)
        .filter(plan_id__in=plan_ids)
        .order_by()
        .values("plan_id")
        .annotate(n=Count("id", distinct=True))
    )
    return {r["plan_id"]: r["n"] for r in rows}


@require_GET
@anonymous_to_login
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    actions = _with_assignments(get_actions_for_user(request.user).filter(plan=plan))
    page = Paginator(actions.order_by("id"), ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    user = request.user
    return render(
        request,
        "tracking/plan_detail.html",
        {
            "plan": plan,
            "page": page,
            "page_links": _page_links(page),
            "today": timezone.localdate(),
            "can_edit": user.has_perm("tracking.change_plan", plan),
            "can_publish": user.has_perm("tracking.publish_plan", plan),
            "can_delete": user.has_perm("tracking.delete_plan", plan),
            "can_add_action": user.has_perm("tracking.add_action"),
            "history": _history(plan),
        },
    )


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def plan_create(request: HttpRequest) -> HttpResponse:
    _require(request, "tracking.add_plan")
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = act.do_create_plan(request.user, **form.plan_fields())
        messages.success(request, _("The plan was created. It is not published yet."))
        return redirect("tracking:plan-detail", pk=plan.pk)
    return _render_form(request, "tracking/plan_form.html", {"form": form, "plan": None})


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    _require(request, "tracking.change_plan", plan)
    form = PlanForm(request.POST or None, initial=PlanForm.initial_for(plan))
    if request.method == "POST" and form.is_valid():
        act.do_update_plan(request.user, plan, **form.plan_fields())
        messages.success(request, _("The plan was saved."))
        return redirect("tracking:plan-detail", pk=plan.pk)
    return _render_form(request, "tracking/plan_form.html", {"form": form, "plan": plan})


def _render_form(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A refused form answers 400 (409 for a concurrent edit) so that tools can tell."""
    form, co = context["form"], context.get("co")
    status = 200
    refused = form.is_bound and not form.is_valid()
    if refused or (co is not None and co.is_bound and not co.is_valid()):
        status = 409 if context.get("conflict") else 400
    return render(request, template, context, status=status)


@require_POST
@anonymous_to_login
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    publish = request.POST.get("published") == "1"
    act.do_publish_plan(request.user, plan, publish)
    if publish:
        messages.success(request, _("The plan is published: everyone can see it."))
    else:
        messages.success(request, _("The plan is no longer published."))
    return redirect("tracking:plan-detail", pk=plan.pk)


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    _require(request, "tracking.delete_plan", plan)
    if request.method == "POST":
        act.do_delete_plan(request.user, plan)
        messages.success(request, _("The plan and its actions were deleted."))
        return redirect("tracking:plan-list")
    return render(
        request,
        "tracking/confirm_delete.html",
        {
            "object": plan,
            "kind": "plan",
            "count": plan.actions.count(),
            "cancel_url": reverse("tracking:plan-detail", args=[plan.pk]),
        },
    )


# -- actions -----------------------------------------------------------------------------


@require_GET
@anonymous_to_login
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action_for(request, pk)
    user = request.user
    updates = list(
        get_updates_for_user(user)
        .filter(action=action)
        .select_related("author")
        .prefetch_related("evidence")
    )
    return render(
        request,
        "tracking/action_detail.html",
        {
            "action": action,
            "assignments": list(action.assignments.all()),
            "recommendations": _linked_recommendations(user, action),
            "clusters": list(action.clusters.select_related("document")),
            "updates": [(u, _update_buttons(user, u)) for u in updates],
            "today": timezone.localdate(),
            "can_edit": user.has_perm("tracking.change_action", action),
            "can_report": user.has_perm("tracking.report_on_action", action),
            "can_publish": user.has_perm("tracking.publish_action", action),
            "can_delete": user.has_perm("tracking.delete_action", action),
            "can_add_update": user.has_perm("tracking.add_update", action),
            "history": _history(action),
            "flags": [str(FLAG_LABELS.get(code, code)) for code in action.flags or []],
        },
    )


def _action_for(request: HttpRequest, pk: int) -> Action:
    qs = _with_assignments(get_actions_for_user(request.user))
    try:
        return qs.get(pk=pk)
    except Action.DoesNotExist as exc:
        raise Http404 from exc


def _linked_recommendations(user: Any, action: Action) -> list[tuple[Recommendation, str]]:
    """Linked recommendations this user may see, each with its assessed status."""
    recs = list(
        get_recommendations_for_user(user)
        .filter(pk__in=action.recommendations.values("pk"))
        .select_related("document", "assessment")
        .order_by("document__symbol", "number", "id")
    )
    labels = dict(Status.choices)
    out = []
    for rec in recs:
        assessment = getattr(rec, "assessment", None)
        status = assessment.status if assessment else Status.NOT_STARTED
        out.append((rec, str(labels.get(status, status))))
    return out


@dataclass
class UpdateButtons:
    edit: bool
    submit: bool
    validate: bool
    publish: bool
    delete: bool


def _update_buttons(user: Any, update: ProgressUpdate) -> UpdateButtons:
    return UpdateButtons(
        edit=user.has_perm("tracking.change_update", update),
        submit=user.has_perm("tracking.submit_update", update),
        validate=user.has_perm("tracking.validate_update", update),
        publish=user.has_perm("tracking.publish_update", update),
        delete=user.has_perm("tracking.delete_update", update),
    )


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def action_create(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_pk)
    _require(request, "tracking.add_action")
    data = request.POST or None
    form, co = ActionForm(data), co_formset(data)
    if request.method == "POST" and _valid(form, co):
        action = act.do_create_action(
            request.user,
            plan,
            institutions=co.assignments(
                form.cleaned_data["lead"], form.cleaned_data["lead_as_agreed"]
            ),
            **form.action_fields(),
        )
        act.do_set_action_indicators(request.user, action, form.cleaned_data["indicators"])
        messages.success(request, _("The action was created. It is not published yet."))
        return redirect("tracking:action-detail", pk=action.pk)
    return _render_form(
        request, "tracking/action_form.html", {"form": form, "co": co, "plan": plan, "action": None}
    )


def _valid(form: ActionForm, co: Any) -> bool:
    ok = form.is_valid()
    co.lead = form.cleaned_data.get("lead") if ok else None
    return co.is_valid() and ok


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretariat edits everything; a focal point only the description and money spent."""
    action = _action_for(request, pk)
    if request.user.has_perm("tracking.change_action", action):
        return _edit_whole_action(request, action)
    _require(request, "tracking.report_on_action", action)
    return _edit_report(request, action)


def _edit_whole_action(request: HttpRequest, action: Action) -> HttpResponse:
    data = request.POST or None
    form = ActionForm(data, initial=ActionForm.initial_for(action))
    co = co_formset(data, co_initial(action))
    conflict = False
    if request.method == "POST" and _valid(form, co):
        try:
            # One transaction: a refused version check leaves the institutions untouched.
            with transaction.atomic():
                act.do_update_action(
                    request.user,
                    action,
                    version=form.cleaned_data["version"],
                    **form.action_fields(),
                )
                act.do_set_action_institutions(
                    request.user,
                    action,
                    co.assignments(form.cleaned_data["lead"], form.cleaned_data["lead_as_agreed"]),
                )
                act.do_set_action_indicators(request.user, action, form.cleaned_data["indicators"])
        except ValidationError as exc:
            conflict = isinstance(exc, act.ConcurrentEditError)
            _form_errors(form, exc)
        else:
            messages.success(request, _("The action was saved."))
            return redirect("tracking:action-detail", pk=action.pk)
    return _render_form(
        request,
        "tracking/action_form.html",
        {"form": form, "co": co, "plan": action.plan, "action": action, "conflict": conflict},
    )


def _edit_report(request: HttpRequest, action: Action) -> HttpResponse:
    form = ReportForm(request.POST or None, initial=ReportForm.initial_for(action))
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            act.do_update_action(
                request.user,
                action,
                version=form.cleaned_data["version"],
                **form.report_fields(),
            )
        except ValidationError as exc:
            conflict = isinstance(exc, act.ConcurrentEditError)
            _form_errors(form, exc)
        else:
            messages.success(request, _("The action was saved."))
            return redirect("tracking:action-detail", pk=action.pk)
    return _render_form(
        request,
        "tracking/action_report_form.html",
        {"form": form, "action": action, "conflict": conflict},
    )


@require_POST
@anonymous_to_login
def action_publish(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action_for(request, pk)
    publish = request.POST.get("published") == "1"
    act.do_publish_action(request.user, action, publish)
    if publish and not action.plan.published:
        messages.warning(
            request,
            _(
                "The action is marked as published, but its plan is not: nobody outside "
                "the government sees it until the plan is published."
            ),
        )
    elif publish:
        messages.success(request, _("The action is published: everyone can see it."))
    else:
        messages.success(request, _("The action is no longer published."))
    return redirect("tracking:action-detail", pk=action.pk)


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action_for(request, pk)
    _require(request, "tracking.delete_action", action)
    if request.method == "POST":
        plan_pk = action.plan_id
        act.do_delete_action(request.user, action)
        messages.success(request, _("The action was deleted."))
        return redirect("tracking:plan-detail", pk=plan_pk)
    return render(
        request,
        "tracking/confirm_delete.html",
        {
            "object": action,
            "kind": "action",
            "count": action.updates.count(),
            "cancel_url": reverse("tracking:action-detail", args=[action.pk]),
        },
    )


# -- linking recommendations ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def action_links(request: HttpRequest, pk: int) -> HttpResponse:
    """Search the registry and tick recommendations (or a whole cluster) to link."""
    action = _action_for(request, pk)
    _require(request, "tracking.change_action", action)
    if request.method == "POST":
        return _save_links(request, action)
    query = RecommendationQuery.from_params(request.GET)
    linked_ids = set(action.recommendations.values_list("pk", flat=True))
    results: list[Recommendation] = []
    clusters: list[Any] = []
    if query.is_filtered():
        found = apply_filters(get_recommendations_for_user(request.user), query)
        results = list(
            found.exclude(pk__in=linked_ids)
            .select_related("document")
            .order_by("document__symbol", "number", "id")[:SEARCH_RESULTS]
        )
    if query.q:
        clusters = list(
            _visible_clusters(request.user)
            .filter(name__icontains=query.q)
            .annotate(n=Count("recommendations"))
            .order_by("name")[:SEARCH_RESULTS]
        )
    return render(
        request,
        "tracking/action_links.html",
        {
            "action": action,
            "query": query,
            "results": results,
            "clusters": clusters,
            "linked": _linked_recommendations(request.user, action),
            "linked_clusters": list(action.clusters.select_related("document")),
        },
    )


def _visible_clusters(user: Any) -> QuerySet[Cluster]:
    # A cluster without a document is a confirmed overlap group spanning several.
    return Cluster.objects.filter(
        Q(document__in=get_documents_for_user(user)) | Q(document__isnull=True)
    ).select_related("document")


def _save_links(request: HttpRequest, action: Action) -> HttpResponse:
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The selection was not understood. Nothing was changed."))
        return redirect("tracking:action-links", pk=action.pk)
    data = form.cleaned_data
    recs = get_recommendations_for_user(request.user)
    add_clusters = list(_visible_clusters(request.user).filter(pk__in=data["add_cluster"]))
    add = list(recs.filter(pk__in=data["add"]))
    # A cluster brings all its members the user may see.
    add += list(recs.filter(clusters__in=add_clusters).distinct())
    act.do_link_recommendations(
        request.user,
        action,
        add=add,
        remove=list(recs.filter(pk__in=data["remove"])),
        add_clusters=add_clusters,
        remove_clusters=list(action.clusters.filter(pk__in=data["remove_cluster"])),
    )
    messages.success(request, _("The links of the action were saved."))
    if data["add"] or data["add_cluster"]:
        return redirect(reverse("tracking:action-links", args=[action.pk]) + _back_query(request))
    return redirect("tracking:action-detail", pk=action.pk)


def _back_query(request: HttpRequest) -> str:
    q = request.POST.get("q", "").strip()[:200]
    if not q:
        return ""
    from urllib.parse import urlencode

    return "?" + urlencode({"q": q})


# -- progress updates -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def update_create(request: HttpRequest, action_pk: int) -> HttpResponse:
    action = _action_for(request, action_pk)
    _require(request, "tracking.add_update", action)
    form = UpdateForm(
        request.POST or None,
        request.FILES or None,
        initial={"language": get_language() or "ru", "spent": action.budget_spent},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the update and all its files, or nothing
                update = act.do_create_update(request.user, action, **form.update_fields())
                for name, data in form.cleaned_data["evidence_files"]:
                    act.do_attach_evidence(request.user, update, data, name)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _created_message(request.user, update))
            return redirect("tracking:update-detail", pk=update.pk)
    return _render_form(
        request, "tracking/update_form.html", {"form": form, "action": action, "update": None}
    )


def _created_message(user: Any, update: ProgressUpdate) -> str:
    if user.has_perm("tracking.submit_update", update):
        return _("The update was saved as a draft. Submit it to the secretariat when it is ready.")
    return _("The update was saved as a draft. Your focal point submits it to the secretariat.")


@require_GET
@anonymous_to_login
def update_detail(request: HttpRequest, pk: int) -> HttpResponse:
    update = _update_for(request, pk)
    return _render_update(request, update, TransitionForm(initial={"version": update.version}))


def _update_for(request: HttpRequest, pk: int) -> ProgressUpdate:
    try:
        return (
            get_updates_for_user(request.user)
            .select_related("action__plan", "author", "submitted_by", "reviewed_by")
            .prefetch_related("evidence")
            .get(pk=pk)
        )
    except ProgressUpdate.DoesNotExist as exc:
        raise Http404 from exc


def _render_update(
    request: HttpRequest, update: ProgressUpdate, form: TransitionForm, status: int = 200
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "tracking/update_detail.html",
        {
            "update": update,
            "action": update.action,
            "evidence": list(update.evidence.all()),
            "buttons": _update_buttons(user, update),
            "can_return": user.has_perm("tracking.return_update", update),
            "form": form,
            "history": _history(update),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def update_edit(request: HttpRequest, pk: int) -> HttpResponse:
    update = _update_for(request, pk)
    _require(request, "tracking.change_update", update)
    form = UpdateForm(
        request.POST or None, request.FILES or None, initial=UpdateForm.initial_for(update)
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        fields = form.update_fields()
        fields.pop("language")  # the text stays in the language it was written in
        try:
            with transaction.atomic():
                update = act.do_edit_update(
                    request.user, update, version=form.cleaned_data["version"], **fields
                )
                for name, data in form.cleaned_data["evidence_files"]:
                    act.do_attach_evidence(request.user, update, data, name)
        except ValidationError as exc:
            conflict = isinstance(exc, act.ConcurrentEditError)
            _form_errors(form, exc)
        else:
            messages.success(request, _("The update was saved."))
            return redirect("tracking:update-detail", pk=update.pk)
    return _render_form(
        request,
        "tracking/update_form.html",
        {"form": form, "action": update.action, "update": update, "conflict": conflict},
    )


# The state-free permission behind each step: who could never take it gets 403.
STEP_ROLES = {
    "submitted": "tracking.submit_own_updates",
    "validated": "tracking.review_updates",
    "returned": "tracking.review_updates",
    "published": "tracking.review_updates",
}


def _step_done_messages() -> dict[str, str]:
    return {
        "submitted": _("The update was submitted to the secretariat."),
        "validated": _("The update was validated; the action's status and spending follow it."),
        "returned": _("The update was returned to the institution with your comment."),
        "published": _("The update is published."),
    }


@require_POST
@anonymous_to_login
def update_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit, validate, return or publish; a step the workflow refuses says why."""
    update = _update_for(request, pk)
    form = TransitionForm(request.POST)
    to = request.POST.get("to", "")
    if to not in STEP_ROLES:
        raise Http404
    _require(request, STEP_ROLES[to], update)
    if not form.is_valid():
        return _render_update(request, update, form, status=400)
    try:
        act.do_transition_update(
            request.user,
            update,
            to,
            comment=form.cleaned_data["comment"].strip(),
            version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        # TransitionError (wrong state), ConcurrentEditError (someone acted first).
        _form_errors(form, exc)
        status = 409 if isinstance(exc, act.ConcurrentEditError) else 400
        return _render_update(request, update, form, status=status)
    messages.success(request, _step_done_messages()[to])
    return redirect("tracking:action-detail", pk=update.action_id)


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def update_delete(request: HttpRequest, pk: int) -> HttpResponse:
    update = _update_for(request, pk)
    _require(request, "tracking.delete_update", update)
    if request.method == "POST":
        action_pk = update.action_id
        act.do_delete_update(request.user, update)
        messages.success(request, _("The update and its evidence files were deleted."))
        return redirect("tracking:action-detail", pk=action_pk)
    return render(
        request,
        "tracking/confirm_delete.html",
        {
            "object": update,
            "kind": "update",
            "count": update.evidence.count(),
            "cancel_url": reverse("tracking:update-detail", args=[update.pk]),
        },
    )


@require_GET
@anonymous_to_login
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence file, to those allowed; a stranger learns nothing, not even that it exists."""
    evidence = get_evidence_for_user(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    # Unpublished evidence must never sit in a shared cache.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- the work queue -------------------------------------------------------------------------


@dataclass
class Queue:
    overdue: list[Action]
    due_soon: list[Action]
    awaiting_report: list[Action]
    returned: list[ProgressUpdate]
    drafts: list[ProgressUpdate]
    submitted: list[ProgressUpdate]
    validated: list[ProgressUpdate]


@require_GET
@anonymous_to_login
def queue(request: HttpRequest) -> HttpResponse:
    """What needs doing now: by the user's institution, or, for the secretariat, reviewing."""
    _require(request, "tracking.view_queue")
    user = request.user
    today = timezone.localdate()
    inst = user_institution_id(user)
    if user.has_perm("tracking.review_updates"):
        work = _secretariat_queue(user, today)
    elif inst is not None:
        work = _institution_queue(user, inst, today)
    else:
        work = Queue([], [], [], [], [], [], [])
    return render(
        request,
        "tracking/queue.html",
        {
            "queue": work,
            "today": today,
            "secretariat": user.has_perm("tracking.review_updates"),
            "institution": getattr(getattr(user, "organisation", None), "institution", None),
            "due_days": DUE_SOON_DAYS,
            "report_days": REPORT_EVERY_DAYS,
        },
    )


def _open_actions(qs: QuerySet[Action]) -> QuerySet[Action]:
    return _with_assignments(qs.exclude(status__in=CLOSED)).order_by("deadline", "id")


def _institution_queue(user: Any, inst: int, today: date) -> Queue:
    own = _open_actions(
        get_actions_for_user(user).filter(
            pk__in=ActionInstitution.objects.filter(institution_id=inst).values("action_id")
        )
    )
    reported = ProgressUpdate.objects.filter(
        institution_id=inst,
        as_of__gte=today - timedelta(days=REPORT_EVERY_DAYS),
        state__in=("submitted", "validated", "published"),
    ).values("action_id")
    updates = get_updates_for_user(user).filter(institution_id=inst).select_related("action__plan")
    return Queue(
        overdue=list(own.filter(deadline__lt=today)[:QUEUE_ROWS]),
        due_soon=list(
            own.filter(deadline__gte=today, deadline__lte=today + timedelta(days=DUE_SOON_DAYS))[
                :QUEUE_ROWS
            ]
        ),
        awaiting_report=list(own.exclude(pk__in=reported)[:QUEUE_ROWS]),
        returned=list(updates.filter(state="returned")[:QUEUE_ROWS]),
        drafts=list(updates.filter(state="draft")[:QUEUE_ROWS]),
        submitted=list(updates.filter(state="submitted")[:QUEUE_ROWS]),
        validated=[],
    )


def _secretariat_queue(user: Any, today: date) -> Queue:
    updates = get_updates_for_user(user).select_related("action__plan", "institution")
    return Queue(
        overdue=list(
            _open_actions(get_actions_for_user(user)).filter(deadline__lt=today)[:QUEUE_ROWS]
        ),
        due_soon=[],
        awaiting_report=[],
        returned=[],
        drafts=[],
        submitted=list(updates.filter(state="submitted").order_by("updated_at")[:QUEUE_ROWS]),
        validated=list(updates.filter(state="validated").order_by("updated_at")[:QUEUE_ROWS]),
    )


# -- assessments ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    """A recommendation's implementation: derived from its actions, or overridden."""
    rec = get_recommendation_for_user(request.user, pk)
    form = OverrideForm(request.POST or None)
    if request.method == "POST":
        _require(request, "tracking.override_assessment", rec)
        if form.is_valid():
            try:
                act.do_override_assessment(
                    request.user,
                    rec,
                    form.cleaned_data["status"],
                    form.cleaned_data["reason"].strip(),
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The assessment was saved."))
                return redirect("tracking:assessment", pk=rec.pk)
    current = Assessment.objects.filter(recommendation=rec).select_related("overridden_by").first()
    if current and not form.is_bound:
        form = OverrideForm(
            initial={"status": current.override_status, "reason": current.override_reason}
        )
    actions = _with_assignments(get_actions_for_user(request.user).filter(recommendations=rec))
    return _render_form(
        request,
        "tracking/assessment.html",
        {
            "rec": rec,
            "assessment": current,
            "derived": current.derived_status if current else Status.NOT_STARTED,
            "status_labels": dict(Status.choices),
            "actions": list(actions.order_by("plan_id", "id")),
            "today": timezone.localdate(),
            "form": form,
            "can_override": request.user.has_perm("tracking.override_assessment", rec),
            "history": _history(rec),
        },
    )
