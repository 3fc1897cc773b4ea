"""Personal API tokens: made, shown once, stored hashed, used, revoked, expired.

The API calls here read an unpublished plan: a secretariat admin's token sees it, and
anything that is not a live token of that admin must not.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qadam.accounts.actions import do_create_token, do_revoke_token
from qadam.accounts.models import ApiToken, User
from qadam.audit.models import AuditEvent
from qadam.tracking.models import Plan

API = "/api/v1"
pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_plan(db: None) -> Plan:
    return Plan.objects.create(title={"en": "Synthetic unpublished plan"}, kind="other")


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def read_draft(key: str | None, plan: Plan) -> Any:
    return Client().get(f"{API}/plans/{plan.pk}", headers=bearer(key) if key else {})


# -- creating ------------------------------------------------------------------------------


def test_a_new_token_is_returned_once_and_stored_only_as_its_hash(personas: dict[str, User]):
    token, key = do_create_token(personas["admin"], "Synthetic reporting script")
    assert key.startswith("qdm_") and len(key) > 40
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.key_prefix == key[4:12]
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in str(stored) and key[4:] not in str(stored)
    # The audit log names the token and never holds the key.
    event = AuditEvent.objects.get(action="accounts.token.create")
    assert event.object_id == str(token.pk) and key[4:] not in str(event.changes)


def test_each_key_is_new(personas: dict[str, User]):
    keys = {do_create_token(personas["admin"], f"t{i}")[1] for i in range(5)}
    assert len(keys) == 5


@pytest.mark.parametrize("name", ["", "   "])
def test_a_token_needs_a_name(personas: dict[str, User], name: str):
    with pytest.raises(ValidationError):
        do_create_token(personas["admin"], name)
    assert not ApiToken.objects.exists()


def test_an_expiry_in_the_past_is_refused(personas: dict[str, User]):
    with pytest.raises(ValidationError):
        do_create_token(personas["admin"], "late", timezone.now() - timedelta(seconds=1))


def test_anonymous_cannot_create_a_token():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        do_create_token(AnonymousUser(), "nobody's")


# -- using ---------------------------------------------------------------------------------


def test_a_token_acts_as_its_owner(personas: dict[str, User], draft_plan: Plan):
    _, admin_key = do_create_token(personas["admin"], "admin's")
    _, ngo_key = do_create_token(personas["ngo_member"], "ngo's")
    assert read_draft(admin_key, draft_plan).status_code == 200
    assert read_draft(ngo_key, draft_plan).status_code == 404
    assert read_draft(None, draft_plan).status_code == 404


def test_reads_of_published_data_need_no_token(db: None):
    assert Client().get(f"{API}/recommendations").status_code == 200
    assert Client().get(f"{API}/plans").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer qdm_not-a-real-token",
        "Bearer wrong-prefix",
        "Bearer ",
        "bearer qdm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
)
def test_a_wrong_token_is_refused_not_treated_as_anonymous(
    personas: dict[str, User], draft_plan: Plan, header: str
):
    do_create_token(personas["admin"], "a real one exists")
    response = Client().get(f"{API}/plans", headers={"authorization": header})
    assert response.status_code == 401
    assert response.json() == {"detail": "This API token is not valid."}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_key_one_character_off_is_refused(personas: dict[str, User], draft_plan: Plan):
    _, key = do_create_token(personas["admin"], "admin's")
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert read_draft(tampered, draft_plan).status_code == 401


def test_a_revoked_token_is_refused(personas: dict[str, User], draft_plan: Plan):
    token, key = do_create_token(personas["admin"], "admin's")
    assert read_draft(key, draft_plan).status_code == 200
    do_revoke_token(personas["admin"], token)
    response = read_draft(key, draft_plan)
    assert response.status_code == 401
    assert response.json() == {"detail": "This API token has been revoked."}
    # Refused on public reads too: a client must learn that its key stopped working.
    assert Client().get(f"{API}/plans", headers=bearer(key)).status_code == 401


def test_an_expired_token_is_refused(personas: dict[str, User], draft_plan: Plan):
    token, key = do_create_token(personas["admin"], "admin's", timezone.now() + timedelta(days=1))
    assert read_draft(key, draft_plan).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = read_draft(key, draft_plan)
    assert response.status_code == 401
    assert response.json() == {"detail": "This API token has expired."}


def test_the_token_of_a_disabled_account_is_refused(personas: dict[str, User], draft_plan: Plan):
    _, key = do_create_token(personas["admin"], "admin's")
    User.objects.filter(pk=personas["admin"].pk).update(is_active=False)
    assert read_draft(key, draft_plan).status_code == 401


def test_last_use_is_recorded_at_most_once_a_minute(personas: dict[str, User], draft_plan: Plan):
    token, key = do_create_token(personas["admin"], "admin's")
    assert token.last_used_at is None
    read_draft(key, draft_plan)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=10)
    read_draft(key, draft_plan)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    earlier = first - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    read_draft(key, draft_plan)
    latest = ApiToken.objects.get(pk=token.pk).last_used_at
    assert latest is not None and latest > first


def test_a_token_does_not_open_the_web_pages(personas: dict[str, User]):
    # Tokens are for the API; the site's pages stay behind the login session.
    _, key = do_create_token(personas["admin"], "admin's")
    response = Client().get(reverse("accounts:tokens"), headers=bearer(key))
    assert response.status_code == 302 and "/login/" in response["Location"]


# -- revoking ------------------------------------------------------------------------------


def test_revoking_is_audited_and_idempotent(personas: dict[str, User]):
    token, _ = do_create_token(personas["admin"], "admin's")
    do_revoke_token(personas["admin"], token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    do_revoke_token(personas["admin"], token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
    assert AuditEvent.objects.filter(action="accounts.token.revoke").count() == 1


def test_nobody_revokes_someone_else_s_token(personas: dict[str, User]):
    token, _ = do_create_token(personas["focal_point"], "daniyar's")
    with pytest.raises(PermissionDenied):
        do_revoke_token(personas["admin"], token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


# -- the "My API tokens" page ----------------------------------------------------------------


def test_the_page_is_for_signed_in_users(db: None):
    response = Client().get(reverse("accounts:tokens"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_page_creates_a_token_and_shows_its_key_once(client_for: Any, draft_plan: Plan):
    client = client_for("admin")
    response = client.post(
        reverse("accounts:tokens"), {"name": "Synthetic script", "lifetime": "30"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(name="Synthetic script")
    key = response.context["secret"]
    assert key.startswith("qdm_") and key in response.content.decode()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    # The key works, and the page never shows it again.
    assert read_draft(key, draft_plan).status_code == 200
    again = client.get(reverse("accounts:tokens")).content.decode()
    assert key not in again and key[4:] not in again
    assert f"qdm_{token.key_prefix}" in again and "Synthetic script" in again


def test_a_token_without_expiry(client_for: Any):
    client_for("admin").post(reverse("accounts:tokens"), {"name": "Forever", "lifetime": ""})
    assert ApiToken.objects.get(name="Forever").expires_at is None


def test_the_page_refuses_a_nameless_token(client_for: Any):
    response = client_for("admin").post(reverse("accounts:tokens"), {"name": "", "lifetime": "30"})
    assert response.status_code == 200 and response.context["secret"] is None
    assert not ApiToken.objects.exists()


def test_the_page_lists_only_the_user_s_own_tokens(client_for: Any, personas: dict[str, User]):
    do_create_token(personas["focal_point"], "Daniyar's synthetic token")
    do_create_token(personas["admin"], "Aigerim's synthetic token")
    page = client_for("admin").get(reverse("accounts:tokens")).content.decode()
    assert "Aigerim&#x27;s synthetic token" in page
    assert "Daniyar" not in page


def test_the_page_revokes(client_for: Any, personas: dict[str, User], draft_plan: Plan):
    token, key = do_create_token(personas["admin"], "admin's")
    client = client_for("admin")
    response = client.post(reverse("accounts:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert read_draft(key, draft_plan).status_code == 401
    assert "Revoked" in client.get(reverse("accounts:tokens")).content.decode()


def test_the_page_cannot_revoke_someone_else_s_token(client_for: Any, personas: dict[str, User]):
    token, _ = do_create_token(personas["focal_point"], "daniyar's")
    response = client_for("admin").post(reverse("accounts:token-revoke", args=[token.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_revoking_needs_post(client_for: Any, personas: dict[str, User]):
    token, _ = do_create_token(personas["admin"], "admin's")
    response = client_for("admin").get(reverse("accounts:token-revoke", args=[token.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_page_exists_in_each_language(client_for: Any, lang: str):
    response = client_for("observer").get(f"/{lang}/account/tokens/")
    assert response.status_code == 200
    assert f'lang="{lang}"' in response.content.decode()
