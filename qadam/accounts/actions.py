"""All writes to accounts' own records: in a transaction and audited.

API tokens are personal: a user creates and revokes their own. The secret is returned
once, by ``do_create_token``, and never stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qadam.accounts.models import ApiToken
from qadam.accounts.tokens import display_prefix, hash_key, new_key
from qadam.audit.actions import record


@transaction.atomic
def do_create_token(
    user: Any, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its secret key, which the caller shows once."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("accounts.add_apitoken")
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the token a name, so that you can tell it apart later."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("The expiry date must be in the future."))
    key = new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        key_prefix=display_prefix(key),
        key_hash=hash_key(key),
        expires_at=expires_at,
    )
    # The audit log names the token, never its key.
    record(
        user,
        "accounts.token.create",
        token,
        {
            "name": token.name,
            "key_prefix": token.key_prefix,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token, key


@transaction.atomic
def do_revoke_token(user: Any, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens; revoking twice changes nothing."""
    if not getattr(user, "is_authenticated", False) or token.user_id != user.pk:
        raise PermissionDenied("accounts.delete_apitoken")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(user, "accounts.token.revoke", token, {"key_prefix": token.key_prefix})
    return token
