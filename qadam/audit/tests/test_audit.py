import pytest
from django.contrib.auth.models import AnonymousUser

from qadam.audit.actions import history_for, record
from qadam.audit.models import AuditEvent
from qadam.taxonomy.models import Taxonomy


@pytest.mark.django_db
def test_record_keeps_actor_object_and_changes(personas):
    tax = Taxonomy.objects.create(code="synthetic-tax", name={"en": "Synthetic"})
    record(personas["admin"], "taxonomy.edit", tax, {"name": ["old", "new"]})
    event = history_for(tax).get()
    assert event.actor == personas["admin"]
    assert event.object_type == "taxonomy.taxonomy"
    assert event.changes == {"name": ["old", "new"]}


@pytest.mark.django_db
def test_anonymous_actor_is_recorded_as_nobody():
    event = record(AnonymousUser(), "registry.import")
    assert event.actor is None


@pytest.mark.django_db
def test_audit_log_cannot_be_edited_in_admin(client_for, personas):
    personas["admin"].is_staff = personas["admin"].is_superuser = True
    personas["admin"].save()
    event = record(personas["admin"], "registry.import")
    response = client_for("admin").post(
        f"/en/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
