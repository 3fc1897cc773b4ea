"""The JSON API at /api/v1/, with its OpenAPI document at /api/v1/openapi.json.

Each app brings its own router; this module only assembles them and decides the error
format: every error body is ``{"detail": ...}`` (a message, or for invalid parameters
the list of problems), with messages in the request's language. See docs/api.md.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger

from qadam.registry.api import router as registry_router
from qadam.taxonomy.api import router as taxonomy_router

api = NinjaAPI(
    title="Qadam API",
    version="1",
    description="Recommendations, source documents and taxonomies. Reads are public; "
    "unpublished recommendations are not shown. Guide: docs/api.md.",
    urls_namespace="api",
    # Swagger UI comes from Ninja's bundled static files ("ninja" is in INSTALLED_APPS), not
    # from a CDN; no validator either, which would send our spec's URL to swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_router("", registry_router)
api.add_router("", taxonomy_router)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Ninja's default says "Not Found" in English only, and adds the exception under DEBUG.
    return api.create_response(request, {"detail": _("Not found.")}, status=404)
