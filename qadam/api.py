"""The JSON API at /api/v1/, with its OpenAPI document at /api/v1/openapi.json.

Each app brings its own router; this module only assembles them, says who may call
(``accounts.api``: an API token, the session, or nobody for reads) and decides the error
format: every error body is ``{"detail": ...}`` (a message, or for invalid parameters
the list of problems), with messages in the request's language. See docs/api.md.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError
from ninja.openapi.schema import OpenAPISchema

from qadam.accounts.api import READ_AUTH, document_anonymous_reads
from qadam.indicators.api import router as indicators_router
from qadam.labelling.api import router as labelling_router
from qadam.qol.api import router as qol_router
from qadam.registry.api import router as registry_router
from qadam.taxonomy.api import router as taxonomy_router
from qadam.tracking.actions import ConcurrentEditError, TransitionError
from qadam.tracking.api import router as tracking_router


class QadamAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        document_anonymous_reads(schema)
        return schema


api = QadamAPI(
    title="Qadam API",
    version="1",
    description="Recommendations, source documents and taxonomies; implementation plans, "
    "actions, progress updates, evidence and assessments. Reads need no account and show "
    "published data only; signed in (with a personal API token, `Authorization: Bearer "
    "qdm_…`, or the site's session) you see and change what your role allows on the "
    "site. Writes need one of the two. Guide: docs/api.md.",
    urls_namespace="api",
    # Swagger UI comes from Ninja's bundled static files ("ninja" is in INSTALLED_APPS), not
    # from a CDN; no validator either, which would send our spec's URL to swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    # Token, else session, else anonymous (reads only); see qadam/accounts/api.py.
    auth=READ_AUTH,
)
api.add_router("", registry_router)
api.add_router("", taxonomy_router)
api.add_router("", tracking_router)
api.add_router("", labelling_router)
api.add_router("", indicators_router)
api.add_router("", qol_router)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Ninja's default says "Not Found" in English only, and adds the exception under DEBUG.
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


# The do_* functions' exceptions, for every router: the same refusals as on the pages.


def _unauthorized(request: HttpRequest, message: str = "") -> HttpResponse:
    message = message or _("Log in, or send an API token (Authorization: Bearer qdm_…).")
    response = api.create_response(request, {"detail": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="Qadam API"'
    return response


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # Ninja's own message, for a write without credentials, is the English "Unauthorized".
    return _unauthorized(request, "" if exc.message == "Unauthorized" else str(exc.message))


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    if not request.user.is_authenticated:
        return _unauthorized(request)
    return api.create_response(
        request, {"detail": _("You are not allowed to do this.")}, status=403
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=422)


@api.exception_handler(ConcurrentEditError)
@api.exception_handler(TransitionError)
def conflict(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=409)
