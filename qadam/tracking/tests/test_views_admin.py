"""Tracking in the Django admin: read-only for tracked work, audited for reference rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from qadam.audit.models import AuditEvent
from qadam.tracking.models import OutcomeType
from qadam.tracking.tests import factories as f


def test_tracked_work_is_read_only_in_the_admin(
    client: Client, admin_user: Any, settings: Any, tmp_path: Path
) -> None:
    f.use_storage(settings, tmp_path)
    client.force_login(admin_user)
    action = f.action(f.plan("Synthetic plan in the admin"), lead="MLSP", co=[("GPO", True)])
    update = f.update(action, "draft", "MLSP")
    evidence = f.evidence(update)

    listing = client.get(reverse("admin:tracking_plan_changelist"))
    assert b"Synthetic plan in the admin" in listing.content
    assert client.get(reverse("admin:tracking_plan_add")).status_code == 403
    page = client.get(reverse("admin:tracking_action_change", args=[action.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # a view, not a form
    update_page = client.get(reverse("admin:tracking_progressupdate_change", args=[update.pk]))
    html = update_page.content.decode()
    # Evidence links go through the permission-checked view, never to storage.
    assert reverse("tracking:evidence", args=[evidence.pk]) in html
    assert evidence.file.name not in html
    response = client.post(
        reverse("admin:tracking_plan_delete", args=[action.plan_id]), {"post": "yes"}
    )
    assert response.status_code == 403


def test_outcome_types_are_edited_in_the_admin_and_audited(client: Client, admin_user: Any) -> None:
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:tracking_outcometype_add"),
        {"code": "synthetic-draft-law", "name": '{"en": "Synthetic draft law"}'},
    )
    assert response.status_code == 302
    outcome = OutcomeType.objects.get(code="synthetic-draft-law")
    event = AuditEvent.objects.get(action="tracking.outcometype.admin-create")
    assert event.object_id == str(outcome.pk)
    assert event.actor == admin_user
