"""The signed-in user's own account pages: “My API tokens”.

A token's secret is shown once, in the answer to the form that created it, and never
again: only its hash is stored. Every user manages their own tokens only; someone
else's token is a 404, as if it did not exist.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from qadam.accounts.actions import do_create_token, do_revoke_token
from qadam.accounts.models import User

LIFETIMES = [
    ("30", gettext_lazy("30 days")),
    ("90", gettext_lazy("90 days")),
    ("365", gettext_lazy("One year")),
    ("", gettext_lazy("Never (until you revoke it)")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “MLSP reporting script”."),
    )
    lifetime = forms.ChoiceField(
        label=gettext_lazy("Expires after"), choices=LIFETIMES, initial="90", required=False
    )

    def expires_at(self) -> datetime | None:
        days = self.cleaned_data.get("lifetime")
        return timezone.now() + timedelta(days=int(days)) if days else None


def _me(request: HttpRequest) -> User:
    # Behind login_required the user is always a real one; this tells the type checker.
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's tokens and the form to create one; after creating, the secret once."""
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = do_create_token(
                request.user, form.cleaned_data["name"], form.expires_at()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenForm()
    context = {
        "form": form,
        "secret": secret,
        "tokens": _me(request).api_tokens.all(),
        "now": timezone.now(),
    }
    response = render(request, "accounts/tokens.html", context)
    # The page may hold a secret: no cache, shared or private, may keep it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = _me(request).api_tokens.filter(pk=pk).first()
    if token is None:
        raise Http404
    do_revoke_token(request.user, token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
