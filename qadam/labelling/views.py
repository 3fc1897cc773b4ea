"""The labelling pages: the review queue of suggestions, model versions, labelling runs,
overlap groups and free-text classification with linking.

Views parse and render. Objects come through ``qadam.labelling.access``, writes go
through ``qadam.labelling.actions`` and who may do what is in ``qadam.labelling.rules``.
Refusals as elsewhere: anonymous visitors are sent to log in, a signed-in user who may
not do something gets 403, an unknown or invisible object 404. Training and labelling
runs are enqueued, never run inside a request."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qadam.accounts.refusals import anonymous_to_login
from qadam.labelling import actions as act
from qadam.labelling import engine
from qadam.labelling.access import (
    get_model_version_for_user,
    get_model_versions_for_user,
    get_overlap_group_for_user,
    get_overlap_groups_for_user,
    get_run_for_user,
    get_runs_for_user,
    get_suggestions_for_user,
)
from qadam.labelling.forms import (
    ClassifyForm,
    OverlapDecisionForm,
    RunForm,
    SuggestionFilterForm,
    ids_from,
)
from qadam.labelling.linking import Link, link_paragraph
from qadam.labelling.models import LabellingRun, ModelVersion, OverlapGroup, OverlapMember
from qadam.lib.ml.types import ModelFileError
from qadam.registry.access import get_documents_for_user
from qadam.registry.models import Label
from qadam.taxonomy.models import Taxonomy, Term

View = Callable[..., HttpResponseBase]

SUGGESTIONS_PER_PAGE = 50
GROUPS_PER_PAGE = 25
LINKS = 10
# How often a page showing a running job reloads itself, in seconds.
REFRESH_SECONDS = 5


# -- refusals ----------------------------------------------------------------------------


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(perm)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


# -- notes and reasons as sentences ------------------------------------------------------


def note_sentence(note: str) -> str:
    """A note of `engine.classify` ("empty", "no-kk-examples:ohchr-theme"...) as a sentence."""
    if note == "empty":
        return _("The text is empty: there is nothing to label.")
    if note == "unsupported-script":
        return _(
            "The text is not written in the Latin or Cyrillic alphabet, which the model reads."
        )
    if note == "truncated":
        return _("The text is long: only its beginning was labelled.")
    if note.startswith("no-") and "-examples:" in note:
        lang, taxonomy = note[3:].split("-examples:", 1)
        return _(
            "The model learned %(taxonomy)s from no text in %(language)s, so its "
            "suggestions there are unreliable."
        ) % {"taxonomy": _taxonomy_name(taxonomy), "language": _language_name(lang)}
    return note


def _language_name(code: str) -> str:
    names = {"kk": _("Kazakh"), "ru": _("Russian"), "en": _("English")}
    return names.get(code, code)


def _taxonomy_name(code: str) -> str:
    taxonomy = Taxonomy.objects.filter(code=code).first()
    return taxonomy.display_name() if taxonomy is not None else code


@dataclass
class ReasonView:
    kind: str
    text: str
    ref: str = ""


def reason_views(reasons: Iterable[dict[str, Any]] | None) -> list[ReasonView]:
    """A suggestion's reasons, each as a sentence a reviewer can check."""
    out = []
    for r in reasons or []:
        kind, detail, ref = r.get("kind", ""), str(r.get("detail", "")), str(r.get("ref", ""))
        if kind == "terms":
            text = _("Words that weighed: %(words)s") % {"words": detail}
        elif kind == "query":
            text = _("Matched the query: %(query)s") % {"query": detail}
        elif kind == "title":
            text = _("Resembles the title: %(title)s") % {"title": detail}
        elif kind == "similar":
            text = _("Like an already labelled text: %(text)s") % {"text": detail}
        else:
            text = detail
        out.append(ReasonView(kind, text, ref))
    return out


# -- the review queue --------------------------------------------------------------------


@dataclass
class SuggestionRow:
    label: Label
    reasons: list[ReasonView] = field(default_factory=list)


@require_GET
@anonymous_to_login
def suggestion_list(request: HttpRequest) -> HttpResponse:
    _require(request, "labelling.view_suggestions")
    pending = get_suggestions_for_user(request.user)
    form = SuggestionFilterForm(
        request.GET or None,
        taxonomies=_taxonomy_choices(pending),
        models=sorted(set(pending.values_list("source", flat=True))),
    )
    results = _filtered(pending, form.cleaned_data if form.is_valid() else {})
    results = results.select_related(
        "recommendation__document", "term__taxonomy", "recommendation"
    ).order_by("-score", "pk")
    page = Paginator(results, SUGGESTIONS_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "labelling/suggestion_list.html",
        {
            "form": form,
            "page": page,
            "rows": [SuggestionRow(lb, reason_views(lb.reasons)) for lb in page.object_list],
            "page_links": list(
                page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            ),
            "filter_query": params.urlencode(),
            "can_decide": request.user.has_perm("labelling.decide"),
        },
    )


def _taxonomy_choices(pending: QuerySet[Label]) -> list[tuple[str, str]]:
    codes = set(pending.values_list("term__taxonomy__code", flat=True))
    return [(t.code, t.display_name()) for t in Taxonomy.objects.filter(code__in=codes)]


def _filtered(qs: QuerySet[Label], data: dict[str, Any]) -> QuerySet[Label]:
    if data.get("taxonomy"):
        qs = qs.filter(term__taxonomy__code=data["taxonomy"])
    if data.get("term"):
        qs = qs.filter(term__code=data["term"].strip())
    if data.get("model"):
        qs = qs.filter(source=data["model"])
    if data.get("min_score") is not None:
        qs = qs.filter(score__gte=data["min_score"] / 100)
    return qs


@require_POST
@anonymous_to_login
def suggestion_decide(request: HttpRequest) -> HttpResponse:
    """Accept or reject one suggestion (a row's button), the checked ones, or all of one
    recommendation's. Posted from the recommendation page and from the review queue."""
    _require(request, "labelling.decide")
    pending = get_suggestions_for_user(request.user)
    one = request.POST.get("accept") or request.POST.get("reject")
    if one:
        accept = "accept" in request.POST
        labels = list(pending.filter(pk__in=ids_from([one])))
        if not labels:
            raise Http404
    else:
        decision = request.POST.get("decision", "")
        if decision not in ("accept", "reject", "accept-all", "reject-all"):
            messages.error(request, _("Choose whether to accept or reject."))
            return _back(request, reverse("labelling:suggestions"))
        accept = decision.startswith("accept")
        if decision.endswith("-all"):
            rec = request.POST.get("recommendation", "")
            labels = list(pending.filter(recommendation_id=int(rec))) if rec.isdigit() else []
        else:
            labels = list(pending.filter(pk__in=ids_from(request.POST.getlist("label"))))
    decided = act.do_decide_suggestions(request.user, labels, accept)
    if not decided:
        messages.error(request, _("No suggestion was checked, or they were already decided."))
    elif accept:
        messages.success(
            request,
            ngettext(
                "%(count)d suggestion was accepted.",
                "%(count)d suggestions were accepted.",
                decided,
            )
            % {"count": decided},
        )
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d suggestion was rejected.",
                "%(count)d suggestions were rejected.",
                decided,
            )
            % {"count": decided},
        )
    return _back(request, reverse("labelling:suggestions"))


# -- model versions ----------------------------------------------------------------------


@dataclass
class TaxonomyFacts:
    code: str
    name: str
    examples: int | None
    terms: int | None
    mean_f1: float | None
    note: str
    per_term: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


def _facts(version: ModelVersion, names: dict[str, str], with_terms: bool) -> list[TaxonomyFacts]:
    training = (version.report or {}).get("training", {})
    out = []
    for code, facts in sorted(training.items()):
        if not isinstance(facts, dict) or (
            "examples" not in facts and "mean_f1_out_of_fold" not in facts
        ):
            continue
        per_term = []
        if with_terms:
            terms = _term_names(code, list(facts.get("per_term", {})))
            per_term = [
                (term, terms.get(term, ""), fit)
                for term, fit in sorted(facts.get("per_term", {}).items())
            ]
        out.append(
            TaxonomyFacts(
                code=code,
                name=names.get(code, code),
                examples=facts.get("examples"),
                terms=facts.get("terms"),
                mean_f1=facts.get("mean_f1_out_of_fold"),
                note=str(facts.get("note", "")),
                per_term=per_term,
            )
        )
    return out


def _term_names(taxonomy: str, codes: list[str]) -> dict[str, str]:
    return {
        t.code: t.display_name()
        for t in Term.objects.filter(taxonomy__code=taxonomy, code__in=codes)
    }


def _taxonomy_names() -> dict[str, str]:
    return {t.code: t.display_name() for t in Taxonomy.objects.all()}


@require_GET
def model_list(request: HttpRequest) -> HttpResponse:
    _require(request, "labelling.view_modelversion")
    names = _taxonomy_names()
    versions = list(get_model_versions_for_user(request.user).select_related("created_by"))
    return render(
        request,
        "labelling/model_list.html",
        {
            "rows": [(v, _facts(v, names, with_terms=False)) for v in versions],
            "can_train": request.user.has_perm("labelling.train"),
            "can_activate": request.user.has_perm("labelling.activate_modelversion"),
            "training": any(v.status == ModelVersion.Status.TRAINING for v in versions),
            "refresh": REFRESH_SECONDS,
        },
    )


@require_GET
def model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "labelling.view_modelversion")
    version = get_model_version_for_user(request.user, pk)
    return render(
        request,
        "labelling/model_detail.html",
        {
            "version": version,
            "taxonomies": _facts(version, _taxonomy_names(), with_terms=True),
            "sources": (version.report or {}).get("sources", {}),
            "can_activate": request.user.has_perm("labelling.activate_modelversion"),
        },
    )


@require_POST
@anonymous_to_login
def model_train(request: HttpRequest) -> HttpResponse:
    from qadam.labelling.tasks import train_models

    _require(request, "labelling.train")
    train_models.enqueue(request.user.pk)
    messages.success(
        request,
        _(
            "Training is queued. The new version appears here when the task worker "
            "starts it and becomes active when it is ready."
        ),
    )
    return redirect("labelling:models")


@require_POST
@anonymous_to_login
def model_activate(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "labelling.activate_modelversion")
    version = get_model_version_for_user(request.user, pk)
    try:
        act.do_activate_version(request.user, version)
    except ValueError:
        messages.error(request, _("Only a ready model version can be made active."))
    except ModelFileError as exc:
        messages.error(
            request,
            _("This version cannot be used: %(problem)s") % {"problem": str(exc)},
        )
    else:
        messages.success(
            request,
            _("Model version %(name)s is now active.") % {"name": version.name},
        )
    return redirect("labelling:models")


# -- labelling runs ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def run_list(request: HttpRequest) -> HttpResponse:
    from qadam.labelling.tasks import continue_labelling_run

    _require(request, "labelling.run")
    documents = get_documents_for_user(request.user).order_by("-date", "symbol")
    form = RunForm(request.POST or None, documents=documents)
    if request.method == "POST" and form.is_valid():
        try:
            run = act.do_start_run(request.user, form.run_scope())
        except engine.NoModel:
            messages.error(
                request,
                _(
                    "No model version is active yet. Train a new version first "
                    "(on the model versions page, or with `qadam train`)."
                ),
            )
            return redirect("labelling:runs")
        continue_labelling_run.enqueue(run.pk)
        messages.success(request, _("The labelling run is queued; this page follows it."))
        return redirect("labelling:run-detail", pk=run.pk)
    runs = list(get_runs_for_user(request.user)[:50])
    return render(
        request,
        "labelling/run_list.html",
        {
            "form": form,
            "runs": runs,
            "has_model": engine.active_version_name() is not None,
            "refresh": REFRESH_SECONDS if any(_running(r) for r in runs) else 0,
        },
        status=400 if form.is_bound else 200,
    )


def _running(run: LabellingRun) -> bool:
    return run.status in (LabellingRun.Status.QUEUED, LabellingRun.Status.RUNNING)


@require_GET
@anonymous_to_login
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "labelling.run")
    run = get_run_for_user(request.user, pk)
    document = None
    if run.scope.get("document"):
        document = get_documents_for_user(request.user).filter(pk=run.scope["document"]).first()
    return render(
        request,
        "labelling/run_detail.html",
        {"run": run, "document": document, "refresh": REFRESH_SECONDS if _running(run) else 0},
    )


# -- overlap groups ----------------------------------------------------------------------

STATUSES = [s.value for s in OverlapGroup.Status]


@require_GET
@anonymous_to_login
def overlap_list(request: HttpRequest) -> HttpResponse:
    _require(request, "labelling.view_overlap")
    status = request.GET.get("status", OverlapGroup.Status.SUGGESTED)
    if status not in STATUSES:
        status = OverlapGroup.Status.SUGGESTED
    counts = dict(
        get_overlap_groups_for_user(request.user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    groups = (
        get_overlap_groups_for_user(request.user)
        .filter(status=status)
        .select_related("cluster", "decided_by")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=OverlapMember.objects.select_related("recommendation__document").order_by(
                    "position"
                ),
            )
        )
    )
    page = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "labelling/overlap_list.html",
        {
            "status": status,
            "tabs": [(s.value, s.label, counts.get(s.value, 0)) for s in OverlapGroup.Status],
            "page": page,
            "page_links": list(
                page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            ),
            "can_decide": request.user.has_perm("labelling.decide_overlap"),
        },
    )


@require_POST
@anonymous_to_login
def overlap_decide(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_overlap_group_for_user(request.user, pk)
    _require(request, "labelling.decide_overlap")
    members = list(group.memberships.values_list("recommendation_id", flat=True))
    form = OverlapDecisionForm(request.POST, members=members)
    back = reverse("labelling:overlaps")
    if not form.is_valid():
        for message in form.non_field_errors() or [_("The decision was not understood.")]:
            messages.error(request, str(message))
        return _back(request, back)
    if group.status != OverlapGroup.Status.SUGGESTED:
        messages.error(request, _("This group was already decided."))
        return _back(request, back)
    decision = form.cleaned_data["decision"]
    keep = form.cleaned_data["keep"] if decision == "split" else None
    act.do_decide_overlap_group(request.user, group, decision != "reject", keep)
    if group.status == OverlapGroup.Status.CONFIRMED:
        messages.success(
            request,
            _("The group is confirmed: an action can now answer all of it at once."),
        )
    else:
        messages.success(request, _("The group is rejected."))
    return _back(request, back)


# -- free text ---------------------------------------------------------------------------


@dataclass
class ClassifiedTerm:
    taxonomy: str
    code: str
    name: str
    score: float
    reasons: list[ReasonView]


@require_http_methods(["GET", "POST"])
@anonymous_to_login
def classify(request: HttpRequest) -> HttpResponse:
    _require(request, "labelling.classify")
    form = ClassifyForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "done": False}
    if request.method == "POST" and form.is_valid():
        text, lang = form.cleaned_data["text"], form.cleaned_data["lang"] or None
        context["done"] = True
        suggestions = []
        try:
            labelled = engine.classify([text], [lang])[0]
        except engine.NoModel:
            context["problem"] = _(
                "No model version is active yet, so no labels can be suggested. The "
                "recommendations below are found by their words alone."
            )
        except ModelFileError as exc:
            context["problem"] = _("The active model cannot be used: %(problem)s") % {
                "problem": str(exc)
            }
        else:
            suggestions = labelled.suggestions
            context["notes"] = [note_sentence(n) for n in labelled.notes]
            context["terms"] = _classified_terms(suggestions)
            context["model_version"] = engine.active_version_name()
        links: list[Link] = link_paragraph(text, request.user, LINKS, lang, suggestions)
        context["links"] = links
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "labelling/classify.html", context, status=status)


def _classified_terms(suggestions: Iterable[Any]) -> list[ClassifiedTerm]:
    found = list(suggestions)
    names = {
        (t.taxonomy.code, t.code): t.display_name()
        for t in Term.objects.filter(
            taxonomy__code__in={s.taxonomy for s in found}, code__in={s.term for s in found}
        ).select_related("taxonomy")
    }
    taxonomies = _taxonomy_names()
    rows = [
        ClassifiedTerm(
            taxonomies.get(s.taxonomy, s.taxonomy),
            s.term,
            names.get((s.taxonomy, s.term), s.term),
            s.score,
            reason_views({"kind": r.kind, "detail": r.detail, "ref": r.ref} for r in s.reasons),
        )
        for s in found
    ]
    return sorted(rows, key=lambda r: (r.taxonomy, -r.score))
