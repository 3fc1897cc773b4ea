"""Who is calling the API: an API token, a browser session, or nobody.

Every operation accepts, in this order:

1. ``Authorization: Bearer qdm_<secret>``, a personal API token. A header that names a
   bearer token which is unknown, revoked or expired is refused with 401 at once,
   never treated as anonymous: a client must learn that its key no longer works.
2. The site's session cookie, for pages that call the API from the browser. Unsafe
   methods then need the CSRF token, as a form on the site would.
3. Nobody, for reads (``READ_AUTH``): anonymous callers see published data only,
   because every read goes through the same ``get_<obj>_for_user`` helpers as the pages.
   Writes (``WRITE_AUTH``) have no anonymous option: they answer 401 before anything else.

Whichever way, ``request.user`` is the caller, so that endpoints ask the same rules as
the web views.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from qadam.accounts.tokens import find_token, touch


class TokenAuth(HttpBearer):
    """A personal API token, created on the “My API tokens” page."""

    openapi_bearerFormat = "qdm_<secret>"
    openapi_description = (
        "A personal API token, sent as `Authorization: Bearer qdm_…`. Create and revoke "
        "tokens on the site under Account → My API tokens. A token acts with its owner's "
        "role and permissions."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        found = find_token(token.strip())
        if found is None:
            raise AuthenticationError(message=_("This API token is not valid."))
        if found.revoked_at is not None:
            raise AuthenticationError(message=_("This API token has been revoked."))
        if found.expires_at is not None and found.expires_at <= now:
            raise AuthenticationError(message=_("This API token has expired."))
        if not found.user.is_active:
            raise AuthenticationError(message=_("The account of this API token is disabled."))
        touch(found, now)
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """The site's login session, for the browser; CSRF-checked on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "The site's login session (the browser's cookie). Unsafe methods also need the "
        "CSRF token in the `X-CSRFToken` header."
    )

    def _get_key(self, request: HttpRequest) -> str | None:
        # Ninja would check CSRF before knowing whether the cookie signs anyone in, and
        # an anonymous write would get "CSRF failed" instead of "log in". Check it only
        # for a real session, which is what CSRF protects.
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header."))
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


def anonymous(request: HttpRequest) -> Any:
    """Let nobody in, as nobody: reads then show what the public may see."""
    # Ninja takes any truthy value as "authenticated"; AnonymousUser is truthy.
    return request.user


WRITE_AUTH: list[Callable[[HttpRequest], Any]] = [TokenAuth(), SessionAuth()]
READ_AUTH: list[Callable[[HttpRequest], Any]] = [*WRITE_AUTH, anonymous]


def document_anonymous_reads(schema: dict[str, Any]) -> None:
    """Mark reads as open to anyone in the OpenAPI document.

    Ninja lists only the schemes a request may use; an empty requirement (``{}``) is
    OpenAPI's way to say "or none", which is true of every GET here.
    """
    for operations in schema.get("paths", {}).values():
        operation = operations.get("get")
        if operation is not None and {} not in operation.get("security", [{}]):
            operation["security"].append({})
