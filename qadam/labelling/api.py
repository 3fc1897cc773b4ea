"""The labelling API: classify texts, link a paragraph to recommendations, review
suggestions, read model versions and overlap groups.

The same rules as the pages (``labelling.rules``) and the same doors
(``labelling.access``). Classification and linking are reads sent as POST (the texts are
long), so they need an account: an API token or the session. See docs/labelling.md."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError

from qadam.accounts.api import WRITE_AUTH
from qadam.labelling import engine
from qadam.labelling.access import (
    get_model_versions_for_user,
    get_overlap_groups_for_user,
    get_suggestions_for_user,
)
from qadam.labelling.actions import do_decide_suggestions
from qadam.labelling.linking import link_paragraph
from qadam.labelling.models import ModelVersion, OverlapGroup, OverlapMember
from qadam.labelling.schemas import (
    ClassifiedOut,
    ClassifyIn,
    DecidedOut,
    DecideIn,
    LinkIn,
    LinkOut,
    ModelVersionOut,
    OverlapPage,
    OverlapParams,
    SuggestionPage,
    SuggestionParams,
)
from qadam.lib.ml.types import ModelFileError
from qadam.registry.api import paginate
from qadam.registry.models import Label
from qadam.taxonomy.schemas import ErrorOut

router = Router(tags=["labelling"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(perm)


def _no_model() -> HttpError:
    return HttpError(
        503,
        _("No model version is active yet. Train one first (`qadam train`, or on the site)."),
    )


@router.post(
    "/labelling/classify",
    auth=WRITE_AUTH,
    response={200: list[ClassifiedOut], 503: ErrorOut, **ERRORS},
    summary="Suggest labels for texts",
)
def classify(request: HttpRequest, payload: ClassifyIn) -> list[dict[str, Any]]:
    """Up to 1000 texts at once; each comes back with the active model's suggested labels
    (calibrated probability and reasons), the model version and notes when it could say
    less (an empty text, another script, a truncated text, a language the model has no
    examples in). 503 when no model is active. Any role."""
    _require(request, "labelling.classify")
    try:
        results = engine.classify([t.text for t in payload.texts], [t.lang for t in payload.texts])
        bundle = engine.active_bundle()
    except engine.NoModel:
        raise _no_model() from None
    except ModelFileError as exc:
        raise HttpError(503, str(exc)) from None
    names = engine.output_terms(bundle.taxonomies)
    return [
        {
            "id": t.id,
            "labels": [
                {
                    "taxonomy": s.taxonomy,
                    "term": names.get((s.taxonomy, s.term), s.term),
                    "score": s.score,
                    "reasons": [
                        {"kind": r.kind, "detail": r.detail, "weight": r.weight, "ref": r.ref}
                        for r in s.reasons
                    ],
                }
                for s in result.suggestions
            ],
            "model_version": bundle.version,
            "notes": result.notes,
        }
        for t, result in zip(payload.texts, results, strict=True)
    ]


@router.post(
    "/labelling/link",
    auth=WRITE_AUTH,
    response={200: list[LinkOut], **ERRORS},
    summary="Find the recommendations a paragraph addresses",
)
def link(request: HttpRequest, payload: LinkIn) -> list[dict[str, Any]]:
    """The `k` recommendations (that you may see) whose words are closest to the
    paragraph, boosted when they carry a label the model suggests for it, with the words
    and labels they share. Works without a trained model (words only). Any role."""
    _require(request, "labelling.classify")
    return [
        {
            "id": lk.recommendation.pk,
            "symbol": lk.recommendation.document.symbol,
            "number": lk.recommendation.number,
            "text": lk.recommendation.text,
            "score": lk.score,
            "shared_words": lk.shared_words,
            "shared_terms": lk.shared_terms,
        }
        for lk in link_paragraph(payload.text, request.user, payload.k, payload.lang)
    ]


@router.get(
    "/labelling/suggestions",
    response={200: SuggestionPage, **ERRORS},
    summary="Suggestions waiting for review",
)
def list_suggestions(request: HttpRequest, params: Query[SuggestionParams]) -> dict[str, Any]:
    """Undecided model suggestions on recommendations you may see, the most certain
    first; filter by taxonomy, term, model version and minimum score. Any role."""
    _require(request, "labelling.view_suggestions")
    qs = get_suggestions_for_user(request.user)
    if params.taxonomy:
        qs = qs.filter(term__taxonomy__code=params.taxonomy)
    if params.term:
        qs = qs.filter(term__code=params.term)
    if params.model:
        qs = qs.filter(source=params.model)
    if params.min_score:
        qs = qs.filter(score__gte=params.min_score)
    qs = qs.select_related("recommendation__document", "term__taxonomy").order_by("-score", "pk")
    page = paginate(request, qs, params)
    page["items"] = [_suggestion_out(label) for label in page["items"]]
    return page


def _suggestion_out(label: Label) -> dict[str, Any]:
    return {
        "id": label.pk,
        "recommendation": label.recommendation_id,
        "symbol": label.recommendation.document.symbol,
        "number": label.recommendation.number,
        "taxonomy": label.term.taxonomy.code,
        "term": label.term.code,
        "term_name": label.term.name,
        "score": label.score,
        "model_version": label.source,
        "reasons": label.reasons or [],
        "created_at": label.created_at,
    }


@router.post(
    "/labelling/suggestions/decide",
    auth=WRITE_AUTH,
    response={200: DecidedOut, **ERRORS},
    summary="Accept or reject suggestions",
)
def decide_suggestions(request: HttpRequest, payload: DecideIn) -> dict[str, Any]:
    """Accept (`"accept": true`) or reject suggestions by id; the decision records who and
    when, and no later model run changes it. Ids already decided are skipped; 404 when
    none of the ids is a suggestion you may see. Secretariat only."""
    _require(request, "labelling.decide")
    labels = list(get_suggestions_for_user(request.user).filter(pk__in=payload.ids))
    if not labels:
        raise Http404
    return {"decided": do_decide_suggestions(request.user, labels, payload.accept)}


def _version_out(version: ModelVersion, per_term: bool) -> dict[str, Any]:
    report = version.report or {}
    training = {
        tax: {k: v for k, v in facts.items() if per_term or k != "per_term"}
        for tax, facts in report.get("training", {}).items()
        if isinstance(facts, dict)
    }
    return {
        "name": version.name,
        "status": version.status,
        "active": version.active,
        "created_at": version.created_at,
        "finished_at": version.finished_at,
        "error": version.error,
        "training": training,
        "bytes": report.get("bytes"),
    }


@router.get(
    "/labelling/models",
    response={200: list[ModelVersionOut], **ERRORS},
    summary="Model versions",
)
def list_models(request: HttpRequest) -> list[dict[str, Any]]:
    """Every trained version, newest first, with its status, whether it is active, its
    training examples and mean out-of-fold F1 per taxonomy, and its size. Public."""
    _require(request, "labelling.view_modelversion")
    return [_version_out(v, False) for v in get_model_versions_for_user(request.user)]


@router.get(
    "/labelling/models/{name}",
    response={200: ModelVersionOut, **ERRORS},
    summary="One model version",
)
def get_model(request: HttpRequest, name: str) -> dict[str, Any]:
    """A version with the per-term fit: positive examples, threshold and F1. Public."""
    _require(request, "labelling.view_modelversion")
    version = get_model_versions_for_user(request.user).filter(name=name).first()
    if version is None:
        raise Http404
    return _version_out(version, True)


@router.get(
    "/labelling/overlaps",
    response={200: OverlapPage, **ERRORS},
    summary="Overlapping recommendations",
)
def list_overlaps(request: HttpRequest, params: Query[OverlapParams]) -> dict[str, Any]:
    """Groups of recommendations that ask for the same thing, by status (suggested by
    default), the most similar first. Any role."""
    _require(request, "labelling.view_overlap")
    qs = (
        get_overlap_groups_for_user(request.user)
        .filter(status=params.status)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=OverlapMember.objects.select_related("recommendation__document"),
            )
        )
    )
    page = paginate(request, qs, params)
    page["items"] = [_group_out(g) for g in page["items"]]
    return page


def _group_out(group: OverlapGroup) -> dict[str, Any]:
    return {
        "id": group.pk,
        "status": group.status,
        "score": group.score,
        "shared_words": group.shared_words,
        "members": [
            {
                "id": m.recommendation_id,
                "symbol": m.recommendation.document.symbol,
                "number": m.recommendation.number,
                "similarity": m.similarity,
            }
            for m in group.memberships.all()
        ],
        "cluster": group.cluster_id,
    }
