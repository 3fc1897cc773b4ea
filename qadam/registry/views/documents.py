"""Source documents: list, detail and the private original file."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from qadam.registry.access import (
    get_document_for_user,
    get_documents_for_user,
    get_recommendations_for_user,
)
from qadam.registry.models import SourceDocument

PAGE_SIZE = 50


def document_list(request: HttpRequest) -> HttpResponse:
    documents = get_documents_for_user(request.user).select_related(
        "mechanism", "session", "state_under_review"
    )
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = _recommendation_counts(request.user, [d.pk for d in page.object_list])
    rows = [(doc, counts.get(doc.pk, 0), recommendations_url(doc)) for doc in page.object_list]
    page_links = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return render(
        request,
        "registry/document_list.html",
        {"page": page, "rows": rows, "page_links": list(page_links)},
    )


def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_document_for_user(request.user, pk)
    context = {
        "doc": doc,
        "count": _recommendation_counts(request.user, [doc.pk]).get(doc.pk, 0),
        "recommendations_url": recommendations_url(doc),
        "clusters": _clusters(request.user, doc),
        "can_download": bool(doc.original)
        and request.user.has_perm("registry.download_original", doc),
    }
    return render(request, "registry/document_detail.html", context)


@require_GET
def document_original(request: HttpRequest, pk: int) -> FileResponse:
    """The uploaded original, to those allowed; everyone else learns nothing (404)."""
    doc = get_document_for_user(request.user, pk)
    if not request.user.has_perm("registry.download_original", doc) or not doc.original:
        raise Http404
    try:
        handle = doc.original.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    filename = doc.original_name or doc.original.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=filename)
    # Originals may hold unpublished material: keep them out of shared caches.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _recommendation_counts(user: Any, document_ids: list[int]) -> dict[int, int]:
    """Recommendations per document that this user may see, in one query."""
    rows = (
        get_recommendations_for_user(user)
        .filter(document_id__in=document_ids)
        .order_by()
        .values("document_id")
        .annotate(n=Count("pk"))
    )
    return {r["document_id"]: r["n"] for r in rows}


def _clusters(user: Any, doc: SourceDocument) -> list[tuple[str, int]]:
    """The document's clusters with the number of recommendations this user may see."""
    rows = (
        get_recommendations_for_user(user)
        .filter(clusters__document=doc)
        .order_by()
        .values("clusters__name")
        .annotate(n=Count("pk"))
        .order_by("clusters__name")
    )
    return [(r["clusters__name"], r["n"]) for r in rows]


def recommendations_url(doc: SourceDocument) -> str:
    """The recommendation list filtered to this document's review.

    The list has no "document" filter, so that its URL contract stays the API's;
    mechanism, session and state under review pick out one review, which is what
    a document reports on (a WG report and a database export of the same review
    share their recommendations).
    """
    params: list[tuple[str, str]] = [("mechanism", doc.mechanism.code)]
    if doc.session is not None:
        params.append(("session", str(doc.session.number)))
    if doc.state_under_review is not None:
        params.append(("sur", doc.state_under_review.iso3))
    return reverse("registry:recommendation-list") + "?" + urlencode(params)
