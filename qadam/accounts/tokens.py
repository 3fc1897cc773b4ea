"""API keys: how they are made, hashed and looked up.

A key is ``qdm_`` followed by 43 URL-safe characters (256 random bits). The
database keeps only its SHA-256: a key is found by the hash of what the client
sends, so there is no character-by-character comparison an attacker could time,
and a leaked database holds no usable key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from qadam.accounts.models import ApiToken

KEY_PREFIX = "qdm_"
# last_used_at is a hint for the owner, not a log: one write a minute is plenty.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def display_prefix(key: str) -> str:
    """The first 8 characters of the secret, after ``qdm_``."""
    return key.removeprefix(KEY_PREFIX)[:8]


def find_token(key: str) -> ApiToken | None:
    """The token for this key, with its user, whatever its state; None if unknown."""
    if not key.startswith(KEY_PREFIX):
        return None
    digest = hash_key(key)
    token = ApiToken.objects.select_related("user__organisation").filter(key_hash=digest).first()
    # The lookup already matched the digest; compare again in constant time so that
    # the check does not rest on how the database compares strings.
    if token is None or not hmac.compare_digest(token.key_hash, digest):
        return None
    return token


def touch(token: ApiToken, now: datetime) -> None:
    """Record use, at most once a minute per token."""
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
