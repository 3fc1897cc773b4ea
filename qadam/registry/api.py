"""Read endpoints for recommendations and source documents.

Everything goes through ``registry.access`` (so unpublished stays invisible) and the
recommendation list through ``registry.queries`` (so filters, search and sort are the
web list's, parameter for parameter).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, Model, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError

from qadam.registry.access import get_documents_for_user, get_recommendations_for_user
from qadam.registry.models import Label, Recommendation, SourceDocument
from qadam.registry.queries import FacetValue, RecommendationQuery, apply_filters, facets, ordered
from qadam.registry.schemas import (
    DocumentOut,
    DocumentPage,
    DocumentParams,
    LanguageParams,
    PageParams,
    RecommendationOut,
    RecommendationPage,
    RecommendationParams,
)
from qadam.taxonomy.schemas import ErrorOut

router = Router()

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
NOT_FOUND = {404: ErrorOut}


# --- helpers -----------------------------------------------------------------------------


def request_language(request: HttpRequest, asked: str | None) -> str:
    """The `lang` parameter, else what LocaleMiddleware chose from Accept-Language."""
    if asked:
        return asked
    code = (getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


def _page_url(request: HttpRequest, number: int) -> str:
    # Keep every other parameter, so "next" repeats the same filters.
    params = request.GET.copy()
    params["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def paginate(request: HttpRequest, qs: QuerySet[Any], params: PageParams) -> dict[str, Any]:
    """count, page, page_size, next, previous and the page's objects as `items`."""
    paginator = Paginator(qs, params.page_size)
    try:
        page = paginator.page(params.page)
    except EmptyPage as exc:
        raise HttpError(404, _("There is no page %(page)s.") % {"page": params.page}) from exc
    return {
        "count": paginator.count,
        "page": page.number,
        "page_size": params.page_size,
        "next": _page_url(request, page.number + 1) if page.has_next() else None,
        "previous": _page_url(request, page.number - 1) if page.has_previous() else None,
        "items": list(page.object_list),
    }


def _number(obj: Model | None, attr: str = "number") -> int | None:
    return getattr(obj, attr) if obj is not None else None


# --- recommendations ---------------------------------------------------------------------


def with_relations(qs: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """Fetch everything a result shows in a fixed number of queries, whatever the page size."""
    live_labels = (
        Label.objects.filter(status=Label.Status.CONFIRMED)
        .select_related("term__taxonomy")
        .order_by(
            "term__taxonomy__sort_order",
            "term__taxonomy__code",
            "term__sort_key",
            "term__code",
            "provenance",
            "source",
        )
    )
    return qs.select_related(
        "document", "mechanism", "session__cycle", "state_under_review"
    ).prefetch_related("recommending_states", Prefetch("labels", queryset=live_labels), "clusters")


def _web_url(request: HttpRequest, pk: int) -> str | None:
    # The web detail page belongs to the web views; until it exists there is no URL to give.
    try:
        return request.build_absolute_uri(reverse("registry:recommendation-detail", args=[pk]))
    except NoReverseMatch:
        return None


def recommendation_out(request: HttpRequest, rec: Recommendation, lang: str) -> dict[str, Any]:
    picked = rec.text_in(lang)
    return {
        "id": rec.pk,
        "number": rec.number,
        "document": {"id": rec.document.pk, "symbol": rec.document.symbol},
        "mechanism": rec.mechanism.code,
        "cycle": _number(rec.session.cycle if rec.session else None),
        "session": _number(rec.session),
        "state_under_review": rec.state_under_review.iso3 if rec.state_under_review else None,
        "text": picked.text,
        "text_language": picked.language,
        "text_fallback": picked.fallback,
        "texts": {k: v for k, v in rec.text.items() if v},
        "original_language": rec.original_language,
        "response": rec.response,
        "action_category": rec.action_category,
        "recommending_states": [
            {"iso3": s.iso3, "name": s.display_name(lang)} for s in rec.recommending_states.all()
        ],
        "labels": [_label_out(label, lang) for label in rec.labels.all()],
        "clusters": [c.name for c in rec.clusters.all()],
        "url": _web_url(request, rec.pk),
    }


def _label_out(label: Label, lang: str) -> dict[str, Any]:
    return {
        "taxonomy": label.term.taxonomy.code,
        "code": label.term.code,
        "name": label.term.display_name(lang),
        "provenance": label.provenance,
        "source": label.source,
        "score": label.score,
        "status": label.status,
    }


def _facets_out(values: dict[str, list[FacetValue]]) -> dict[str, list[dict[str, Any]]]:
    return {name: [asdict(v) for v in items] for name, items in values.items()}


@router.get(
    "/recommendations",
    response={200: RecommendationPage, **NOT_FOUND},  # 404: a page past the end
    tags=["recommendations"],
    summary="List and search recommendations",
)
def list_recommendations(
    request: HttpRequest, params: Query[RecommendationParams]
) -> dict[str, Any]:
    """Published recommendations, filtered, searched and sorted exactly as the web list:
    the query string of a web list URL works here unchanged. Filters of different names
    combine with AND; repeated values of one name combine with OR."""
    lang = request_language(request, params.lang)
    query = RecommendationQuery.from_params(request.GET)
    qs = apply_filters(get_recommendations_for_user(request.user), query)
    # Names (states, terms, facet labels) and the web URL's prefix follow the asked language.
    with translation.override(lang):
        body = paginate(request, with_relations(ordered(qs, query)), params)
        body["results"] = [recommendation_out(request, r, lang) for r in body.pop("items")]
        if params.facets:
            body["facets"] = _facets_out(facets(qs, query))
    return body


@router.get(
    "/recommendations/{int:id}",
    response={200: RecommendationOut, **NOT_FOUND},
    tags=["recommendations"],
    summary="One recommendation",
)
def get_recommendation(
    request: HttpRequest, id: int, params: Query[LanguageParams]
) -> dict[str, Any]:
    """One recommendation with its texts, states, labels and clusters; 404 when it does not
    exist or is not published."""
    lang = request_language(request, params.lang)
    rec = with_relations(get_recommendations_for_user(request.user)).filter(pk=id).first()
    if rec is None:
        raise Http404
    with translation.override(lang):
        return recommendation_out(request, rec, lang)


# --- source documents --------------------------------------------------------------------


def documents_with_counts(user: Any) -> QuerySet[SourceDocument]:
    """Documents with the number of their recommendations this user may see."""
    visible = (
        get_recommendations_for_user(user)
        .filter(document=OuterRef("pk"))
        .order_by()
        .values("document")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        get_documents_for_user(user)
        .select_related("mechanism", "session__cycle", "state_under_review")
        .annotate(recommendation_count=Coalesce(Subquery(visible), Value(0)))
    )


def document_out(doc: SourceDocument) -> dict[str, Any]:
    # Listed field by field: the private original file (path, name, hash) never leaves.
    return {
        "id": doc.pk,
        "symbol": doc.symbol,
        "title": doc.title,
        "kind": doc.kind,
        "mechanism": doc.mechanism.code,
        "cycle": _number(doc.session.cycle if doc.session else None),
        "session": _number(doc.session),
        "state_under_review": doc.state_under_review.iso3 if doc.state_under_review else None,
        "date": doc.date,
        "language": doc.language,
        "recommendation_count": doc.recommendation_count,  # type: ignore[attr-defined]
    }


@router.get(
    "/documents",
    response={200: DocumentPage, **NOT_FOUND},
    tags=["documents"],
    summary="List source documents",
)
def list_documents(request: HttpRequest, params: Query[DocumentParams]) -> dict[str, Any]:
    """UN reports, thematic lists and exports the recommendations come from, newest first.
    The original files are not part of the API."""
    qs = documents_with_counts(request.user)
    if params.mechanism:
        qs = qs.filter(mechanism__code__in=params.mechanism)
    if params.kind:
        qs = qs.filter(kind__in=params.kind)
    body = paginate(request, qs, params)
    body["results"] = [document_out(d) for d in body.pop("items")]
    return body


@router.get(
    "/documents/{int:id}",
    response={200: DocumentOut, **NOT_FOUND},
    tags=["documents"],
    summary="One source document",
)
def get_document(request: HttpRequest, id: int) -> dict[str, Any]:
    """One source document and the number of its recommendations you can see."""
    doc = documents_with_counts(request.user).filter(pk=id).first()
    if doc is None:
        raise Http404
    return document_out(doc)
